"""Ratification tables of the Regional Coalition's strategic plan 2018-2027 (section IV,
"Marco Legal"): table A, international instruments (``Instrumento | País | Fecha de
Ratificación, adhesión (a)``, dates ``DD /MM/ YYYY``), and table B, regional instruments (the
same plus ``Fecha de depósito del instrumento``, dates ``MM/DD/YY`` and a mark ``RA``/``AD``).

Layout, as extracted from the PDF: one row per line, cells separated by tabs; an instrument row
carries the instrument's name (in ``<i>`` tags, with a footnote superscript) in its first cell,
and the rows below it leave that cell empty. Footnotes and prose between rows have no tab.
Rules: each table's day/month order is decided from its unambiguous dates; an empty date cell
records no act; a country listed twice under one instrument is merged and reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from rdflib import URIRef

from mandato.errors import ParameterError
from mandato.normalise import normalise

from .base import ReadContext
from .dates import DateProblem, PartialDate, decide_order, parse_cell, split_numeric
from .treaty_actions import label_of, treaty_action

CONFIG = yaml.safe_load((Path(__file__).with_name("ratification_tables.yaml")).read_text("utf-8"))
MARKS: dict[str, str] = CONFIG["marks"]


@dataclass
class Row:
    line: int
    instrument: URIRef
    country: URIRef
    act: str
    deposit: str
    kind: str
    text: str


def read(ctx: ReadContext) -> None:
    lines = ctx.source.lines
    for table in CONFIG["tables"]:
        start = _find(ctx, lines, table["starts"], 0)
        end = _find(ctx, lines, table["ends"], start + 1)
        rows = _rows(ctx, table, lines, start + 1, end)
        _emit(ctx, table, rows)


def _find(ctx: ReadContext, lines: list[str], marker: str, after: int) -> int:
    for i in range(after, len(lines)):
        if lines[i].strip() == marker:
            return i
    raise ctx.error(None, None, f"the section '{marker}' was not found", "the ratification tables of section IV")


def _header(ctx: ReadContext, cells: list[str], line: int) -> list[str]:
    roles = []
    for n, cell in enumerate(cells, start=1):
        norm = normalise(cell)
        role = next(
            (r for r, names in CONFIG["columns"].items() if any(norm.startswith(s) for s in names)),
            None,
        )
        if role is None:
            raise ctx.error(line, n, f"unknown column heading '{cell.strip()}'",
                            "one of Instrumento, País, Fecha de Ratificación…, Fecha de depósito…")
        roles.append(role)
    missing = [r for r in CONFIG["required"] if r not in roles]
    if missing:
        raise ctx.error(line, None, f"the table has no column for {', '.join(missing)}")
    return roles


def _split_mark(text: str) -> tuple[str, str | None]:
    """``'30 /11/ 1979 a'`` -> (``'30 /11/ 1979'``, ``'a'``)."""
    head, _, last = text.strip().rpartition(" ")
    if head and last in MARKS:
        return head.strip(), last
    return text.strip(), None


def _rows(ctx: ReadContext, table: dict, lines: list[str], start: int, end: int) -> list[Row]:
    roles: list[str] | None = None
    instrument: URIRef | None = None
    rows: list[Row] = []
    for i in range(start, end):
        number, text = i + 1, lines[i]
        if "\t" not in text:
            continue  # blank line, footnote or prose between rows
        cells = text.split("\t")
        if roles is None:
            roles = _header(ctx, cells, number)
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
        act, act_mark = _split_mark(cell["act_date"])
        deposit, dep_mark = _split_mark(cell.get("deposit_date", ""))
        marks = {m for m in (act_mark, dep_mark) if m}
        if len({MARKS[m] for m in marks}) > 1:
            raise ctx.error(number, None, f"the row carries contradictory marks {sorted(marks)}",
                            "one of " + ", ".join(MARKS))
        kind = MARKS[marks.pop()] if marks else CONFIG["default_kind"]
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
