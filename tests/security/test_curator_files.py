"""No curator file takes mandato down (issue 34, "curator files"): a hostile workbook, CSV, file or
layout is `mandato: error: …` naming the file (and sheet, row and cell) and the limit, exit 2, no
traceback, memory and time bounded, and the store as it was.

Every hostile file is made here. The command line runs as a subprocess under a 2 GiB address-space
limit (a blow-up fails the test, not the machine) and a timeout (a hang fails the test, not the run).
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import HERE
from mandato.packaged import CORPUS_DIR

MANDATO = Path(sys.executable).with_name("mandato")
ADDRESS_SPACE = 2 << 30
PARAGUAY = HERE / "inputs" / "documents" / "paraguay-plan"
VALID_TABLE = HERE / "inputs" / "ratification-tables" / "valid.txt"
LAYOUTS = Path(__file__).parents[2] / "ingest" / "layouts"
PERU = (CORPUS_DIR / "pe-plan-nacional-trata-2017-2021.txt").read_text(encoding="utf-8")


def _bounded() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def mandato(*args: object, timeout: float = 60, env: dict[str, str] | None = None) -> tuple[int, str, str, float]:
    """The command line in a subprocess: (exit code, stdout, stderr, seconds); a run past
    ``timeout`` is killed and fails the test."""
    start = time.monotonic()
    proc = subprocess.Popen([str(MANDATO), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=_bounded, env={**os.environ, **(env or {})})
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"mandato {' '.join(map(str, args))} still ran after {timeout} s")
    return proc.returncode, out, err, time.monotonic() - start


def content(store: Path) -> str:
    """The digest of everything the store holds (its N-Quads, which an unchanged store dumps alike)."""
    code, out, err, _ = mandato("--store", store, "export", "--format", "nquads")
    assert code == 0, err
    return hashlib.sha256(out.encode()).hexdigest()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A store with one small source, and its digest."""
    path = tmp_path_factory.mktemp("curator-files") / "store"
    code, _, err, _ = mandato("--store", path, "ingest", VALID_TABLE, "--layout", "coalition-ratification-tables")
    assert code == 0, err
    return path, content(path)


def refused(store: tuple[Path, str], args: list[object], *says: str, timeout: float = 60,
            env: dict[str, str] | None = None) -> str:
    """Ingest ``args`` into the store: refused with a clear error saying each of ``says``, nothing
    written. Returns stderr."""
    path, digest = store
    code, _, err, _ = mandato("--store", path, "ingest", *args, timeout=timeout, env=env)
    assert "Traceback" not in err and "MemoryError" not in err, err[-3000:]
    assert code == 2, err[-3000:]
    error = next((line for line in err.splitlines() if line.startswith("mandato: error: ")), "")
    assert error, err[-3000:]
    for words in says:
        assert words in error, error
    assert content(path) == digest
    return err


# Workbooks -----------------------------------------------------------------------------------------

def sheet_corpus(tmp_path: Path, file: str) -> Path:
    """The Paraguay plan's directory (a plan-table in TSV, CSV and XLSX) with its manifest entry
    naming ``file``."""
    corpus = tmp_path / "paraguay"
    shutil.copytree(PARAGUAY, corpus)
    manifest = corpus / "sources.yaml"
    text = manifest.read_text(encoding="utf-8").replace("file: plan.tsv", f"file: {file}")
    if file.endswith(".xlsx"):  # the workbook states its facts on its "Plan" sheet
        text = text[: text.index("  jurisdiction:")] + "  layout: plan-table\n"
    manifest.write_text(text, encoding="utf-8")
    return corpus


def member_of(book: Path, title: str) -> str:
    """The zip member of a workbook's sheet ``title``."""
    with zipfile.ZipFile(book) as z:
        workbook = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{title}"[^>]*r:id="(\w+)"', workbook)
    assert rid, workbook
    target = re.search(rf'<Relationship [^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels)
    assert target, rels
    return "xl/" + target.group(1).removeprefix("/xl/")


def rewrite(book: Path, changes: dict[str, bytes], level: int = 6) -> None:
    """Replace (or add) members of a workbook."""
    with zipfile.ZipFile(book) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    members.update(changes)
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in members.items():
            z.writestr(name, data)


def activities(corpus: Path) -> tuple[Path, str, str]:
    """The workbook, its activities sheet's member and that member's XML."""
    book = corpus / "plan.xlsx"
    member = member_of(book, "Actividades")
    with zipfile.ZipFile(book) as z:
        return book, member, z.read(member).decode()


def last_row(xml: str, row: str) -> str:
    return xml.replace("</sheetData>", row + "</sheetData>")


def test_a_declared_sheet_of_every_cell_is_refused_in_bounded_memory(store, tmp_path):
    """2 KB declaring A1:XFD1048576 with a value at XFD1048576: openpyxl pads rows to the declared
    dimension (5.9 GB, then MemoryError); the sheet is read as it is, and the row is past the cap."""
    corpus = sheet_corpus(tmp_path, "plan.xlsx")
    book, member, xml = activities(corpus)
    xml = re.sub(r'<dimension ref="[^"]+"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)
    xml = last_row(xml, '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    rewrite(book, {member: xml.encode()})
    refused(store, [corpus, "--reference", corpus / "reference"],
            "plan.xlsx, sheet 'Actividades', row 1048576", "200000 rows")


def test_a_template_with_a_cell_at_xfd1048576_is_refused(store, tmp_path):
    """The same attack on a filled template read without a manifest (the layout it states)."""
    alone = tmp_path / "alone"
    alone.mkdir()
    code, _, err, _ = mandato("template", "plan", "-o", alone / "plan.xlsx")
    assert code == 0, err
    from openpyxl import load_workbook

    book = load_workbook(alone / "plan.xlsx")
    book["Actividades"].append(["1. Prevención", "1.1 Reducir", None, "1.1.1 Hacer algo", "MINNA"])
    book.save(alone / "plan.xlsx")
    member = member_of(alone / "plan.xlsx", "Actividades")
    with zipfile.ZipFile(alone / "plan.xlsx") as z:
        xml = z.read(member).decode()
    xml = re.sub(r'<dimension ref="[^"]+"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)
    xml = last_row(xml, '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')
    rewrite(alone / "plan.xlsx", {member: xml.encode()})
    refused(store, [alone / "plan.xlsx"], "plan.xlsx, sheet 'Actividades', row 1048576", "200000 rows")


def test_a_filled_template_still_reads(tmp_path):
    """A template as `mandato template` writes it, filled, reads with no manifest."""
    code, _, err, _ = mandato("template", "plan", "-o", tmp_path / "plan.xlsx")
    assert code == 0, err
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "plan.xlsx")
    book["Actividades"].append(["1. Prevención", "1.1 Reducir", None, "1.1.1 Hacer algo", "Ministerio Público"])
    for cells in book["Plan"].iter_rows(min_row=2):
        cells[1].value = {"Título": "Plan 2024-2026", "Período": "2024-2026", "País": "Paraguay",
                          "Tipo de plan": "NationalPlan"}.get(cells[0].value, cells[1].value)
    book.save(tmp_path / "plan.xlsx")
    code, out, err, _ = mandato("--store", tmp_path / "store", "ingest", tmp_path / "plan.xlsx")
    assert code == 0 and "Traceback" not in err, err[-3000:]
    assert "ingested 1 sources" in out


def test_a_value_past_the_last_column_is_refused(store, tmp_path):
    from openpyxl.utils import get_column_letter

    corpus = sheet_corpus(tmp_path, "plan.xlsx")
    book, member, xml = activities(corpus)
    column = get_column_letter(1500)
    rewrite(book, {member: last_row(xml, f'<row r="300"><c r="{column}300"><v>1</v></c></row>').encode()})
    refused(store, [corpus, "--reference", corpus / "reference"],
            f"plan.xlsx, sheet 'Actividades', row 300, column {column}", "1000 columns")


def test_an_empty_formatted_cell_far_right_is_no_error(tmp_path):
    """A cell with a style and no value at XFD (a formatted row) is not data: the sheet reads."""
    corpus = sheet_corpus(tmp_path, "plan.xlsx")
    book, member, xml = activities(corpus)
    xml = re.sub(r'<dimension ref="[^"]+"\s*/>', '<dimension ref="A1:XFD20"/>', xml)
    rewrite(book, {member: last_row(xml, '<row r="20"><c r="XFD20" s="1"/></row>').encode()})
    code, _out, err, _ = mandato("--store", tmp_path / "store", "ingest", corpus, "--reference", corpus / "reference")
    assert code == 0 and "Traceback" not in err, err[-3000:]


def test_a_cell_longer_than_excel_allows_is_refused(store, tmp_path):
    corpus = sheet_corpus(tmp_path, "plan.xlsx")
    book, member, xml = activities(corpus)
    long = "a" * 40_000
    rewrite(book, {member: last_row(xml, f'<row r="300"><c r="D300" t="inlineStr"><is><t>{long}</t></is></c></row>')
                   .encode()})
    refused(store, [corpus, "--reference", corpus / "reference"],
            "plan.xlsx, sheet 'Actividades', row 300, column D", "32767 characters")


def zip_bomb(corpus: Path) -> tuple[Path, str]:
    """The corpus's workbook with its activities sheet made 120 MB of blanks in 120 KB; the
    workbook and the sheet's part."""
    book, member, xml = activities(corpus)
    head, tail = xml.split("<sheetData>", 1)
    with zipfile.ZipFile(book) as z:
        members = {i.filename: z.read(i) for i in z.infolist() if i.filename != member}
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in members.items():
            z.writestr(name, data)
        with z.open(member, "w", force_zip64=True) as out:
            out.write((head + "<sheetData>").encode())
            blank = b" " * (1 << 20)
            for _ in range(120):
                out.write(blank)
            out.write(tail.encode())
    assert book.stat().st_size < 1 << 20
    return book, member


def test_a_zip_bomb_is_refused_before_it_is_inflated(store, tmp_path):
    """A sheet of 120 MB of blanks in 120 KB: the compression ratio is refused from the zip's
    directory, before anything is inflated."""
    corpus = sheet_corpus(tmp_path, "plan.xlsx")
    _, member = zip_bomb(corpus)
    refused(store, [corpus, "--reference", corpus / "reference"], "plan.xlsx", member, "100 times")


def test_a_workbook_larger_than_the_cap_uncompressed_is_refused(store, tmp_path):
    """Members that each compress no more than a spreadsheet's XML, 300 MB in all."""
    corpus = sheet_corpus(tmp_path, "plan.xlsx")
    book = corpus / "plan.xlsx"
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for n in range(6):
            with z.open(f"xl/media/image{n}.bin", "w", force_zip64=True) as out:
                for _ in range(50):
                    out.write(b"".join(os.urandom(16) + b"-" * 1008 for _ in range(1024)))
    refused(store, [corpus, "--reference", corpus / "reference"], "plan.xlsx", "256 MiB")


def test_a_workbook_of_too_many_members_is_refused(store, tmp_path):
    corpus = sheet_corpus(tmp_path, "plan.xlsx")
    with zipfile.ZipFile(corpus / "plan.xlsx", "a") as z:
        for n in range(10_050):
            z.writestr(f"xl/media/m{n}.bin", b"")
    refused(store, [corpus, "--reference", corpus / "reference"], "plan.xlsx", "10000 parts")


ENTITIES = ('<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')


@pytest.mark.parametrize("part, doctype", [
    ("sheet", ENTITIES),
    ("sheet", "<!DOCTYPE worksheet>"),
    ("xl/workbook.xml", '<!DOCTYPE workbook [<!ENTITY e SYSTEM "file:///etc/passwd">]>'),
    ("xl/sharedStrings.xml", ENTITIES.replace("worksheet", "sst")),
], ids=["sheet-entities", "sheet-doctype", "workbook-external-entity", "shared-strings-entities"])
def test_a_workbook_part_with_a_dtd_is_refused(store, tmp_path, part: str, doctype: str):
    corpus = sheet_corpus(tmp_path, "plan.xlsx")
    book, member, _xml = activities(corpus)
    name = member if part == "sheet" else part
    with zipfile.ZipFile(book) as z:
        text = z.read(name).decode() if name in z.namelist() else (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>')
    if part == "sheet" and "ENTITY" in doctype:
        text = last_row(text, '<row r="300"><c r="D300" t="inlineStr"><is><t>&c;</t></is></c></row>')
    text = re.sub(r"^(<\?xml[^>]*\?>)?", lambda m: (m.group(0) or "") + doctype, text, count=1)
    rewrite(book, {name: text.encode()})
    refused(store, [corpus, "--reference", corpus / "reference"], "plan.xlsx", name, "DTD")


def test_ill_formed_sheet_xml_is_refused(store, tmp_path):
    corpus = sheet_corpus(tmp_path, "plan.xlsx")
    book, member, xml = activities(corpus)
    rewrite(book, {member: xml.replace("</row>", "</rov>", 2).encode()})
    refused(store, [corpus, "--reference", corpus / "reference"], "plan.xlsx, sheet 'Actividades'", "XML")


def test_a_corrupt_member_is_refused(store, tmp_path):
    """A member whose bytes do not inflate (or fail their checksum)."""
    corpus = sheet_corpus(tmp_path, "plan.xlsx")
    book, member, _ = activities(corpus)
    data = bytearray(book.read_bytes())
    with zipfile.ZipFile(book) as z:
        info = z.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 10, start + min(info.compress_size, 200)):
        data[k] ^= 0x5A
    book.write_bytes(bytes(data))
    refused(store, [corpus, "--reference", corpus / "reference"], "plan.xlsx")


# CSV -----------------------------------------------------------------------------------------------

def csv_rows() -> list[str]:
    return (PARAGUAY / "plan.csv").read_text(encoding="utf-8").splitlines()


def test_a_carriage_return_inside_a_quoted_cell_is_data(tmp_path):
    corpus = sheet_corpus(tmp_path, "plan.csv")
    rows = csv_rows()
    cells = rows[1].split(";")
    cells[2] = f'"{cells[2][:20]}\r{cells[2][20:]}"'
    rows[1] = ";".join(cells)
    (corpus / "plan.csv").write_bytes(("\r\n".join(rows) + "\r\n").encode())
    code, out, err, _ = mandato("--store", tmp_path / "store", "ingest", corpus, "--reference", corpus / "reference")
    assert code == 0 and "Traceback" not in err, err[-3000:]
    assert "ingested 1 sources" in out


def test_a_stray_carriage_return_is_a_clear_error(store, tmp_path):
    corpus = sheet_corpus(tmp_path, "plan.csv")
    rows = csv_rows()
    rows[2] = rows[2].replace(" ", "\r", 1)
    (corpus / "plan.csv").write_text("\n".join(rows) + "\n", encoding="utf-8", newline="")
    refused(store, [corpus, "--reference", corpus / "reference"], "plan.csv, line 3", "carriage return")


def test_a_csv_field_over_the_cap_is_a_clear_error(store, tmp_path):
    corpus = sheet_corpus(tmp_path, "plan.csv")
    rows = csv_rows()
    rows[3] = rows[3].replace(";", ";" + "x" * 200_000, 1)
    (corpus / "plan.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    refused(store, [corpus, "--reference", corpus / "reference"], "plan.csv, line 4", "32767 characters")


def test_a_csv_of_too_many_columns_is_refused(store, tmp_path):
    corpus = sheet_corpus(tmp_path, "plan.csv")
    rows = csv_rows()
    rows[2] += ";x" * 1500
    (corpus / "plan.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    refused(store, [corpus, "--reference", corpus / "reference"], "plan.csv, line 3", "1000 columns")


def test_a_large_csv_shows_progress_and_too_many_rows_are_refused(store, tmp_path):
    """25 MB: progress lines while it is read; 250000 rows are past the cap."""
    corpus = sheet_corpus(tmp_path, "plan.csv")
    row = "1. Prevencion;1.1 Reducir la tolerancia;1.1.1 Hacer algo;MINNA;;Indicador;Meta;2024;".ljust(99, "x")
    with (corpus / "plan.csv").open("w", encoding="utf-8") as fh:
        fh.write(csv_rows()[0] + "\n")
        for _ in range(250):
            fh.write((row + "\n") * 1000)
    assert (corpus / "plan.csv").stat().st_size > 20 << 20
    err = refused(store, [corpus, "--reference", corpus / "reference"], "plan.csv", "200000 rows")
    assert re.search(r"reading plan\.csv \(\d+ MB\)", err), err[-2000:]
    assert re.search(r"plan\.csv: \d+ rows read", err), err[-2000:]


# Files that are no documents --------------------------------------------------------------------

def test_a_fifo_named_by_a_manifest_is_refused_at_once(store, tmp_path):
    corpus = sheet_corpus(tmp_path, "plan.csv")
    (corpus / "plan.csv").unlink()
    os.mkfifo(corpus / "plan.csv")
    refused(store, [corpus, "--reference", corpus / "reference"], "plan.csv", "FIFO", timeout=30)


def test_a_fifo_on_the_command_line_is_refused_at_once(store, tmp_path):
    os.mkfifo(tmp_path / "plan.xlsx")
    refused(store, [tmp_path / "plan.xlsx"], "plan.xlsx", "FIFO", timeout=30)


def test_a_fifo_as_the_manifest_is_refused_at_once(store, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    os.mkfifo(corpus / "sources.yaml")
    refused(store, [corpus], "sources.yaml", "FIFO", timeout=30)


def test_a_directory_named_as_a_file_is_refused(store, tmp_path):
    corpus = sheet_corpus(tmp_path, "plan.csv")
    (corpus / "plan.csv").unlink()
    (corpus / "plan.csv").mkdir()
    refused(store, [corpus, "--reference", corpus / "reference"], "plan.csv", "directory")


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(store, tmp_path):
    corpus = sheet_corpus(tmp_path, "plan.csv")
    with (corpus / "plan.csv").open("r+b") as fh:
        fh.truncate(600 << 20)  # sparse: no disk used
    refused(store, [corpus, "--reference", corpus / "reference"], "plan.csv", "512 MiB", timeout=30)


# Layouts' patterns ------------------------------------------------------------------------------

def layout_corpus(tmp_path: Path, axis: str, text: str = PERU) -> Path:
    """Peru's plan read with a copy of its built-in layout whose axis pattern is ``axis``."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    layout = yaml.safe_load((LAYOUTS / "national-plan-frame.yaml").read_text(encoding="utf-8"))
    layout["steps"][1]["axis"] = axis
    (corpus / "my-layout.yaml").write_text(yaml.safe_dump(layout, allow_unicode=True), encoding="utf-8")
    (corpus / "plan.txt").write_text(text, encoding="utf-8")
    (corpus / "sources.yaml").write_text("- id: plan\n  file: plan.txt\n  title: Plan\n  jurisdiction: PE\n"
                                         "  layout: my-layout.yaml\n", encoding="utf-8")
    return corpus


def in_the_frame(line: str) -> str:
    """Peru's plan with ``line`` in its strategic frame, where the axis pattern is tried."""
    return PERU.replace("# MARCO ESTRATÉGICO DEL PLAN NACIONAL\n", f"# MARCO ESTRATÉGICO DEL PLAN NACIONAL\n\n{line}\n")


AXIS = r"^##\s+(?:EJE\s+)?(\d+)\s*[-:.]\s*(.+?)\s*$"


@pytest.mark.parametrize("axis", [
    r"^##\s+(?:EJE\s+)?((?:\d+)+)\s*[-:.]\s*(.+?)\s*$",
    r"^##\s+(?:EJE\s+)?((?:\d*)*)\s*[-:.]\s*(.+?)\s*$",
    r"^##\s+(?:EJE\s+)?((?:\d|\d)*)\s*[-:.]\s*(.+?)\s*$",
    r"^##\s+(?:EJE\s+)?((?:\w+\s?)+)\s*[-:.]\s*(.+?)\s*$",
], ids=["(a+)+", "(a*)*", "(a|a)*", r"(\w+\s?)+"])
def test_nested_quantifiers_are_refused_when_the_layout_loads(store, tmp_path, axis: str):
    corpus = layout_corpus(tmp_path, axis, in_the_frame("## " + "1" * 40 + "x"))
    started = time.monotonic()
    refused(store, [corpus], "my-layout.yaml", "step 2 (frame-matrices)", "'axis'", timeout=30)
    assert time.monotonic() - started < 25


@pytest.mark.parametrize("axis, says", [
    (r"^##\s+(?<!x)(\d+)\s*[-:.]\s*(.+?)\s*$", "look"),
    (r"^##\s+(\d)\1?\s*[-:.]\s*(.+?)\s*$", "back-reference"),
    (r"^##\s+(\d+\s*[-:.]\s*(.+?)\s*$", "not a regular expression"),
], ids=["lookbehind", "backreference", "unbalanced"])
def test_a_pattern_the_linear_engine_cannot_run_is_refused_when_the_layout_loads(store, tmp_path, axis, says):
    refused(store, [layout_corpus(tmp_path, axis)], "my-layout.yaml", "step 2 (frame-matrices)", "'axis'", says)


def test_a_pattern_that_backtracks_for_ever_in_python_reads_at_once(tmp_path):
    """(a|aa)*$ on 60 characters: 10^12 paths for Python's re, one pass for a linear engine."""
    corpus = layout_corpus(tmp_path, AXIS + r"|^(?:\d|\d\d)+$", in_the_frame("1" * 60 + "x"))
    code, out, err, _seconds = mandato("--store", tmp_path / "store", "ingest", corpus, timeout=60)
    assert code == 0 and "Traceback" not in err, err[-3000:]
    assert "ingested 1 sources" in out


def test_the_built_in_patterns_read_the_corpus_as_pythons_re_does():
    """Each built-in layout's pattern, with the flags its engine gives it, finds on every line of
    the bundled corpus (and, for the cover, in the whole text) what Python's re finds."""
    from mandato.ingest.layouts import builtin_layouts, layout_pattern, pattern_options

    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS_DIR.glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((HERE / "inputs").rglob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((HERE / "inputs").rglob("*.md"))]
    lines = [line for text in texts for line in text.splitlines()]
    checked = 0
    for layout in builtin_layouts().values():
        for step in layout.steps:
            for option, text, flags in pattern_options(step):
                ours, python = layout_pattern(text, flags), re.compile(text, flags)
                subjects = ["\n".join(t.splitlines()) for t in texts] if flags & re.MULTILINE else lines
                for subject in subjects:
                    for how in ("match", "search"):
                        a, b = getattr(ours, how)(subject), getattr(python, how)(subject)
                        assert (a is None) == (b is None), (layout.name, option, subject[:80])
                        if a is not None and b is not None:
                            assert a.groups() == b.groups() and a.span() == b.span(), (layout.name, option)
                            assert a.groupdict() == b.groupdict()
                            assert [a.span(g) for g in range(1, b.re.groups + 1)] == list(b.regs[1:])
                checked += 1
    assert checked >= 20


def test_random_patterns_match_as_in_pythons_re():
    """Patterns drawn at random (classes, case, groups, alternatives, repeats greedy and lazy,
    scoped flags) find what Python's re finds, where the layout accepts them; seeded, so that CI
    is repeatable. Not drawn: \\b (ASCII word characters) and texts ending with a line break
    (``$``), the two documented differences."""
    import random

    from mandato.ingest.layouts import PatternError, layout_pattern

    draw = random.Random(34)
    atoms = [r"a", r"b", r"\d", r"\s", r"\w", r"\W", r"\S", r"\D", r".", r"[ab]", r"[^a]", r"[^\W\d]", r"[\W\d]",
             r"é", r"É", r"ñ", r"^", r"$", r"-", r"\.", r"[a-zá-ú]", r"[^\s]", r"\n", r"\A", r"\Z", r"[^\S\n]",
             r"ſ", r"K"]
    quantifiers = ["", "", "*", "+", "?", "{2}", "{1,3}", "*?", "+?", "??"]

    def pattern(depth: int = 0) -> str:
        out = ""
        for _ in range(draw.randint(1, 4)):
            r = draw.random()
            if r < 0.15 and depth < 3:
                alternative = "|" + pattern(depth + 1) if draw.random() < 0.4 else ""
                out += f"({pattern(depth + 1)}{alternative}){draw.choice(quantifiers)}"
            elif r < 0.22 and depth < 3:
                out += f"(?:{pattern(depth + 1)}){draw.choice(quantifiers)}"
            elif r < 0.27 and depth < 3:
                out += draw.choice(["(?i:", "(?-i:", "(?s:", "(?m:"]) + pattern(depth + 1) + ")"
            else:
                out += draw.choice(atoms) + draw.choice(quantifiers)
        return out

    checked = 0
    while checked < 400:
        text, flags = pattern(), draw.choice([0, re.IGNORECASE, re.MULTILINE, re.IGNORECASE | re.MULTILINE, re.DOTALL])
        try:
            python, ours = re.compile(text, flags), layout_pattern(text, flags)
        except (re.error, PatternError):
            continue
        checked += 1
        for _ in range(10):
            subject = "".join(draw.choice("aabb1 \t\né-ÉñÑ_٣\u00a0x.ZkKſS") for _ in range(draw.randint(0, 12)))
            subject = subject.rstrip("\n")
            for how in ("match", "search", "fullmatch"):
                a, b = getattr(ours, how)(subject), getattr(python, how)(subject)
                assert (a is None) == (b is None), (text, flags, subject, how)
                if a is not None and b is not None:
                    assert (a.span(), a.groups()) == (b.span(), b.groups()), (text, flags, subject, how)


@pytest.mark.parametrize("escape", [r"\s", r"\S", r"\d", r"\D", r"\w", r"\W"])
def test_classes_mean_what_they_mean_in_python(escape: str):
    """\\s, \\d, \\w and their negations: Unicode, as in Python's re (not RE2's ASCII classes)."""
    from mandato.ingest.layouts import layout_pattern

    ours, python = layout_pattern(escape), re.compile(escape)
    inside, python_inside = layout_pattern(f"[{escape}x]"), re.compile(f"[{escape}x]")
    differ = [c for c in map(chr, range(0x3100)) if bool(ours.match(c)) != bool(python.match(c))
              or bool(inside.match(c)) != bool(python_inside.match(c))]
    assert not differ, [hex(ord(c)) for c in differ[:20]]


# The deadline ---------------------------------------------------------------------------------

def slow_csv(path: Path, rows: int) -> None:
    heading, first, *_ = csv_rows()
    cells = first.split(";")
    with path.open("w", encoding="utf-8") as fh:
        fh.write(heading + "\n")
        for n in range(rows):
            fh.write(";".join([cells[0], cells[1], f"1.1.{n} Actividad {n}", *cells[3:]]) + "\n")


def test_a_source_past_the_deadline_is_stopped_and_named(store, tmp_path):
    corpus = sheet_corpus(tmp_path, "plan.csv")
    slow_csv(corpus / "plan.csv", 60_000)
    refused(store, [corpus, "--reference", corpus / "reference"], "plan.csv",
            "more than 2 s", "MANDATO_INGEST_TIMEOUT", env={"MANDATO_INGEST_TIMEOUT": "2"}, timeout=60)


def test_a_source_past_the_deadline_among_others_read_by_workers(store, tmp_path):
    """Eight sources are read by worker processes: the slow one is stopped there and named."""
    corpus = sheet_corpus(tmp_path, "plan.csv")
    slow_csv(corpus / "plan.csv", 60_000)
    manifest = (corpus / "sources.yaml").read_text(encoding="utf-8")
    for n in range(7):
        shutil.copy(VALID_TABLE, corpus / f"table-{n}.txt")
        manifest += (f"- id: table-{n}\n  file: table-{n}.txt\n  title: Table {n}\n"
                     "  layout: coalition-ratification-tables\n")
    (corpus / "sources.yaml").write_text(manifest, encoding="utf-8")
    refused(store, [corpus, "--reference", corpus / "reference"], "plan.csv", "more than 5 s",
            env={"MANDATO_INGEST_TIMEOUT": "5"}, timeout=90)


def test_a_bad_deadline_setting_is_a_clear_error(store):
    refused(store, [VALID_TABLE, "--layout", "coalition-ratification-tables"], "MANDATO_INGEST_TIMEOUT",
            env={"MANDATO_INGEST_TIMEOUT": "soon"})



def test_a_fifo_in_the_reference_data_is_refused_at_once(store, tmp_path):
    """--reference tables are read as any source is: a FIFO is never opened."""
    corpus = sheet_corpus(tmp_path, "plan.csv")
    actors = corpus / "reference" / "actors"
    for table in actors.iterdir():
        table.unlink()
        os.mkfifo(table)
    refused(store, [corpus, "--reference", corpus / "reference"], "FIFO", timeout=30)


def test_annotate_refuses_a_zip_bomb_before_opening_it(store, tmp_path):
    """--annotate opens the whole workbook again to write its copy: the zip is checked first."""
    corpus = sheet_corpus(tmp_path, "plan.xlsx")
    book, _ = zip_bomb(corpus)
    code, _, err, _ = mandato("--store", store[0], "ingest", "--dry-run", "--annotate", tmp_path / "out.xlsx", book,
                              "--reference", corpus / "reference", timeout=60)
    assert code == 2 and "Traceback" not in err and "100 times" in err, err[-2000:]
    assert not (tmp_path / "out.xlsx").exists()
