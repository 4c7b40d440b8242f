"""The snooty roles, as docutils role functions.

A role always keeps the text a reader would see; what it adds is the kind of
thing named (UI label, cross reference, link, object) so later stages can
quote labels and collect links without re-parsing sentences.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable
from typing import Any

from docutils import nodes, utils

from harness.rst import nodes as snooty
from harness.rst.context import context_of
from harness.rst.spec import dialect

RoleFunction = Callable[..., tuple[list[nodes.Node], list[nodes.system_message]]]

_EXPLICIT = re.compile(r"^(?P<title>.*?)\s*(?<!\x00)<(?P<target>.*?)>$", re.DOTALL)
_ABBREVIATION = re.compile(r"^(?P<abbr>.+?)\s*\((?P<expansion>.+)\)$", re.DOTALL)


def split_explicit(text: str) -> tuple[str, str, bool]:
    """``title <target>`` -> (title, target, True); ``target`` -> (target, target, False).

    ``text`` is docutils' role text with backslash escapes as null characters.
    """
    match = _EXPLICIT.match(text)
    if match:
        title, target = utils.unescape(match["title"]), utils.unescape(match["target"])
        return (title, target, True) if title else (target, target, False)
    plain = utils.unescape(text)
    return plain, plain, False


def _shown_object(target: str) -> str:
    """What an object role shows without explicit text: ``~a.b()`` shows ``b()``."""
    shown = target.lstrip("!")
    if shown.startswith("~"):
        shown = shown[1:].rsplit(".", 1)[-1]
    return shown


def _doc_target(target: str, page: str) -> str:
    """A ``:doc:`` target as a page path: no leading slash, no extension, relative
    targets resolved against the current page's folder."""
    path = target.strip()
    path = path[:-4] if path.endswith((".txt", ".rst")) else path
    if path.startswith("/"):
        return posixpath.normpath(path.lstrip("/")).strip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), path)).strip("/")


@functools.cache
def role_function(canonical: str, kind: str) -> RoleFunction:
    """The docutils role function for a resolved role name and kind."""

    def role(
        name: str,
        rawtext: str,
        text: str,
        lineno: int,
        inliner: Any,
        options: dict[str, Any] | None = None,
        content: list[str] | None = None,
    ) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        return [_role_node(canonical, kind, rawtext, text, inliner)], []

    return role


def _role_node(canonical: str, kind: str, rawtext: str, text: str, inliner: Any) -> nodes.Node:
    if kind == "guilabel":
        return snooty.guilabel(rawtext, utils.unescape(text))
    if kind == "abbr":
        plain = utils.unescape(text)
        match = _ABBREVIATION.match(plain)
        if match:
            return nodes.abbreviation(rawtext, match["abbr"], explanation=match["expansion"])
        return nodes.abbreviation(rawtext, plain)
    if kind == "literal":
        return nodes.literal(rawtext, utils.unescape(text))
    title, target, explicit = split_explicit(text)
    if kind == "text":
        return nodes.inline(rawtext, title, classes=[canonical])
    if kind == "doc":
        context = context_of(inliner.document)
        page = context.page if context else ""
        target = _doc_target(target.lstrip("!~"), page)
    elif kind in {"ref", "term"}:
        target = target.lstrip("!~")
    if not explicit and kind == "object":
        title = _shown_object(target)
    node = snooty.xref(rawtext, title, role=canonical, target=target, explicit=explicit)
    if kind == "link":
        node["refuri"] = dialect().link_url(canonical, target)
    return node


def unknown_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Any,
    options: dict[str, Any] | None = None,
    content: list[str] | None = None,
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """Any role the dialect does not define: its text, marked for a diagnostic later.

    The diagnostic is made after parsing, from the node's paragraph, because only
    the paragraph knows its file and line when it comes from an include.
    """
    title, _target, _explicit = split_explicit(text)
    return [snooty.unknown_role(rawtext, title, role=name)], []
