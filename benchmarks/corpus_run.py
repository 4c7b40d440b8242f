"""The development corpora run as projects: record, replay and live, step by step.

Usage (from the repository root)::

    python benchmarks/corpus_run.py                        # both corpora in ../shared/corpus
    python benchmarks/corpus_run.py --corpus realm-2021    # one of them
    python benchmarks/corpus_run.py --check                # exit 1 when the modes disagree
    python benchmarks/corpus_run.py -n 2                   # every run in two worker processes
    python benchmarks/corpus_run.py --list failed          # the live run's failed steps, why

Each corpus is copied into a temporary folder (never the repository); its root holds
``snooty.toml`` and no ``docs/``, so it is its own docs folder and needs no
``pyproject.toml``. There, as a user would, in whole processes: ``docharness extract``,
then ``docharness run --record`` against the local emulator, ``--replay`` from those
cassettes, and ``--live``, each with ``--allow-unbound`` and its own ``--results``.

The recording uses ``--record-failed``: without it a scenario that fails keeps its old
cassette, and a fresh project has none, so its replay could only say "no recording".

Prints the live run's statuses per page, each mode's totals against the issue's targets,
and every step whose status is not the same in all three modes (doc file:line, statuses).
Exit code: 0 (a benchmark prints), 1 with ``--check`` when the modes disagree, 2 when a
command could not run.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.results import RunResult, StepStatus, load  # noqa: E402

CORPORA = ("app-services", "realm-2021")
MODES = ("record", "replay", "live")
STATUSES = ("verified", "ui-only", "external", "unbound", "failed", "skipped")
# The targets, as shares of a corpus's steps (failed: a count).
TARGETS: dict[str, dict[str, tuple[str, float]]] = {
    "app-services": {"verified": (">=", 0.45), "unbound": ("<=", 0.05), "failed": ("=", 0)},
    # realm-2021: a failure must be a real finding about its page, explained in the notes.
    "realm-2021": {"verified": (">=", 0.30), "unbound": ("<=", 0.05)},
}


@dataclass(frozen=True)
class Step:
    """One step of one run, as the difference list shows it."""

    page: str
    where: str  # doc file:line
    status: str
    why: str  # the reason, or the error of a failed step


Steps = dict[tuple[str, str, int], Step]  # (scenario id, "pre"/"step", index) -> step


class CouldNotRun(Exception):
    """A command could not run at all (exit 2 of docharness): no figures to print."""


def docharness(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The real command in a child process, run in the project as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "harness", *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )


def prepare(source: Path, scratch: Path) -> Path:
    """A copy of the corpus in ``scratch`` with its features extracted."""
    project = scratch / source.name
    shutil.copytree(source, project)
    done = docharness(project, "extract", ".", "-o", "features")
    if done.returncode == 2:
        raise CouldNotRun(f"{source}: extract could not run:\n{done.stderr}")
    return project


def run(project: Path, mode: str, workers: str = "") -> tuple[RunResult, float]:
    """One ``docharness run`` in ``mode``; its results and wall-clock seconds."""
    results = project / "reports" / mode / "results.json"
    extra = ["--record-failed"] if mode == "record" else []
    extra += ["-n", workers] if workers else []
    start = time.perf_counter()
    done = docharness(
        project, "run", f"--{mode}", *extra, "--allow-unbound", "-q", "--results", str(results)
    )
    seconds = time.perf_counter() - start
    if done.returncode == 2 or not results.is_file():
        raise CouldNotRun(f"{project.name}: run --{mode} could not run:\n{done.stderr}")
    return load(results), seconds


def steps_of(result: RunResult) -> Steps:
    """Every step and precondition of a run, keyed by its place in its scenario."""
    found: Steps = {}
    for page in result.pages:
        for proc in page.procedures:
            for section, steps in (("pre", proc.preconditions), ("step", proc.steps)):
                for index, step in enumerate(steps):
                    why = step.error if step.status is StepStatus.FAILED else step.reason
                    found[proc.id, section, index] = Step(
                        page.path, f"{step.path}:{step.line}", step.status.value, why
                    )
    return found


def differences(runs: dict[str, Steps]) -> list[tuple[str, dict[str, Step | None]]]:
    """(doc file:line, the step in each mode) for every step whose status is not the same
    in all modes, or that some mode lacks."""
    keys = sorted(set().union(*runs.values()))
    found = []
    for key in keys:
        seen = {mode: steps.get(key) for mode, steps in runs.items()}
        statuses = {step.status if step else None for step in seen.values()}
        if len(statuses) > 1:
            where = next(step.where for step in seen.values() if step)
            found.append((where, seen))
    return found


def _page_counts(result: RunResult) -> dict[str, Counter[str]]:
    """Statuses of the page's steps (preconditions apart, as the run summary counts)."""
    return {
        page.path: Counter(s.status.value for proc in page.procedures for s in proc.steps)
        for page in result.pages
    }


def _row(name: str, counts: Counter[str], width: int) -> str:
    total = sum(counts.values())
    cells = "".join(f"{counts[s]:>10}" for s in STATUSES)
    return f"  {name:<{width}}{cells}{total:>8}"


def _target(corpus: str, status: str, count: int, total: int) -> str:
    sign, limit = TARGETS.get(corpus, {}).get(status, ("", 0.0))
    if not sign:
        return ""
    if status == "failed":
        return f"failed = 0 ({count} found): {'met' if count == 0 else 'NOT met'}"
    share = count / total
    met = share <= limit if sign == "<=" else share >= limit
    return f"{status} {sign} {limit:.0%} ({share:.1%}): {'met' if met else 'NOT met'}"


def report(corpus: str, results: dict[str, RunResult], seconds: dict[str, float]) -> int:
    """Print one corpus's tables; the number of steps whose status differs between modes."""
    pages = _page_counts(results["live"])
    width = max(len(p) for p in pages) + 2 if pages else 10
    header = "".join(f"{s:>10}" for s in STATUSES)
    print(f"\n{corpus}: live run, by page")
    print(f"  {'page':<{width}}{header}{'steps':>8}")
    for path, counts in sorted(pages.items()):
        print(_row(path, counts, width))
    print(f"\n{corpus}: totals by mode (steps; preconditions apart)")
    print(f"  {'mode':<10}{header}{'steps':>8}{'seconds':>9}")
    for mode, result in results.items():
        counts = sum(_page_counts(result).values(), Counter[str]())
        print(f"{_row(mode, counts, 10)}{seconds[mode]:>9.1f}")
        total = sum(counts.values()) or 1
        shares = "  ".join(f"{s} {counts[s] / total:.1%}" for s in STATUSES)
        print(f"  {'':<10}{shares}")
    live = sum(_page_counts(results["live"]).values(), Counter[str]())
    total = sum(live.values()) or 1
    for status in STATUSES:
        verdict = _target(corpus, status, live[status], total)
        if verdict:
            print(f"  target (live) {verdict}")
    diff = differences({mode: steps_of(result) for mode, result in results.items()})
    print(f"\n{corpus}: steps whose status differs between {', '.join(results)}: {len(diff)}")
    for where, seen in diff:
        shown = ", ".join(f"{m} {s.status if s else 'absent'}" for m, s in seen.items())
        print(f"  {where}: {shown}")
        for mode, step in seen.items():
            if step and step.why:
                print(f"    {mode}: {step.why.splitlines()[0][:160]}")
    return len(diff)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--corpus", choices=CORPORA, action="append", help="only this corpus")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a step's status differs between modes"
    )
    parser.add_argument(
        "--list",
        choices=STATUSES,
        action="append",
        default=[],
        help="also list the live run's steps of this status, with their reasons",
    )
    parser.add_argument(
        "-n", dest="workers", default="", help="worker processes for every run (docharness -n)"
    )
    args = parser.parse_args()
    if not args.corpora.is_dir():
        print(f"{args.corpora}: no such folder (the shared corpora)", file=sys.stderr)
        return 2
    differing = 0
    for corpus in args.corpus or CORPORA:
        with tempfile.TemporaryDirectory(prefix="corpus-run-") as scratch:
            results: dict[str, RunResult] = {}
            seconds: dict[str, float] = {}
            try:
                project = prepare(args.corpora / corpus, Path(scratch))
                for mode in MODES:
                    results[mode], seconds[mode] = run(project, mode, args.workers)
            except CouldNotRun as error:
                print(f"corpus_run: {error}", file=sys.stderr)
                return 2
            differing += report(corpus, results, seconds)
            listed = [s for s in steps_of(results["live"]).values() if s.status in args.list]
            if listed:
                print(f"\n{corpus}: live run, steps {', '.join(args.list)}: {len(listed)}")
            for step in listed:
                print(f"  {step.where}: {step.status}: {step.why.splitlines()[0][:200]}")
    return 1 if args.check and differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
