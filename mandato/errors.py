"""The one small exception hierarchy of mandato (STYLE 7).

Every error says what is wrong and where. The CLI prints ``str(error)`` and exits with the
error's ``exit_code``; the API turns an error into the one JSON error body with its ``status``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class MandatoError(Exception):
    """Base of all expected errors; the message is safe to show to a user."""

    exit_code = 2
    status = 400

    def details(self) -> list[str]:
        return []


@dataclass
class Location:
    """Where in a source something is: file, line (from 1) and cell (from 1); in a workbook, the
    sheet, its row (``line``) and column (``cell``, shown as a letter: A, B…)."""

    file: str
    line: int | None = None
    cell: int | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.sheet is not None:
            where += f", sheet '{self.sheet}'"
            if self.line is not None:
                where += f", row {self.line}"
            if self.cell is not None:
                where += f", column {column_letter(self.cell)}"
            return where
        if self.line is not None:
            where += f", line {self.line}"
        if self.cell is not None:
            where += f", cell {self.cell}"
        return where


def did_you_mean(name: str, choices: Iterable[str]) -> str:
    """" (did you mean 'x'?)" for the choice nearest ``name``, or "" when none is near."""
    near = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{near[0]}'?)" if near else ""


def column_letter(n: int) -> str:
    """A spreadsheet column's letters: 1 is A, 27 is AA."""
    letters = ""
    while n > 0:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class IngestError(MandatoError):
    """A source cannot be read: the store is left as it was."""

    def __init__(self, location: Location, problem: str, expected: str | None = None):
        self.location = location
        self.problem = problem
        self.expected = expected
        message = f"{location}: {problem}"
        if expected:
            message += f"; expected {expected}"
        super().__init__(message)

    def __reduce__(self) -> tuple:  # raised in a worker process, re-raised in the parent
        return type(self), (self.location, self.problem, self.expected)


class ParameterError(MandatoError):
    """A query parameter is missing, ill-typed, unknown or ambiguous."""

    def __init__(self, message: str, candidates: Sequence[str] = ()):
        self.candidates = list(candidates)
        if self.candidates:
            message += "; candidates: " + "; ".join(self.candidates)
        super().__init__(message)

    def details(self) -> list[str]:
        return self.candidates


class UnknownName(ParameterError):
    """A parameter names nothing the data holds: over HTTP, the thing asked for is not found."""

    status = 404


class UnknownQuery(MandatoError):
    status = 404


class CatalogueError(MandatoError):
    """A saved query file is broken: start-up stops."""


class StoreError(MandatoError):
    """The store cannot be opened or written."""
