"""Footnotes of a text extracted from a PDF: a superscript number at the end of a cell or a
sentence, and below it a line that starts with the same number and gives the note.

A table of treaty actions cites its source this way, one note per instrument (the Regional
Coalition's strategic plan: "²⁶<http://www.ohchr.org/…/CERD.aspx>", "³¹Datos hasta febrero de
2006. Fuente: …"). What the notes say is checked, not recorded as facts: the same note for
instruments that have nothing to do with each other (a note copied from row to row), and acts
dated after the date a note says the data run to, are findings (:func:`check`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

from mandato.namespaces import MDO
from mandato.normalise import SUPERSCRIPTS

from .base import ReadContext
from .dates import MONTHS, PartialDate
from .layouts import layout_pattern
from .treaty_actions import label_of

MARK = re.compile(f"([{SUPERSCRIPTS}]+)\\s*$")
NOTE = re.compile(f"^([{SUPERSCRIPTS}]+)\\s*(\\S.*?)\\s*$")


@dataclass(frozen=True)
class Footnote:
    number: str  # as printed: "²⁶"
    line: int
    text: str


def mark(cell: str) -> str | None:
    """The footnote number at the end of ``cell`` (``"…(1965)</i> ²⁶"`` -> ``"²⁶"``), if any."""
    m = MARK.search(cell)
    return m.group(1) if m else None


def find(lines: list[str], number: str, after: int) -> Footnote | None:
    """The note ``number`` gives: the first line below line ``after`` (1-based) that starts with it
    (a text may number its notes again in another chapter, so the nearest one below)."""
    for i in range(after, len(lines)):
        m = NOTE.match(lines[i])
        if m and m.group(1) == number:
            return Footnote(number, i + 1, m.group(2))
    return None


@dataclass(frozen=True)
class Cited:
    """A table's instrument (named on ``line``), the note its name carries and the date that note
    says its data run to, if it says one (:func:`as_at_of`)."""

    instrument: URIRef
    line: int
    note: Footnote
    as_at: PartialDate | None = None


def check(ctx: ReadContext, cited: list[Cited], dated: list[tuple[URIRef, int, PartialDate]]) -> None:
    """Report what the notes of a source's tables get wrong: one note for several instruments
    none of which supplements another (``copied-footnote``), and, where a note says when its
    data run to, each act of that instrument dated after it (``act-after-as-at``). ``dated``:
    each act recorded (instrument, line, date)."""
    def label(iri: URIRef) -> str:
        return label_of(ctx, iri)

    by_text: dict[str, list[Cited]] = {}
    for c in sorted(cited, key=lambda c: c.note.line):
        by_text.setdefault(" ".join(c.note.text.lower().split()), []).append(c)  # as printed: a URL is the note
    for group in by_text.values():
        instruments = {c.instrument for c in group}
        apart = {i for i in instruments if not set(ctx.registry.graph.objects(i, MDO.supplements)) & instruments}
        if len(apart) > 1:
            notes = ", ".join(f"{c.note.number} (line {c.note.line}, for {label(c.instrument)} on line {c.line})"
                              for c in group)
            ctx.find("copied-footnote", f"the notes {notes} all give one source, '{group[0].note.text}', for the "
                     f"acts of {len(group)} instruments that are not one convention and its protocols: it cannot be "
                     "the source of all of them; the acts are kept as printed", group[0].note.line)
    for c in cited:
        until = c.as_at
        if until is None:
            continue
        later = sorted((line, date) for instrument, line, date in dated
                       if instrument == c.instrument and _after(date, until))
        if later:
            acts = ", ".join(f"{date.iso()} (line {line})" for line, date in later)
            ctx.find("act-after-as-at", f"note {c.note.number} (line {c.note.line}) says the data on "
                     f"{label(c.instrument)} run to {until.iso()}, but the table gives acts dated after it: {acts}; "
                     "kept as printed", c.line, c.instrument)


def as_at_of(note: Footnote, as_at: str | None) -> PartialDate | None:
    """The date a note says its data run to (the layout's ``as_at``: a pattern with groups
    ``year`` and optionally ``month`` in Spanish, checked when the layout loads), if it says one."""
    m = layout_pattern(as_at, re.IGNORECASE).search(note.text) if as_at else None
    if m is None:
        return None
    month = MONTHS.get(m.group("month").lower()) if "month" in m.groupdict() and m.group("month") else None
    return PartialDate(int(m.group("year")), month)


def _after(date: PartialDate, until: PartialDate) -> bool:
    """``date`` falls wholly after ``until`` (a year or a month of a year)."""
    if date.year != until.year or until.month is None:
        return date.year > until.year
    return date.month is not None and date.month > until.month

