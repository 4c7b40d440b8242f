"""Giza YAML: the step and extract files snooty turns into includes.

``.. include:: /includes/steps/X.rst`` names no file on disk: snooty generates
it from ``source/includes/steps-X.yaml`` (a ``---``-separated list of steps with
``title``, ``pre``, ``action``, ``content``, ``post``, reused with ``source:``
or ``inherit:``), and ``/includes/extracts/X.rst`` from the extract whose ``ref``
is X in one of ``source/includes/extracts-*.yaml``. Here the same rST is built,
every line tagged with the YAML file and line it came from, so that steps,
diagnostics and columns point at the YAML a writer edits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from harness.diagnostics import Diagnostic, Severity
from harness.rst.codes import GIZA_PROBLEM
from harness.rst.project import Project

# A generated line: its text and where it was written (absolute path, 1-based line).
Line = tuple[str, str, int]

_GENERATED = re.compile(r"^/?includes/(?P<kind>steps|extracts)/(?P<name>[^/]+?)(?:\.rst)?$")
_REPLACEMENT = re.compile(r"\{\{(?P<name>[\w-]+)\}\}")
_INHERIT_DEPTH = 8
_BODY_INDENT = "      "


@dataclass(frozen=True)
class GizaInclude:
    """The YAML a generated include comes from, and the ref of the document (extracts)."""

    kind: str  # "steps" or "extracts"
    files: tuple[Path, ...]  # the YAML file(s) to look in
    ref: str  # extracts: the ref wanted; steps: ""


def generated_include(argument: str, source_dir: Path) -> GizaInclude | None:
    """The giza source of an include path like ``/includes/steps/X.rst``, if it is one."""
    match = _GENERATED.match(argument.strip())
    if match is None:
        return None
    includes = source_dir / "includes"
    if match["kind"] == "steps":
        return GizaInclude("steps", (includes / f"steps-{match['name']}.yaml",), "")
    files = tuple(sorted(includes.glob("extracts-*.yaml"))) if includes.is_dir() else ()
    return GizaInclude("extracts", files, match["name"])


@dataclass(frozen=True)
class _Value:
    """A scalar of the YAML file: its text lines, each with its file line."""

    lines: tuple[tuple[str, int], ...]
    path: str  # the YAML file it was written in (a reused value keeps its own)


@dataclass(frozen=True)
class _Document:
    path: Path
    line: int  # where the document starts
    fields: Mapping[str, Any]  # str -> _Value | nested mapping | list


class GizaReader:
    """Reads giza YAML files (cached per path) and builds the rST of an include."""

    def __init__(self, project: Project, on_read: Callable[[Path], None] | None = None) -> None:
        self.project = project
        self.source_dir = project.source_dir
        self.on_read = on_read  # told of every YAML file read (Sphinx notes dependencies)
        self._files: dict[Path, tuple[tuple[_Document, ...], tuple[Diagnostic, ...]]] = {}

    def lines(self, include: GizaInclude) -> tuple[list[Line], list[Diagnostic]] | None:
        """The generated rST lines, and problems; None when no YAML file holds it."""
        problems: list[Diagnostic] = []
        if include.kind == "steps":
            path = include.files[0]
            if not _inside(path, self.source_dir):
                return None
            documents, found = self.documents(path)
            problems.extend(found)
            if not documents and found:
                return [], problems
            if not path.is_file():
                return None
            return list(self._steps(documents, problems)), problems
        for path in include.files:
            documents, found = self.documents(path)
            for document in documents:
                if _text(document.fields.get("ref")) == include.ref:
                    problems.extend(found)
                    resolved = self._resolve(document, problems)
                    return list(self._extract(resolved)), problems
        return None

    def documents(self, path: Path) -> tuple[tuple[_Document, ...], tuple[Diagnostic, ...]]:
        if self.on_read is not None and path.is_file():
            self.on_read(path)
        if path not in self._files:
            self._files[path] = self._read(path)
        return self._files[path]

    def _read(self, path: Path) -> tuple[tuple[_Document, ...], tuple[Diagnostic, ...]]:
        try:
            if not path.is_file():
                return (), ()
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            return (), (self._problem(path, 1, f"cannot read giza file: {error}"),)
        raw = text.splitlines()
        documents: list[_Document] = []
        try:
            for node in yaml.compose_all(text, Loader=yaml.SafeLoader):
                if isinstance(node, yaml.MappingNode):
                    fields = _mapping(node, raw, str(path))
                    documents.append(_Document(path, node.start_mark.line + 1, fields))
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            message = " ".join(str(getattr(error, "problem", error) or error).split())
            problem = self._problem(path, line, f"malformed giza YAML: {message}")
            return tuple(documents), (problem,)
        return tuple(documents), ()

    def _problem(self, path: Path, line: int, message: str) -> Diagnostic:
        return Diagnostic(
            self.project.relpath(path), line, 1, GIZA_PROBLEM, Severity.ERROR, message
        )

    # -- reuse ------------------------------------------------------------------------

    def _resolve(
        self, document: _Document, problems: list[Diagnostic], depth: int = 0
    ) -> _Document:
        """A document with ``source:``/``inherit:`` applied: the named document's fields,
        overridden by this one's; ``{{name}}`` filled from ``replacement``."""
        reuse = document.fields.get("source") or document.fields.get("inherit")
        fields = dict(document.fields)
        if isinstance(reuse, dict) and depth < _INHERIT_DEPTH:
            name, ref = _text(reuse.get("file")), _text(reuse.get("ref"))
            base = self._find(document.path, name, ref)
            if base is None:
                problems.append(
                    self._problem(
                        document.path,
                        document.line,
                        f"giza {'source' if 'source' in document.fields else 'inherit'}:"
                        f" no document with ref {ref!r} in {name}",
                    )
                )
            else:
                inherited = self._resolve(base, problems, depth + 1)
                fields = {**inherited.fields, **fields}
        replacements = fields.get("replacement")
        if isinstance(replacements, dict):
            values = {key: _text(value) for key, value in replacements.items()}
            fields = {key: _replaced(value, values) for key, value in fields.items()}
        return _Document(document.path, document.line, fields)

    def _find(self, near: Path, name: str, ref: str) -> _Document | None:
        if not name or PurePosixPath(name).is_absolute() or ".." in PurePosixPath(name).parts:
            return None
        path = near.parent / name
        if not _inside(path, self.source_dir):
            return None
        documents, _problems = self.documents(path)
        return next((d for d in documents if _text(d.fields.get("ref")) == ref), None)

    # -- rST --------------------------------------------------------------------------

    def _steps(
        self, documents: tuple[_Document, ...], problems: list[Diagnostic]
    ) -> Iterator[Line]:
        if not documents:
            return
        first = documents[0]
        yield ".. procedure::", str(first.path), first.line
        yield "", str(first.path), first.line
        for document in documents:
            step = self._resolve(document, problems)
            where = str(step.path)
            title = step.fields.get("title")
            if isinstance(title, dict):
                title = title.get("text")
            title_line = _first_line(title, step.line)
            where = title.path if isinstance(title, _Value) else where
            heading = " ".join(text for text, _line in _lines_of(title))
            yield f"   .. step:: {heading}".rstrip(), where, title_line
            yield "", where, title_line
            for key in ("pre", "action", "content", "post"):
                yield from _body(step.fields.get(key), where, key)
            yield "", where, title_line

    def _extract(self, document: _Document) -> Iterator[Line]:
        where = str(document.path)
        for key in ("pre", "content", "post"):
            for text, path, line in _body(document.fields.get(key), where, key):
                yield text[len(_BODY_INDENT) :], path, line


def _body(value: Any, where: str, key: str) -> Iterator[Line]:
    """A field's text as indented step body; ``action`` entries become code blocks."""
    if key == "action":
        actions = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        for action in actions:
            if not isinstance(action, dict):
                continue
            heading = action.get("heading")
            if isinstance(heading, dict):
                heading = heading.get("text")
            if heading is not None:
                yield from _paragraph(heading, where, bold=True)
            for part in ("pre", "content"):
                yield from _paragraph(action.get(part), where)
            code = action.get("code")
            if code is not None:
                line = _first_line(code, 1)
                where = code.path if isinstance(code, _Value) else where
                language = _text(action.get("language")) or "none"
                yield f"{_BODY_INDENT}.. code-block:: {language}", where, line
                yield "", where, line
                for text, number in _lines_of(code):
                    yield f"{_BODY_INDENT}   {text}".rstrip(), where, number
                yield "", where, line
            yield from _paragraph(action.get("post"), where)
        return
    yield from _paragraph(value, where)


def _paragraph(value: Any, where: str, bold: bool = False) -> Iterator[Line]:
    where = value.path if isinstance(value, _Value) else where
    lines = list(_lines_of(value))
    if not lines:
        return
    for index, (text, number) in enumerate(lines):
        shown = f"**{text}**" if bold and index == 0 and text else text
        yield f"{_BODY_INDENT}{shown}".rstrip(), where, number
    yield "", where, lines[-1][1]


def _lines_of(value: Any) -> Iterator[tuple[str, int]]:
    if isinstance(value, _Value):
        yield from value.lines


def _first_line(value: Any, default: int) -> int:
    return value.lines[0][1] if isinstance(value, _Value) and value.lines else default


def _text(value: Any) -> str:
    if isinstance(value, _Value):
        return "\n".join(text for text, _line in value.lines).strip()
    return "" if value is None else str(value)


def _replaced(value: Any, values: Mapping[str, str]) -> Any:
    if not isinstance(value, _Value):
        return value
    return _Value(
        tuple(
            (_REPLACEMENT.sub(lambda m: values.get(m["name"], m.group()), text), line)
            for text, line in value.lines
        ),
        value.path,
    )


def _mapping(node: yaml.MappingNode, raw: list[str], path: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode):
            fields[str(key.value)] = _node(value, raw, path)
    return fields


def _node(node: yaml.Node, raw: list[str], path: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        return _mapping(node, raw, path)
    if isinstance(node, yaml.SequenceNode):
        return [_node(item, raw, path) for item in node.value]
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node, raw, path)
    return None


def _scalar(node: yaml.ScalarNode, raw: list[str], path: str) -> _Value:
    """A scalar's lines with their file lines: a literal block (``|``) is taken from the
    file itself, so each line keeps its own number; other scalars start where written."""
    start = node.start_mark.line
    if node.style == "|":
        block = raw[start + 1 : node.end_mark.line]
        while block and not block[-1].strip():
            block.pop()
        indent = min((len(t) - len(t.lstrip()) for t in block if t.strip()), default=0)
        return _Value(tuple((text[indent:], start + 2 + i) for i, text in enumerate(block)), path)
    text = str(node.value)
    line = start + 1
    if node.style == ">":
        line += 1
    return _Value(tuple((part, line) for part in text.splitlines()), path)


def _inside(path: Path, folder: Path) -> bool:
    try:
        return path.resolve().is_relative_to(folder.resolve())
    except OSError:
        return False
