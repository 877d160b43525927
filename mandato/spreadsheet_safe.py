"""Values for spreadsheets: no cell mandato writes runs as a formula (CSV injection, OWASP).

A value from the data (a source document, the reference data) such as ``=HYPERLINK("http://…"&A1)``,
``+cmd|' /C calc'!A0`` or ``@SUM(…)`` is a formula to Excel, LibreOffice or Google Sheets when a
cell starts with it. :func:`formula_like` says which values a spreadsheet may read so: those that
start with ``=``, ``+``, ``-`` or ``@`` (or their full-width and small forms, after spaces or a
double quote a spreadsheet may skip), or with a tab, a carriage return, a line feed or NUL, unless
the value is a plain number (``-5``, ``+3.2``, ``-1e5``). Dates (``2003-09-09``) and IRIs never
start so.

Every CSV, TSV and workbook mandato writes goes through here:

- text (CSV, TSV): :func:`neutralise` puts an apostrophe before such a value (``'=1+2``), which
  a spreadsheet takes as "this is text"; :func:`csv_text` also quotes a field that holds a ``;``
  or a tab, not only a comma, so that a spreadsheet that splits at them (Excel in a Spanish
  locale splits a CSV at ``;``) keeps the field whole rather than start a cell within it;
- workbooks: :func:`text_cell` writes a string as a string, never a formula, and marks a
  formula-like one with Excel's own quote prefix (shown as typed, ``'`` in the formula bar), so
  the workbook keeps the value as the data has it.

Formats for programs (JSON, SPARQL JSON and XML, RDF) carry the values unchanged, and so does
``raw`` CSV and TSV (``mandato query --raw``, ``raw=true`` in the API).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

# A formula's first character, maybe after characters a spreadsheet skips (spaces of any kind,
# zero-width characters, a double quote); a tab, CR, LF or NUL first is enough on its own.
_FORMULA = re.compile(r"[\t\r\n\0]"
                      r"|[\s\"\u200b-\u200d\u2060\ufeff]*[=+\-@\uff1d\uff0b\uff0d\uff20\ufe62\ufe63\ufe66\ufe6b]")
# A plain number, which a spreadsheet reads as a number, not a formula (comma decimals too, as a
# Spanish locale writes them).
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?%?")
# What a CSV field is quoted for: a separator a spreadsheet may split at, a quote, a line break.
_QUOTED = re.compile(r"[,;\t\"\r\n]")


def formula_like(value: str) -> bool:
    """Whether a spreadsheet may read ``value``, as the content of a cell, as a formula."""
    return _FORMULA.match(value) is not None and _NUMBER.fullmatch(value.strip()) is None


def neutralise(value: str) -> str:
    """``value`` as text for a spreadsheet: with an apostrophe first where it is formula-like.
    A value that already starts with an apostrophe is left alone (once is enough)."""
    return "'" + value if formula_like(value) else value


def csv_text(rows: Iterable[Iterable[str]]) -> str:
    """CSV (RFC 4180, CRLF) for spreadsheets: every value neutralised, in double quotes where it
    holds a comma, a semicolon, a tab, a double quote or a line break."""
    return "".join(",".join(_csv_field(neutralise(v)) for v in row) + "\r\n" for row in rows)


def _csv_field(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if _QUOTED.search(value) else value


def text_cell(cell: Any, value: Any) -> Any:
    """Give an openpyxl cell ``value``: a string as a string (openpyxl would make a formula of one
    that starts with "="), marked with Excel's quote prefix when formula-like; other values (numbers,
    dates, None) as they are. Returns the cell."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if formula_like(value):
            cell.quotePrefix = True
    return cell


def row_cells(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """Cells of ``sheet`` holding ``values`` through :func:`text_cell`, for ``sheet.append``."""
    from openpyxl.cell.cell import Cell

    return [text_cell(Cell(sheet), value) for value in values]
