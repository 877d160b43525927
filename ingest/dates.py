"""Dates as printed in the corpus: numeric tables (``04 /05/ 1959``, ``07/05/95``), years alone
(``2000``) and Spanish prose (``29 de setiembre de 2003``).

A table writes all its dates one way; the day/month order is decided per table from the values
that can only be read one way (a first number above 12 is a day), never cell by cell. Two-digit
years pivot at 1950: ``50``-``99`` are 1950-1999, ``00``-``49`` are 2000-2049, which is right for
every treaty from the 1950s on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Literal
from rdflib.namespace import XSD

NUMERIC = re.compile(r"^(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*(\d{4}|\d{2})$")
YEAR = re.compile(r"^(\d{4})$")
ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
PIVOT = 50
MONTHS = {
    "enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
    "agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}
DAY_FIRST = "day/month/year"
MONTH_FIRST = "month/day/year"


@dataclass(frozen=True)
class PartialDate:
    """A date with the precision the source gives: a year, a month of a year, or a full day."""

    year: int
    month: int | None = None
    day: int | None = None

    def literal(self) -> Literal:
        if self.month is None:
            return Literal(self.iso(), datatype=XSD.gYear)
        if self.day is None:
            return Literal(self.iso(), datatype=XSD.gYearMonth)
        return Literal(self.iso(), datatype=XSD.date)

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @classmethod
    def from_iso(cls, text: str) -> PartialDate:
        """``2005``, ``2011-07`` or ``2005-12-16`` (as curated data writes dates)."""
        m = ISO.match(str(text).strip())
        if m is None:
            raise DateProblem(f"{text!r} is not a year, year-month or date in ISO 8601 form "
                              "(2005, 2011-07, 2005-12-16)")
        year, month, day = (int(g) if g else None for g in m.groups())
        if day is not None:
            return make(year, month, day)  # type: ignore[arg-type]
        if month is not None and not 1 <= month <= 12:
            raise DateProblem(f"{text!r} has no month {month}")
        return cls(year, month)  # type: ignore[arg-type]


class DateProblem(ValueError):
    """A date that cannot be read; the caller adds file, line and cell."""


def full_year(digits: str) -> int:
    year = int(digits)
    if len(digits) == 2:
        year += 1900 if year >= PIVOT else 2000
    return year


def make(year: int, month: int, day: int) -> PartialDate:
    try:
        dt.date(year, month, day)
    except ValueError:
        raise DateProblem(f"{day:02d}/{month:02d}/{year} is not a date of the calendar") from None
    return PartialDate(year, month, day)


def split_numeric(text: str) -> tuple[int, int, str] | None:
    m = NUMERIC.match(text.strip())
    return (int(m.group(1)), int(m.group(2)), m.group(3)) if m else None


def decide_order(values: Iterable[tuple[int, int]]) -> str:
    """The day/month order of a table, from its unambiguous values."""
    values = list(values)
    first_is_day = any(a > 12 for a, _ in values)
    second_is_day = any(b > 12 for _, b in values)
    if first_is_day and second_is_day:
        raise DateProblem("the table mixes day/month/year and month/day/year dates")
    if first_is_day:
        return DAY_FIRST
    if second_is_day:
        return MONTH_FIRST
    raise DateProblem("no date of the table has a day above 12, so its day/month order cannot be decided")


def parse_numeric(text: str, order: str) -> PartialDate:
    parts = split_numeric(text)
    if parts is None:
        raise DateProblem(f"'{text}' is not a date")
    a, b, year = parts
    day, month = (a, b) if order == DAY_FIRST else (b, a)
    return make(full_year(year), month, day)


WRITTEN = re.compile(r"^(\d{1,2})[\s-]+([A-Za-zÁÉÍÓÚáéíóú]+)\.?[\s-]+(\d{4})$")
ENGLISH = {m: n for n, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for m in names}


def parse_cell(text: str, order: str | None) -> PartialDate:
    """A table cell: a numeric date in the table's order (None: the table has no numeric date),
    a date written out in English or Spanish (``9 Sep 2003``, ``9-Sep-2003``, ``9 de septiembre de
    2003``), an ISO date (as workbooks store dates) or a year alone."""
    text = text.strip()
    if YEAR.match(text):
        return PartialDate(int(text))
    if ISO.match(text):
        return PartialDate.from_iso(text)
    if m := WRITTEN.match(text):
        month = ENGLISH.get(m.group(2).lower())
        if month is None:
            raise DateProblem(f"'{text}' names no month in English (Jan, Feb … Dec)")
        return make(int(m.group(3)), month, int(m.group(1)))
    if SPANISH.fullmatch(text):
        return parse_spanish(text)
    if order is None:
        raise DateProblem(f"'{text}' is not a date")
    return parse_numeric(text, order)


SPANISH = re.compile(r"(\d{1,2})\s+de\s+([a-záéíóú]+)\s+(?:de|del)\s+(\d{4})", re.IGNORECASE)


def parse_spanish(text: str) -> PartialDate:
    m = SPANISH.fullmatch(text.strip())
    if not m or m.group(2).lower() not in MONTHS:
        raise DateProblem(f"'{text}' is not a Spanish date such as '29 de setiembre de 2003'")
    return make(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1)))
