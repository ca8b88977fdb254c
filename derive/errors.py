"""Exceptions raised by the library. Only ``cli.py`` turns them into messages and exit codes.

A traceback that reaches the user always means a bug; every expected failure is one of these.
"""
from __future__ import annotations


class DeriveError(Exception):
    """Base class: ``str(err)`` is a complete, user-facing message."""

    exit_code = 1


class SpecError(DeriveError):
    """A problem spec (or symbols file) is malformed. Carries file and line when known."""

    exit_code = 2

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        self.message, self.file, self.line = message, file, line
        where = ""
        if file:
            where = f"{file}, line {line}: " if line else f"{file}: "
        super().__init__(where + message)


class ParseError(DeriveError):
    """Expression text could not be parsed or typed. ``pos`` is a 0-based column when known."""

    exit_code = 2

    def __init__(self, message: str, text: str = "", pos: int | None = None, kind: str = "syntax"):
        self.message, self.text, self.pos = message, text, pos
        self.kind = kind                # "syntax": unreadable, "name": unknown symbol, "type": shapes/types
        super().__init__(message)

    def pointer(self) -> str:
        """The offending text with a caret under the column, for multi-line reports."""
        if self.pos is None or not self.text or "\n" in self.text:
            return ""
        return f"    {self.text}\n    {' ' * self.pos}^"


class RuleError(DeriveError):
    """No strategy could finish a goal, or a rule was applied outside its preconditions."""


class CertificationError(DeriveError):
    """A step failed independent certification: a bug in a rule, never to be hidden."""


class RenderError(DeriveError):
    """A template or output could not be produced."""
