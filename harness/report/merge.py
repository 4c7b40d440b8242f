"""Merge the results of a sharded run (``docharness run --shard K/N``) into one.

Shards split a run by page, so merging is a union of pages: a page found in
two shards means the shards overlap (two runs of one shard, or shards of
different runs), and shards of different modes, targets or --allow-unbound
settings would mix evidence of different kinds; all of these are refused. The
merged result renders through the same report writers, with the same
verdicts, as an unsharded run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from harness.results import RunResult


class MergeError(ValueError):
    """The shards cannot form one run; the message says why."""


def merge_results(shards: Sequence[tuple[str, RunResult]]) -> RunResult:
    """One run from ``(source name, result)`` pairs: pages sorted, times spanning all shards."""
    if not shards:
        raise MergeError("no results to merge")
    modes = {result.run.mode for _, result in shards}
    if len(modes) > 1:
        raise MergeError(f"the shards ran in different modes: {', '.join(sorted(modes))}")
    ran = [(name, result) for name, result in shards if result.pages]  # empty shards: no target
    targets = {result.run.target for _, result in ran}
    if len(targets) > 1:
        raise MergeError(f"the shards ran against different targets: {', '.join(sorted(targets))}")
    if len({result.run.allow_unbound for _, result in shards}) > 1:
        raise MergeError("some shards ran with --allow-unbound and some without")
    seen: dict[str, str] = {}
    for name, result in shards:
        for page in result.pages:
            if page.page in seen:
                raise MergeError(
                    f"page {page.page!r} is in both {seen[page.page]} and {name}: "
                    "the shards overlap (the same shard twice, or shards of different runs?)"
                )
            seen[page.page] = name
    first = (ran or list(shards))[0][1].run
    infos = [result.run for _, result in shards]
    run = replace(
        first,
        started=min(info.started for info in infos),
        finished=max(info.finished for info in infos),
    )
    pages = sorted((page for _, result in shards for page in result.pages), key=lambda p: p.page)
    # A known finding unused in one shard may have been used in another (an include
    # read by pages of two shards): unused only where no shard's step names it.
    used = {step.known for page in pages for proc in page.procedures for step in proc.steps}
    unused = sorted({k for info in infos for k in info.known_unused} - used)
    return RunResult(run=replace(run, known_unused=tuple(unused)), pages=tuple(pages))
