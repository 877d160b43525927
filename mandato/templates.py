"""Curator templates: empty workbooks (or CSV heading rows) a curator fills and ``mandato ingest``
reads back (``mandato template plan|treaty-actions|bodies -o FILE``).

A plan's and a treaty table's template come from their layout's ``template:`` section (the
headings, each one of the layout's synonyms, and the plan facts' labels), so a template and the
layout that reads it cannot drift apart. Drop-downs offer the reference data's values (plan
kinds, countries, instruments, kinds of act, bodies, classes of body) from a hidden sheet; where a
cell may hold several bodies, the list suggests without refusing other text. The first sheet
names the template's layout ("Formato"), so ``mandato ingest FILE.xlsx`` knows how to read it.
Every text is written as text, never a formula (:mod:`mandato.spreadsheet_safe`): the lists hold
names from the reference data, which ``--reference`` lets anyone give.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import Literal
from rdflib.namespace import RDF, RDFS, SKOS

from mandato.errors import MandatoError
from mandato.namespaces import MDO, ORG
from mandato.packaged import ontology_graph
from mandato.registry import Registry
from mandato.spreadsheet_safe import csv_text, row_cells, text_cell

TEMPLATES = {"plan": "plan-table", "treaty-actions": "treaty-actions", "bodies": None}
README_SHEET = "Léame"
# The bodies template: the columns of an actors file (data/reference/actors/XX.yaml), as a
# curator fills them; `--reference DIR` reads actors/XX.xlsx or .csv with these headings.
BODY_HEADINGS = {"key": "Clave", "class": "Clase", "name_es": "Nombre (es)", "name_en": "Nombre (en)",
                 "variants": "Siglas y variantes", "part_of": "Parte de"}
INSTRUCTIONS = {
    "plan": ["Complete la hoja 'Plan' y una fila por actividad en 'Actividades'.",
             "Fill in the 'Plan' sheet and one row per activity in 'Actividades'.",
             "Eje y Objetivo pueden repetirse en cada fila o dejarse vacíos bajo la fila que los da.",
             "Then: mandato ingest FILE.xlsx (mandato ingest --dry-run FILE.xlsx checks it first)."],
    "treaty-actions": ["Una fila por acto; el instrumento puede quedar vacío bajo la fila que lo nombra.",
                       "One row per act; the instrument may stay empty under the row that names it.",
                       "Then: mandato ingest FILE.xlsx (mandato ingest --dry-run FILE.xlsx checks it first)."],
    "bodies": ["Una fila por órgano; 'Parte de' es la clave de otro órgano; variantes separadas por '|'.",
               "One row per body; 'Parte de' is another body's key; variants separated by '|'.",
               "Save it as actors/XX.xlsx (XX: the country's ISO code) in a directory and run "
               "mandato ingest --reference DIRECTORY."],
}


def _label(node: Any, lang: str = "es") -> str:
    g = ontology_graph()
    return next((str(x) for x in g.objects(node, SKOS.prefLabel) if isinstance(x, Literal) and x.language == lang),
                str(node).rsplit("/", 1)[-1].rsplit("#", 1)[-1])


def lists(registry: Registry) -> dict[str, list[str]]:
    """The drop-downs' values, from the ontology and the reference data."""
    g = ontology_graph()
    plan_kinds = sorted(str(c).rsplit("#", 1)[-1] for c in g.transitive_subjects(RDFS.subClassOf, MDO.Plan)
                        if str(c).startswith(str(MDO)))
    body_classes = sorted(f"{'org' if str(c).startswith(str(ORG)) else 'mdo'}:{str(c).rsplit('#', 1)[-1]}"
                          for c in g.transitive_subjects(RDFS.subClassOf, ORG.Organization))
    return {
        "plan-kinds": plan_kinds,
        "countries": sorted(e.label for e in registry.countries.entries.values()),
        "instruments": sorted(e.label for e in registry.instruments.entries.values()),
        "act-kinds": sorted(_label(k) for k in g.subjects(RDF.type, MDO.TreatyActionKind)),
        "bodies": sorted({str(label) for node in set(registry.graph.subjects(RDF.type, None))
                          if "/organization/" in str(node)
                          for label in registry.graph.objects(node, SKOS.prefLabel)
                          if isinstance(label, Literal) and label.language == "es"}),
        "body-classes": body_classes,
    }


def write_template(kind: str, path: Path, registry: Registry) -> None:
    if kind not in TEMPLATES:
        raise MandatoError(f"unknown template '{kind}'; expected one of {', '.join(TEMPLATES)}")
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise MandatoError(f"cannot write a template as '{path.name}'; expected a .xlsx or .csv file")
    headings, facts, sheet = _spec(kind)
    if suffix == ".csv":
        path.write_text(csv_text([[label for label, _ in headings]]), encoding="utf-8", newline="")
        return
    _workbook(kind, path, registry, headings, facts, sheet)


def _spec(kind: str) -> tuple[list[tuple[str, str | None]], list[dict[str, Any]], str]:
    """The template's (heading, list) columns, its plan facts and the name of its sheet."""
    layout_name = TEMPLATES[kind]
    if layout_name is None:
        return [(h, "body-classes" if k == "class" else None) for k, h in BODY_HEADINGS.items()], [], "Órganos"
    from mandato.ingest.layouts import builtin_layouts

    spec = builtin_layouts()[layout_name].template or {}
    headings = [(h["label"], h.get("list")) if isinstance(h, dict) else (h, None) for h in spec["headings"].values()]
    return headings, spec.get("facts", []), spec["sheet"]


def _workbook(kind: str, path: Path, registry: Registry, headings: list[tuple[str, str | None]],
              facts: list[dict[str, Any]], sheet_name: str) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    values = lists(registry)
    book = Workbook()
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F0")
    hidden = book.create_sheet("Listas")
    hidden.sheet_state = "hidden"
    ranges: dict[str, str] = {}
    for n, (name, items) in enumerate(values.items(), start=1):
        column = get_column_letter(n)
        text_cell(hidden.cell(1, n), name)
        for row, item in enumerate(items, start=2):
            text_cell(hidden.cell(row, n), item)
        ranges[name] = f"{quote_sheetname('Listas')}!${column}$2:${column}${len(items) + 1}"

    def dropdown(ws: Any, name: str, cells: str, strict: bool) -> None:
        check = DataValidation(type="list", formula1=ranges[name], allow_blank=True, showErrorMessage=strict)
        ws.add_data_validation(check)
        check.add(cells)

    first = book.active
    if facts:
        first.title = "Plan"
        first.append(row_cells(first, ["Dato / Fact", "Valor / Value", "Ayuda / Help"]))
        for n, fact in enumerate(facts, start=2):
            first.append(row_cells(first, [fact["label"], fact.get("value"), fact.get("help")]))
            if fact.get("list"):
                dropdown(first, fact["list"], f"B{n}", strict=fact["list"] != "bodies")
    else:
        first.title = README_SHEET
        first.append(row_cells(first, ["Formato", TEMPLATES[kind] or "actors"]))
    start = first.max_row + 2  # the instructions, below the facts
    for n, line in enumerate(INSTRUCTIONS[kind]):
        text_cell(first.cell(start + n, 1), line)
    for cell in first[1]:
        cell.font, cell.fill = bold, fill
    first.column_dimensions["A"].width, first.column_dimensions["B"].width = 24, 60
    ws = book.create_sheet(sheet_name, 1)
    ws.append(row_cells(ws, [label for label, _ in headings]))
    ws.freeze_panes = "A2"
    for n, (label, listed) in enumerate(headings, start=1):
        column = get_column_letter(n)
        ws.cell(1, n).font, ws.cell(1, n).fill = bold, fill
        ws.column_dimensions[column].width = max(14, len(label) + 4)
        if listed:  # a cell of bodies may name several: the list suggests, it does not refuse
            dropdown(ws, listed, f"{column}2:{column}1000", strict=listed != "bodies")
    book.save(path)
