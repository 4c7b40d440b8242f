"""DH3xx diagnostics for the code in steps: curl and CLI commands, JSON blocks.

The checks are :mod:`harness.commands`' (a leaf library); this module hands
them each code block of each step, at the block's doc line, so ``docharness
lint`` and ``extract`` report them with every other diagnostic.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from importlib import resources
from typing import TYPE_CHECKING

from harness.commands import lint_code
from harness.diagnostics import Diagnostic
from harness.procedures.model import Procedure

if TYPE_CHECKING:
    from harness.commands.spec import SpecIndex

# The copy of the official Admin API spec that ships with docharness (beside the emulator).
_SPEC = "emulator/admin-v3.yaml"


@functools.cache
def _spec() -> SpecIndex:
    from harness.commands.spec import load_spec_index

    with resources.as_file(resources.files("harness").joinpath(_SPEC)) as path:
        return load_spec_index(path)


def code_diagnostics(procedures: Iterable[Procedure]) -> Iterator[Diagnostic]:
    """The DH3xx diagnostics of every code block in the steps of ``procedures``.

    The spec is read only for a block that holds a curl command (to match it
    against the Admin API's operations), so pages without one cost nothing.
    """
    for procedure in procedures:
        for step in procedure.steps:
            for block in step.code:
                spec = _spec() if "curl" in block.text else None
                yield from lint_code(
                    block.text,
                    block.language,
                    block.location.path,
                    block.location.line,
                    spec=spec,
                )
