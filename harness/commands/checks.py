"""Shell-level checks shared by curl and CLI commands: continuations and quoting."""

from __future__ import annotations

from harness.commands import codes
from harness.commands.placeholders import find_placeholders
from harness.commands.problems import Problem
from harness.commands.shell import Command, Word

_META = frozenset("?*[&;|()")


def orphan_options(commands: list[Command], index: int) -> list[Command]:
    """The commands after ``commands[index]`` that are only options: a continuation is missing."""
    orphans: list[Command] = []
    previous = commands[index]
    for command in commands[index + 1 :]:
        if previous.ended_by != "newline" or not command.words[0].text.startswith("-"):
            break
        orphans.append(command)
        previous = command
    return orphans


def missing_continuation(code: str, command: Command, orphans: list[Command]) -> Problem | None:
    """DH302 at the end of the line that lacks its ``\\``, when options follow it."""
    if not orphans:
        return None
    lines = code.split("\n")
    end = command.end_line
    dropped = " ".join(w.text for o in orphans for w in o.words)
    return Problem(
        codes.MISSING_CONTINUATION,
        end,
        len(lines[end].rstrip()) if end < len(lines) else 0,
        f"line ends the command, so the next line's options ({short(dropped)}) run as a"
        " separate command and are never sent",
        "end this line with ' \\'",
    )


def unquoted_metacharacters(words: tuple[Word, ...]) -> list[Problem]:
    """DH303 for each unquoted word that holds a placeholder and a shell metacharacter."""
    found = []
    for word in words:
        meta = sorted(set(word.unquoted) & _META)
        if meta and find_placeholders(word.text):
            found.append(
                Problem(
                    codes.UNQUOTED_METACHARACTERS,
                    word.line,
                    word.column,
                    f"{short(word.text)!r} is not quoted and holds a placeholder and"
                    f" {' '.join(meta)}: the shell reads those characters itself",
                    "put the whole word in single quotes",
                )
            )
    return found


def short(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for a message."""
    return text if len(text) <= limit else text[: limit - 3] + "..."
