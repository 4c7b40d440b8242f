"""How much a replayed scenario costs, against pytest running as many empty tests.

    python benchmarks/run.py [--repeat 5]

Copies docs/, features/, cassettes/ and pyproject.toml of this repository to a
scratch folder and times ``docharness run --replay`` there (offline, from the
cassettes; reports written as usual) against ``python -m pytest`` on a
generated file of as many empty tests as there are scenarios. Both run as a
user runs them, in a fresh process each time, so interpreter start-up and
imports count on both sides; the empty tests run once with the plugins pytest
loads by default (docharness's own among them) and once without docharness's.
Target: a replayed scenario costs at most 3x an empty test.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from common import Row, median_times, print_table, seconds

REPO = Path(__file__).resolve().parents[1]


def _scenarios(features: Path) -> int:
    return sum(
        1
        for feature in features.rglob("*.feature")
        for line in feature.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("Scenario:")
    )


def _command(arguments: list[str], cwd: Path) -> Callable[[], None]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MONGODB_ATLAS_")}

    def run() -> None:
        done = subprocess.run(
            [sys.executable, *arguments], cwd=cwd, env=environ, capture_output=True, check=False
        )
        if done.returncode != 0:
            output = (done.stdout + done.stderr).decode("utf-8", "replace")
            raise SystemExit(f"{' '.join(arguments)} failed ({done.returncode}):\n{output}")

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each timing (median)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="docharness-bench-") as scratch:
        project = Path(scratch) / "project"
        project.mkdir()
        for name in ("docs", "features", "cassettes"):
            shutil.copytree(REPO / name, project / name)
        shutil.copy(REPO / "pyproject.toml", project / "pyproject.toml")
        count = _scenarios(project / "features")
        empty = Path(scratch) / "empty"
        empty.mkdir()
        tests = "".join(f"def test_empty_{n}() -> None:\n    pass\n\n\n" for n in range(count))
        (empty / "test_empty.py").write_text(tests, encoding="utf-8")
        results = str(Path(scratch) / "reports/results.json")
        replay = _command(["-m", "harness", "run", "--replay", "-q", "--results", results], project)
        plain = ["-m", "pytest", "-q", "-p", "no:cacheprovider", str(empty)]
        with_plugins = _command(plain, empty)
        without_ours = _command([*plain, "-p", "no:docharness"], empty)
        replay()  # the first run compiles bytecode for the scratch copy
        ran, baseline, bare = median_times([replay, with_plugins, without_ours], args.repeat)
    print(f"{count} scenarios in features/; median of {args.repeat} runs, a fresh process each")
    print(
        f"per scenario: replay {seconds(ran / count)}, empty test {seconds(baseline / count)}"
        f" (without the docharness plugin {seconds(bare / count)})"
    )
    print()
    rows = [
        Row(f"docharness run vs pytest, {count} empty tests", "pytest", baseline,
            "replay", ran, "<= 3x"),
        Row("  the same, pytest without docharness's plugin", "pytest", bare,
            "replay", ran, "<= 3x"),
    ]  # fmt: skip
    met = print_table(rows)
    print()
    print("all targets met" if met else "some targets not met (see the table)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
