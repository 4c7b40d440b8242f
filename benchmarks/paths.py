"""Whole-process figures for the paths a user waits on, each ratio against its target.

    python benchmarks/paths.py [CORPUS_DIR] [--pages 254] [--repeat 3]

Everything runs as a user runs it, one fresh ``python -m ...`` process a run,
so interpreter start-up and imports count; the runs of the things compared are
interleaved and each figure is the median of ``--repeat`` runs. Measured here,
in one run:

- cold ``docharness extract`` (no page cache, no features) of a project of
  ``--pages`` pages built from CORPUS_DIR (default ../shared/corpus/app-services)
  the way scale.py builds one, against a bare single-process docutils parse of
  the same pages (``publish_doctree``, in a fresh process too); target <= 1.0x;
- warm ``docharness extract`` (nothing changed since the last run) against the
  cold one; target <= 0.05x;
- ``docharness run --replay`` of this repository's features, and ``--live``
  against the local emulator it starts, per scenario, against pytest running
  as many empty tests; target <= 2x (the seed project is extracted first, as
  the README's tour does, so the run's freshness check replays the manifest);
- with ``--crossover 40,80,160``: cold ``extract -j 2`` against ``-j 1`` at each
  of those page counts, to place ``PAGES_PER_PROCESS`` (where ``-j auto``
  starts a second process), and a lower bound of that place (see _crossover);
  only these rows are measured then;
- what the installed pytest11 plugin adds to ``pytest`` on 3 empty tests in a
  project that does not use docharness (against ``-p no:docharness``);
  target <= 0.05 s, in CPU time, the least of 5x ``--repeat`` runs of each:
  what the plugin adds is a few milliseconds of imports, which drown in the
  noise of a shared machine (noise only ever adds time, so the least run of
  each is the one closest to the work itself).

Every single-process path's CPU time (user + system of the child) is printed
too: on a machine other jobs keep busy, the CPU ratio shows the work done
while the wall-clock ratio shows what a user waits for.

The processes get the environment a user has: bytecode caching on (this script
drops PYTHONDONTWRITEBYTECODE), no Atlas credentials. Scratch folders only;
nothing is written into the repository or the corpus.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from common import Row, median_times, print_table, seconds
from scaled import build_scaled_project

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared/corpus/app-services"


def _environ() -> dict[str, str]:
    drop = ("PYTHONDONTWRITEBYTECODE", "MONGODB_ATLAS_", "DOCHARNESS_")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


class _Process:
    """Runs ``python ARGUMENTS`` in ``cwd`` when called, after ``before`` (which is timed
    with it: keep it cheap), and keeps the CPU seconds (user + system) of each run."""

    def __init__(
        self,
        arguments: list[str],
        cwd: Path,
        before: Callable[[], None] | None = None,
        ok: tuple[int, ...] = (0,),
    ) -> None:
        self.arguments, self.cwd, self.before, self.ok = arguments, cwd, before, ok
        self.cpu: list[float] = []

    def __call__(self) -> None:
        if self.before is not None:
            self.before()
        start = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run(
            [sys.executable, *self.arguments],
            cwd=self.cwd,
            env=_environ(),
            capture_output=True,
            check=False,
        )
        end = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu.append(end.ru_utime - start.ru_utime + end.ru_stime - start.ru_stime)
        if done.returncode not in self.ok:
            output = (done.stdout + done.stderr).decode("utf-8", "replace")[-3000:]
            raise SystemExit(f"{' '.join(self.arguments)} failed ({done.returncode}):\n{output}")

    def median_cpu(self, runs: int) -> float:
        """The median CPU seconds of the last ``runs`` runs (those median_times timed)."""
        return statistics.median(self.cpu[-runs:])

    def least_cpu(self, runs: int) -> float:
        """The least CPU seconds of the last ``runs`` runs."""
        return min(self.cpu[-runs:])


def _process(
    arguments: list[str],
    cwd: Path,
    before: Callable[[], None] | None = None,
    ok: tuple[int, ...] = (0,),
) -> _Process:
    return _Process(arguments, cwd, before, ok)


def _cpu_note(label: str, measured: _Process, baseline: _Process, runs: int) -> str:
    mine, theirs = measured.median_cpu(runs), baseline.median_cpu(runs)
    return f"CPU time, {label}: {seconds(mine)} vs {seconds(theirs)}, {mine / theirs:.2f}x"


def _bare_parse(project: Path) -> None:
    """Child mode: parse every page with plain docutils in this process, output discarded."""
    import docutils.core

    settings = {"report_level": 5, "halt_level": 5, "warning_stream": io.StringIO()}
    for page in sorted((project / "source").rglob("*.txt")):
        if "includes" in page.relative_to(project / "source").parts[:-1]:
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        docutils.core.publish_doctree(text, source_path=str(page), settings_overrides=settings)


def _scenarios(features: Path) -> int:
    return sum(
        line.strip().startswith("Scenario:")
        for feature in features.rglob("*.feature")
        for line in feature.read_text(encoding="utf-8").splitlines()
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path, nargs="?", default=DEFAULT_CORPUS)
    parser.add_argument("--pages", type=int, default=254, help="pages of the extracted project")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each timing (median)")
    parser.add_argument("--crossover", help="page counts: time -j 2 against -j 1 at each")
    parser.add_argument(
        "--extract-only", action="store_true", help="only the cold extract rows (and -j 1)"
    )
    parser.add_argument("--bare-parse", type=Path, help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args(argv)
    if args.bare_parse:
        _bare_parse(args.bare_parse)
        return 0
    if not (args.corpus / "snooty.toml").is_file():
        raise SystemExit(f"{args.corpus}: not a docs project (no snooty.toml); give CORPUS_DIR")
    with tempfile.TemporaryDirectory(prefix="docharness-paths-") as scratch_name:
        scratch = Path(scratch_name)
        if args.crossover:
            sizes = [int(size) for size in args.crossover.split(",")]
            rows, notes = _crossover(args.corpus, sizes, args.repeat, scratch)
        elif args.extract_only:
            rows, notes = _cold(args.corpus, args.pages, args.repeat, scratch)
        else:
            rows, notes = _measure(args.corpus, args.pages, args.repeat, scratch)
    print(
        f"median of {args.repeat} runs, a fresh process each; Python {platform.python_version()},"
        f" {os.cpu_count()} CPUs"
    )
    for note in notes:
        print(note)
    print()
    met = print_table(rows)
    print()
    print("all targets met" if met else "some targets not met (see the table)")
    return 0


def _cold(corpus: Path, pages: int, repeat: int, scratch: Path) -> tuple[list[Row], list[str]]:
    """Cold ``extract`` (no page cache yet, which it then writes) with default options,
    and with ``-j 1``, against a bare parse."""
    docs = build_scaled_project(corpus, pages, scratch)
    built = sum(1 for p in (docs / "source").rglob("*.txt") if "includes" not in p.parts)

    def cold(*options: str) -> _Process:
        out, cache = scratch / f"features{''.join(options)}", scratch / f"cache{''.join(options)}"

        def fresh() -> None:
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)

        arguments = [str(docs), "-o", str(out), "--cache-dir", str(cache), *options]
        return _process(["-m", "harness", "extract", *arguments], scratch, fresh, ok=(0, 1))

    default, serial = cold(), cold("-j", "1")
    bare = _process([str(Path(__file__).resolve()), "--bare-parse", str(docs)], scratch)
    bare()  # bytecode cache
    default_s, serial_s, bare_s = median_times([default, serial, bare], repeat)
    notes = [
        f"extract: {built} pages built from {corpus}, an empty page cache",
        _cpu_note("cold extract -j 1 vs bare docutils", serial, bare, repeat),
    ]
    rows = [
        Row(f"cold extract (default: -j auto) vs bare docutils parse, {built} pages",
            "docutils", bare_s, "extract", default_s, "<= 1.0x"),
        Row(f"cold extract -j 1 vs bare docutils parse, {built} pages", "docutils", bare_s,
            "extract -j 1", serial_s, "<= 1.0x"),
    ]  # fmt: skip
    return rows, notes


def _crossover(
    corpus: Path, sizes: list[int], repeat: int, scratch: Path
) -> tuple[list[Row], list[str]]:
    """Cold ``extract -j 2`` against ``-j 1`` at each size (no cache, fresh output).

    On a machine whose processors other work keeps busy, a second process only
    takes turns with that work, so the direct comparison there says little about
    a machine with a free processor. A lower bound of where a free processor pays
    is printed too: the calling process reads pages alone while a worker starts,
    then both read, so ``-j 2`` cannot win before the pages take longer than the
    worker's start, ``start / (seconds a page)`` pages. Both are timed here (the
    start as a fresh ``python`` importing the worker's modules, the page as the
    slope of ``-j 1`` between the smallest and the largest size), and a busy
    machine slows both alike; handing pages over and shutting the worker down
    are left out, so the real crossover lies above it.
    """
    rows = []
    serial: dict[int, float] = {}
    for size in sizes:
        docs = build_scaled_project(corpus, size, scratch / str(size))

        def run(jobs: str, docs: Path = docs) -> _Process:
            out = scratch / f"features-{jobs}"
            return _process(
                ["-m", "harness", "extract", str(docs), "-o", str(out), "--no-cache", "-j", jobs],
                scratch,
                lambda: shutil.rmtree(out, ignore_errors=True),
                ok=(0, 1),
            )

        one, two = run("1"), run("2")
        one()  # bytecode cache
        start = _process(["-c", "import harness.procedures.parallel"], scratch)
        one_s, two_s, start_s = median_times([one, two, start], repeat)
        serial[size] = one_s
        rows.append(Row(f"cold extract -j 2 vs -j 1, {size} pages", "-j 1", one_s, "-j 2",
                        two_s, "<= 1.0x"))  # fmt: skip
    notes = [f"crossover: -j 2 pays once its ratio is below 1.0x; {os.cpu_count()} CPUs"]
    smallest, largest = min(serial), max(serial)
    if largest > smallest:
        page = (serial[largest] - serial[smallest]) / (largest - smallest)
        notes.append(
            f"a worker starts in {seconds(start_s)}, a page takes {seconds(page)} (-j 1 slope, "
            f"{smallest}-{largest} pages): where a processor is free, -j 2 cannot pay below "
            f"about {start_s / page:.0f} pages"
        )
    return rows, notes


def _measure(corpus: Path, pages: int, repeat: int, scratch: Path) -> tuple[list[Row], list[str]]:
    docs = build_scaled_project(corpus, pages, scratch)
    built = sum(1 for p in (docs / "source").rglob("*.txt") if "includes" not in p.parts)
    cold_cache, warm_cache = scratch / "cold-cache", scratch / "warm-cache"

    def fresh() -> None:
        shutil.rmtree(cold_cache, ignore_errors=True)
        shutil.rmtree(scratch / "cold-features", ignore_errors=True)

    extract = ["-m", "harness", "extract", str(docs), "-o"]
    cold = _process([*extract, "cold-features", "--cache-dir", str(cold_cache)], scratch, fresh)
    warm = _process([*extract, "warm-features", "--cache-dir", str(warm_cache)], scratch)
    bare = _process([str(Path(__file__).resolve()), "--bare-parse", str(docs)], scratch)

    # The run path: this repository's seed project, replayed, against empty tests.
    project = scratch / "seed"
    project.mkdir()
    for name in ("docs", "features", "cassettes"):
        shutil.copytree(REPO / name, project / name)
    shutil.copy(REPO / "pyproject.toml", project / "pyproject.toml")
    _process(["-m", "harness", "extract"], project, ok=(0, 1))()  # as a user would first
    count = _scenarios(project / "features")
    empty = scratch / "empty"
    empty.mkdir()
    tests = "".join(f"def test_empty_{n}() -> None:\n    pass\n\n\n" for n in range(count))
    (empty / "test_empty.py").write_text(tests, encoding="utf-8")
    three = scratch / "three"
    three.mkdir()
    (three / "test_three.py").write_text(
        "".join(f"def test_{n}() -> None:\n    pass\n\n\n" for n in range(3)), encoding="utf-8"
    )
    replay = _process(
        ["-m", "harness", "run", "--replay", "-q", "--results", str(scratch / "r/results.json")],
        project,
        ok=(0, 1),  # a failing scenario still costs what it costs; the note says so
    )
    live = _process(
        ["-m", "harness", "run", "--live", "-q", "--results", str(scratch / "l/results.json")],
        project,
        ok=(0, 1),
    )
    pytest_args = ["-m", "pytest", "-q", "-p", "no:cacheprovider"]
    empties = _process([*pytest_args, str(empty)], empty)
    plugin = _process([*pytest_args, str(three)], three)
    no_plugin = _process([*pytest_args, "-p", "no:docharness", str(three)], three)

    # First runs fill the bytecode cache and the warm path's page cache and manifest.
    for first in (warm, replay, live, empties, plugin, no_plugin, bare):
        first()
    cold_s, warm_s, bare_s, replay_s, live_s, empty_s = median_times(
        [cold, warm, bare, replay, live, empties], repeat
    )
    # A difference of a few milliseconds between two ~1 s runs: more runs, and CPU time.
    median_times([plugin, no_plugin], repeat * 5)
    plugin_s, no_plugin_s = plugin.least_cpu(repeat * 5), no_plugin.least_cpu(repeat * 5)
    notes = [
        f"extract: {built} pages built from {corpus}",
        f"run: {count} scenarios, {seconds(replay_s / count)} each replayed, "
        f"{seconds(live_s / count)} live; an empty test {seconds(empty_s / count)}",
        _cpu_note("cold extract (workers not counted) vs bare docutils", cold, bare, repeat),
        _cpu_note("run --replay vs pytest on empty tests", replay, empties, repeat),
        _cpu_note("run --live vs pytest on empty tests", live, empties, repeat),
    ]
    rows = [
        Row(f"cold extract vs bare docutils parse, {built} pages", "docutils", bare_s,
            "extract", cold_s, "<= 1.0x"),
        Row("warm extract (nothing changed) vs cold", "cold", cold_s, "warm", warm_s,
            "<= 0.05x"),
        Row(f"run --replay vs pytest, {count} empty tests (per scenario)", "pytest", empty_s,
            "replay", replay_s, "<= 2x"),
        Row(f"run --live (emulator) vs pytest, {count} empty tests", "pytest", empty_s,
            "live", live_s, "<= 2x"),
        Row("pytest, 3 empty tests: CPU added by the plugin (least run)", "-p no:docharness",
            no_plugin_s, "with it", plugin_s, "<= 0.05 s"),
    ]  # fmt: skip
    return rows, notes


if __name__ == "__main__":
    sys.exit(main())
