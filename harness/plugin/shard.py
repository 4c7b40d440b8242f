"""``--shard K/N``: split a run's scenarios over N machines, deterministically, by page.

Every scenario of a page lands in the same shard (a page's procedures often
build on each other's app state), and pages are dealt heaviest first, each to
the shard with the fewest steps so far, so shards take about equally long.
The split depends only on the collected pages and their step counts, so every
machine of a CI matrix computes the same one without talking to the others.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_SPEC = re.compile(r"^\s*(?P<index>\d+)\s*/\s*(?P<count>\d+)\s*$")


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/3"`` -> ``(2, 3)``; ValueError with a message a user can act on."""
    match = _SPEC.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a shard: expected K/N, e.g. 1/3")
    index, count = int(match["index"]), int(match["count"])
    if not 1 <= index <= count:
        raise ValueError(f"shard {text!r}: K must be between 1 and N")
    return index, count


def assign(weights: Mapping[str, int], count: int) -> dict[str, int]:
    """page -> shard (1-based): heaviest page first, to the lightest shard (ties: lowest)."""
    loads = [0] * count
    shard_of: dict[str, int] = {}
    for page in sorted(weights, key=lambda name: (-weights[name], name)):
        lightest = min(range(count), key=lambda index: (loads[index], index))
        shard_of[page] = lightest + 1
        loads[lightest] += weights[page]
    return shard_of
