"""Engine ``ratification-table``: tables of treaty actions, one row per country and instrument
(as the tables of the Regional Coalition's strategic plan, e.g. the built-in layout
``coalition-strategic-plan``: ``Instrumento | País | Fecha de Ratificación, adhesión (a)``, dates
``DD /MM/ YYYY``, and a table that adds ``Fecha de depósito del instrumento``, dates ``MM/DD/YY``
and a mark ``RA``/``AD``).

Layout, as extracted from a PDF: one row per line, cells separated by tabs; an instrument row
carries the instrument's name in its first cell, and the rows below it leave that cell empty.
Footnotes and prose between rows have no tab. Rules: each table's day/month order is decided from
its unambiguous dates; an empty date cell records no act; a country listed twice under one
instrument is merged and reported.

Options: ``tables`` (each ``name``, ``title`` for locators, and the lines it ``starts`` after and
``ends`` at, matched whole); ``columns`` (role -> normalised heading prefixes; roles
``instrument``, ``country``, ``act_date``, ``deposit_date``); ``required`` roles; ``marks``
(a mark printed after a date -> the kind of act it records) and ``default_kind``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rdflib import URIRef

from mandato.errors import ParameterError
from mandato.normalise import normalise

from .base import ReadContext
from .dates import DateProblem, PartialDate, decide_order, parse_cell, split_numeric
from .treaty_actions import label_of, treaty_action


@dataclass
class Row:
    line: int
    instrument: URIRef
    country: URIRef
    act: str
    deposit: str
    kind: str
    text: str


def read(ctx: ReadContext, step: dict[str, Any]) -> None:
    lines = ctx.source.lines
    for table in ctx.option(step, "tables"):
        start = _find(ctx, lines, table["starts"], 0)
        end = _find(ctx, lines, table["ends"], start + 1)
        rows = _rows(ctx, step, table, lines, start + 1, end)
        _emit(ctx, table, rows)


def _find(ctx: ReadContext, lines: list[str], marker: str, after: int) -> int:
    for i in range(after, len(lines)):
        if lines[i].strip() == marker:
            return i
    raise ctx.missing(f"the table heading '{marker}'", marker, after)


def _header(ctx: ReadContext, step: dict[str, Any], cells: list[str], line: int) -> list[str]:
    columns: dict[str, list[str]] = ctx.option(step, "columns")
    roles = []
    for n, cell in enumerate(cells, start=1):
        norm = normalise(cell)
        role = next((r for r, names in columns.items() if any(norm.startswith(s) for s in names)), None)
        if role is None:
            raise ctx.error(line, n, f"unknown column heading '{cell.strip()}'",
                            "one of " + ", ".join(names[0] for names in columns.values()))
        roles.append(role)
    missing = [r for r in ctx.option(step, "required") if r not in roles]
    if missing:
        raise ctx.error(line, None, f"the table has no column for {', '.join(missing)}")
    return roles


def _split_mark(text: str, marks: dict[str, str]) -> tuple[str, str | None]:
    """``'30 /11/ 1979 a'`` -> (``'30 /11/ 1979'``, ``'a'``)."""
    head, _, last = text.strip().rpartition(" ")
    if head and last in marks:
        return head.strip(), last
    return text.strip(), None


def _rows(ctx: ReadContext, step: dict[str, Any], table: dict, lines: list[str], start: int, end: int) -> list[Row]:
    marks_of: dict[str, str] = ctx.option(step, "marks")
    roles: list[str] | None = None
    instrument: URIRef | None = None
    rows: list[Row] = []
    for i in range(start, end):
        number, text = i + 1, lines[i]
        if "\t" not in text:
            continue  # blank line, footnote or prose between rows
        cells = text.split("\t")
        if roles is None:
            roles = _header(ctx, step, cells, number)
            continue
        if normalise(cells[0]).startswith("instrumento"):
            continue  # header repeated after a page break
        if len(cells) < len(roles):
            raise ctx.error(number, len(cells) + 1, f"the row has {len(cells)} cells, the table has {len(roles)}",
                            "a row with " + " | ".join(roles))
        if any(c.strip() for c in cells[len(roles):]):
            raise ctx.error(number, len(roles) + 1, "the row has more cells than the table has columns",
                            "a row with " + " | ".join(roles))
        cell = dict(zip(roles, (c.strip() for c in cells), strict=False))
        if cell["instrument"]:
            entry = ctx.registry.instruments.prefix(cell["instrument"])
            if entry is None:
                raise ctx.error(number, roles.index("instrument") + 1,
                                f"unknown instrument '{cell['instrument']}'",
                                "the name of an instrument of data/reference/instruments.yaml")
            instrument = URIRef(entry.iri)
        elif instrument is None:
            raise ctx.error(number, 1, "a country row comes before any instrument row",
                            "an instrument name in the first cell")
        if not cell["country"]:
            raise ctx.error(number, roles.index("country") + 1, "the country cell is empty", "a country name")
        try:
            country = URIRef(ctx.registry.countries.resolve(cell["country"]).iri)
        except ParameterError as exc:
            raise ctx.error(number, roles.index("country") + 1, str(exc),
                            "a country of data/reference/countries.csv") from None
        act, act_mark = _split_mark(cell["act_date"], marks_of)
        deposit, dep_mark = _split_mark(cell.get("deposit_date", ""), marks_of)
        marks = {m for m in (act_mark, dep_mark) if m}
        if len({marks_of[m] for m in marks}) > 1:
            raise ctx.error(number, None, f"the row carries contradictory marks {sorted(marks)}",
                            "one of " + ", ".join(marks_of))
        kind = marks_of[marks.pop()] if marks else ctx.option(step, "default_kind")
        rows.append(Row(number, instrument, country, act, deposit, kind, " | ".join(c.strip() for c in cells)))
    if roles is None:
        raise ctx.error(start, None, f"table {table['name']} has no heading row", "Instrumento, País, Fecha…")
    return rows


def _dates(ctx: ReadContext, table: dict, rows: list[Row]) -> dict[tuple[int, str], PartialDate]:
    """Parse every date cell of one table in the table's day/month order."""
    roles = {"act": "act_date", "deposit": "deposit_date"}
    numeric = []
    for row in rows:
        for attr in roles:
            value = getattr(row, attr)
            parts = split_numeric(value) if value else None
            if parts:
                numeric.append((parts[0], parts[1]))
    try:
        order = decide_order(numeric)
    except DateProblem as exc:
        raise ctx.error(rows[0].line if rows else None, None, f"table {table['name']}: {exc}") from None
    parsed = {}
    for row in rows:
        for n, attr in enumerate(roles, start=3):
            value = getattr(row, attr)
            if not value:
                continue
            try:
                parsed[(row.line, attr)] = parse_cell(value, order)
            except DateProblem as exc:
                raise ctx.error(row.line, n, str(exc),
                                f"a date written {order} like the rest of table {table['name']}, or a year") from None
    return parsed


def _emit(ctx: ReadContext, table: dict, rows: list[Row]) -> None:
    dates = _dates(ctx, table, rows)
    by_key: dict[tuple[URIRef, URIRef], list[Row]] = {}
    for row in rows:
        by_key.setdefault((row.instrument, row.country), []).append(row)
    for (instrument, country), group in by_key.items():
        if len(group) > 1:
            ctx.find(
                "duplicate-row",
                f"table {table['name']} lists {label_of(ctx, country)} {len(group)} times under "
                f"{label_of(ctx, instrument)} (lines {', '.join(str(r.line) for r in group)}); the rows are merged",
                group[-1].line, instrument,
            )
        acts: dict[tuple, Row] = {}
        for row in group:
            act = dates.get((row.line, "act"))
            deposit = dates.get((row.line, "deposit"))
            if act is None:
                if deposit is not None:
                    ctx.find("deposit-without-act",
                             f"table {table['name']} gives a deposit date but no date of the act; no act recorded",
                             row.line, instrument)
                continue
            acts.setdefault((row.kind, act, deposit), row)
        if len(acts) > 1:
            ctx.find("conflicting-rows",
                     f"table {table['name']} gives {len(acts)} different acts of {label_of(ctx, country)} "
                     f"on {label_of(ctx, instrument)}; all are kept",
                     group[-1].line, instrument)
        for (kind, act, deposit), row in acts.items():
            node = treaty_action(ctx, row.instrument, row.country, kind, act, deposit)
            ctx.derive(node, row.line, f"{table['title']}, line {row.line}", row.text)
