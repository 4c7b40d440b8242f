"""The snooty directives, as docutils directive classes.

Every directive accepts any option and an optional argument: snooty pages use
many options docutils has never heard of, and an option we do not know must
never turn a block of content into an error message.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import Directive, DirectiveError
from docutils.parsers.rst.directives import tables
from docutils.statemachine import StringList

from harness.diagnostics import Severity
from harness.rst import nodes as snooty
from harness.rst.codes import (
    FILE_ACCESS,
    INCLUDE_CYCLE,
    MISSING_FILE,
    MISSING_INCLUDE,
    TAB_WITHOUT_ID,
    UNKNOWN_DIRECTIVE,
)
from harness.rst.constants import substitute_constants
from harness.rst.context import ParseContext, context_of
from harness.rst.giza import Line, generated_include
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
        """The content as rST; section titles are allowed in it, as snooty allows them."""
        if self.content:
            self.parse_lines(self.content, self.content_offset, node)

    def parse_lines(self, lines: StringList, offset: int, node: nodes.Element) -> None:
        """Nested content with its own title styles, as Sphinx parses directive bodies."""
        memo = self.state.memo
        surrounding = memo.title_styles, memo.section_level
        memo.title_styles, memo.section_level = [], 0
        try:
            self.state.nested_parse(lines, offset, node, match_titles=True)
        finally:
            memo.title_styles, memo.section_level = surrounding

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
        if _is_legacy(self.content):
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
                self.parse_lines(block, self.content_offset + index, current)
                index = end


def _is_legacy(content: StringList) -> bool:
    """The YAML form: ``key: value`` lines (``hidden: true``...) up to a ``tabs:`` line."""
    for line in content:
        text = line.strip()
        if text == "tabs:":
            return True
        if text and not _LEGACY_KEY.match(line):
            return False
    return False


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
        self.check_file()
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

    def check_file(self) -> None:
        """A missing image is a hole in the page: report it (URLs are not checked)."""
        uri = self.argument
        if not uri or "://" in uri or uri.startswith("data:"):
            return
        context = self.context
        source, line = self.where()
        including = Path(source) if source else context.project.source_dir
        if resolve_include(uri, including, context.project.source_dir) is None:
            context.report(
                MISSING_FILE,
                missing_severity(uri, including, context.project.source_dir),
                f"{self.name} file not found in the project: {uri}",
                source,
                line,
                hint="paths starting with / are relative to source/; others to this file",
            )


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
        if target is None and self.generated(source, line):
            return []
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

    def generated(self, source: str | None, line: int | None) -> bool:
        """Read an include snooty generates from giza YAML; False when it is not one."""
        context = self.context
        include = generated_include(self.argument, context.project.source_dir)
        if include is None or context.giza is None:
            return False
        found = context.giza.lines(include)
        if found is None:
            return False
        lines, problems = found
        context.diagnostics.extend(problems)
        origin = str(include.files[0]) if include.kind == "steps" else f"extracts:{include.ref}"
        log = self.state.document.include_log
        if origin in [str(entry[0]) for entry in log]:
            context.report(
                INCLUDE_CYCLE, Severity.ERROR, f"include cycle: {self.argument}", source, line
            )
            return True
        if not log:
            log.append((str(source), (None, None, "", "")))
        log.append((origin, (None, None, "", "")))
        block = StringList()
        for text, path, number in substitute_lines(lines, context):
            block.append(text, path, number - 1)
        block.append("", origin, 0)
        block.append(INCLUSION_END.format(origin), origin, 0)
        machine = self.state_machine
        machine.input_lines.insert(
            machine.line_offset + 1,
            "",
            source=f"internal padding after {origin}",
            offset=len(block),
        )
        machine.input_lines.insert(
            machine.line_offset + 1, "", source=f"internal padding before {origin}", offset=-1
        )
        machine.input_lines.insert(machine.line_offset + 2, block)
        return True


def substitute_lines(lines: list[Line], context: ParseContext) -> Iterator[Line]:
    """Generated lines with ``{+constants+}`` substituted, problems at the line's own place."""
    constants = context.project.constants
    for text, path, number in lines:
        if "{+" not in text:
            yield text, path, number
            continue
        replaced, problems = substitute_constants(text, constants, context.relpath(path))
        for problem in problems:
            context.diagnostics.append(dataclasses.replace(problem, line=number))
        yield replaced, path, number


def resolve_include(argument: str, including: Path, source_dir: Path) -> Path | None:
    """The file an include names: ``/x`` from source/, ``x`` from the including file,
    except ``includes/x``, which snooty reads from source/ first; the extension may be
    left off. None when missing or outside the project."""
    if not argument:
        return None
    if argument.startswith("/"):
        bases = [source_dir / argument.lstrip("/")]
    elif argument.startswith("includes/"):
        bases = [source_dir / argument, including.parent / argument]
    else:
        bases = [including.parent / argument]
    project_root = source_dir.parent.resolve()
    for base in bases:
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


def missing_severity(argument: str, including: Path, source_dir: Path) -> Severity:
    """A warning when the file's folder is in the project (the file is really missing);
    a notice when the whole folder is absent, as in a copy of part of a project."""
    folder = (
        source_dir / argument.lstrip("/")
        if argument.startswith("/")
        else including.parent / argument
    ).parent
    return Severity.WARNING if folder.is_dir() else Severity.INFO


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


class Code(SnootyDirective):
    """``code-block``, ``code``, ``sourcecode``, ``input``, ``output`` and ``literalinclude``:
    a ``literal_block`` with ``language`` and ``io`` ("input", "output" or "") set.

    ``literalinclude`` (and ``input``/``output`` naming a file) read the file, which
    must lie inside the project; ``:start-after:``, ``:end-before:``, ``:lines:`` and
    ``:dedent:`` clip it as snooty does.
    """

    def run(self) -> list[nodes.Node]:
        language = self.options.get("language", "").strip()
        if self.name in {"code-block", "code", "sourcecode"}:
            language = language or self.argument
            text, where = "\n".join(self.content), self.content_offset + 1
        elif self.content and self.name != "literalinclude":
            text, where = "\n".join(self.content), self.content_offset + 1
        else:
            found = self.read_file()
            if found is None:
                return []
            text, where = found, self.lineno
        text = _dedent(_clip_text(text, self.options), self.options.get("dedent"))
        block = nodes.literal_block(text, text, language=language.split()[0] if language else "")
        block["io"] = self.name if self.name in {"input", "output"} else ""
        block.source, block.line = self.state_machine.get_source_and_line(where)
        return [block]

    def read_file(self) -> str | None:
        context = self.context
        source, line = self.where()
        including = Path(source) if source else context.project.source_dir
        target = resolve_include(self.argument, including, context.project.source_dir)
        if target is None or not target.is_file():
            context.report(
                MISSING_FILE,
                missing_severity(self.argument, including, context.project.source_dir),
                f"{self.name} file not found in the project: {self.argument}",
                source,
                line,
                hint="paths starting with / are relative to source/; others to this file",
            )
            return None
        lines, problems = context.read_include(target)
        context.diagnostics.extend(problems)
        return "\n".join(lines)


class IoCodeBlock(SnootyDirective):
    """``io-code-block``: its ``input`` and ``output`` blocks, in order."""

    def run(self) -> list[nodes.Node]:
        node = self.located(nodes.container(classes=["io-code-block"]))
        self.parse_body(node)
        return [node]


class ListTable(SnootyDirective):
    """``list-table``: a table of rows (docutils' own reading), with any option
    accepted; content docutils cannot read as a table is kept as parsed rST."""

    def run(self) -> list[nodes.Node]:
        known: dict[str, Any] = {}
        for key, value in self.options.items():
            convert = _LIST_TABLE_OPTIONS.get(key)
            if convert is not None and value.strip().isdigit():
                known[key] = convert(value.strip())
        table = _DocutilsListTable(
            self.name, self.arguments, known, self.content, self.lineno,
            self.content_offset, self.block_text, self.state, self.state_machine,
        ).run()  # fmt: skip
        if any(isinstance(found, nodes.table) for found in table):
            return [found for found in table if isinstance(found, nodes.table)]
        node = self.located(
            snooty.directive(name=self.name, argument=self.argument, options={}, known=True)
        )
        self.parse_body(node)
        return [node]


class CsvTable(SnootyDirective):
    """``csv-table``: docutils' table, but ``:file:`` only from inside the project (read
    here, like an include) and ``:url:`` never fetched."""

    def run(self) -> list[nodes.Node]:
        context = self.context
        source, line = self.where()
        options = dict(self.options)
        content = self.content
        if "url" in options:
            context.report(
                FILE_ACCESS,
                Severity.WARNING,
                f"csv-table :url: is not fetched: {options.pop('url')}",
                source,
                line,
                hint="keep the data in the project and use :file: or the directive's content",
            )
            return []
        if "file" in options:
            argument = options.pop("file").strip()
            including = Path(source) if source else context.project.source_dir
            target = resolve_include(argument, including, context.project.source_dir)
            if target is None:
                context.report(
                    MISSING_FILE,
                    missing_severity(argument, including, context.project.source_dir),
                    f"csv-table file not found in the project: {argument}",
                    source,
                    line,
                    hint="paths starting with / are relative to source/; others to this file",
                )
                return []
            lines, problems = context.read_include(target)
            context.diagnostics.extend(problems)
            content = StringList(lines, str(target))
        known = {k: v for k, v in options.items() if k in tables.CSVTable.option_spec}
        converted: dict[str, Any] = {}
        for key, value in known.items():
            try:
                converted[key] = tables.CSVTable.option_spec[key](value or None)
            except (ValueError, TypeError):
                continue
        return list(
            tables.CSVTable(
                self.name, self.arguments, converted, content, self.lineno,
                self.content_offset, self.block_text, self.state, self.state_machine,
            ).run()
        )  # fmt: skip


class _DocutilsListTable(tables.ListTable):  # type: ignore[misc]
    """docutils' list-table, reporting to nowhere: a failure falls back to plain rST."""

    def run(self) -> list[nodes.Node]:
        try:
            return list(super().run())
        except DirectiveError:  # rows of unequal length, a header with no body...
            return []


_LIST_TABLE_OPTIONS = {"header-rows": int, "stub-columns": int}


def _clip_text(text: str, options: dict[str, str]) -> str:
    lines = text.splitlines()
    start, end = options.get("start-after"), options.get("end-before")
    if start:
        index = next((i for i, t in enumerate(lines) if start in t), None)
        lines = lines[index + 1 :] if index is not None else lines
    if end:
        index = next((i for i, t in enumerate(lines) if end in t), None)
        lines = lines[:index] if index is not None else lines
    wanted = options.get("lines", "").strip()
    if wanted:
        chosen: list[str] = []
        for part in wanted.split(","):
            first, _, last = part.strip().partition("-")
            if first.isdigit() and (not last or last.isdigit()):
                chosen.extend(lines[int(first) - 1 : int(last or first)])
        lines = chosen
    return "\n".join(lines)


def _dedent(text: str, dedent: str | None) -> str:
    if dedent is None:
        return text
    lines = text.splitlines()
    if dedent.strip().isdigit():
        width = int(dedent)
    else:
        width = min((len(t) - len(t.lstrip()) for t in lines if t.strip()), default=0)
    return "\n".join(t[width:] if t[:width].isspace() else t.lstrip() for t in lines)


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
    **dict.fromkeys(("code-block", "code", "sourcecode", "input", "output"), Code),
    "literalinclude": Code,
    "io-code-block": IoCodeBlock,
    "list-table": ListTable,
    "csv-table": CsvTable,
}


def directive_class(name: str, default_domain: str) -> type[SnootyDirective] | None:
    """The class for a directive name; None lets docutils' own directives (``replace``,
    ``csv-table``...) run when the dialect does not define the name."""
    kind = dialect().directive_kind(name, default_domain)
    if kind == "special":
        return SPECIAL[name]
    if kind == "tabs":
        return Tabs
    if kind == "admonition":
        return Admonition
    if kind == "figure":
        return Figure
    if kind is None or kind == "docutils":
        return None
    return Generic
