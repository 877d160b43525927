"""Engine ``plan-table``: a plan as a flat table, one row per activity (the built-in layout
``plan-table``, and what ``mandato template plan`` writes), saved as tab-separated text, CSV or
an Excel workbook.

The heading row is the first whose cells name an activity column and another known column; a
heading is recognised by its synonyms (option ``columns``: role -> normalised headings, in Spanish
and English; a heading matches a synonym whole or followed by more words). Hierarchy columns
(option ``levels``: role -> ontology class, outermost first, such as Eje / Objetivo) may be
repeated on every row or left empty under the row that states them (merged cells): rows with the
same text under the same parent are one node, never duplicated. Responsible and collaborating
bodies are resolved against the plan's actors; indicators, targets and means of verification are
kept as printed; ``Plazo`` (deadline) and ``Línea base`` (baseline) are kept as printed on the
activity, and a deadline that names a period gives its row's targets their due period. A column
no role names is reported, never dropped silently.

Plan facts come from the manifest entry or, in a workbook, from a sheet of facts (option
``facts``: the sheet's names and each fact's labels): one fact per row, label then value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rdflib import Literal

from mandato.errors import ParameterError
from mandato.namespaces import MDO
from mandato.normalise import normalise

from .base import ReadContext
from .plan_matrix import Node, PlanBuilder, due_period, levels_of, split_notation
from .plans_common import open_plan
from .sheets import Sheet, encoding_finding, read_sheets

DETAILS = ("indicator", "target", "means")
TEMPLATE_SHEETS = {"listas", "leame"}  # the lists and instructions of `mandato template`
YEARISH = re.compile(r"^\d{4}(?:-Q[1-4]|-S[12]|-\d{2}(?:-\d{2})?)?$")


@dataclass
class Columns:
    """A heading row's columns: the role of each, and the headings no role names."""

    roles: dict[int, str]
    unknown: dict[int, str]


def _matches(heading: str, synonyms: list[str]) -> bool:
    return any(heading == s or heading.startswith(s + " ") for s in synonyms)


def _role(ctx: ReadContext, step: dict[str, Any], cell: str) -> str | None:
    heading = normalise(cell)
    if not heading:
        return None
    columns: dict[str, list[str]] = ctx.option(step, "columns")
    ranked = sorted(((normalise(s), role) for role, ss in columns.items() for s in ss), key=lambda x: -len(x[0]))
    return next((role for s, role in ranked if _matches(heading, [s])), None)


def _heading_row(ctx: ReadContext, step: dict[str, Any], sheet: Sheet) -> tuple[int, Columns] | None:
    for n, row in enumerate(sheet.rows):
        roles = {c: r for c, cell in enumerate(row) if (r := _role(ctx, step, cell))}
        if "activity" in roles.values() and len(roles) >= 2:
            unknown = {c: cell for c, cell in enumerate(row) if cell and c not in roles}
            return n, Columns(roles, unknown)
    return None


def _facts(step: dict[str, Any], sheets: list[Sheet]) -> tuple[str | None, dict[str, tuple[str, int]]]:
    """The workbook's sheet of plan facts and its facts: a label, and the value in the cell after
    it (a third cell, such as the template's help, is not read)."""
    spec = step.get("facts")
    if not spec:
        return None, {}
    names = {normalise(n) for n in spec.get("sheet", [])}
    labels = {normalise(s): fact for fact, ss in spec.get("labels", {}).items() for s in ss}
    for sheet in sheets:
        if sheet.name is None or normalise(sheet.name) not in names:
            continue
        out: dict[str, tuple[str, int]] = {}
        for n, row in enumerate(sheet.rows, start=1):
            first = next((c for c, cell in enumerate(row) if cell), None)
            if first is None or not (fact := labels.get(normalise(row[first]))):
                continue
            value = row[first + 1] if first + 1 < len(row) else ""
            if value:
                out[fact] = (value, n)
        return sheet.name, out
    return None, {}


def read(ctx: ReadContext, step: dict[str, Any]) -> None:
    sheets = read_sheets(ctx.source.path, ctx.source.data, step.get("separator"))
    if note := encoding_finding(sheets):
        ctx.find("encoding", note)
    facts_sheet, facts = _facts(step, sheets)
    facts.pop("layout", None)  # the template's own layout, which chose this engine
    jurisdiction = facts.pop("jurisdiction", None)
    if jurisdiction and not ctx.source.jurisdiction and not ctx.source.actors:
        ctx.sheet = facts_sheet
        _jurisdiction(ctx, *jurisdiction)
    found = [(sheet, hit) for sheet in sheets if (hit := _heading_row(ctx, step, sheet))]
    if not found:
        first = next((" | ".join(c for c in row if c) for s in sheets for row in s.rows if any(row)), "")
        raise ctx.error(None, None, "no heading row names an activity column and another known column"
                        + (f"; the first row reads '{first[:120]}'" if first else "; the table is empty"),
                        "a heading row such as Eje | Objetivo | Actividad | Responsable | Indicador | Meta")
    ctx.sheet = facts_sheet  # where the plan's facts were read, for its errors and its provenance
    builder = open_plan(ctx, step, printed=facts)
    levels = levels_of(ctx, step)
    read = {facts_sheet, *(sheet.name for sheet, _ in found)}
    for sheet in sheets:  # a workbook's other sheets are said, never dropped silently
        if sheet.name not in read and normalise(sheet.name or "") not in TEMPLATE_SHEETS and any(map(any, sheet.rows)):
            ctx.sheet = sheet.name
            ctx.find("unread-sheet", f"the sheet '{sheet.name}' has no heading row of the layout; not read")
    current: dict[str, tuple[str, Node]] = {}  # one plan across sheets: an axis on two sheets is one axis
    known: dict[str, Node] = {}
    for sheet, (heading, columns) in found:
        ctx.sheet = sheet.name
        for column, text in columns.unknown.items():
            ctx.find("unread-column", f"the column '{text}' (column {column + 1}) is not a column of the layout; "
                     "its cells are not recorded", heading + 1)
        _one_flat_table(ctx, step, sheet, heading, columns, list(levels.classes))
        _rows(builder, sheet, heading, columns, list(levels.classes), levels.classes, current, known)
    builder.require_activities(f"the table under the heading row {found[0][1][0] + 1}")
    ctx.sheet = None


def _one_flat_table(ctx: ReadContext, step: dict[str, Any], sheet: Sheet, heading: int, columns: Columns,
                    hierarchy: list[str]) -> None:
    """Refuse, naming each row, a sheet that is not one flat table: its heading row again below (a
    matrix exported with its heading under each section), an activity cell that continues the one
    above (a cell broken over two rows: no notation, nothing else in the row, lower case first), or
    hierarchy columns the heading names and no row fills. Read anyway, such a sheet gives
    activities named "Actividad", bodies named "Responsable" and fragments of cells as activities."""
    where = (lambda i: f"row {i + 1}") if sheet.starts is None else (lambda i: f"line {sheet.line(i)}")
    column = {role: c for c, role in columns.roles.items()}
    rows = sheet.rows[heading + 1:]
    problems: list[tuple[int, str]] = []
    for index, row in enumerate(rows, start=heading + 1):
        filled = {c: cell for c, cell in enumerate(row) if cell}
        if len(filled) >= 2 and all(_role(ctx, step, cell) for cell in filled.values()):
            problems.append((index, f"the heading row ({where(heading)}) appears again at {where(index)}"))
            continue
        activity = filled.get(column["activity"], "")
        if activity and set(filled) == {column["activity"]} and split_notation(activity)[0] is None \
                and activity.lstrip(" \"'(«“")[:1].islower():
            problems.append((index, f"{where(index)} continues the activity cell above it ('{activity[:60]}')"))
    named = [column[role] for role in hierarchy if role in column]
    if named and rows and not any(c < len(row) and row[c] for row in rows for c in named):
        headings = ", ".join(f"'{sheet.rows[heading][c]}'" for c in named)
        problems.append((heading, f"the heading names {headings}, and no row fills them"))
    if problems:
        first = problems[0][0]
        said = "; ".join(p for _, p in problems)
        raise ctx.error(sheet.line(first), None, f"the sheet is not one flat table: {said}",
                        "one heading row, then one row per activity, each activity whole in its cell and its "
                        "axis and objective in their columns (a matrix plan's sections are not one flat table: "
                        "`mandato layouts` says what each layout reads)")


def _jurisdiction(ctx: ReadContext, value: str, row: int) -> None:
    try:
        entry = ctx.registry.countries.resolve(value)
    except ParameterError as exc:
        raise ctx.error(row, 2, str(exc), "a country of the reference data (name or ISO code)") from None
    ctx.source.jurisdiction = entry.iri.rsplit("/", 1)[-1].upper()


def _rows(builder: PlanBuilder, sheet: Sheet, heading: int, columns: Columns, order: list[str],
          classes: dict, current: dict[str, tuple[str, Node]], known: dict[str, Node]) -> None:
    """The activities of a sheet; ``current``: role -> (its text, its node), as the rows above left
    them (on this sheet or the sheets before); ``known``: every hierarchy node by its role, parent
    and text, so that an axis or objective repeated anywhere is one node."""
    ctx = builder.ctx
    where = f"sheet '{sheet.name}'" if sheet.name else "table"
    for index in range(heading + 1, len(sheet.rows)):
        row, number = sheet.rows[index], sheet.line(index)
        cells = {role: row[c] for c, role in columns.roles.items() if c < len(row) and row[c]}
        if not cells:
            continue
        locator = f"{where}, row {index + 1}" + (f" (line {number})" if number != index + 1 else "")
        parent = builder.root
        for depth, role in enumerate(order):
            text = cells.get(role)
            if text is None:
                if role in current:
                    parent = current[role][1]
                continue
            key = f"{role}\x00{'/'.join(parent.path)}\x00{text}"  # the same text under the same parent
            node = known.get(key) or builder.component(classes[role], parent, text, number, locator)
            known[key] = node
            current[role] = (text, node)
            for deeper in order[depth + 1:]:
                current.pop(deeper, None)
            parent = node
        if "activity" not in cells:
            stray = [r for r in cells if r not in order]
            if stray:
                column = next(c for c, r in columns.roles.items() if r == stray[0])
                raise ctx.error(number, column + 1, f"the row gives a {stray[0]} but no activity",
                                "an activity in the row's activity column, or a row of hierarchy cells only")
            continue
        act = builder.component(MDO.Activity, parent, cells["activity"], number, locator)
        _describe(builder, act, cells, number, {role: c + 1 for c, role in columns.roles.items()})


def _describe(builder: PlanBuilder, act: Node, cells: dict[str, str], number: int, column: dict[str, int]) -> None:
    g = builder.ctx.graph
    deadline = cells.get("deadline")
    due = None
    if deadline:
        g.add((act.iri, MDO.deadline, Literal(deadline, lang="es")))
        due = due_period(deadline) or (deadline if YEARISH.match(deadline) else None)
    if cells.get("baseline"):
        g.add((act.iri, MDO.baseline, Literal(cells["baseline"], lang="es")))
    for kind in DETAILS:
        if kind in cells:
            builder.detail(act.iri, kind, cells[kind], number, 1, due)
    for kind, column_role in (("responsible", "responsible"), ("collaborator", "collaborators")):
        if column_role in cells:
            builder.roles(act.iri, kind, cells[column_role], number, column[column_role])
