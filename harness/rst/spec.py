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

# Directive names with their own class in harness.rst.directives.
SPECIAL_DIRECTIVES = frozenset(
    {
        "include", "procedure", "step", "tabs", "tab", "figure", "image", "contents",
        "default-domain", "rubric", "admonition", "note", "warning", "important", "tip",
        "caution", "danger", "example", "seealso", "info", "attention", "hint", "error",
    }
)  # fmt: skip

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

    def directive_kind(self, name: str, default_domain: str) -> str | None:
        """``special``, ``tabs``, ``block``, ``literal`` or ``object``; None if unknown."""
        if name in SPECIAL_DIRECTIVES:
            return "special"
        if name.startswith("tabs-"):
            return "tabs"
        kind = self.directive_kinds.get(name)
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
        kind = self.role_kinds.get(name)
        if kind is not None:
            return name, kind
        canonical = self._object(name, default_domain)
        if canonical is None:
            return None
        local = canonical.split(":", 1)[1]
        if local in _STD_SPECIAL:
            return local, local
        return canonical, "object"

    def _object(self, name: str, default_domain: str) -> str | None:
        """``domain:name`` for an object name, resolving unprefixed names like snooty."""
        if ":" in name:
            domain, local = name.split(":", 1)
            return name if local in self.domains.get(domain, ()) else None
        for domain in (default_domain, *FALLBACK_DOMAINS):
            if name in self.domains.get(domain, ()):
                return f"{domain}:{name}"
        return None


@functools.cache
def dialect() -> Dialect:
    """The dialect of ``spec.toml``, read once per process."""
    text = resources.files("harness.rst").joinpath("spec.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    directive_kinds = {name: kind for kind, names in data["directives"].items() for name in names}
    role_kinds = {name: kind for kind, names in data["roles"].items() for name in names}
    domains = {domain: frozenset(names) for domain, names in data["domains"].items()}
    return Dialect(directive_kinds, role_kinds, domains)
