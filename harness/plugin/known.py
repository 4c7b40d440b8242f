"""Known findings: failures a project has looked at and accepted, so that only new ones fail.

A project lists them in ``known-findings.toml`` beside ``snooty.toml``::

    [[finding]]
    path = "source/includes/steps-enable-sync-ui.yaml"   # below the docs folder
    line = 37
    status = "failed"
    contains = "no later step of the page deploys it"  # words the failure must say
    why = "The 2021 page stages Sync and never deploys it; kept as the page was."

A failed step that matches an entry (same file, same line, and the failure's
message contains ``contains``) is still reported as failed, with ``known`` naming
the entry; it and the steps it kept from running no longer fail the run. Any
other failure, the same one at another line, or another failure at that line,
fails the run as before.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

KNOWN_FINDINGS = "known-findings.toml"
_KEYS = {"path", "line", "status", "contains", "why", "scenario"}


class KnownFindingsError(Exception):
    """A known-findings file that cannot be used; the message starts with ``file:``."""


@dataclass(frozen=True)
class KnownFinding:
    path: Path  # resolved, inside the docs folder
    line: int
    status: str
    contains: str
    why: str
    source: str  # "docs/known-findings.toml:3", for reports
    scenario: str = ""  # a scenario id, when the entry is for one scenario only

    def matches(self, scenario: str, path: str, line: int, status: str, error: str) -> bool:
        return (
            (not self.scenario or self.scenario == scenario)
            and self.line == line
            and self.status == status
            and self.contains.lower() in error.lower()
            and Path(path).resolve() == self.path
        )


def _line_of(text: str, index: int) -> int:
    """The line of the ``index``-th ``[[finding]]`` header: tomllib keeps no positions."""
    seen = -1
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip() == "[[finding]]":
            seen += 1
            if seen == index:
                return number
    return 1


def load_known_findings(docs: Path, display: str) -> tuple[KnownFinding, ...]:
    """The entries of ``docs/known-findings.toml`` (none when the file is absent)."""
    path = docs / KNOWN_FINDINGS
    if not path.is_file():
        return ()
    name = f"{display}/{KNOWN_FINDINGS}"
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as error:
        raise KnownFindingsError(f"{name}: cannot read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise KnownFindingsError(f"{name}: {error}") from None
    if set(data) - {"finding"} or not isinstance(data.get("finding", []), list):
        raise KnownFindingsError(f"{name}:1: only [[finding]] tables belong here")
    root = docs.resolve()
    found = []
    for index, raw in enumerate(data.get("finding", [])):
        where = f"{name}:{_line_of(text, index)}"
        unknown = set(raw) - _KEYS
        missing = {"path", "line", "contains"} - set(raw)
        if unknown or missing:
            problem = f"unknown key(s) {', '.join(sorted(unknown))}" if unknown else ""
            problem = problem or f"missing {', '.join(sorted(missing))}"
            raise KnownFindingsError(f"{where}: {problem}")
        target = (root / str(raw["path"])).resolve()
        if not target.is_relative_to(root):
            raise KnownFindingsError(f"{where}: `path` must name a file inside {display}/")
        line, status, contains = raw["line"], str(raw.get("status", "failed")), raw["contains"]
        if not isinstance(line, int) or line < 1:
            raise KnownFindingsError(f"{where}: `line` must be a line number")
        if status != "failed":
            raise KnownFindingsError(f'{where}: `status` must be "failed"')
        if not isinstance(contains, str) or not contains.strip():
            raise KnownFindingsError(f"{where}: `contains` must name words of the failure")
        found.append(
            KnownFinding(
                target,
                line,
                status,
                contains,
                str(raw.get("why", "")),
                where,
                str(raw.get("scenario", "")),
            )
        )
    return tuple(found)
