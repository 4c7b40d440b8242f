"""The development corpora run as projects: record, replay and live agree step by step.

Each corpus of ``../shared/corpus`` is copied into a temporary folder and run there
as a user runs it: ``docharness extract``, ``run --record`` against the local emulator,
``run`` (replay) from those cassettes, and ``run --live``. Totals move as the resource
model grows, so nothing here asserts them: what must hold is that every step's status is
the same in all three modes, that replay touches no network, and that the recordings
hold no credentials. ``python benchmarks/corpus_run.py`` prints the figures.

One test per corpus runs everything and lists every problem it finds: the runs are most
of its time, and separate tests sharing them would each run them again in another
worker under ``pytest -n``.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from e2e_project import Project

from harness.emulator import DEFAULT_PRIVATE_KEY
from harness.results import RunResult, StepStatus, load

pytestmark = pytest.mark.corpus

CORPORA = ("app-services", "realm-2021")
MODES = ("record", "replay", "live")
Network = list[tuple[str, str]]  # (kind, address) of each network use the guard noted

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


def _run_modes(project: Project, scratch: Path) -> tuple[dict[str, RunResult], dict[str, Network]]:
    """Each mode's results, and every network use the guard noted in it."""
    guard = scratch / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NETWORK_GUARD, encoding="utf-8")
    results: dict[str, RunResult] = {}
    network: dict[str, Network] = {}
    for mode in MODES:
        log = scratch / f"network-{mode}.jsonl"
        log.touch()
        python_path = filter(None, [str(guard), os.environ.get("PYTHONPATH")])
        env = {"PYTHONPATH": os.pathsep.join(python_path), "DOCHARNESS_TEST_NETWORK_LOG": str(log)}
        if mode == "replay":
            env["DOCHARNESS_TEST_NETWORK_REFUSE"] = "1"  # offline for real: any attempt fails
        extra = ["--record-failed"] if mode == "record" else []
        path = project.root / "reports" / mode / "results.json"
        args = ("run", f"--{mode}", *extra, "--allow-unbound", "-q", "--results", str(path))
        done = project.docharness(*args, env=env)
        assert done.code in (0, 1), f"run --{mode}:\n{done.output}"
        results[mode] = load(path)
        lines = log.read_text(encoding="utf-8").splitlines()
        network[mode] = [(kind, address) for kind, address in map(json.loads, lines)]
    return results, network


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


def _differing_statuses(results: dict[str, RunResult]) -> list[str]:
    """Every step whose status is not the same in all modes: where, and each mode's."""
    runs = {mode: _statuses(result) for mode, result in results.items()}
    if len(runs["record"]) < 100:
        return [f"only {len(runs['record'])} steps recorded: the corpus did not run whole"]
    if not any(status is StepStatus.VERIFIED for _, status, _ in runs["record"].values()):
        return ["no step verified: nothing was compared that an Admin API answer decides"]
    differing = []
    for key in sorted(set().union(*runs.values())):
        seen = {mode: steps.get(key) for mode, steps in runs.items()}
        if len({found[1] if found else None for found in seen.values()}) > 1:
            where = next(found[0] for found in seen.values() if found)
            detail = "; ".join(
                f"{mode} {found[1].value}: {found[2][:200]}" if found else f"{mode} absent"
                for mode, found in seen.items()
            )
            differing.append(f"{where}: status differs: {detail}")
    return differing


def _network_problems(network: dict[str, Network]) -> list[str]:
    """Replay used the network; or the guard did not see the runs that must use it."""
    problems = [f"replay used the network: {kind} {address}" for kind, address in network["replay"]]
    for mode in ("record", "live"):  # the guard sees a run's requests to the emulator
        if not any(kind == "connect" and "127.0.0.1" in address for kind, address in network[mode]):
            problems.append(f"the network guard saw no request of the {mode} run")
    return problems


def _audit_problems(project: Project, spec: Path, scenarios: int) -> list[str]:
    """``docharness cassettes --spec``: a recording per scenario, no credentials, true to spec."""
    cassettes = len(list((project.root / "cassettes").rglob("*.yaml")))
    if cassettes != scenarios:  # every scenario recorded, failed ones too
        return [f"{cassettes} cassettes for {scenarios} scenarios"]
    audited = project.docharness("cassettes", "--spec", str(spec))
    expected = f"{scenarios} cassettes checked (coverage, credentials, spec): 0 problem"
    if audited.code != 0 or expected not in audited.output:
        return [f"docharness cassettes exited {audited.code}:\n{audited.output}"]
    return []


def _leaks(root: Path) -> list[str]:
    """Files of cassettes/ and reports/ holding the key the runs logged in with."""
    written = [p for folder in ("cassettes", "reports") for p in (root / folder).rglob("*")]
    return [
        f"{path}: holds the emulator's private API key"
        for path in written
        if path.is_file() and DEFAULT_PRIVATE_KEY in path.read_text(errors="replace")
    ]


@pytest.mark.parametrize("name", CORPORA)
def test_the_corpus_runs_alike_in_record_replay_and_live(
    name: str, shared_dir: Path, tmp_path: Path
) -> None:
    root = tmp_path / name
    # The corpus root holds snooty.toml and no docs/: it is its own docs folder.
    shutil.copytree(shared_dir / "corpus" / name, root)
    project = Project(root)
    extracted = project.docharness("extract", ".", "-o", "features")
    assert extracted.code in (0, 1), extracted.output  # 1: lint errors on the pages
    results, network = _run_modes(project, tmp_path)
    scenarios = sum(len(page.procedures) for page in results["record"].pages)
    problems = [
        *_differing_statuses(results),
        *_network_problems(network),
        *_audit_problems(project, shared_dir / "openapi/admin-v3.yaml", scenarios),
        *_leaks(root),
    ]
    assert not problems, "\n".join(problems)
