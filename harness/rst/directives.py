"""The snooty directives, as docutils directive classes.

Every directive accepts any option and an optional argument: snooty pages use
many options docutils has never heard of, and an option we do not know must
never turn a block of content into an error message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import Directive

from harness.diagnostics import Severity
from harness.rst import nodes as snooty
from harness.rst.codes import INCLUDE_CYCLE, MISSING_INCLUDE, TAB_WITHOUT_ID, UNKNOWN_DIRECTIVE
from harness.rst.context import ParseContext, context_of
from harness.rst.spec import dialect

INCLUSION_END = '.. end of inclusion from "{}"'  # docutils pops its include log on this comment
INCLUDE_SUFFIXES = ("", ".rst", ".txt")


class AnyOption(dict[str, Callable[[str | None], str]]):
    """An option spec that accepts every option name, keeping the value as written."""

    def __missing__(self, key: str) -> Callable[[str | None], str]:
        return _unchanged

    def __bool__(self) -> bool:
        return True  # docutils only looks for options when the spec is truthy


def _unchanged(value: str | None) -> str:
    """An option's value as written; a flag option (no value) is the empty string."""
    return value or ""


ANY_OPTION = AnyOption()


class SnootyDirective(Directive):  # type: ignore[misc]
    """Shared behaviour: lenient arguments and options, located nodes, parsed bodies."""

    optional_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Any]] = ANY_OPTION
    has_content = True

    @property
    def context(self) -> ParseContext:
        found = context_of(self.state.document)
        if found is None:
            raise RuntimeError("harness.rst directives run only inside harness.rst.parse_page")
        return found

    @property
    def argument(self) -> str:
        return " ".join(self.arguments).strip()

    def where(self) -> tuple[str | None, int | None]:
        """The file and line of the directive itself (an include file when included)."""
        source, line = self.state_machine.get_source_and_line(self.lineno)
        return source, line

    def located(self, node: nodes.Element) -> nodes.Element:
        node.source, node.line = self.where()
        return node

    def parse_body(self, node: nodes.Element) -> None:
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, node)

    def inline(self, text: str) -> list[nodes.Node]:
        parsed, messages = self.state.inline_text(text, self.lineno)
        return [*parsed, *messages]


class Procedure(SnootyDirective):
    def run(self) -> list[nodes.Node]:
        node = self.located(snooty.procedure(style=self.options.get("style", "")))
        self.parse_body(node)
        return [node]


class Step(SnootyDirective):
    def run(self) -> list[nodes.Node]:
        title = self.argument
        node = self.located(snooty.step(title=title))
        if title:
            node += snooty.step_title(title, "", *self.inline(title))
        self.parse_body(node)
        return [node]


class Tabs(SnootyDirective):
    """``tabs`` and every ``tabs-*`` ("inherit tabs" in snooty's spec)."""

    def run(self) -> list[nodes.Node]:
        default_set = self.name[len("tabs-") :] if self.name.startswith("tabs-") else ""
        node = self.located(
            snooty.tabs(
                name=self.name,
                tabset=self.options.get("tabset", default_set),
                hidden=self.options.get("hidden", "false").strip().lower() in {"", "true"},
            )
        )
        first = next((line.strip() for line in self.content if line.strip()), "")
        if first == "tabs:":
            self.legacy_tabs(node)
        else:
            self.parse_body(node)
        return [node]

    def legacy_tabs(self, node: nodes.Element) -> None:
        """The older YAML form (``tabs:`` / ``- id:`` / ``content: |``), read line by line
        so that each tab's content keeps its line numbers."""
        content = self.content
        current: nodes.Element | None = None
        index = 0
        while index < len(content):
            line = content[index]
            item = _LEGACY_ITEM.match(line)
            key = item or _LEGACY_KEY.match(line)
            index += 1
            if key is None:
                continue
            if item is not None:
                current = self.located(snooty.tab(tabid="", title=""))
                node += current
            if current is None:
                continue
            name, value = key["key"], key["value"].strip()
            if name == "id":
                current["tabid"] = value
            elif name == "name":
                current["title"] = value
            elif name == "content" and value in {"|", ">", "|-", ">-"}:
                indent = len(key["indent"]) + (2 if item is not None else 0)
                end = index
                while end < len(content) and (
                    not content[end].strip() or _indent(content[end]) > indent
                ):
                    end += 1
                block = content[index:end]
                block.trim_left(min((_indent(text) for text in block if text.strip()), default=0))
                self.state.nested_parse(block, self.content_offset + index, current)
                index = end


_LEGACY_ITEM = re.compile(r"^(?P<indent>\s*)- (?P<key>\w+):(?P<value>.*)$")
_LEGACY_KEY = re.compile(r"^(?P<indent>\s*)(?P<key>\w+):(?P<value>.*)$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


class Tab(SnootyDirective):
    def run(self) -> list[nodes.Node]:
        title = self.argument
        tabid = self.options.get("tabid", "").strip() or slug(title)
        node = self.located(snooty.tab(tabid=tabid, title=title))
        if not tabid:
            source, line = self.where()
            self.context.report(
                TAB_WITHOUT_ID,
                Severity.WARNING,
                "tab without :tabid: or title",
                source,
                line,
                hint="add a :tabid: option naming the tab",
            )
        self.parse_body(node)
        return [node]


class Admonition(SnootyDirective):
    """note, warning, ... and snooty's titled forms (``.. warning:: Title``)."""

    def run(self) -> list[nodes.Node]:
        node = self.located(nodes.admonition(classes=[self.name]))
        if self.argument:
            node += nodes.title(self.argument, "", *self.inline(self.argument))
        self.parse_body(node)
        return [node]


class Figure(SnootyDirective):
    """figure and image: the image file need not exist, the alt text is what counts."""

    def run(self) -> list[nodes.Node]:
        image = nodes.image(self.block_text, uri=self.argument, alt=self.options.get("alt", ""))
        self.located(image)
        if self.name == "image":
            return [image]
        figure = self.located(nodes.figure("", image))
        self.parse_body(figure)
        first = figure.children[1] if len(figure.children) > 1 else None
        if isinstance(first, nodes.paragraph):
            caption = nodes.caption(first.rawsource, "", *first.children)
            caption.source, caption.line = first.source, first.line
            first.replace_self(caption)
        return [figure]


class Contents(SnootyDirective):
    """The page's table of contents: the renderer builds it, nothing to keep."""

    def run(self) -> list[nodes.Node]:
        return []


class DefaultDomain(SnootyDirective):
    """Sets the domain unprefixed role and directive names resolve in first."""

    def run(self) -> list[nodes.Node]:
        self.context.default_domain = self.argument
        return []


class Rubric(SnootyDirective):
    def run(self) -> list[nodes.Node]:
        return [self.located(nodes.rubric(self.argument, "", *self.inline(self.argument)))]


class Generic(SnootyDirective):
    """Every other directive: a ``directive`` node keeping (and parsing) its body."""

    def run(self) -> list[nodes.Node]:
        context = self.context
        kind = dialect().directive_kind(self.name, context.default_domain)
        node = self.located(
            snooty.directive(
                name=self.name,
                argument=self.argument,
                options=dict(self.options),
                known=kind is not None,
            )
        )
        if kind is None:
            source, line = self.where()
            context.report(
                UNKNOWN_DIRECTIVE,
                Severity.WARNING,
                f'unknown directive "{self.name}" (its content is kept)',
                source,
                line,
                hint="check the directive name against the snooty spec",
            )
        if self.content:
            if kind == "literal":
                text = "\n".join(self.content)
                block = nodes.literal_block(text, text)
                block.source, block.line = self.state_machine.get_source_and_line(
                    self.content_offset + 1
                )
                node += block
            else:
                self.parse_body(node)
        return [node]


class Include(SnootyDirective):
    """``.. include::``: the file's text, constants substituted, read in place.

    The lines go into docutils' own input (``insert_input``), so nodes from an
    include carry the include's path and line numbers. ``:start-after:`` and
    ``:end-before:`` blank out the lines outside the clip, keeping line numbers.
    """

    has_content = False

    def run(self) -> list[nodes.Node]:
        context = self.context
        source, line = self.where()
        including = Path(source) if source else context.project.source_dir
        target = resolve_include(self.argument, including, context.project.source_dir)
        if target is None:
            context.report(
                MISSING_INCLUDE,
                Severity.ERROR,
                f"include not found: {self.argument}",
                source,
                line,
                hint="paths starting with / are relative to source/; others to this file",
            )
            return []
        log = self.state.document.include_log
        chain = [str(entry[0]) for entry in log]
        if str(target) in chain or str(target) == str(source):
            context.report(
                INCLUDE_CYCLE,
                Severity.ERROR,
                f"include cycle: {context.relpath(target)} includes itself"
                f" (via {' -> '.join(context.relpath(s) for s in [*chain[1:], str(source)])})",
                source,
                line,
            )
            return []
        lines, problems = context.read_include(target)
        context.diagnostics.extend(problems)
        lines = _clip(lines, self.options.get("start-after"), self.options.get("end-before"))
        context.texts.setdefault(str(target), lines)
        if not log:
            log.append((str(source), (None, None, "", "")))
        log.append((str(target), (None, None, "", "")))
        self.state_machine.insert_input([*lines, "", INCLUSION_END.format(target)], str(target))
        return []


def resolve_include(argument: str, including: Path, source_dir: Path) -> Path | None:
    """The file an include names: ``/x`` from source/, ``x`` from the including file;
    the extension may be left off. None when missing or outside the project."""
    if not argument:
        return None
    base = (
        source_dir / argument.lstrip("/")
        if argument.startswith("/")
        else including.parent / argument
    )
    project_root = source_dir.parent.resolve()
    for suffix in INCLUDE_SUFFIXES:
        candidate = base.with_name(base.name + suffix) if suffix else base
        try:
            if not candidate.is_file():
                continue
            resolved = candidate.resolve()
        except OSError:  # a name no file can have (too long, say): not there
            continue
        return resolved if resolved.is_relative_to(project_root) else None
    return None


def _clip(lines: list[str], start_after: str | None, end_before: str | None) -> list[str]:
    """Blank out lines outside ``start-after``/``end-before`` markers (keeps numbering)."""
    if not start_after and not end_before:
        return lines
    first, last = 0, len(lines)
    if start_after:
        first = next((i + 1 for i, text in enumerate(lines) if start_after in text), len(lines))
    if end_before:
        last = next((i for i, text in enumerate(lines[first:], first) if end_before in text), last)
    return ["" if i < first or i >= last else text for i, text in enumerate(lines)]


def slug(text: str) -> str:
    """A lowercase, dash-separated id for titles (tab ids, procedure ids)."""
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"['\u2019]", "", text.lower())).strip("-")


ADMONITIONS = (
    "admonition", "note", "warning", "important", "tip", "caution", "danger", "example",
    "seealso", "info", "attention", "hint", "error",
)  # fmt: skip

SPECIAL: dict[str, type[SnootyDirective]] = {
    "include": Include,
    "procedure": Procedure,
    "step": Step,
    "tabs": Tabs,
    "tab": Tab,
    "figure": Figure,
    "image": Figure,
    "contents": Contents,
    "default-domain": DefaultDomain,
    "rubric": Rubric,
    **dict.fromkeys(ADMONITIONS, Admonition),
}


def directive_class(name: str, default_domain: str) -> type[SnootyDirective] | None:
    """The class for a directive name; None lets docutils' own directives (``replace``,
    ``csv-table``...) run when the dialect does not define the name."""
    kind = dialect().directive_kind(name, default_domain)
    if kind == "special":
        return SPECIAL[name]
    if kind == "tabs":
        return Tabs
    if kind is None:
        return None
    return Generic
