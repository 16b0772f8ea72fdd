"""The errors modlean raises on bad input, all under one base class.

Every message says *where* (file, row, line, column or field path), *what was
found* and *what was expected*, so a program manager can fix the input without
reading a traceback.
"""

from __future__ import annotations

from typing import Any

from modlean._util import describe

__all__ = ["LogError", "ModleanError", "ParameterError", "RegisterError", "ScenarioError"]


class ModleanError(Exception):
    """Base class of every error modlean raises for bad input or configuration."""


class LogError(ModleanError, ValueError):
    """An event log could not be read or is not valid.

    Parameters
    ----------
    problem:
        What is wrong, in plain words.
    source:
        The file (or other source) being read.
    row, line:
        The 1-based data row and the file line (or sheet row) where it was found.
    column:
        The column involved.
    found, expected:
        The offending value and what would have been accepted.
    hint:
        How to fix it, when there is a likely fix.
    """

    def __init__(
        self,
        problem: str,
        *,
        source: str | None = None,
        row: int | None = None,
        line: int | None = None,
        column: str | None = None,
        found: Any = None,
        expected: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.source = source
        self.row = row
        self.line = line
        self.column = column
        self.found = found
        self.expected = expected
        self.hint = hint
        super().__init__(self._message())

    def _message(self) -> str:
        where = []
        if self.source:
            where.append(str(self.source))
        if self.row is not None:
            where.append(f"row {self.row}" + (f" (line {self.line})" if self.line else ""))
        if self.column is not None:
            where.append(f"column {self.column!r}")
        text = ", ".join(where) + ": " if where else ""
        text += self.problem
        if self.found is not None:
            text += f"; found {describe(self.found)}"
        if self.expected:
            text += f"; expected {self.expected}"
        if self.hint:
            text += f". {self.hint}"
        return text


class ScenarioError(ModleanError, ValueError):
    """A scenario file, field or override is not valid."""


class ParameterError(ModleanError, ValueError):
    """A notebook, batch or command-line parameter is not valid."""


class RegisterError(ModleanError, ValueError):
    """A risk register or FMEA sheet is not valid; ``problems`` holds one line per problem."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = list(problems or [])
        super().__init__(message)
