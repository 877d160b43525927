"""Tables as curators save them: tab-separated text, CSV (comma or semicolon) or an Excel
workbook (``.xlsx``, read with openpyxl), as rows of text cells with where each cell stands.

Cells are text as printed: a workbook's dates become ISO dates (``2003-09-09``), whole numbers
lose their ``.0``; nothing else is changed. Rows keep their numbers (a blank row is kept, empty),
so an error names the row and column a curator sees.

A table is read within limits no real plan comes near (each an error naming the file, sheet, row
and cell, never a traceback or a machine out of memory): :data:`MAX_ROWS` rows and
:data:`MAX_COLUMNS` columns a sheet, :data:`MAX_CELL_CHARS` characters a cell (Excel's own
limit), :data:`MAX_CELLS` cells a file. A workbook's zip is checked before openpyxl opens it: at
most :data:`MAX_PARTS` parts, :data:`MAX_UNCOMPRESSED` bytes once inflated, no part inflating more
than :data:`MAX_RATIO` times, and no part of XML declaring a DTD (entities that expand without
end). A sheet's declared dimension is not trusted: its rows are read as its cells give them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

from mandato.errors import IngestError, Location, column_letter
from mandato.files import PROGRESS_BYTES, progress

SUFFIXES = {"txt": "tsv", "tsv": "tsv", "tab": "tsv", "csv": "csv", "xlsx": "xlsx", "xlsm": "xlsx"}
MAX_ROWS = 200_000  # rows a sheet (or a text table) may hold
MAX_COLUMNS = 1_000  # columns holding a value (Excel's last column, XFD, is 16384)
MAX_CELL_CHARS = 32_767  # characters a cell may hold: Excel's own limit
MAX_CELLS = 5_000_000  # cells a file's tables hold in all, blank cells of a row's width included
MAX_UNCOMPRESSED = 256 << 20  # bytes a workbook's parts may inflate to in all
MAX_RATIO = 100  # times a part may inflate (a spreadsheet's XML inflates 5 to 20 times)
RATIO_FROM = 1 << 20  # parts inflating to less are not checked for their ratio
MAX_PARTS = 10_000  # parts (files) in a workbook's zip
PROGRESS_ROWS = 50_000  # a progress line every so many rows, for a file over PROGRESS_BYTES
WORKBOOK = "an .xlsx file saved by a spreadsheet program"


@dataclass
class Sheet:
    """One table: a workbook's sheet, or the whole of a text file (``name`` None)."""

    name: str | None
    rows: list[list[str]]
    starts: list[int] | None = None  # delimited text: the line of the file each row starts on
    encoding: str = "utf-8"  # delimited text: how its bytes were read (utf-8, or windows-1252)

    def where(self, file: str, row: int | None = None, column: int | None = None) -> Location:
        return Location(file, row if row is None else self.line(row - 1), column, self.name)

    def line(self, index: int) -> int:
        """Where the row ``index`` (from 0) is: a workbook's row number, as a spreadsheet shows it;
        the line of delimited text the row starts on, as an editor shows it (a cell holding a line
        break makes the two differ)."""
        return self.starts[index] if self.starts is not None and index < len(self.starts) else index + 1


def read_sheets(path: Path, data: bytes, separator: str | None = None) -> list[Sheet]:
    """The tables of a file (its ``data``), by its suffix; ``separator`` (``tab``, ``comma``,
    ``semicolon``) overrides the guess for text."""
    kind = SUFFIXES.get(path.suffix.lower().lstrip("."))
    if kind is None:
        raise IngestError(Location(path.name), f"cannot read a table from a '{path.suffix}' file",
                          "a .tsv, .txt (tab-separated), .csv or .xlsx file")
    if kind == "xlsx":
        return _workbook(path, data)
    encoding = "utf-8"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        text, encoding = _windows_1252(path, data, exc), "windows-1252"
    if separator is None:
        separator = "tab" if kind == "tsv" else _guess(text)
    delimiter = {"tab": "\t", "comma": ",", "semicolon": ";"}.get(separator)
    if delimiter is None:
        raise IngestError(Location(path.name), f"unknown separator '{separator}'", "tab, comma or semicolon")
    starts: list[int] = []
    return [Sheet(None, _text_rows(path, text, delimiter, len(data) > PROGRESS_BYTES, starts), starts, encoding)]


def _windows_1252(path: Path, data: bytes, error: UnicodeDecodeError) -> str:
    """Text that is not UTF-8, read as Windows-1252: what Excel in a Spanish (or any Western)
    locale saves as "CSV (delimitado por comas)". Bytes that code page leaves undefined, or control
    characters a table never holds (a UTF-16 file read so), mean it is neither: an error."""
    line = data[: error.start].count(b"\n") + 1
    refused = IngestError(Location(path.name, line), "the text is neither UTF-8 nor Windows-1252 (Excel's "
                          "'CSV (delimitado por comas)')", "UTF-8 text (a spreadsheet's 'CSV UTF-8' export), or the "
                          ".xlsx file itself")
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        raise refused from None
    if any(ord(c) < 32 and c not in "\t\r\n\f" for c in text):
        raise refused
    return text


def encoding_finding(sheets: list[Sheet]) -> str | None:
    """The finding a table read as Windows-1252 gets (:func:`read_sheets`), or None."""
    if not sheets or sheets[0].encoding == "utf-8":
        return None
    return ("the file is not UTF-8: it was read as Windows-1252 (code page 1252), as Excel saves 'CSV (delimitado "
            "por comas)'; check its accents and Ñ, or save it as 'CSV UTF-8'")


def _guess(text: str) -> str:
    """Comma or semicolon: the one the first non-blank line has more of (Spanish spreadsheets save
    CSV with semicolons)."""
    head = text[: 1 << 20]  # not every line of a large file
    lines = head.splitlines()
    if len(head) < len(text):
        lines = lines[:-1]  # the last line of the head may be cut short
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        first = next((line for line in text.splitlines() if line.strip()), "")
    return "semicolon" if first.count(";") > first.count(",") else "comma"


def _text_rows(path: Path, text: str, delimiter: str, big: bool, starts: list[int]) -> list[list[str]]:
    """The rows of delimited text, read as a file opened with ``newline=''``: a line break inside
    a quoted cell is the cell's; a carriage return alone outside quotes, in a file whose lines end
    with line feeds, is an error (it would cut the row in two)."""
    at = _Pieces(text)
    line_feeds = "\n" in text
    rows: list[list[str]] = []
    cells = 0
    limit = csv.field_size_limit(MAX_CELL_CHARS)
    first = 1  # the line the next row starts on
    try:
        for row in csv.reader(at, delimiter=delimiter):
            line = at.line
            if line_feeds and at.piece.endswith("\r"):
                raise IngestError(Location(path.name, line), "a carriage return (CR) stands alone outside quotes, "
                                  "in a file whose lines end with line feeds: it would cut the row in two",
                                  "a line break inside a cell in quotes (\"…\"), as spreadsheets save it, or one "
                                  "kind of line ending throughout")
            if len(rows) == MAX_ROWS:
                raise IngestError(Location(path.name, line), f"the table holds more than {MAX_ROWS} rows",
                                  f"at most {MAX_ROWS} rows a table (split the document)")
            if len(row) > MAX_COLUMNS:
                beyond = next((c for c in range(MAX_COLUMNS, len(row)) if row[c].strip()), None)
                if beyond is not None:
                    raise IngestError(Location(path.name, line, beyond + 1), f"the row has a value in cell "
                                      f"{beyond + 1}, past {MAX_COLUMNS} columns", f"at most {MAX_COLUMNS} columns")
            cells += len(row)
            if cells > MAX_CELLS:
                raise IngestError(Location(path.name, line), f"the table holds more than {MAX_CELLS} cells",
                                  f"at most {MAX_CELLS} cells a file (split the document)")
            rows.append([c.strip() for c in row])
            starts.append(first)
            first = at.line + 1
            if big and len(rows) % PROGRESS_ROWS == 0:
                progress(f"{path.name}: {len(rows)} rows read")
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise IngestError(Location(path.name, at.line), f"a cell holds more than {MAX_CELL_CHARS} characters",
                              f"cells of at most {MAX_CELL_CHARS} characters (Excel's own limit); a missing "
                              "closing quote (\") makes the rest of the file one cell") from None
        raise IngestError(Location(path.name, at.line), f"the line cannot be read as delimited text ({exc})",
                          "rows of cells separated by the separator, a cell with the separator or a line "
                          "break in quotes (\"…\")") from None
    finally:
        csv.field_size_limit(limit)
    return rows


class _Pieces:
    r"""The text as csv reads a file opened with ``newline=''``: pieces ending at ``\r\n``, ``\n``
    or a lone ``\r``; ``line``, the line of the piece read last (counted by line feeds)."""

    def __init__(self, text: str):
        self._pieces = io.StringIO(text, newline="")
        self.line, self.piece = 0, ""
        self._next = 1

    def __iter__(self) -> Iterator[str]:
        return self

    def __next__(self) -> str:
        piece = next(self._pieces)
        self.line, self.piece = self._next, piece
        self._next += piece.endswith("\n")
        return piece


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):  # spaces as one; a line break in the cell stays one, as in a CSV's cell
        return "\n".join(" ".join(line.split()) for line in value.splitlines() if line.strip())
    return str(value)


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def check_workbook(path: Path, data: bytes) -> None:
    """Refuse, before openpyxl inflates anything, a workbook whose zip is a bomb (too many parts,
    too large once inflated, or inflating too many times) or whose XML declares a DTD."""
    where = Location(path.name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_PARTS:
                raise IngestError(where, f"the workbook's zip holds {len(parts)} parts, more than {MAX_PARTS} parts",
                                  WORKBOOK)
            total = 0
            for part in parts:
                ratio = part.file_size / max(part.compress_size, 1)
                if part.file_size > RATIO_FROM and ratio > MAX_RATIO:
                    raise IngestError(where, f"the part '{part.filename}' of the workbook inflates {ratio:.0f} times "
                                      f"(to {part.file_size} bytes): more than {MAX_RATIO} times, a zip bomb",
                                      WORKBOOK)
                total += part.file_size
                if total > MAX_UNCOMPRESSED:
                    raise IngestError(where, f"the workbook inflates to more than {MAX_UNCOMPRESSED >> 20} MiB",
                                      f"{WORKBOOK}, at most {MAX_UNCOMPRESSED >> 20} MiB once inflated")
            for part in parts:
                _no_dtd(path, archive, part)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            OSError, ValueError) as exc:
        raise IngestError(where, f"not a readable Excel workbook ({type(exc).__name__}: {exc})", WORKBOOK) from None


def _no_dtd(path: Path, archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """A part of XML (as its first bytes say) must not declare a DTD: it is read up to its first
    element, with DTDs forbidden."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    with archive.open(part) as raw:
        head = raw.read(64)
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<") and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # not XML: an image, a binary part
    try:
        with archive.open(part) as source:
            for _ in iterparse(source, events=("start",), forbid_dtd=True):
                break
    except DefusedXmlException:
        raise IngestError(Location(path.name), f"the part '{part.filename}' of the workbook declares a DTD "
                          "(<!DOCTYPE …>, entities), which spreadsheets never write", WORKBOOK) from None
    except ParseError:
        pass  # ill-formed further on: said when it is read, with its sheet


def _workbook(path: Path, data: bytes) -> list[Sheet]:
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook

    check_workbook(path, data)
    broken = (zipfile.BadZipFile, zlib.error, EOFError, KeyError, OSError, ValueError, TypeError, AttributeError,
              IndexError, ArithmeticError)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except DefusedXmlException:  # openpyxl parses with defusedxml: entities are refused
        raise IngestError(Location(path.name), "the workbook declares XML entities, which spreadsheets never write",
                          WORKBOOK) from None
    except (*broken, ParseError) as exc:
        raise IngestError(Location(path.name), f"not a readable Excel workbook ({type(exc).__name__})",
                          WORKBOOK) from None
    sheets: list[Sheet] = []
    budget = [MAX_CELLS]
    try:
        for ws in book.worksheets:
            where = Location(path.name, sheet=ws.title)
            try:
                sheets.append(Sheet(ws.title, _sheet_rows(path, ws, budget, len(data) > PROGRESS_BYTES)))
            except DefusedXmlException:
                raise IngestError(where, "the sheet declares XML entities, which spreadsheets never write",
                                  WORKBOOK) from None
            except ParseError as exc:
                raise IngestError(where, f"the sheet's XML is not well-formed ({exc})", WORKBOOK) from None
            except broken as exc:
                raise IngestError(where, f"the sheet cannot be read ({type(exc).__name__})", WORKBOOK) from None
    finally:
        book.close()
    return sheets


def _sheet_rows(path: Path, ws: Any, budget: list[int], big: bool) -> list[list[str]]:
    """A sheet's rows as its cells give them, whatever dimension it declares: each as wide as the
    sheet's widest row (its last cell, formatted or not), up to the last row with a cell. A value
    past :data:`MAX_ROWS` or :data:`MAX_COLUMNS` is an error; formatting alone there is passed over."""
    ws.reset_dimensions()  # openpyxl would pad every row to the declared dimension (A1:XFD1048576: 17 G cells)
    rows: list[list[str]] = []
    width = kept = 0
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        if number > MAX_ROWS:
            if values and any(not _empty(v) for v in values):
                raise IngestError(Location(path.name, number, next(c for c, v in enumerate(values, 1) if not _empty(v)),
                                           ws.title), f"the sheet holds a value in row {number}: more than "
                                  f"{MAX_ROWS} rows", f"at most {MAX_ROWS} rows a sheet (split the document)")
            continue
        if len(values) > MAX_COLUMNS:
            beyond = next((c for c in range(MAX_COLUMNS, len(values)) if not _empty(values[c])), None)
            if beyond is not None:
                raise IngestError(Location(path.name, number, beyond + 1, ws.title),
                                  f"the sheet holds a value in column {column_letter(beyond + 1)}: more than "
                                  f"{MAX_COLUMNS} columns", f"at most {MAX_COLUMNS} columns a sheet")
            last = max((c for c, v in enumerate(values) if not _empty(v)), default=-1)
            values = values[: last + 1]  # formatting alone, far right: not the sheet's width
        for c, v in enumerate(values, start=1):
            if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
                raise IngestError(Location(path.name, number, c, ws.title), f"the cell holds {len(v)} characters: "
                                  f"more than {MAX_CELL_CHARS} characters", f"cells of at most {MAX_CELL_CHARS} "
                                  "characters (Excel's own limit)")
        rows.append([_cell(v) for v in values])
        if values:
            kept = number
        width = max(width, len(values))
        if kept * width > budget[0]:
            raise IngestError(Location(path.name, number, sheet=ws.title), f"the sheet holds {kept} rows by {width} "
                              f"columns: more than {MAX_CELLS} cells in the file", f"at most {MAX_CELLS} cells a file "
                              "(split the document)")
        if big and number % PROGRESS_ROWS == 0:
            progress(f"{path.name}, sheet '{ws.title}': {number} rows read")
    budget[0] -= kept * width
    return [row + [""] * (width - len(row)) for row in rows[:kept]]


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
