"""The development corpora run as projects: record, replay and live agree step by step.

Each corpus of ``../shared/corpus`` is copied into a temporary folder and run there
as a user runs it: ``docharness extract``, ``run --record`` against the local emulator,
``run`` (replay) from those cassettes, and ``run --live``. Totals move as the resource
model grows, so nothing here asserts them: what must hold is that every step's status is
the same in all three modes, that replay touches no network, and that the recordings
hold no credentials. ``python benchmarks/corpus_run.py`` prints the figures.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from e2e_project import Project

from harness.emulator import DEFAULT_PRIVATE_KEY
from harness.results import RunResult, StepStatus, load

pytestmark = pytest.mark.corpus

CORPORA = ("app-services", "realm-2021")
MODES = ("record", "replay", "live")

# Loaded by every Python process the run starts (PYTHONPATH), before docharness: it notes
# each connection to an internet address and each name lookup, and refuses them when told.
# The same guard sees the recording's and the live run's requests, so it is shown to see them.
NETWORK_GUARD = """
import json, os, socket

_LOG = os.environ["DOCHARNESS_TEST_NETWORK_LOG"]
_REFUSE = os.environ.get("DOCHARNESS_TEST_NETWORK_REFUSE") == "1"


def _note(kind, address):
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(json.dumps([kind, repr(address)]) + "\\n")
    if _REFUSE:
        raise OSError(f"network refused by the test: {kind} {address!r}")


def _guarded(method, kind):
    def guarded(self, address, *args, **kwargs):
        if isinstance(address, tuple):  # AF_INET / AF_INET6, not a local Unix socket
            _note(kind, address)
        return method(self, address, *args, **kwargs)
    return guarded


def _lookup(host, *args, **kwargs):
    _note("getaddrinfo", host)
    return _getaddrinfo(host, *args, **kwargs)


_getaddrinfo = socket.getaddrinfo
socket.getaddrinfo = _lookup
socket.socket.connect = _guarded(socket.socket.connect, "connect")
socket.socket.connect_ex = _guarded(socket.socket.connect_ex, "connect_ex")
"""


@dataclass(frozen=True)
class CorpusRuns:
    """One corpus run in the three modes, in one temporary project."""

    project: Project
    results: dict[str, RunResult]
    network: dict[str, list[list[str]]]  # mode -> [kind, address] the guard noted


@pytest.fixture(scope="module", params=CORPORA)
def corpus_runs(
    request: pytest.FixtureRequest, shared_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> CorpusRuns:
    name: str = request.param
    scratch = tmp_path_factory.mktemp(f"corpus-{name}")
    root = scratch / name
    # The corpus root holds snooty.toml and no docs/: it is its own docs folder.
    shutil.copytree(shared_dir / "corpus" / name, root)
    project = Project(root)
    extracted = project.docharness("extract", ".", "-o", "features")
    assert extracted.code in (0, 1), extracted.output  # 1: lint errors on the pages
    guard = scratch / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NETWORK_GUARD, encoding="utf-8")
    results: dict[str, RunResult] = {}
    network: dict[str, list[list[str]]] = {}
    for mode in MODES:
        log = scratch / f"network-{mode}.jsonl"
        log.touch()
        python_path = filter(None, [str(guard), os.environ.get("PYTHONPATH")])
        env = {"PYTHONPATH": os.pathsep.join(python_path), "DOCHARNESS_TEST_NETWORK_LOG": str(log)}
        if mode == "replay":
            env["DOCHARNESS_TEST_NETWORK_REFUSE"] = "1"  # offline for real: any attempt fails
        extra = ["--record-failed"] if mode == "record" else []
        path = root / "reports" / mode / "results.json"
        args = ("run", f"--{mode}", *extra, "--allow-unbound", "-q", "--results", str(path))
        done = project.docharness(*args, env=env)
        assert done.code in (0, 1), f"run --{mode}:\n{done.output}"
        results[mode] = load(path)
        lines = log.read_text(encoding="utf-8").splitlines()
        network[mode] = [json.loads(line) for line in lines]
    return CorpusRuns(project, results, network)


def _statuses(result: RunResult) -> dict[tuple[str, str, int], tuple[str, StepStatus, str]]:
    """(scenario, section, index) -> (doc file:line, status, reason or error), every step."""
    found = {}
    for page in result.pages:
        for proc in page.procedures:
            for section, steps in (("pre", proc.preconditions), ("step", proc.steps)):
                for index, step in enumerate(steps):
                    why = step.error if step.status is StepStatus.FAILED else step.reason
                    found[proc.id, section, index] = (f"{step.path}:{step.line}", step.status, why)
    return found


def test_every_step_has_the_same_status_in_record_replay_and_live(corpus_runs: CorpusRuns) -> None:
    runs = {mode: _statuses(result) for mode, result in corpus_runs.results.items()}
    recorded = runs["record"]
    assert len(recorded) > 100  # the whole corpus ran, not a handful of scenarios
    assert any(status is StepStatus.VERIFIED for _, status, _ in recorded.values())
    differing = []
    for key in sorted(set().union(*runs.values())):
        seen = {mode: steps.get(key) for mode, steps in runs.items()}
        if len({found[1] if found else None for found in seen.values()}) > 1:
            where = next(found[0] for found in seen.values() if found)
            detail = "; ".join(
                f"{mode} {found[1].value}: {found[2][:200]}" if found else f"{mode} absent"
                for mode, found in seen.items()
            )
            differing.append(f"{where}: {detail}")
    assert not differing, "\n".join(differing)


def test_replay_touches_no_network(corpus_runs: CorpusRuns) -> None:
    assert corpus_runs.results["replay"].run.mode == "replay"
    assert corpus_runs.network["replay"] == []
    # The guard sees a run's requests: the recording's and the live run's, to the emulator.
    for mode in ("record", "live"):
        seen = corpus_runs.network[mode]
        assert any(kind == "connect" and "127.0.0.1" in address for kind, address in seen), mode


def test_the_recordings_pass_the_audit(corpus_runs: CorpusRuns, shared_dir: Path) -> None:
    cassettes = list((corpus_runs.project.root / "cassettes").rglob("*.yaml"))
    scenarios = sum(len(page.procedures) for page in corpus_runs.results["record"].pages)
    assert len(cassettes) == scenarios  # every scenario recorded, failed ones too
    spec = shared_dir / "openapi/admin-v3.yaml"
    audited = corpus_runs.project.docharness("cassettes", "--spec", str(spec))
    assert audited.code == 0, audited.output
    assert f"{scenarios} cassettes checked (coverage, credentials, spec): 0 problem" in (
        audited.output
    )


def test_no_file_a_run_wrote_holds_the_api_key(corpus_runs: CorpusRuns) -> None:
    root = corpus_runs.project.root
    written = [p for folder in ("cassettes", "reports") for p in (root / folder).rglob("*")]
    assert len(written) > 10
    leaked = [
        path
        for path in written
        if path.is_file() and DEFAULT_PRIVATE_KEY in path.read_text(errors="replace")
    ]
    assert not leaked  # the key the runs logged in with (the emulator's)
