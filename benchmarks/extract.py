"""How fast extraction is, against baselines measured in the same run.

    python benchmarks/extract.py CORPUS_DIR [--repeat 5] [--jobs 2] [--pages 200]

CORPUS_DIR is a documentation project (the folder holding snooty.toml), e.g.
../shared/corpus/app-services. Prints one table:

- extraction (parse, walk, cross-page links) against docutils alone parsing the
  same .txt files, both as ``publish_doctree`` and with one reused parser
  (unknown directives and roles become docutils errors there; output
  suppressed); target <= 1.25x;
- a warm page cache against a cold one; target >= 20x faster;
- ``--jobs`` processes against one, on a project of ``--pages`` pages made of
  copies of the corpus; target >= 1.6x on 2 cores.

Caches and copies go to a scratch folder; CORPUS_DIR is only read.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import platform
import sys
import tempfile
from pathlib import Path

import docutils
import docutils.core
from common import Row, median_times, print_table
from docutils import frontend, utils
from docutils.parsers.rst import Parser
from scaled import build_scaled_project

from harness.procedures import extract_project
from harness.rst import load_project


def _quiet_settings() -> dict[str, object]:
    return {"report_level": 5, "halt_level": 5, "warning_stream": io.StringIO()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", type=Path, help="a project folder holding snooty.toml")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each timing (median)")
    parser.add_argument("--jobs", type=int, default=2, help="processes for the parallel run")
    parser.add_argument("--pages", type=int, default=200, help="pages of the parallel project")
    args = parser.parse_args(argv)
    corpus: Path = args.corpus
    project = load_project(corpus)
    texts = [(str(page), page.read_text(encoding="utf-8")) for page in project.pages()]
    print(
        f"{len(texts)} pages of {corpus}; median of {args.repeat} runs; "
        f"Python {platform.python_version()}, docutils {docutils.__version__}, "
        f"{os.cpu_count()} CPUs"
    )

    def publish() -> None:
        for source, text in texts:
            docutils.core.publish_doctree(
                text, source_path=source, settings_overrides=_quiet_settings()
            )

    reused = Parser()
    settings = frontend.get_default_settings(Parser)
    for name, value in _quiet_settings().items():
        setattr(settings, name, value)

    def reuse() -> None:
        for source, text in texts:
            reused.parse(text, utils.new_document(source, settings))

    def extract() -> None:
        extract_project(corpus)

    extract()  # first use reads the dialect spec and builds the parser
    published, parsed, extracted = median_times([publish, reuse, extract], args.repeat)
    rows = [
        Row("extraction vs docutils publish_doctree", "docutils", published, "extract",
            extracted, "<= 1.25x"),
        Row("extraction vs docutils, reused parser", "docutils", parsed, "extract",
            extracted, "<= 1.25x"),
    ]  # fmt: skip

    with tempfile.TemporaryDirectory(prefix="docharness-bench-") as scratch:
        folder = Path(scratch)
        fresh = itertools.count()
        warm_dir = folder / "warm"
        extract_project(corpus, cache_dir=warm_dir)

        def cold() -> None:
            extract_project(corpus, cache_dir=folder / f"cold-{next(fresh)}")

        def warm() -> None:
            extract_project(corpus, cache_dir=warm_dir)

        cold_time, warm_time = median_times([cold, warm], args.repeat)
        rows.append(Row("warm cache vs cold cache", "cold", cold_time, "warm", warm_time,
                        ">= 20x", speedup=True))  # fmt: skip

        scaled = build_scaled_project(corpus, args.pages, folder)
        extract_project(scaled, jobs=args.jobs)  # starts the worker fork server

        def serial() -> None:
            extract_project(scaled)

        def parallel() -> None:
            extract_project(scaled, jobs=args.jobs)

        one, many = median_times([serial, parallel], args.repeat)
        rows.append(Row(f"-j {args.jobs} vs -j 1, {args.pages} pages", "-j 1", one,
                        f"-j {args.jobs}", many, ">= 1.6x", speedup=True))  # fmt: skip
    print()
    met = print_table(rows)
    print()
    print("all targets met" if met else "some targets not met (see the table)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
