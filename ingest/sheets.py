"""Tables as curators save them: tab-separated text, CSV (comma or semicolon) or an Excel
workbook (``.xlsx``, read with openpyxl), as rows of text cells with where each cell stands.

Cells are text as printed: a workbook's dates become ISO dates (``2003-09-09``), whole numbers
lose their ``.0``; nothing else is changed. Rows keep their numbers (a blank row is kept, empty),
so an error names the row and column a curator sees.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from mandato.errors import IngestError, Location

SUFFIXES = {"txt": "tsv", "tsv": "tsv", "tab": "tsv", "csv": "csv", "xlsx": "xlsx", "xlsm": "xlsx"}


@dataclass
class Sheet:
    """One table: a workbook's sheet, or the whole of a text file (``name`` None)."""

    name: str | None
    rows: list[list[str]]

    def where(self, file: str, row: int | None = None, column: int | None = None) -> Location:
        return Location(file, row, column, self.name)


def read_sheets(path: Path, data: bytes, separator: str | None = None) -> list[Sheet]:
    """The tables of a file (its ``data``), by its suffix; ``separator`` (``tab``, ``comma``,
    ``semicolon``) overrides the guess for text."""
    kind = SUFFIXES.get(path.suffix.lower().lstrip("."))
    if kind is None:
        raise IngestError(Location(path.name), f"cannot read a table from a '{path.suffix}' file",
                          "a .tsv, .txt (tab-separated), .csv or .xlsx file")
    if kind == "xlsx":
        return _workbook(path, data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise IngestError(Location(path.name, line), "the text is not UTF-8",
                          "UTF-8 text (a spreadsheet's 'CSV UTF-8' export), or the .xlsx file itself") from None
    if separator is None:
        separator = "tab" if kind == "tsv" else _guess(text)
    delimiter = {"tab": "\t", "comma": ",", "semicolon": ";"}.get(separator)
    if delimiter is None:
        raise IngestError(Location(path.name), f"unknown separator '{separator}'", "tab, comma or semicolon")
    rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
    return [Sheet(None, rows)]


def _guess(text: str) -> str:
    """Comma or semicolon: the one the first non-blank line has more of (Spanish spreadsheets save
    CSV with semicolons)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return "semicolon" if first.count(";") > first.count(",") else "comma"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def _workbook(path: Path, data: bytes) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise IngestError(Location(path.name), f"not a readable Excel workbook ({type(exc).__name__})",
                          "an .xlsx file saved by a spreadsheet program") from None
    try:
        return [Sheet(ws.title, [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)])
                for ws in book.worksheets]
    finally:
        book.close()


def stated_layout(path: Path, data: bytes) -> str | None:
    """The layout a template workbook names on its first sheet (a row "Formato | plan-table"), so
    that a filled template reads without a manifest."""
    first = read_sheets(path, data)[0]
    for row in first.rows:
        cells = [c for c in row if c]
        if len(cells) >= 2 and cells[0].strip().lower() in ("formato", "layout"):
            return cells[1].strip()
    return None


def records(path: Path, data: bytes, headings: dict[str, list[str]]) -> list[dict[str, str | int]]:
    """The rows under the first row whose cells are among ``headings`` (field -> normalised
    headings), as field -> text, each with its row number (``_row``) and sheet (``_sheet``)."""
    from mandato.normalise import normalise

    by_heading = {normalise(h): field for field, hs in headings.items() for h in hs}
    for sheet in read_sheets(path, data):
        for n, row in enumerate(sheet.rows):
            fields = {c: by_heading.get(normalise(cell)) for c, cell in enumerate(row)}
            if sum(f is not None for f in fields.values()) < 2:
                continue
            out: list[dict[str, str | int]] = []
            for m in range(n + 1, len(sheet.rows)):
                cells = sheet.rows[m]
                record: dict[str, str | int] = {f: cells[c] for c, f in fields.items() if f and c < len(cells)
                                                and cells[c]}
                if record:
                    out.append({**record, "_row": m + 1, "_sheet": sheet.name or ""})
            return out
    raise IngestError(Location(path.name), "no heading row names the table's columns",
                      "a heading row such as " + " | ".join(hs[0] for hs in headings.values()))
