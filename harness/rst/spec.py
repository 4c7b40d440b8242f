"""The dialect's vocabulary, read once from ``spec.toml``: what each directive and
role name means, with snooty's name resolution (default domain, then mongodb,
then std).

Kept as data so that supporting one more extlink or directive is a one-word
change, not a code change.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

# Directive names with their own class in harness.rst.directives.
SPECIAL_DIRECTIVES = frozenset(
    {
        "include", "procedure", "step", "tabs", "tab", "figure", "image", "contents",
        "default-domain", "rubric", "admonition", "note", "warning", "important", "tip",
        "caution", "danger", "example", "seealso", "info", "attention", "hint", "error",
        "list-table", "literalinclude", "code-block", "code", "sourcecode", "input", "output",
        "io-code-block", "csv-table",
    }
)  # fmt: skip
# docutils' own directives that the snooty spec also lists: docutils' meaning is theirs.
DOCUTILS_DIRECTIVES = frozenset({"role", "default-role", "replace", "unicode", "date", "table"})

# Role names with their own behaviour in harness.rst.roles.
SPECIAL_ROLES = {"guilabel": "guilabel", "abbr": "abbr", "ref": "ref", "doc": "doc", "term": "term"}
_STD_SPECIAL = {"ref", "doc", "term"}
FALLBACK_DOMAINS = ("mongodb", "std")


@dataclass(frozen=True)
class Dialect:
    """Directive and role names by kind, and object names by domain."""

    directive_kinds: dict[str, str]
    role_kinds: dict[str, str]
    domains: dict[str, frozenset[str]]
    links: dict[str, str]  # link role -> URL template ("%s" stands for the target)

    def directive_kind(self, name: str, default_domain: str) -> str | None:
        """``special``, ``tabs``, ``block``, ``literal`` or ``object``; None if unknown."""
        if name in SPECIAL_DIRECTIVES:
            return "special"
        if name in DOCUTILS_DIRECTIVES:
            return "docutils"
        if name.startswith("tabs-"):
            return "tabs"
        kind = self._named(self.directive_kinds, name, default_domain)
        if kind is not None:
            return kind
        if self._object(name, default_domain) is not None:
            return "object"
        return None

    def role(self, name: str, default_domain: str) -> tuple[str, str] | None:
        """``(canonical name, kind)`` for a role as written, or None if unknown.

        Kinds: guilabel, abbr, ref, doc, term, text, literal, link, object.
        """
        if name in SPECIAL_ROLES:
            return name, SPECIAL_ROLES[name]
        kind = self._named(self.role_kinds, name, default_domain)
        if kind in _STD_SPECIAL:
            return kind, kind
        if kind is not None:
            return name, kind
        canonical = self._object(name, default_domain)
        if canonical is None:
            return None
        local = canonical.split(":", 1)[1]
        if local in _STD_SPECIAL:
            return local, local
        return canonical, "object"

    def link_url(self, role: str, target: str) -> str:
        """The URL a link role makes of its target ("" when the role has no template)."""
        template = self.links.get(role, "")
        return template.replace("%s", target, 1) if template else ""

    @staticmethod
    def _named(kinds: dict[str, str], name: str, default_domain: str) -> str | None:
        """A kind by name as written, else by the name in the domains snooty tries."""
        kind = kinds.get(name)
        if kind is not None or ":" in name:
            return kind
        for domain in (default_domain, *FALLBACK_DOMAINS):
            kind = kinds.get(f"{domain}:{name}")
            if kind is not None:
                return kind
        return None

    def _object(self, name: str, default_domain: str) -> str | None:
        """``domain:name`` for an object name, resolving unprefixed names like snooty."""
        if ":" in name:
            domain, local = name.split(":", 1)
            return name if local in self.domains.get(domain, ()) else None
        for domain in (default_domain, *FALLBACK_DOMAINS):
            if name in self.domains.get(domain, ()):
                return f"{domain}:{name}"
        return None


def _data(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("harness.rst").joinpath(name).read_text(encoding="utf-8"))


@functools.cache
def dialect() -> Dialect:
    """The dialect of ``vocabulary.toml`` (snooty's spec) and ``spec.toml`` (curated here,
    winning where both name the same thing), read once per process."""
    directive_kinds: dict[str, str] = {}
    role_kinds: dict[str, str] = {}
    domains: dict[str, set[str]] = {}
    links: dict[str, str] = {}
    for data in (_data("vocabulary.toml"), _data("spec.toml")):
        for kind, names in data["directives"].items():
            directive_kinds.update(dict.fromkeys(names, kind))
        for kind, names in data["roles"].items():
            role_kinds.update(dict.fromkeys(names, kind))
        for domain, names in data["domains"].items():
            domains.setdefault(domain, set()).update(names)
        links.update(data.get("links", {}))
    frozen = {domain: frozenset(names) for domain, names in domains.items()}
    return Dialect(directive_kinds, role_kinds, frozen, links)
