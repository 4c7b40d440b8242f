"""How extraction grows with the size of a project.

    python benchmarks/scale.py [CORPUS_DIR] [--sizes 200,1000,2000] [--jobs 1] [--repeat 1]

Builds projects of 200, 1,000 and 2,000 pages from copies of CORPUS_DIR's pages
(default ../shared/corpus/app-services; labels and paths renamed per copy, in
a scratch folder) and extracts each in a fresh process, reporting wall time,
time per page and peak memory: the process's maximum resident set, less what
the interpreter and imports took before extracting (with ``--jobs`` above 1,
the parent's alone: the workers are children of multiprocessing's fork
server). With ``--repeat``, each figure is the median of that many fresh
processes. Growth is called superlinear when a page costs more than 1.25
times as much at the largest size as at the smallest; the whole process's
peak at the largest size is held against 2x its peak at the smallest (each
doctree is dropped once walked, so only the pages' results grow).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scaled import build_scaled_project

from harness.procedures import extract_project

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/app-services"
SUPERLINEAR = 1.25
PEAK_GROWTH = 2.0  # peak memory at the largest size against the smallest (issue 13)


def _child(project: Path, jobs: int) -> None:
    """Extract once in this fresh process; print pages, seconds and memory as JSON."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    extraction = extract_project(project, jobs=jobs)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    report = {
        "pages": len(extraction.documents),
        "seconds": seconds,
        "peak_kb": peak,
        "start_kb": before,
    }
    print(json.dumps(report))


def _measure(project: Path, jobs: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(project), "--jobs", str(jobs)],
        capture_output=True,
        text=True,
        check=True,
    )
    found: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path, nargs="?", default=DEFAULT_CORPUS)
    parser.add_argument("--sizes", default="200,1000,2000", help="page counts, comma-separated")
    parser.add_argument("--jobs", type=int, default=1, help="processes that parse pages")
    parser.add_argument("--repeat", type=int, default=1, help="fresh processes per size")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        _child(args.child, args.jobs)
        return 0
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"copies of {args.corpus}; -j {args.jobs}; {args.repeat} fresh process(es) per size")
    rows = []
    with tempfile.TemporaryDirectory(prefix="docharness-scale-") as scratch:
        for size in sizes:
            project = build_scaled_project(args.corpus, size, Path(scratch) / str(size))
            runs = [_measure(project, args.jobs) for _ in range(args.repeat)]
            rows.append(
                (size, {key: statistics.median(run[key] for run in runs) for key in runs[0]})
            )
    header = f"{'pages':>6}  {'time':>8}  {'ms/page':>8}  {'peak MB':>8}  {'MB/page':>8}"
    print(header)
    print("-" * len(header))
    per_page = []
    for size, found in rows:
        used_mb = (found["peak_kb"] - found["start_kb"]) / 1024
        per_page.append(found["seconds"] / size)
        line = (
            f"{size:>6}  {found['seconds']:>7.2f}s  {1000 * found['seconds'] / size:>8.1f}"
            f"  {found['peak_kb'] / 1024:>8.0f}  {used_mb / size:>8.3f}"
        )
        print(line)
    growth = per_page[-1] / per_page[0]
    verdict = "superlinear" if growth > SUPERLINEAR else "linear"
    print(
        f"\ntime per page at {sizes[-1]} pages is {growth:.2f}x that at {sizes[0]}: "
        f"growth is {verdict} (threshold {SUPERLINEAR}x)"
    )
    memory = rows[-1][1]["peak_kb"] / rows[0][1]["peak_kb"]
    met = "met" if memory <= PEAK_GROWTH else "NOT met"
    print(
        f"peak memory at {sizes[-1]} pages is {memory:.2f}x that at {sizes[0]}: "
        f"target <= {PEAK_GROWTH}x, {met}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
