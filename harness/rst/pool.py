"""Reuse docutils' nested state machines within one parse.

docutils builds a fresh state machine (fifteen states, each compiling its
transition table) for every list item, field and directive block; on snooty
pages, where directive bodies nest five deep, that construction is most of the
parse time. A finished machine is as good as new once ``run()`` re-initialises
it (docutils' own ``nested_sm_cache`` relies on the same), so machines are
handed back to a pool instead of being torn down. One pool serves a project's
parses one at a time (like docutils itself, parsing is not thread-safe); free
machines drop their references to a document when its parse ends.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from docutils.parsers.rst import states


class _PooledStateMachine(states.NestedStateMachine):  # type: ignore[misc]
    """A nested state machine that returns to its pool instead of unlinking."""

    pool: list[_PooledStateMachine] | None = None

    def run(self, *args: Any, **kwargs: Any) -> Any:
        self.observers: list[Any] = []  # run() adds the document's observer again
        return super().run(*args, **kwargs)

    def unlink(self) -> None:
        if self.pool is None:
            super().unlink()
        else:
            self.pool.append(self)

    def scrub(self) -> None:
        """Forget the document the machine last parsed (it stays reusable)."""
        self.node = self.memo = self.document = self.reporter = None
        self.parent_state_machine = self.input_lines = None
        for state in self.states.values():
            state.__dict__.pop("memo", None)
            state.__dict__.pop("document", None)
            state.__dict__.pop("reporter", None)
            state.__dict__.pop("inliner", None)


class StateMachinePool:
    """A drop-in for ``RSTState.nested_sm``: builds or reuses nested machines."""

    def __init__(self) -> None:
        self.free: dict[str, list[_PooledStateMachine]] = {}

    def __call__(
        self,
        state_classes: Any,
        initial_state: str,
        debug: bool = False,
        parent_state_machine: Any = None,
    ) -> states.NestedStateMachine:
        if state_classes is not states.state_classes:
            return states.NestedStateMachine(
                state_classes, initial_state, debug, parent_state_machine
            )
        free = self.free.setdefault(initial_state, [])
        if free:
            machine = free.pop()
            machine.parent_state_machine = parent_state_machine
            machine.current_state = initial_state
            return machine
        machine = _PooledStateMachine(state_classes, initial_state, debug, parent_state_machine)
        machine.pool = free
        return machine

    @contextlib.contextmanager
    def active(self) -> Iterator[None]:
        """Serve docutils' nested state machines from this pool while the block runs."""
        saved = states.RSTState.nested_sm
        states.RSTState.nested_sm = self
        try:
            yield
        finally:
            states.RSTState.nested_sm = saved
            for free in self.free.values():
                for machine in free:
                    machine.scrub()
