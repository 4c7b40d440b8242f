"""realm-cli and appservices commands translated into the Admin API operations they make.

The command table is data (``cli.toml``); this module reads a documented
command line the way the CLI's flag parser would and returns the plan, or the
reason it cannot (an "unbound" step with a message a docs writer can act on).
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from harness.commands import codes
from harness.commands.checks import (
    missing_continuation,
    orphan_options,
    short,
    unquoted_metacharacters,
)
from harness.commands.problems import Problem
from harness.commands.shell import Command, Word, split_commands

_FLAG_IN_VALUE = re.compile(r"\s--?[a-z][\w-]*")


@dataclass(frozen=True)
class CliFlag:
    """A flag as the CLI reads it: its long name, its value (None for a bool), where it is."""

    name: str
    value: str | None
    written: str
    line: int
    column: int


@dataclass(frozen=True)
class CliPlan:
    """A translated CLI command: the operationIds to call in order, or why there are none."""

    program: str
    command: str  # canonical name from cli.toml ("push"), or the words as written when unknown
    flags: tuple[CliFlag, ...]
    operations: tuple[str, ...]
    unbound: str | None  # why the step cannot be run; None when it can
    problems: tuple[Problem, ...]
    line: int  # 0-based line of the program word within the block
    end_line: int
    synopsis: bool = False  # a usage synopsis (`realm-cli pull [options]`): documents, runs nothing
    written: str = ""  # the command as the page wrote it ("export" for the canonical "pull")

    def flag(self, name: str) -> str | None:
        """The last value given for ``name`` ("" for a bool flag), or None."""
        found = [f.value if f.value is not None else "" for f in self.flags if f.name == name]
        return found[-1] if found else None

    def values(self, name: str) -> tuple[str, ...]:
        return tuple(f.value or "" for f in self.flags if f.name == name)


@dataclass(frozen=True)
class _Spec:
    name: str
    operations: tuple[str, ...]
    flags: dict[str, str]
    short: dict[str, str]
    when: tuple[tuple[str, str | None, tuple[str, ...]], ...]


@dataclass(frozen=True)
class _Table:
    programs: frozenset[str]
    commands: dict[tuple[str, ...], _Spec]  # by every spelling: ("push",), ("import",)
    global_flags: dict[str, str]
    global_short: dict[str, str]


@functools.cache
def table() -> _Table:
    """``cli.toml``, read once."""
    text = resources.files(__package__).joinpath("cli.toml").read_text("utf-8")
    data: dict[str, Any] = tomllib.loads(text)
    commands: dict[tuple[str, ...], _Spec] = {}
    for name, entry in data["commands"].items():
        spec = _Spec(
            name,
            tuple(entry.get("operations", ())),
            dict(entry.get("flags", {})),
            dict(entry.get("short", {})),
            tuple(
                (w["flag"], w.get("value"), tuple(w["operations"])) for w in entry.get("when", ())
            ),
        )
        for spelling in (name, *entry.get("aliases", ())):
            extra = entry.get("alias_flags", {}).get(spelling, {})
            flags = {**spec.flags, **extra}
            commands[tuple(spelling.split())] = replace(spec, flags=flags)
    return _Table(
        frozenset(data["programs"]),
        commands,
        dict(data["global"]["flags"]),
        dict(data["global"]["short"]),
    )


def is_cli(word: str) -> bool:
    """True for ``realm-cli`` and ``appservices`` (also as a path, ``./node_modules/.bin/...``)."""
    return word.rsplit("/", 1)[-1] in table().programs


def parse_cli(code: str) -> list[CliPlan]:
    """Every realm-cli/appservices command in a shell code block, translated."""
    commands = split_commands(code)
    plans = []
    for index, command in enumerate(commands):
        if is_cli(command.words[0].text):
            plans.append(_plan(command, orphan_options(commands, index), code))
    return plans


def translate(line: str) -> CliPlan:
    """One CLI command line, translated; a line that is not a CLI command is unbound."""
    plans = parse_cli(line)
    if plans:
        return plans[0]
    first = line.split()[0] if line.split() else ""
    return CliPlan(first, "", (), (), f"{first!r} is not realm-cli or appservices", (), 0, 0)


def _plan(command: Command, orphans: list[Command], code: str) -> CliPlan:
    words = command.words
    program = words[0].text.rsplit("/", 1)[-1]
    rest = list(words[1:])
    names: list[str] = []
    while rest and not rest[0].text.startswith("-") and len(names) < 2:
        names.append(rest.pop(0).text)
    known = table().commands
    spec = None
    for size in (2, 1):
        if len(names) >= size and tuple(names[:size]) in known:
            spec = known[tuple(names[:size])]
            rest = [w for w in words[1 + size :]]
            break
    problems: list[Problem] = []
    continuation = missing_continuation(code, command, orphans)
    if continuation:
        problems.append(continuation)
    problems.extend(unquoted_metacharacters(words))
    written = " ".join(names) or "(no command)"
    if spec is None:
        reason = (
            f"'{program} {written}' is not a command harness/commands/cli.toml knows, so the"
            " step cannot be translated into Admin API requests"
        )
        problems.append(
            Problem(
                codes.UNKNOWN_CLI_COMMAND,
                words[0].line,
                words[0].column,
                reason,
                f"known commands: {', '.join(sorted({s.name for s in known.values()}))}",
            )
        )
        return _result(program, written, (), (), reason, problems, command)
    flags, flag_problems, synopsis = _flags(spec, rest)
    problems.extend(flag_problems)
    operations = spec.operations
    for flag, value, then in spec.when:
        given = [f for f in flags if f.name == flag]
        if given and (value is None or given[-1].value == value):
            operations = then
            break
    unbound = None
    if synopsis:
        unbound = f"'{program} {spec.name} {synopsis}' is a usage synopsis, not a command to run"
    elif any(p.code in (codes.UNKNOWN_CLI_FLAG, codes.FLAG_INSIDE_QUOTES) for p in problems):
        unbound = "; ".join(
            p.message
            for p in problems
            if p.code in (codes.UNKNOWN_CLI_FLAG, codes.FLAG_INSIDE_QUOTES)
        )
    plan = _result(program, spec.name, tuple(flags), operations, unbound, problems, command)
    return replace(plan, synopsis=bool(synopsis), written=" ".join(names[:size]))


def _result(
    program: str,
    name: str,
    flags: tuple[CliFlag, ...],
    operations: tuple[str, ...],
    unbound: str | None,
    problems: list[Problem],
    command: Command,
) -> CliPlan:
    ordered = tuple(sorted(problems, key=lambda p: (p.line, p.column, p.code)))
    return CliPlan(
        program, name, flags, operations, unbound, ordered, command.line, command.end_line
    )


def _flags(spec: _Spec, words: list[Word]) -> tuple[list[CliFlag], list[Problem], str]:
    """The flags in ``words``, problems with them, and a usage synopsis word if there is one."""
    glossary = {**table().global_flags, **spec.flags}
    short_forms = {**table().global_short, **spec.short}
    flags: list[CliFlag] = []
    problems: list[Problem] = []
    synopsis = ""
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        text = word.text
        if not text.startswith("-"):
            if text.startswith("[") and text.endswith("]"):
                synopsis = text
                continue
            problems.append(
                Problem(
                    codes.UNKNOWN_CLI_FLAG,
                    word.line,
                    word.column,
                    f"{spec.name} takes no argument {short(text)!r}",
                    f"{spec.name} takes flags only: {', '.join(sorted(spec.flags)) or 'none'}",
                )
            )
            continue
        name, sep, value = text.partition("=")
        long_name = short_forms.get(name, name)
        kind = glossary.get(long_name)
        if kind is None:
            problems.append(
                Problem(
                    codes.UNKNOWN_CLI_FLAG,
                    word.line,
                    word.column,
                    f"{spec.name} has no flag {name}",
                    f"{spec.name} flags: {', '.join(sorted(spec.flags)) or 'none'}",
                )
            )
            continue
        flag_value: str | None = value if sep else None
        if kind != "bool" and not sep:
            if index < len(words) and not words[index].text.startswith("-"):
                flag_value = words[index].text
                index += 1
            else:
                flag_value = ""
        if flag_value and _FLAG_IN_VALUE.search(flag_value):
            inside = _FLAG_IN_VALUE.search(flag_value)
            assert inside is not None
            problems.append(
                Problem(
                    codes.FLAG_INSIDE_QUOTES,
                    word.line,
                    word.column,
                    f"the value of {long_name} holds {inside.group().strip()!r}: the quotes make"
                    " it part of the value, so the CLI never reads that flag",
                    "close the quotes before the next flag",
                )
            )
        flags.append(CliFlag(long_name, flag_value, text, word.line, word.column))
    return flags, problems, synopsis
