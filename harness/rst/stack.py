"""Stack room for deeply nested pages.

docutils parses each nested block (a directive body, a list item) by recursing,
some twenty frames a level, and every later walk of the doctree recurses once
a level too: Python's default limit of 1000 frames gives out at about fifty
levels of nested procedures. Parses and walks run with a fixed room above the
caller's own depth instead, so that a page either reads the same wherever it is
read (a CLI, a test, a worker process) or is too deep everywhere.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from types import FrameType

# Frames a parse or walk may use: a couple of hundred levels of nested blocks.
STACK_ROOM = 10_000


@contextlib.contextmanager
def stack_room() -> Iterator[None]:
    """Run the block with ``STACK_ROOM`` frames to spare above the current depth."""
    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(_depth() + STACK_ROOM)
    try:
        yield
    finally:
        sys.setrecursionlimit(saved)


def _depth() -> int:
    frame: FrameType | None = sys._getframe()
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth
