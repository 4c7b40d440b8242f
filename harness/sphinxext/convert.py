"""At write time, the dialect's nodes become nodes every Sphinx writer knows.

The stored doctrees keep harness.rst's nodes (procedures, steps, tabs, xrefs),
so anything reading them sees the same structure as the extractor; only the
copy being written is converted. Cross references follow snooty's meaning:

- ``:ref:``, ``:doc:`` and ``:term:`` become Sphinx cross references. A target
  this project does not define (snooty resolves those through other projects'
  inventories) is shown as its text with a note, never a warning.
- Link roles (``:manual:`` ...) link where ``docharness_link_roles`` gives the
  role's URL pattern (``{"manual": "https://example.com/manual%s"}``), or when
  the target is already a URL; otherwise their text is shown, with a note.
- Object roles (``:binary:``, ``:method:`` ...) are shown as code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import admonitionlabels
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from harness.rst import Project
from harness.rst import nodes as snooty
from harness.rst.spec import dialect
from harness.sphinxext.project import project_of

logger = logging.getLogger(__name__)

LINK_ROLES_SETTING = "docharness_link_roles"
_MARK = "docharness_xref"  # on the text of the references made here: ":ref:`target`"


class DialectNodes(SphinxPostTransform):
    """Dialect nodes -> docutils and Sphinx nodes, before references are resolved."""

    default_priority = 5  # Sphinx resolves references at 10

    def run(self, **kwargs: Any) -> None:
        document = self.document
        project = project_of(self.config)
        for xref in list(document.findall(snooty.xref)):
            xref.replace_self(self.reference(project, xref))
        for label in list(document.findall(snooty.guilabel)):
            _replace(label, nodes.inline(label.rawsource, "", classes=["guilabel"]))
        for role in list(document.findall(snooty.unknown_role)):
            _replace(role, nodes.inline(role.rawsource, "", classes=["docharness-unknown-role"]))
        for title in list(document.findall(snooty.step_title)):
            strong = nodes.strong(title.rawsource, "", *title.children)
            title.replace_self(nodes.paragraph("", "", strong, classes=["step-title"]))
        parents = {id(step.parent): step.parent for step in document.findall(snooty.step)}
        for parent in reversed(parents.values()):  # innermost first: steps nest in steps
            _number_steps(parent)
        for procedure in list(document.findall(snooty.procedure)):
            _replace(procedure, _container("procedure", procedure.get("style", "")))
        for tab in list(document.findall(snooty.tab)):
            title = str(tab["title"] or tab["tabid"])
            converted = _container("tab", tab["tabid"])
            converted += nodes.rubric(title, title)
            _replace(tab, converted)
        for tabs in list(document.findall(snooty.tabs)):
            _replace(tabs, _container("tabs", tabs["tabset"]))
        for directive in list(document.findall(snooty.directive)):
            _replace(directive, _container("directive", directive["name"]))
        for admonition in list(document.findall(nodes.admonition)):
            _title_admonition(admonition)

    def reference(self, project: Project, xref: snooty.xref) -> nodes.Node:
        role, target, text = str(xref["role"]), str(xref["target"]), xref.astext()
        resolved = dialect().role(role, "")
        kind = resolved[1] if resolved is not None else "object"
        if kind == "ref" or kind == "term":
            return self.pending(xref, kind, target.lower(), text)
        if kind == "doc":
            page_file = project.source_dir / f"{target}.txt"
            docname = self.env.path2doc(page_file) or target
            return self.pending(xref, kind, f"/{docname}", text)
        if kind == "link":
            return _link(self.config[LINK_ROLES_SETTING], xref, role, target, text)
        domain, _sep, name = role.rpartition(":")
        classes = ["xref", domain or "mongodb", nodes.make_id(f"{domain}-{name}")]
        return nodes.literal(xref.rawsource, text, classes=classes)

    def pending(
        self, xref: snooty.xref, kind: str, target: str, text: str
    ) -> addnodes.pending_xref:
        """A Sphinx cross reference that never warns: see ``UnresolvedReferences``."""
        shown = nodes.inline(text, text, classes=["xref", "std", f"std-{kind}"])
        shown[_MARK] = f":{kind}:`{xref['target']}`"
        shown.source, shown.line = xref.source, xref.line
        reference = addnodes.pending_xref(
            xref.rawsource,
            shown,
            refdomain="std",
            reftype=kind,
            reftarget=target,
            refexplicit=bool(xref["explicit"]),
            refwarn=False,
            refdoc=self.env.docname,
        )
        reference.source, reference.line = xref.source, xref.line
        return reference


class UnresolvedReferences(SphinxPostTransform):
    """A note for each snooty reference nothing resolved (its text stays on the page).

    Snooty finds other projects' labels through intersphinx, which an offline
    build does not have, so such a reference is not the writer's mistake. A
    reference Sphinx resolves is rebuilt inside a link; one left alone is
    still its own text node, outside any link.
    """

    default_priority = 11  # just after Sphinx resolves references (10)

    def run(self, **kwargs: Any) -> None:
        for shown in self.document.findall(nodes.inline):
            written = shown.get(_MARK)
            if written is None:
                continue
            del shown[_MARK]
            if not isinstance(shown.parent, nodes.reference):
                logger.info(
                    "docharness: %s is not in this project (snooty resolves it through"
                    " intersphinx); its text is shown",
                    written,
                    location=shown,
                )


def _link(
    patterns: dict[str, str], xref: snooty.xref, role: str, target: str, text: str
) -> nodes.Node:
    pattern = patterns.get(role)
    url = pattern.replace("%s", target) if pattern else target
    if "://" in url:
        return nodes.reference(xref.rawsource, text, refuri=url, classes=[nodes.make_id(role)])
    logger.info(
        "docharness: link role :%s: has no URL pattern (set %s[%r]); its text is shown",
        role,
        LINK_ROLES_SETTING,
        role,
        location=xref,
    )
    return nodes.inline(xref.rawsource, text, classes=["docharness-link", nodes.make_id(role)])


def _container(kind: str, variant: str) -> nodes.container:
    classes = [f"docharness-{kind}"]
    if variant:
        classes.append(nodes.make_id(variant))
    return nodes.container("", classes=classes)


def _replace(old: nodes.Element, new: nodes.Element) -> None:
    """Put ``new`` where ``old`` is, with ``old``'s children and its place in the source."""
    new.source, new.line = old.source, old.line
    new.extend(old.children)
    old.replace_self(new)


def _number_steps(parent: nodes.Element) -> None:
    """Each run of consecutive steps becomes one numbered list, each step an item."""
    children: list[nodes.Node] = []
    run: nodes.enumerated_list | None = None
    for child in parent.children:
        if not isinstance(child, snooty.step):
            children.append(child)
            run = None
            continue
        if run is None:
            run = nodes.enumerated_list("", enumtype="arabic", prefix="", suffix=".")
            run["classes"].append("docharness-steps")
            run.source, run.line = child.source, child.line
            children.append(run)
        item = nodes.list_item("", *child.children, classes=["docharness-step"])
        item.source, item.line = child.source, child.line
        run += item
    parent.children = []
    parent.extend(children)


def _title_admonition(admonition: nodes.admonition) -> None:
    """Snooty admonitions may carry a title; those without one get their usual label."""
    if admonition.children and isinstance(admonition.children[0], nodes.title):
        return
    names: Sequence[str] = admonition["classes"]
    name = next(iter(names), "note")
    label = str(admonitionlabels.get(name, name.capitalize()))
    admonition.insert(0, nodes.title(label, label))
