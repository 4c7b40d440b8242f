"""Doctree nodes for the snooty constructs plain docutils does not have.

Lowercase class names, as docutils' own nodes, because docutils uses the class
name as the element's tag.
"""

from __future__ import annotations

from docutils import nodes


class procedure(nodes.General, nodes.Element):  # type: ignore[misc]
    """``.. procedure::``: holds ``step`` children. Attribute ``style``."""


class step(nodes.General, nodes.Element):  # type: ignore[misc]
    """``.. step:: Title``: a ``step_title`` child (when titled), then the body."""


class step_title(nodes.Part, nodes.TextElement):  # type: ignore[misc]
    """The parsed title of a step (it may hold roles)."""


class tabs(nodes.General, nodes.Element):  # type: ignore[misc]
    """``.. tabs::`` and every ``tabs-*``: attributes ``name``, ``tabset``, ``hidden``."""


class tab(nodes.General, nodes.Element):  # type: ignore[misc]
    """``.. tab::``: attributes ``tabid`` and ``title``."""


class directive(nodes.General, nodes.Element):  # type: ignore[misc]
    """Any other directive: attributes ``name``, ``argument``, ``options``, ``known``.

    Its body is parsed (or kept as a literal block for code-like directives), so
    nothing written inside an unfamiliar directive is lost.
    """


class guilabel(nodes.Inline, nodes.TextElement):  # type: ignore[misc]
    """``:guilabel:`Deploy```: a label of the product's UI."""


class xref(nodes.Inline, nodes.TextElement):  # type: ignore[misc]
    """A role that names something: ``:ref:``, ``:doc:``, link and object roles.

    Attributes: ``role`` (resolved name, e.g. ``std:ref``, ``manual``),
    ``target``, ``explicit`` (the writer gave the text), ``refuri`` for a link role
    with a URL template. The child text is what a
    reader sees.
    """


class unknown_role(nodes.Inline, nodes.TextElement):  # type: ignore[misc]
    """A role the dialect does not define; attribute ``role``, text kept."""
