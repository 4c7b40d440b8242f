"""Read a Gherkin step sentence the way the feature writer wrote it.

UI labels are in double quotes and inline literals in backticks (see
:mod:`harness.gherkin`); this is all the catalog needs to know of a step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_LABEL = re.compile(r'"([^"]*)"')
_LITERAL = re.compile(r"`([^`]*)`")


@dataclass(frozen=True)
class Sentence:
    text: str
    labels: tuple[str, ...]
    literals: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Sentence:
        return cls(
            text=text,
            labels=tuple(_LABEL.findall(text)),
            literals=tuple(_LITERAL.findall(text)),
        )

    @property
    def plain(self) -> str:
        """The sentence without the quoted labels and literals: where verbs are looked for."""
        return _LITERAL.sub(" ", _LABEL.sub(" ", self.text)).lower()
