"""One readable line from a paragraph of the doctree.

UI labels come out in double quotes and inline literals in backticks, the way
a step reads in a Gherkin file; the labels, literals and links are collected
on the way so later stages never re-parse the sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from docutils import nodes

from harness.procedures.model import Link
from harness.rst import nodes as snooty

# (role, target) -> the title a link without explicit text shows, if known.
TitleLookup = Callable[[str, str], str | None]

_SKIPPED = (nodes.system_message, nodes.comment, nodes.target, nodes.footnote_reference)
LINK_ROLES = ("ref", "doc")


@dataclass(frozen=True)
class Rendered:
    """A paragraph as one line, with what it names."""

    text: str
    labels: tuple[str, ...] = ()
    literals: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()


@dataclass
class _Collector:
    titles: TitleLookup
    parts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    literals: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    def visit(self, node: nodes.Node) -> None:
        if isinstance(node, nodes.Text):
            self.parts.append(node.astext())
        elif isinstance(node, _SKIPPED):
            return
        elif isinstance(node, snooty.guilabel):
            label = " ".join(node.astext().split())
            self.labels.append(label)
            self.parts.append('"' + label.replace('"', "'") + '"')
        elif isinstance(node, nodes.literal):
            literal = " ".join(node.astext().split())
            self.literals.append(literal)
            self.parts.append(f"`{literal}`")
        elif isinstance(node, snooty.xref) and node["role"] in LINK_ROLES:
            shown = node.astext()
            if not node["explicit"]:
                shown = self.titles(node["role"], node["target"]) or shown
            shown = " ".join(shown.split())
            self.links.append(Link(role=node["role"], target=node["target"], text=shown))
            self.parts.append(shown)
        elif isinstance(node, nodes.image):
            self.parts.append(node.get("alt", ""))
        elif isinstance(node, nodes.Element):
            for child in node.children:
                self.visit(child)


def no_titles(role: str, target: str) -> str | None:
    """A TitleLookup that knows no titles: links show what was written."""
    return None


def render(node: nodes.Node | None, titles: TitleLookup = no_titles) -> Rendered:
    """``node`` (a paragraph, title...) as one line with whitespace collapsed."""
    if node is None:
        return Rendered("")
    collector = _Collector(titles)
    collector.visit(node)
    return Rendered(
        text=" ".join("".join(collector.parts).split()),
        labels=tuple(collector.labels),
        literals=tuple(collector.literals),
        links=tuple(collector.links),
    )
