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

from mandato.errors import IngestError, Location

from .base import Source

SUFFIXES = {"txt": "tsv", "tsv": "tsv", "tab": "tsv", "csv": "csv", "xlsx": "xlsx", "xlsm": "xlsx"}


@dataclass
class Sheet:
    """One table: a workbook's sheet, or the whole of a text file (``name`` None)."""

    name: str | None
    rows: list[list[str]]

    def where(self, file: str, row: int | None = None, column: int | None = None) -> Location:
        return Location(file, row, column, self.name)


def read_sheets(source: Source, separator: str | None = None) -> list[Sheet]:
    """The tables of a source, by its file's suffix; ``separator`` (``tab``, ``comma``,
    ``semicolon``) overrides the guess for text."""
    kind = SUFFIXES.get(source.path.suffix.lower().lstrip("."))
    if kind is None:
        raise IngestError(Location(source.path.name), f"cannot read a table from a '{source.path.suffix}' file",
                          "a .tsv, .txt (tab-separated), .csv or .xlsx file")
    if kind == "xlsx":
        return _workbook(source)
    text = "\n".join(source.lines)
    if separator is None:
        separator = "tab" if kind == "tsv" else _guess(text)
    delimiter = {"tab": "\t", "comma": ",", "semicolon": ";"}.get(separator)
    if delimiter is None:
        raise IngestError(Location(source.path.name), f"unknown separator '{separator}'", "tab, comma or semicolon")
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


def _workbook(source: Source) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(source.data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise IngestError(Location(source.path.name), f"not a readable Excel workbook ({type(exc).__name__})",
                          "an .xlsx file saved by a spreadsheet program") from None
    try:
        return [Sheet(ws.title, [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)])
                for ws in book.worksheets]
    finally:
        book.close()
