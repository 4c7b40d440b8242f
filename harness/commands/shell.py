"""Split a shell code block into commands and words, keeping where each word starts.

``shlex`` gives the words but not their lines, and it keeps a backslash-newline
inside a word; a docs linter needs both the doc line of every option and the
shell's exact reading of line continuations, quotes and separators. So this is
a small POSIX-style reader for the subset docs use: single and double quotes,
backslash escapes, ``\\``-newline continuations, comments, ``;`` ``&&`` ``||``
``|`` ``&`` and ``$( )`` as command boundaries. Placeholders written as
``<Some Name>`` stay inside their word (a reader replaces them, brackets and all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Characters the shell treats specially when they are not quoted: globbing and redirection.
GLOB_OR_REDIRECT = frozenset("?*[<>")
_ANGLE_PLACEHOLDER = re.compile(r"<[A-Za-z][^<>\n]{0,80}>")
_SEPARATORS = ("&&", "||", ";", "|", "&", "$(", "(", ")")


@dataclass(frozen=True)
class Word:
    """One shell word: its text after quote removal and where it starts (0-based)."""

    text: str
    line: int
    column: int
    quoted: bool  # some part of the word was inside quotes
    unquoted: str  # the characters that were outside quotes, placeholders replaced by "_"


@dataclass(frozen=True)
class Command:
    """A simple command: its words, first and last line, and what ended it."""

    words: tuple[Word, ...]
    line: int
    end_line: int
    ended_by: str  # "newline", "end", or the separator ("&", ";", "&&", ...)


def split_commands(code: str) -> list[Command]:
    """The simple commands of ``code`` in order; never raises on odd input."""
    return _Reader(code).read()


class _Reader:
    def __init__(self, code: str) -> None:
        self.code = code
        self.pos = 0
        self.line = 0
        self.col = 0
        self.commands: list[Command] = []
        self.words: list[Word] = []
        self.text: list[str] = []
        self.unquoted: list[str] = []
        self.quoted = False
        self.start: tuple[int, int] | None = None
        self.command_line = 0
        self.command_end = 0

    def _advance(self, count: int = 1) -> None:
        for _ in range(count):
            if self.pos < len(self.code) and self.code[self.pos] == "\n":
                self.line += 1
                self.col = 0
            else:
                self.col += 1
            self.pos += 1

    def _begin_word(self) -> None:
        if self.start is None:
            self.start = (self.line, self.col)
            if not self.words:
                self.command_line = self.line

    def _end_word(self) -> None:
        if self.start is not None:
            self.words.append(
                Word(
                    "".join(self.text),
                    self.start[0],
                    self.start[1],
                    self.quoted,
                    "".join(self.unquoted),
                )
            )
            self.command_end = self.line
        self.text, self.unquoted, self.quoted, self.start = [], [], False, None

    def _end_command(self, ended_by: str) -> None:
        self._end_word()
        if self.words:
            self.commands.append(
                Command(tuple(self.words), self.command_line, self.command_end, ended_by)
            )
        self.words = []

    def read(self) -> list[Command]:
        code = self.code
        while self.pos < len(code):
            char = code[self.pos]
            if char == "\\" and code.startswith("\n", self.pos + 1):
                self._advance(2)  # a line continuation: the shell removes both characters
            elif char == "\\":
                self._begin_word()
                if self.pos + 1 < len(code):
                    self.text.append(code[self.pos + 1])
                    self.quoted = True
                self._advance(2)
            elif char == "\n":
                self._end_command("newline")
                self._advance()
            elif char in " \t\r":
                self._end_word()
                self._advance()
            elif char == "#" and self.start is None:
                while self.pos < len(code) and code[self.pos] != "\n":
                    self._advance()
            elif char == "'":
                self._begin_word()
                self.quoted = True
                end = code.find("'", self.pos + 1)
                end = len(code) if end < 0 else end
                self.text.append(code[self.pos + 1 : end])
                self._advance(end + 1 - self.pos)
            elif char == '"':
                self._begin_word()
                self.quoted = True
                self._double_quoted()
            elif char == "<" and (match := _ANGLE_PLACEHOLDER.match(code, self.pos)):
                self._begin_word()
                self.text.append(match.group())
                self.unquoted.append("_")
                self._advance(len(match.group()))
            elif separator := next((s for s in _SEPARATORS if code.startswith(s, self.pos)), ""):
                if separator == "&" and self.start is not None:
                    self.unquoted.append("&")  # remembered: an unquoted URL split by '&'
                self._end_command(separator)
                self._advance(len(separator))
            else:
                self._begin_word()
                self.text.append(char)
                self.unquoted.append(char)
                self._advance()
        self._end_command("end")
        return self.commands

    def _double_quoted(self) -> None:
        code = self.code
        self._advance()  # the opening quote
        while self.pos < len(code) and code[self.pos] != '"':
            char = code[self.pos]
            if char == "\\" and self.pos + 1 < len(code) and code[self.pos + 1] in '"\\$`\n':
                if code[self.pos + 1] != "\n":
                    self.text.append(code[self.pos + 1])
                self._advance(2)
            else:
                self.text.append(char)
                self._advance()
        self._advance()  # the closing quote (or the end)
