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

A depositary's status table (as the UN Treaty Collection prints one treaty's participants) is
read from a sheet: TSV, CSV or XLSX, title rows above the heading row skipped; its treaty is the
manifest entry's ``instrument``; a ``signature_date`` column gives signatures, the ``act_date``
column the consent to be bound, its kind from the mark after the date.

Options: ``tables`` (text only: each ``name``, ``title`` for locators, and the lines it
``starts`` after and ``ends`` at, matched whole; without it the whole document is one table, read
as a sheet); ``columns`` (role -> normalised heading prefixes; roles ``instrument``, ``country``,
``signature_date``, ``act_date``, ``deposit_date``); ``required`` roles; ``marks`` (a mark printed
after a date -> the kind of act it records) and ``default_kind``; ``day_month`` (``auto``: each
table's order decided from its unambiguous dates; ``day-first`` or ``month-first``); ``footnotes`` (footnote numbers
stuck to a participant's name are removed); ``non_states`` (participants that are not states, such
as the European Union: reported, not recorded); ``lists_every_party`` (sheets: the table names
every state that acted on its treaty, as a depositary's does, so a state it does not name had not
acted as at its date); ``as_at`` (text only: a pattern, groups ``year``
and ``month``, for a footnote on an instrument's name that says when its data run to; acts dated
after it are reported). The footnotes on instruments' names are checked (``footnotes``): one note
given for unrelated instruments is reported. Dates are numeric (``DD/MM/YYYY``, ``MM/DD/YY``:
the order decided per table), written out (``9 Sep 2003``, ``9 de septiembre de 2003``), ISO or a
year.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from mandato.errors import ParameterError
from mandato.namespaces import MDO, resource
from mandato.normalise import normalise
from mandato.packaged import ontology_graph

from . import footnotes
from .base import ReadContext
from .dates import DAY_FIRST, MONTH_FIRST, DateProblem, PartialDate, decide_order, parse_cell, split_numeric
from .sheets import encoding_finding, read_sheets
from .treaty_actions import cite_instrument, label_of, treaty_action


@dataclass
class Row:
    line: int
    instrument: URIRef
    country: URIRef
    act: str
    deposit: str
    kind: str
    text: str
    act_cell: int = 3  # the columns of the act's date and of the deposit's, for errors
    deposit_cell: int = 4
    named: int | None = None  # the line (row) that names the instrument; None: the manifest entry
    mark: str | None = None  # the mark printed beside a date (a, RA, AD…), as printed


def read(ctx: ReadContext, step: dict[str, Any]) -> None:
    kinds = set(_kinds_by_label().values())
    unknown = sorted({*ctx.option(step, "marks").values(), ctx.option(step, "default_kind")} - kinds)
    if unknown:
        raise ctx.error(None, None, f"the layout's marks name unknown kinds of act {unknown}",
                        "kinds among " + ", ".join(sorted(kinds)))
    if "tables" not in step:
        _read_sheets(ctx, step)
        return
    lines = ctx.source.lines
    cited: list[footnotes.Cited] = []
    dated: list[tuple[URIRef, int, PartialDate]] = []
    for table in ctx.option(step, "tables"):
        start = _find(ctx, lines, table["starts"], 0)
        end = _find(ctx, lines, table["ends"], start + 1)
        rows = _rows(ctx, step, table, lines, start + 1, end)
        named = {(row.instrument, row.named) for row in rows if row.named}
        notes = [footnotes.Cited(instrument, line, note, footnotes.as_at_of(note, step.get("as_at")))
                 for instrument, line in sorted(named)
                 if (number := footnotes.mark(lines[line - 1].split("\t")[0]))
                 and (note := footnotes.find(lines, number, line))]
        # A note that says when an instrument's data run to is the 'as at' of its acts here.
        as_at = {c.instrument: (c.as_at, c.note.line) for c in notes if c.as_at is not None}
        dated += _emit(ctx, {**table, "day_month": _order(ctx, step)}, rows, as_at)
        cited += notes
    footnotes.check(ctx, cited, dated)


def _read_sheets(ctx: ReadContext, step: dict[str, Any]) -> None:
    """A depositary's status table: one sheet, a heading row, one row per participant."""
    instrument = _instrument(ctx) if ctx.source.instrument else None
    found = False
    sheets = read_sheets(ctx.source.path, ctx.source.data, step.get("separator"))
    if note := encoding_finding(sheets):
        ctx.find("encoding", note)
    for sheet in sheets:
        ctx.sheet = sheet.name
        heading = next((n for n, row in enumerate(sheet.rows) if _known_heading(step, row)), None)
        if heading is None:
            continue
        found = True
        roles = _header(ctx, step, sheet.rows[heading], heading + 1, unknown_ok=True)
        if instrument is None and "instrument" not in roles:
            instrument = _instrument(ctx)  # the error: a table about one treaty must name it
        rows = _sheet_rows(ctx, step, instrument, roles, sheet.rows, heading + 1)
        if step.get("lists_every_party") and instrument is not None:
            # A depositary's status table names every state that acted: one it does not name had
            # not acted as at the table's date.
            ctx.graph.add((ctx.source.iri, MDO.listsEveryPartyOf, instrument))
        where = f"sheet '{sheet.name}'" if sheet.name else ctx.source.path.name
        _emit(ctx, {"name": sheet.name or ctx.source.path.name, "title": where, "day_month": _order(ctx, step)}, rows)
    ctx.sheet = None
    if not found:
        raise ctx.error(None, None, "no heading row names a participant column and a column of acts",
                        "a heading row such as Participant | Signature | Ratification, Accession(a), Succession(d)")


def _covered(ctx: ReadContext, row: Row) -> None:
    """The row lists ``row.country`` under ``row.instrument``: this source looked at that
    country's acts on it (an empty date cell is then evidence of no act, as at the source's date)."""
    inst_key, iso = str(row.instrument).rsplit("/", 1)[-1], str(row.country).rsplit("/", 1)[-1]
    node = resource("coverage", ctx.source.id, inst_key, iso)
    if (node, RDF.type, MDO.Coverage) in ctx.graph:
        return  # a country listed twice under one instrument: its first row
    g = ctx.graph
    g.add((node, RDF.type, MDO.Coverage))
    g.add((node, MDO.coveredInstrument, row.instrument))
    g.add((node, MDO.coveredParty, row.country))
    ctx.derive(node, row.line, f"{'row' if ctx.sheet else 'line'} {row.line}", row.text)


def _order(ctx: ReadContext, step: dict[str, Any]) -> str | None:
    """The option ``day_month``: ``auto`` (decided per table from its unambiguous dates), or the
    order every numeric date of the tables is written in."""
    value = step.get("day_month", "auto")
    orders = {"auto": None, "day-first": DAY_FIRST, "month-first": MONTH_FIRST}
    if value not in orders:
        raise ctx.error(None, None, f"the layout's day_month is '{value}'", "auto, day-first or month-first")
    return orders[value]


def _instrument(ctx: ReadContext) -> URIRef:
    name = ctx.source.instrument
    if not name:
        raise ctx.error(None, None, "the table is about one treaty, and its manifest entry names none",
                        "instrument: the treaty's depositary number (XVIII-12-a) or name in the manifest entry")
    try:
        return URIRef(ctx.registry.instruments.resolve(str(name)).iri)
    except ParameterError as exc:
        raise ctx.error(None, None, f"the manifest's instrument: {exc}",
                        "an instrument of data/reference/instruments.yaml") from None


def _known_heading(step: dict[str, Any], row: list[str]) -> bool:
    columns: dict[str, list[str]] = step["columns"]
    roles = {r for cell in row for r, names in columns.items() if any(normalise(cell).startswith(s) for s in names)
             if normalise(cell)}
    return "country" in roles and bool(roles & {"act_date", "signature_date"})


FOOTNOTE = re.compile(r"(?<=\D)\s*\d+(?:\s*,\s*\d+)*\s*$")


@cache
def _kinds_by_label() -> dict[str, str]:
    """The kinds of act by their notation and their Spanish and English labels, normalised."""
    g = ontology_graph()
    out = {}
    for kind in g.subjects(RDF.type, MDO.TreatyActionKind):
        name = str(kind).rsplit("/", 1)[-1]
        out[normalise(name)] = name
        for label in g.objects(kind, SKOS.prefLabel):
            out[normalise(str(label))] = name
    return out


def _sheet_rows(ctx: ReadContext, step: dict[str, Any], instrument: URIRef | None, roles: list[str | None],
                rows: list[list[str]], start: int) -> list[Row]:
    """The acts of a sheet's rows: a participant per row, the treaty of the manifest or of the
    row's instrument cell (empty: the one above), the kind from a mark or the row's kind cell."""
    marks_of: dict[str, str] = ctx.option(step, "marks")
    kinds = _kinds_by_label()
    non_states = {normalise(n) for n in step.get("non_states", [])}
    column = {role: n for n, role in enumerate(roles) if role}
    out: list[Row] = []
    named: int | None = None
    for index in range(start, len(rows)):
        cells, number = rows[index], index + 1
        cell = {role: cells[n].strip() if n < len(cells) else "" for role, n in column.items()}
        if not any(cell.values()):
            continue
        if cell.get("instrument"):
            entry = ctx.registry.instruments.prefix(cell["instrument"])
            if entry is None:
                raise ctx.error(number, column["instrument"] + 1, f"unknown instrument '{cell['instrument']}'",
                                "the name or depositary number of an instrument of data/reference/instruments.yaml")
            instrument, named = URIRef(entry.iri), number
        if instrument is None:
            raise ctx.error(number, column["instrument"] + 1, "the row names no instrument, and no row above does",
                            "an instrument's name in the first row of its acts")
        name = cell["country"]
        if step.get("footnotes"):
            name = FOOTNOTE.sub("", name)
        if not (cell.get("signature_date") or cell.get("act_date")):  # a note under the table, or a row of no act
            text = " | ".join(c.strip() for c in cells if c.strip())
            ctx.find("unread-row", f"the row gives no date of an act and records nothing: '{text[:120]}'", number)
            continue
        if not name:
            raise ctx.error(number, column["country"] + 1, "the participant cell is empty", "a participant's name")
        if normalise(name) in non_states:
            ctx.find("not-a-state", f"{name} is a participant that is not a state; its acts are not recorded",
                     number, instrument)
            continue
        try:
            country = URIRef(ctx.registry.countries.resolve(name).iri)
        except ParameterError as exc:
            raise ctx.error(number, column["country"] + 1, str(exc),
                            "a country of data/reference/countries.csv, as the depositary names it") from None
        text = " | ".join(c.strip() for c in cells if c.strip())
        if cell.get("signature_date"):
            value, mark = _split_mark(cell["signature_date"], marks_of)
            if mark:
                raise ctx.error(number, column["signature_date"] + 1, f"a signature carries the mark '{mark}'",
                                "a signature's date alone")
            out.append(Row(number, instrument, country, value, "", "signature", text, column["signature_date"] + 1,
                           named=named))
        if cell.get("act_date"):
            value, mark = _split_mark(cell["act_date"], marks_of)
            kind = marks_of[mark] if mark else ctx.option(step, "default_kind")
            if cell.get("act_kind"):
                stated = kinds.get(normalise(cell["act_kind"]))
                if stated is None or (mark and stated != kind):
                    raise ctx.error(number, column["act_kind"] + 1, f"'{cell['act_kind']}' is not a kind of act"
                                    if stated is None else f"the act is '{cell['act_kind']}' and its date's mark says "
                                    f"{kind}", "one of " + ", ".join(sorted(set(kinds.values()))))
                kind = stated
            out.append(Row(number, instrument, country, value, cell.get("deposit_date", ""), kind, text,
                           column["act_date"] + 1, column.get("deposit_date", -1) + 1, named, mark))
    return out


def _find(ctx: ReadContext, lines: list[str], marker: str, after: int) -> int:
    for i in range(after, len(lines)):
        if lines[i].strip() == marker:
            return i
    raise ctx.missing(f"the table heading '{marker}'", marker, after)


def _header(ctx: ReadContext, step: dict[str, Any], cells: list[str], line: int,
            unknown_ok: bool = False) -> list[Any]:
    """The role of each heading cell; an unknown heading is an error, or (``unknown_ok``, in a
    depositary's sheet) a column that is not read, reported."""
    columns: dict[str, list[str]] = ctx.option(step, "columns")
    roles: list[Any] = []
    for n, cell in enumerate(cells, start=1):
        norm = normalise(cell)
        hits = [(len(s), r) for r, names in columns.items() for s in names if norm.startswith(s)]
        role = max(hits)[1] if hits else None  # the longest synonym: "fecha de deposito" before "fecha"
        if role is None and (unknown_ok or not norm):
            if norm:
                ctx.find("unread-column", f"the column '{cell.strip()}' (column {n}) is not a column of the layout; "
                         "its cells are not recorded", line)
            roles.append(None)
            continue
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
    named = 0
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
            instrument, named = URIRef(entry.iri), number
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
        printed = act_mark or dep_mark
        kind = marks_of[marks.pop()] if marks else ctx.option(step, "default_kind")
        rows.append(Row(number, instrument, country, act, deposit, kind, " | ".join(c.strip() for c in cells),
                        named=named, mark=printed))
    if roles is None:
        raise ctx.error(start, None, f"table {table['name']} has no heading row", "Instrumento, País, Fecha…")
    return rows


def _dates(ctx: ReadContext, table: dict, rows: list[Row]) -> list[tuple[PartialDate | None, PartialDate | None]]:
    """Parse every date cell of one table (the act's and the deposit's of each row, in order), the
    numeric ones in the table's day/month order."""
    numeric = [(parts[0], parts[1]) for row in rows for value in (row.act, row.deposit)
               if value and (parts := split_numeric(value))]
    try:
        order = table.get("day_month") or (decide_order(numeric) if numeric else None)
    except DateProblem as exc:
        raise ctx.error(rows[0].line if rows else None, None, f"table {table['name']}: {exc}") from None
    parsed = []
    for row in rows:
        pair: list[PartialDate | None] = []
        for n, value in enumerate((row.act, row.deposit)):
            try:
                pair.append(parse_cell(value, order) if value else None)
            except DateProblem as exc:
                written = f"written {order} like the rest of table {table['name']}" if order else "such as 9 Sep 2003"
                cell = row.deposit_cell if n else row.act_cell
                raise ctx.error(row.line, cell, str(exc), f"a date {written}, or a year") from None
        parsed.append((pair[0], pair[1]))
    return parsed


def _emit(ctx: ReadContext, table: dict, rows: list[Row],
          as_at: dict[URIRef, tuple[PartialDate, int]] | None = None) -> list[tuple[URIRef, int, PartialDate]]:
    """Record the acts of one table's rows, and that the table looked at each country it lists
    under an instrument, with an act or not (evidence of absence); returns each act recorded
    (instrument, line, date)."""
    recorded: list[tuple[URIRef, int, PartialDate]] = []
    for row in rows:
        _covered(ctx, row)
    dates = {id(row): pair for row, pair in zip(rows, _dates(ctx, table, rows), strict=True)}
    by_key: dict[tuple[URIRef, URIRef, bool], list[Row]] = {}
    for row in rows:  # a signature and the consent to be bound of one row are two acts, not a conflict
        by_key.setdefault((row.instrument, row.country, row.kind == "signature"), []).append(row)
    for (instrument, country, _), group in by_key.items():
        if len(group) > 1:
            ctx.find(
                "duplicate-row",
                f"table {table['name']} lists {label_of(ctx, country)} {len(group)} times under "
                f"{label_of(ctx, instrument)} (lines {', '.join(str(r.line) for r in group)}); the rows are merged",
                group[-1].line, instrument,
            )
        acts: dict[tuple, Row] = {}
        for row in group:
            act, deposit = dates[id(row)]
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
            recorded.append((row.instrument, row.line, act))
            node, _ = treaty_action(ctx, row.instrument, row.country, kind, act, row.line,
                                    f"{table['title']}, {'row' if ctx.sheet else 'line'} {row.line}", row.text,
                                    deposit, row.mark, (as_at or {}).get(row.instrument))
            cite_instrument(ctx, node, row.instrument, row.named, row.line)
    return recorded
