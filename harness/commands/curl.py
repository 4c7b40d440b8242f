"""A documented ``curl`` command read the way the shell and curl would read it.

The result says what request the command really sends, which can differ from
what the page means: ``-h`` is curl's help flag, and options after a line with
no continuation never reach curl. Those differences are problems (DH3xx) on
the request, at their line, so a run can fail naming the doc's defect.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from harness.commands import codes
from harness.commands.checks import (
    missing_continuation,
    orphan_options,
    unquoted_metacharacters,
)
from harness.commands.placeholders import Placeholder, fill, find_placeholders, value_key
from harness.commands.problems import Problem
from harness.commands.shell import Command, split_commands

if TYPE_CHECKING:
    from harness.commands.spec import Operation

# curl's options that take a value (the ones docs use; the rest of curl's options are flags).
_WITH_VALUE = frozenset(
    [
        "-X",
        "--request",
        "-H",
        "--header",
        "-d",
        "--data",
        "--data-raw",
        "--data-binary",
        "--data-ascii",
        "--data-urlencode",
        "--json",
        "-u",
        "--user",
        "-o",
        "--output",
        "-A",
        "--user-agent",
        "-b",
        "--cookie",
        "-c",
        "--cookie-jar",
        "-e",
        "--referer",
        "-F",
        "--form",
        "-T",
        "--upload-file",
        "-w",
        "--write-out",
        "-m",
        "--max-time",
        "--connect-timeout",
        "-x",
        "--proxy",
        "--url",
        "-K",
        "--config",
        "--retry",
    ]
)
_DATA = frozenset(
    ["-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--data-urlencode", "--json"]
)
_HEADER_LIKE = re.compile(r"^[A-Za-z][\w-]*:\s*\S")


@dataclass(frozen=True)
class CurlRequest:
    """The request one curl command sends, with placeholders as written in the doc."""

    method: str
    url: str
    host: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: str | None
    body_file: str | None  # "-d @file": the doc names a file instead of showing the body
    user: str | None
    placeholders: tuple[Placeholder, ...]
    problems: tuple[Problem, ...]
    line: int  # 0-based line of the word "curl" within the block
    end_line: int
    url_at: tuple[int, int]  # 0-based line and column of the URL word
    body_at: tuple[int, int] | None

    def header(self, name: str) -> str | None:
        found = [v for k, v in self.headers if k.casefold() == name.casefold()]
        return found[-1] if found else None

    @property
    def sends(self) -> bool:
        """False when the shell or curl would not send this request as the page means it."""
        return not any(p.severity.value == "error" for p in self.problems)


@dataclass(frozen=True)
class ResolvedRequest:
    """A request with the run's values put in; what the harness sends."""

    method: str
    url: str
    path: str  # the path as sent, placeholders filled
    headers: tuple[tuple[str, str], ...]
    body: str | None
    unresolved: tuple[Placeholder, ...]


def parse_curls(code: str) -> list[CurlRequest]:
    """Every curl command in a shell code block, in order."""
    commands = split_commands(code)
    requests = []
    for index, command in enumerate(commands):
        if _program(command.words[0].text) == "curl":
            orphans = orphan_options(commands, index)
            requests.append(_request(command, orphans, code))
    return requests


def _request(command: Command, orphans: list[Command], code: str) -> CurlRequest:
    words = command.words
    method = ""
    url = ""
    headers: list[tuple[str, str]] = []
    data: list[str] = []
    body_file = None
    user = None
    problems: list[Problem] = []
    head = False
    url_at = (command.line, command.words[0].column)
    body_at = None
    index = 1
    while index < len(words):
        word = words[index]
        name, value = _split_option(word.text)
        if name and value is None and name in _WITH_VALUE:
            index += 1
            value = words[index].text if index < len(words) else ""
        if name == "-h" or name == "--help":
            following = words[index + 1].text if index + 1 < len(words) else ""
            if _HEADER_LIKE.match(following):
                header = following.split(":", 1)[0]
                problems.append(
                    Problem(
                        codes.HELP_FLAG_AS_HEADER,
                        word.line,
                        word.column,
                        f"-h is curl's help flag: curl prints its help and sends nothing, and"
                        f" the {header} header is never set",
                        "write -H (capital) before a header",
                    )
                )
                index += 1
        elif name in ("-X", "--request"):
            method = (value or "").upper()
        elif name in ("-H", "--header"):
            key, _, text = (value or "").partition(":")
            headers.append((key.strip(), text.strip()))
        elif name in _DATA:
            if name == "--json":
                headers.append(("Content-Type", "application/json"))
            if (value or "").startswith("@") and name != "--data-raw":
                body_file = (value or "")[1:]
            else:
                data.append(value or "")
                body_at = body_at or (word.line, word.column)
        elif name in ("-u", "--user"):
            user = value
        elif name == "--url":
            url = value or ""
            url_at = (word.line, word.column)
        elif name in ("-I", "--head"):
            head = True
        elif not name and not url:
            url = word.text
            url_at = (word.line, word.column)
        index += 1
    continuation = missing_continuation(code, command, orphans)
    if continuation:
        problems.append(continuation)
    problems.extend(unquoted_metacharacters(words))
    body = "&".join(data) if data else None
    if not method:
        method = "HEAD" if head else "POST" if (body is not None or body_file) else "GET"
    parts = urlsplit(url if "://" in url else f"https://{url}")
    return CurlRequest(
        method=method,
        url=url,
        host=(parts.hostname or "").lower(),
        path=parts.path,
        query=parts.query,
        headers=tuple(headers),
        body=body,
        body_file=body_file,
        user=user,
        placeholders=tuple(
            p for p in find_placeholders(code) if command.line <= p.line <= command.end_line
        ),
        problems=tuple(sorted(problems, key=lambda p: (p.line, p.column, p.code))),
        line=command.line,
        end_line=command.end_line,
        url_at=url_at,
        body_at=body_at,
    )


def _split_option(text: str) -> tuple[str, str | None]:
    """``("-X", "POST")`` for ``-XPOST``, ``("--data", "x")`` for ``--data=x``, ``("", None)``
    for a word that is not an option."""
    if text.startswith("--"):
        name, sep, value = text.partition("=")
        return name, value if sep else None
    if text.startswith("-") and len(text) > 1:
        name = text[:2]
        return (name, text[2:]) if len(text) > 2 and name in _WITH_VALUE else (name, None)
    return "", None


def _program(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def resolve(
    request: CurlRequest, values: Mapping[str, str], operation: Operation | None = None
) -> ResolvedRequest:
    """``request`` with the run's ``values`` put in for its placeholders.

    Path segments that stand for a spec path parameter are filled by that
    parameter's name (``groupId``, ``appId``), whatever the doc called them.
    """
    path_values = dict(values)
    segments = [s for s in request.path.split("/")]
    if operation is not None:
        by_segment = {raw: name for name, raw in operation.path_params}
        for position, segment in enumerate(segments):
            name = by_segment.get(segment)
            if name and name in values and find_placeholders(segment):
                segments[position] = values[name]
    path, left = fill("/".join(segments), path_values)
    query, left_query = fill(request.query, values)
    headers = []
    unresolved = list(left) + list(left_query)
    for key, text in request.headers:
        filled, left_header = fill(text, values)
        headers.append((key, filled))
        unresolved.extend(left_header)
    body = None
    if request.body is not None:
        body, left_body = fill(request.body, values)
        unresolved.extend(left_body)
    base = request.url.split(request.path, 1)[0] if request.path else request.url
    url = f"{base}{path}" + (f"?{query}" if query else "")
    return ResolvedRequest(request.method, url, path, tuple(headers), body, tuple(unresolved))


__all__ = [
    "CurlRequest",
    "ResolvedRequest",
    "parse_curls",
    "resolve",
    "value_key",
]
