"""Text rules for the pieces of a feature file: one-line text, step sentences, tags.

Gherkin is line-based, so every piece must be exactly one line; tags are split
on whitespace and ``@``, so tag values are slugs.
"""

from __future__ import annotations

import re

from harness.procedures.model import Step

_TAG_UNSAFE = re.compile(r"[^\w.:/+-]+")
_DASHES = re.compile(r"-{2,}")
# Unicode's control characters (category Cc): exactly C0, DEL and C1.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def one_line(text: str) -> str:
    """Turn control characters into spaces and collapse every kind of whitespace
    (including line and paragraph separators), so the text fits on one line."""
    return " ".join(_CONTROL.sub(" ", text).split())


def tag(name: str, value: str) -> str:
    """``@name:value`` with the value slugified: Gherkin splits tags on whitespace
    and ``@``, and ``#`` after whitespace starts a comment."""
    slug = _DASHES.sub("-", _TAG_UNSAFE.sub("-", one_line(value))).strip("-")
    return f"@{name}:{slug}"


def step_sentence(step: Step) -> str:
    """The step text as it reads after a Gherkin keyword: one line, with the writer's
    capitalisation ("When Compass deletes ...", never "When compass deletes ...")."""
    return one_line(step.text)


def slug(text: str) -> str:
    """Lowercase letters, digits and single dashes: what an id part a document chose
    (a tab id) may hold, so that it can never name a path outside its folder."""
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"['\u2019]", "", text.lower())).strip("-")
