"""Sources as data: documents the bundled corpus does not hold, added by a manifest entry and a
layout, never by Python (README, "Add a document"). The documents in tests/inputs/documents were
written for these tests in the layouts of the bundled corpus, with their own text and facts."""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml
from rdflib import URIRef

from conftest import HERE
from mandato.catalogue import run
from mandato.namespaces import ID, MDO
from mandato.packaged import CORPUS_DIR
from mandato.store import Store

DOCUMENTS = HERE / "inputs" / "documents"


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(DOCUMENTS / name, target)
    return target


def _value(store: Store, s: URIRef, p: URIRef) -> list[str]:
    """The values (lexical forms or IRIs) of ``p`` on ``s`` in the store."""
    return sorted(row["o"].value for row in store.query(f"SELECT ?o WHERE {{ <{s}> <{p}> ?o }}"))


# Next year's work plan of a bundled commission ----------------------------------------------------

@pytest.fixture(scope="module")
def next_year(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, str]:
    """The README's commands: the bundled corpus and next year's CONACOES plan, read with the
    bundled layout from a manifest entry that states only what the cover does not."""
    from mandato.cli import main

    tmp = tmp_path_factory.mktemp("next-year")
    corpus = _copy(tmp, "conacoes-2022")
    store = tmp / "store"
    assert main(["--store", str(store), "ingest", str(CORPUS_DIR), str(corpus)]) == 0
    return Store(store, must_exist=True), "cr-conacoes-plan-anual-2022"


def test_next_years_plan_is_its_own_plan(next_year, corpus_store):
    store, key = next_year
    plans = {r["plan"]: r for r in run(store, "plans", {"country": "CR"}).records()}
    assert set(plans) == {"cr-conacoes-2021", key}
    assert plans[key]["period"] == "2022" and plans["cr-conacoes-2021"]["period"] == "2021"
    assert plans[key]["title"] == "Plan Anual de Trabajo 2022"  # as printed on its cover
    # The 2021 plan answers exactly as without the new document.
    before = run(corpus_store, "plan-outline", {"plan": "cr-conacoes-2021"}).records()
    after = run(store, "plan-outline", {"plan": "cr-conacoes-2021"}).records()
    assert after == before and len(before) == 47  # not the two running headers it once read as lines


def test_next_years_cover_gives_its_approval(next_year):
    store, key = next_year
    plan = ID[f"plan/{key}"]
    assert _value(store, plan, MDO.approvalDate) == ["2022-03-09"]
    assert _value(store, plan, MDO.approvalAct) == ["Sesión Extraordinaria CNNA 03-2022"]
    assert _value(store, plan, MDO.approvedBy) == [str(ID["organization/cr-cnna"])]
    assert _value(store, plan, MDO.issuedBy) == [str(ID["organization/cr-conacoes"])]


def test_next_years_activities_and_bodies(next_year):
    store, key = next_year
    rows = run(store, "plan-outline", {"plan": key}).records()
    activities = [r for r in rows if r["level"] == "activity"]
    assert [(r["notation"], r["label"][:30]) for r in activities] == [
        ("1.1.1", "Impartir talleres regionales s"), ("1.1.2", "Publicar una guía breve de det"),
        ("1.1.1", "Revisar el protocolo de atenci")]
    assert [r["label"] for r in rows if r["level"] == "axis"] == [
        "SUBCOMISIÓN DE PROMOCIÓN Y PREVENCIÓN", "SUBCOMISIÓN DE ATENCIÓN INTEGRAL A LA VÍCTIMA"]
    bodies = run(store, "actor-activities", {"actor": "PANIAMOR"}).records()
    assert [r["activity"] for r in bodies if key in r["activity_iri"]] == [
        "Impartir talleres regionales sobre el Código de Conducta a personas trabajadoras de hoteles."]


def test_a_body_the_reference_lacks_is_kept_and_reported(next_year, cli, tmp_path):
    corpus = _copy(tmp_path, "conacoes-2022")
    code, _, err = cli("--store", tmp_path / "store", "ingest", corpus)
    assert code == 0
    assert "'PANI' in the responsible cell matches no actor of data/reference/actors/CR.yaml" in err


def test_a_plan_without_jurisdiction_is_refused(cli, tmp_path):
    corpus = _copy(tmp_path, "conacoes-2022")
    manifest = corpus / "sources.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("  jurisdiction: CR\n", ""), encoding="utf-8")
    code, _, err = cli("--store", tmp_path / "store", "ingest", corpus)
    assert code == 2 and "no jurisdiction" in err and "sources.yaml" in err
    assert not (tmp_path / "store").exists()


# Another country's plan as a flat sheet: TSV, CSV (semicolons) and XLSX ----------------------------

PARAGUAY = DOCUMENTS / "paraguay-plan"
PY_KEY = "py-plan-nacional-escnna-2024-2026"
OUTLINE = [
    ("axis", "1", "Prevención"),
    ("objective", "1.1", "Reducir la tolerancia social a la explotación sexual de niñas, niños y adolescentes"),
    ("activity", "1.1.1", "Realizar una campaña nacional de sensibilización en medios y redes sociales."),
    ("activity", "1.1.2", "Capacitar a docentes de nivel medio en la detección de casos."),
    ("objective", "1.2", "Comprometer al sector turístico con el código de conducta"),
    ("activity", "1.2.1", "Firmar el código de conducta con cadenas hoteleras."),
    ("axis", "2", "Atención y protección"),
    ("objective", "2.1", "Garantizar la atención integral de las víctimas"),
    ("activity", "2.1.1", "Habilitar un albergue especializado en Ciudad del Este."),
    ("activity", "2.1.2", "Protocolizar la derivación de casos entre instituciones."),
    ("axis", "3", "Persecución"),
    ("objective", "3.1", "Fortalecer la investigación del delito"),
    ("activity", "3.1.1",
     "Crear una unidad fiscal especializada en explotación sexual de niñas, niños y adolescentes."),
]


def _sheet_corpus(tmp_path: Path, file: str) -> Path:
    """The Paraguay plan's directory with the manifest entry pointing at one of its three files
    (the workbook's entry states nothing but its layout: its "Plan" sheet gives the facts)."""
    corpus = _copy(tmp_path, "paraguay-plan")
    manifest = corpus / "sources.yaml"
    text = manifest.read_text(encoding="utf-8").replace("file: plan.tsv", f"file: {file}")
    if file.endswith(".xlsx"):
        text = text[: text.index("  jurisdiction:")]
        text += "  layout: plan-table\n"
    manifest.write_text(text, encoding="utf-8")
    return corpus


@pytest.fixture(scope="module", params=["plan.tsv", "plan.csv", "plan.xlsx"])
def sheet_store(request, tmp_path_factory: pytest.TempPathFactory) -> Store:
    from mandato.cli import main

    tmp = tmp_path_factory.mktemp("sheet")
    corpus = _sheet_corpus(tmp, request.param)
    assert main(["--store", str(tmp / "store"), "ingest", str(corpus), "--reference", str(corpus / "reference")]) == 0
    return Store(tmp / "store", must_exist=True)


def test_a_flat_sheet_reads_exactly_in_every_format(sheet_store):
    rows = run(sheet_store, "plan-outline", {"plan": PY_KEY}).records()
    assert [(r["level"], r["notation"], r["label"]) for r in rows] == OUTLINE  # grouped, never duplicated
    plans = run(sheet_store, "plans", {"country": "Paraguay"}).records()
    assert [(p["plan"], p["period"], p["country_code"], p["kind"]) for p in plans] == [
        (PY_KEY, "2024-2026", "PY", "plan nacional")]
    assert plans[0]["title"] == ("Plan Nacional de Prevención de la Explotación Sexual de Niñas, Niños y "
                                 "Adolescentes 2024-2026")
    assert plans[0]["issued_by"] == "Ministerio de la Niñez y la Adolescencia"


def test_a_flat_sheet_gives_each_activity_its_bodies(sheet_store):
    def bodies(actor: str) -> set[tuple[str, str]]:
        rows = run(sheet_store, "actor-activities", {"actor": str(ID[f"organization/{actor}"])}).records()
        return {(r["notation"], r["role"]) for r in rows}

    assert bodies("py-minna") == {("1.1.1", "responsible"), ("1.1.2", "collaborator"), ("2.1.1", "responsible"),
                                  ("2.1.2", "responsible")}
    assert bodies("py-mp") == {("2.1.2", "responsible"), ("3.1.1", "responsible")}
    assert bodies("py-senatur") == {("1.1.1", "collaborator"), ("1.2.1", "responsible")}
    assert bodies("py-mec") == {("1.1.1", "collaborator"), ("1.1.2", "responsible")}
    assert bodies("py-pj") == {("2.1.2", "collaborator")}
    assert bodies("py-mspbs") == {("2.1.1", "collaborator")}


def test_a_flat_sheet_keeps_deadlines_baselines_and_due_periods(sheet_store):
    activity = ID[f"plan/{PY_KEY}/1/1-1/1-1-2"]
    assert _value(sheet_store, activity, MDO.deadline) == ["IV trimestre 2025"]
    target = _value(sheet_store, activity, MDO.hasTarget)
    assert len(target) == 1 and _value(sheet_store, URIRef(target[0]), MDO.duePeriod) == ["2025-Q4"]
    assert _value(sheet_store, ID[f"plan/{PY_KEY}/1/1-2/1-2-1"], MDO.baseline) == ["12 empresas"]


def _workbook(path: Path, rows: list[list], facts: list[list] | None = None) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Actividades"
    for row in rows:
        sheet.append(row)
    if facts is not None:
        plan = book.create_sheet("Plan", 0)
        for row in facts:
            plan.append(row)
    book.save(path)


FACTS = [["Título", "Plan de prueba"], ["Período", "2025"], ["País", "PY"]]


@pytest.mark.parametrize("write, says", [
    (lambda p: p.with_suffix(".csv").write_text("Eje;Objetivo;Meta\n1. Prevención;1.1 Algo;Una meta\n"),
     "no heading row names an activity column and another known column; the first row reads 'Eje | Objetivo"),
    (lambda p: p.with_suffix(".csv").write_text(""), "the table is empty"),
    (lambda p: p.with_suffix(".csv").write_text("Eje;Acción;Responsable\n1. Prevención;;MINNA\n"),
     "line 2, cell 3: the row gives a responsible but no activity"),
    (lambda p: p.with_suffix(".csv").write_text("Eje;Acción;Responsable\n1. Prevención;;\n"),
     "no activity was read for the plan"),
    (lambda p: p.with_suffix(".xlsx").write_bytes(b"PK\x03\x04 not really a workbook"),
     "not a readable Excel workbook"),
    (lambda p: _workbook(p.with_suffix(".xlsx"), [["Eje", "Acción", "Responsable"], ["1. Prevención", None, "MINNA"]],
                         FACTS),
     "sheet 'Actividades', row 2, column C: the row gives a responsible but no activity"),
    (lambda p: _workbook(p.with_suffix(".xlsx"), [["Eje", "Acción"], ["1. Prevención", "1.1.1 Hacer algo"]],
                         FACTS[:2]),
     "gives no jurisdiction"),
    (lambda p: _workbook(p.with_suffix(".xlsx"), [["Eje", "Acción"], ["1. Prevención", "1.1.1 Hacer algo"]],
                         [*FACTS[:2], ["País", "Narnia"]]),
     "sheet 'Plan', row 3, column B: no country is known as 'Narnia'"),
    (lambda p: _workbook(p.with_suffix(".xlsx"), [["Eje", "Acción"], ["1. Prevención", "1.1.1 Hacer algo"]],
                         FACTS[1:]), "nothing states the title"),
])
def test_a_broken_sheet_is_a_clear_error(cli, tmp_path, write, says):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write(corpus / "plan")
    document = next(corpus.glob("plan.*"))
    entry = f"- id: plan\n  file: {document.name}\n  title: Plan\n  layout: plan-table\n"
    if document.suffix == ".csv":  # a CSV file has no sheet of facts: its manifest entry states them
        entry += "  jurisdiction: PY\n  plan: {title: Plan de prueba, period: 2025}\n"
    (corpus / "sources.yaml").write_text(entry, encoding="utf-8")
    code, _, err = cli("--store", tmp_path / "store", "ingest", corpus)
    assert code == 2 and says in err and document.name in err and "Traceback" not in err, err
    assert not (tmp_path / "store").exists()


def test_a_sheet_given_to_a_text_layout_is_refused(cli, tmp_path):
    document = tmp_path / "plan.csv"
    shutil.copy(PARAGUAY / "plan.csv", document)
    code, _, err = cli("--store", tmp_path / "store", "ingest", document, "--layout", "national-plan-frame",
                       "--jurisdiction", "PY")
    assert code == 2 and "reads .txt, .md files, and 'plan.csv' is a .csv file" in err and "plan-table" in err


# A UN Treaty Collection status table ----------------------------------------------------------------

UNTC = DOCUMENTS / "untc-palermo"
PARTIES = {  # as the test extract prints them: (signature, consent, its kind)
    "AF": (None, "2014-08-15", "accession"), "AL": ("2000-12-12", "2002-08-21", "ratification"),
    "BO": ("2000-12-12", "2006-05-18", "ratification"), "CR": ("2001-03-16", "2003-09-09", "ratification"),
    "CU": (None, "2013-06-20", "accession"), "DK": ("2000-12-12", "2003-09-30", "ratification"),
    "GT": (None, "2004-04-01", "accession"), "JP": ("2002-12-09", "2017-07-11", "acceptance"),
    "ME": (None, "2006-10-23", "succession"), "NL": ("2000-12-12", "2005-07-27", "acceptance"),
    "PY": ("2000-12-12", "2004-09-22", "ratification"), "KR": ("2000-12-13", "2015-11-05", "ratification"),
    "TR": ("2000-12-13", "2003-03-25", "ratification"), "GB": ("2000-12-14", "2006-02-09", "ratification"),
    "ZW": (None, "2013-12-13", "accession"),
}


def _untc_workbook(path: Path) -> None:
    """The same extract as the depositary's page pasted into a workbook (dates stay text)."""
    import csv

    with (UNTC / "status.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    _workbook(path, rows)


@pytest.mark.parametrize("file", ["status.csv", "status.xlsx"])
def test_a_depositary_status_table_reads_exactly(cli, tmp_path, file):
    corpus = _copy(tmp_path, "untc-palermo")
    if file.endswith(".xlsx"):
        _untc_workbook(corpus / file)
        (corpus / "status.csv").unlink()
        manifest = corpus / "sources.yaml"
        manifest.write_text(manifest.read_text(encoding="utf-8").replace("status.csv", file), encoding="utf-8")
    code, _, err = cli("--store", tmp_path / "store", "ingest", corpus)
    assert code == 0, err
    assert "European Union is a participant that is not a state; its acts are not recorded [not-a-state]" in err
    assert "the row gives no date of an act and records nothing: '3 With a territorial exclusion" in err  # a note
    rows = run(Store(tmp_path / "store", must_exist=True), "ratifications", {"instrument": "XVIII-12-a"}).records()
    got: dict[str, list] = {}
    for r in rows:
        entry = got.setdefault(r["country_code"], [None, None, None])
        if r["action"] == "signature":
            entry[0] = r["date"]
        else:
            entry[1:] = [r["date"], r["action"]]
    assert {k: tuple(v) for k, v in got.items()} == PARTIES


@pytest.mark.parametrize("change, says", [
    (lambda t: t.replace("Cuba,", "Cubaa,"), "line 8, cell 1: no country is known as 'Cubaa'"),
    (lambda t: t.replace("9 Sep 2003", "31 Sep 2003"), "line 7, cell 3: 31/09/2003 is not a date of the calendar"),
    (lambda t: t.replace("20 Jun 2013 a", "20 Jun 2013 x"), "line 8, cell 3: '20 Jun 2013 x' is not a date"),
    (lambda t: t.replace("12 Dec 2000,21 Aug 2002", "12 Dec 2000 a,21 Aug 2002"), "a signature carries the mark"),
    (lambda t: t.replace("Participant,", "Country name,"), "no heading row names a participant column"),
])
def test_a_broken_status_table_is_a_clear_error(cli, tmp_path, change, says):
    corpus = _copy(tmp_path, "untc-palermo")
    table = corpus / "status.csv"
    table.write_text(change(table.read_text(encoding="utf-8")), encoding="utf-8")
    code, _, err = cli("--store", tmp_path / "store", "ingest", corpus)
    assert code == 2 and says in err and "status.csv" in err and "Traceback" not in err, err


def test_a_status_table_needs_its_treaty(cli, tmp_path):
    corpus = _copy(tmp_path, "untc-palermo")
    manifest = corpus / "sources.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("  instrument: XVIII-12-a\n", ""),
                        encoding="utf-8")
    code, _, err = cli("--store", tmp_path / "store", "ingest", corpus)
    assert code == 2 and "its manifest entry names none" in err


# A new country's plan from the templates ------------------------------------------------------------

def _fill(path: Path, sheet: str, rows: list[list], facts: dict[str, str] | None = None) -> None:
    """Fill a template as a curator does: values under its headings, plan facts beside their labels."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    for row in rows:
        book[sheet].append(row)
    if facts:
        for cells in book["Plan"].iter_rows(min_row=2):
            if cells[0].value in facts:
                cells[1].value = facts[cells[0].value]
    book.save(path)


def _fill_paraguay(bodies_file: Path, plan_file: Path) -> None:
    """Fill the bodies and plan templates with the Paraguay test plan, as a curator would."""
    import csv

    bodies = yaml.safe_load((PARAGUAY / "reference" / "actors" / "PY.yaml").read_text(encoding="utf-8"))
    _fill(bodies_file, "Órganos", [[b["key"], b["class"], b["name"]["es"], b["name"]["en"],
                                    "|".join(b.get("variants", [])), None] for b in bodies])
    with (PARAGUAY / "plan.tsv").open(encoding="utf-8", newline="") as fh:
        heading, *rows = list(csv.reader(fh, delimiter="\t"))
    order = ["Eje", "Objetivo", "Resultado", "Actividad", "Responsable", "Colaboradores", "Indicador", "Meta",
             "Medio de verificación", "Plazo", "Línea base"]
    columns = [order.index({"Acción": "Actividad"}.get(h, h)) for h in heading]
    filled = []
    for row in rows:
        cells: list[str | None] = [None] * len(order)
        for value, column in zip(row, columns, strict=True):
            cells[column] = value or None
        filled.append(cells)
    _fill(plan_file, "Actividades", filled, {
        "Título": "Plan Nacional de Prevención de la Explotación Sexual de Niñas, Niños y Adolescentes 2024-2026",
        "Período": "2024-2026", "País": "Paraguay", "Tipo de plan": "NationalPlan",
        "Emitido por": "Ministerio de la Niñez y la Adolescencia", "Clave": PY_KEY})


def test_a_new_countrys_plan_from_the_templates(cli, tmp_path):
    """The bodies template gives Paraguay's actors, the plan template its plan; no manifest, no
    reference data but the filled workbooks."""
    reference = tmp_path / "reference" / "actors"
    reference.mkdir(parents=True)
    assert cli("template", "bodies", "-o", reference / "PY.xlsx")[0] == 0
    assert cli("template", "plan", "-o", tmp_path / "plan.xlsx")[0] == 0
    _fill_paraguay(reference / "PY.xlsx", tmp_path / "plan.xlsx")
    code, _, err = cli("--store", tmp_path / "store", "ingest", tmp_path / "plan.xlsx",
                       "--reference", tmp_path / "reference")
    assert code == 0, err
    store = Store(tmp_path / "store", must_exist=True)
    outline = run(store, "plan-outline", {"plan": PY_KEY}).records()
    assert [(r["level"], r["notation"], r["label"]) for r in outline] == OUTLINE
    rows = run(store, "actor-activities", {"actor": str(ID["organization/py-mp"])}).records()
    assert {(r["notation"], r["role"]) for r in rows} == {("2.1.2", "responsible"), ("3.1.1", "responsible")}


def test_treaty_actions_from_the_template(cli, tmp_path):
    assert cli("template", "treaty-actions", "-o", tmp_path / "acts.xlsx")[0] == 0
    _fill(tmp_path / "acts.xlsx", "Actos", [
        ["Protocolo Facultativo sobre la venta de niños", "Paraguay", "Firma", "13/09/2000", None],
        [None, "Paraguay", "Ratificación", "18/08/2003", None],
        ["C182", "Paraguay", "Ratificación", "7/3/2001", None],
    ])
    code, _, err = cli("--store", tmp_path / "store", "ingest", tmp_path / "acts.xlsx")
    assert code == 0, err
    store = Store(tmp_path / "store", must_exist=True)
    rows = run(store, "country-instruments", {"country": "PY"}).records()
    assert sorted((r["action"], r["date"]) for r in rows) == [
        ("ratification", "2001-03-07"), ("ratification", "2003-08-18"), ("signature", "2000-09-13")]


# The README's worked examples, as printed --------------------------------------------------------

ROOT = HERE.parent


def _readme_examples() -> dict[str, tuple[list[list[str]], list[str]]]:
    """README "Add a document": per example, its commands and its manifest entries, as printed."""
    import shlex

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Add a document", 1)[1].split("\n## ", 1)[0]
    out = {}
    for part in section.split("\n### ")[1:]:
        title, body = part.split("\n", 1)
        commands = [shlex.split(line.strip())[1:] for line in body.splitlines() if line.startswith("    mandato ")]
        blocks = re.findall(r"((?:\n    [ -].*)+)", body)
        entries = [textwrap.dedent(b).strip() for b in blocks if b.strip().startswith("- id:")]
        out[title.strip()] = (commands, entries)
    return out


def _run_readme(cli, monkeypatch, title: str, cwd: Path, store: Path, before_ingest=None) -> list[str]:
    monkeypatch.chdir(cwd)
    monkeypatch.setenv("MANDATO_STORE", str(store))
    outputs = []
    for args in _readme_examples()[title][0]:
        if args[0] == "ingest" and before_ingest:
            before_ingest()
        code, out, err = cli(*args)
        assert code == 0, (args, err)
        outputs.append(out)
    return outputs


def test_readme_example_next_years_plan(cli, monkeypatch, tmp_path):
    title = "Next year's plan of a bundled commission"
    _, entries = _readme_examples()[title]
    manifest = yaml.safe_load((DOCUMENTS / "conacoes-2022" / "sources.yaml").read_text(encoding="utf-8"))
    assert [yaml.safe_load(e) for e in entries] == [manifest]  # the entry printed is the one read
    _, plans, outline = _run_readme(cli, monkeypatch, title, ROOT, tmp_path / "store")
    assert "cr-conacoes-plan-anual-2022" in plans and "cr-conacoes-2021" in plans
    assert "Impartir talleres regionales" in outline and "(11 rows)" in outline


def test_readme_example_new_countrys_plan(cli, monkeypatch, tmp_path):
    title = "A new country's plan from the templates"

    def fill() -> None:  # what the curator does in a spreadsheet program between the commands
        _fill_paraguay(tmp_path / "my-reference" / "actors" / "PY.xlsx", tmp_path / "plan.xlsx")

    (tmp_path / "my-reference" / "actors").mkdir(parents=True)
    *_, outline = _run_readme(cli, monkeypatch, title, tmp_path, tmp_path / "store", fill)
    assert "Crear una unidad fiscal especializada" in outline and "(13 rows)" in outline


def test_readme_example_status_table(cli, monkeypatch, tmp_path):
    title = "A UN Treaty Collection status table"
    _, entries = _readme_examples()[title]
    manifest = yaml.safe_load((UNTC / "sources.yaml").read_text(encoding="utf-8"))
    assert [yaml.safe_load(e) for e in entries] == [manifest]
    _, answer = _run_readme(cli, monkeypatch, title, ROOT, tmp_path / "store")
    assert "2000-12-12" in answer and "2004-09-22" in answer and "status.csv, line 15" in answer


# One plan, one source ---------------------------------------------------------------------------

def _conacoes_with_key(tmp_path: Path, extra: str = "") -> Path:
    corpus = _copy(tmp_path, "conacoes-2022")
    manifest = corpus / "sources.yaml"
    text = manifest.read_text(encoding="utf-8").replace("plan: {issued_by: cr-conacoes}",
                                                        "plan: {key: cr-conacoes-2021, issued_by: cr-conacoes}")
    manifest.write_text(text + extra, encoding="utf-8")
    return corpus


def test_a_plan_key_two_sources_define_is_an_error_naming_both(cli, tmp_path):
    corpus = _conacoes_with_key(tmp_path)
    code, _, err = cli("--store", tmp_path / "store", "ingest", CORPUS_DIR, corpus)
    assert code == 2 and "Traceback" not in err
    assert ("the plan cr-conacoes-2021 is defined both by source 'cr-conacoes-plan-anual-2021' and by source "
            "'cr-conacoes-plan-anual-2022'") in err and "cr-conacoes-plan-anual-2022.txt" in err
    assert not (tmp_path / "store").exists()


def test_a_plan_key_the_store_holds_from_another_source_is_an_error(cli, tmp_path):
    assert cli("--store", tmp_path / "store", "ingest")[0] == 0
    before = Store(tmp_path / "store", must_exist=True).dump(__import__("pyoxigraph").RdfFormat.N_QUADS)
    code, _, err = cli("--store", tmp_path / "store", "ingest", _conacoes_with_key(tmp_path))
    assert code == 2 and "(already in the store)" in err and "supersedes: cr-conacoes-plan-anual-2021" in err
    assert Store(tmp_path / "store", must_exist=True).dump(__import__("pyoxigraph").RdfFormat.N_QUADS) == before


def test_a_source_that_supersedes_another_may_define_its_plans(cli, tmp_path):
    corpus = _conacoes_with_key(tmp_path, "  supersedes: cr-conacoes-plan-anual-2021\n")
    code, _, err = cli("--store", tmp_path / "store", "ingest", CORPUS_DIR, corpus)
    assert code == 0, err
    store = Store(tmp_path / "store", must_exist=True)
    source = ID["source/cr-conacoes-plan-anual-2022"]
    assert _value(store, source, URIRef("http://purl.org/dc/terms/replaces")) == [
        str(ID["source/cr-conacoes-plan-anual-2021"])]


# Another country's national plan in a bundled layout, with small heading variations -------------------

GT_KEY = "gt-plan-nacional-trata-2024-2028"


@pytest.fixture(scope="module")
def guatemala(tmp_path_factory: pytest.TempPathFactory) -> Store:
    from mandato.cli import main

    tmp = tmp_path_factory.mktemp("guatemala")
    corpus = _copy(tmp, "guatemala-plan")
    assert main(["--store", str(tmp / "store"), "ingest", str(corpus), "--reference", str(corpus / "reference")]) == 0
    return Store(tmp / "store", must_exist=True)


def test_a_national_plan_with_heading_variations_reads_exactly(guatemala):
    rows = run(guatemala, "plan-outline", {"plan": GT_KEY}).records()
    assert [(r["level"], r["notation"], r["label"]) for r in rows] == [
        ("axis", "1", "PREVENCIÓN"),
        ("objective", "1",
         "Se reduce la tolerancia social frente a la trata de personas en las comunidades de origen."),
        ("axis", "2", "PERSECUCIÓN DEL DELITO"),
        ("objective", "2", "Se fortalece la investigación penal de la trata de personas."),  # on its heading line
        ("objective", "1.1", "Las comunidades reconocen las formas de captación."),
        ("activity", "1.1.1", "Difundir materiales de prevención en idiomas mayas."),
        ("activity", "1.1.2", "Capacitar a docentes de escuelas rurales."),
        ("objective", "2.1", "Se especializa la persecución penal."),
        ("activity", "2.1.1", "Crear fiscalías regionales contra la trata de personas."),
    ]
    plans = run(guatemala, "plans", {"country": "GT"}).records()
    assert [(p["plan"], p["title"], p["period"]) for p in plans] == [
        (GT_KEY, "PLAN NACIONAL DE ACCIÓN CONTRA LA TRATA DE PERSONAS 2024-2028", "2024-2028")]
    acts = run(guatemala, "country-instruments", {"country": "GT"}).records()
    assert [(a["depositary_id"], a["action"], a["date"]) for a in acts] == [("XVIII-12-a", "signature", "2002")]


def test_a_national_plan_with_heading_variations_gives_each_activity_its_bodies(guatemala):
    def roles(actor: str) -> set[tuple[str, str]]:
        rows = run(guatemala, "actor-activities", {"actor": str(ID[f"organization/{actor}"])}).records()
        return {(r["notation"], r["role"]) for r in rows}

    assert roles("gt-mineduc") == {("1.1.1", "responsible"), ("1.1.2", "responsible")}
    assert roles("gt-svet-test") == {("1.1.1", "responsible")}
    assert roles("gt-mp") == {("2.1.1", "responsible")} and roles("gt-pnc") == {("2.1.1", "responsible")}
    targets = _value(guatemala, ID[f"plan/{GT_KEY}/1/1/1-1/1-1-1"], MDO.hasTarget)
    assert len(targets) == 2  # "Materiales difundidos en cuatro idiomas.  Una campaña anual."


@pytest.mark.parametrize("change, says", [
    (lambda t: t.replace("# Marco Estratégico", "# Marco general"),
     "the heading '# MARCO ESTRATÉGICO' (frame) was not found; the nearest line is"),
    (lambda t: t.replace("# PLAN NACIONAL DE ACCIÓN CONTRA LA TRATA DE PERSONAS 2024-2028", "# PLAN NACIONAL"),
     "the plan's title and period the layout expects"),
    (lambda t: t.replace("## Objetivo estratégico 2:", "## Objetivo estratégico 3:"),
     "the matrix names strategic objective 3, which the strategic frame does not define"),
    (lambda t: t.replace("OBJETIVO INMEDIATO\tACCIONES", "OBJETIVO INMEDIATO\tTAREAS"),
     "no activity was read for the plan"),
])
def test_a_national_plan_that_differs_more_is_a_clear_error(cli, tmp_path, change, says):
    corpus = _copy(tmp_path, "guatemala-plan")
    document = corpus / "plan-nacional-gt-2024-2028.md"
    document.write_text(change(document.read_text(encoding="utf-8")), encoding="utf-8")
    code, _, err = cli("--store", tmp_path / "store", "ingest", corpus, "--reference", corpus / "reference")
    assert code == 2 and says in err and document.name in err and "Traceback" not in err, err


def test_a_layout_copied_beside_the_manifest_reads_what_the_built_in_one_does_not(cli, tmp_path):
    """A curator's copy of a built-in layout, edited: the matrices' activity column is headed
    TAREAS, which the built-in synonyms do not know."""
    from mandato.ingest.layouts import builtin_layouts

    corpus = _copy(tmp_path, "guatemala-plan")
    document = corpus / "plan-nacional-gt-2024-2028.md"
    document.write_text(document.read_text(encoding="utf-8").replace("INMEDIATO\tACCIONES", "INMEDIATO\tTAREAS"),
                        encoding="utf-8")
    layout = yaml.safe_load(builtin_layouts()["national-plan-frame"].path.read_text(encoding="utf-8"))
    frame = next(step for step in layout["steps"] if step["engine"] == "frame-matrices")
    frame["columns"] = {"objective": ["objetivo inmediato"], "activity": ["tareas"], "target": ["metas"],
                        "responsible": ["responsables"]}
    (corpus / "my-layout.yaml").write_text(yaml.safe_dump(layout, allow_unicode=True), encoding="utf-8")
    manifest = corpus / "sources.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("layout: national-plan-frame",
                                                                     "layout: my-layout.yaml"), encoding="utf-8")
    code, _, err = cli("--store", tmp_path / "store", "ingest", corpus, "--reference", corpus / "reference")
    assert code == 0, err
    rows = run(Store(tmp_path / "store", must_exist=True), "plan-outline", {"plan": GT_KEY}).records()
    assert [r["notation"] for r in rows if r["level"] == "activity"] == ["1.1.1", "1.1.2", "2.1.1"]


def test_a_workbook_with_a_sheet_per_axis_reads_every_sheet(cli, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Plan"
    for row in (["Título", "Plan de prueba"], ["Período", "2025"], ["País", "PY"]):
        book.active.append(row)
    for title, rows in (("Prevención", [["1. Prevención", "1.1.1 Informar"], ["1. Prevención", "1.1.2 Formar"]]),
                        ("Atención", [["2. Atención", "2.1.1 Atender"]]),
                        ("Más prevención", [["1. Prevención", "1.1.3 Sensibilizar"]])):
        sheet = book.create_sheet(title)
        sheet.append(["Eje", "Acción"])
        for row in rows:
            sheet.append(row)
    book.create_sheet("Notas").append(["Revisado por la mesa técnica en marzo."])
    book.save(tmp_path / "plan.xlsx")
    code, _, err = cli("--store", tmp_path / "store", "ingest", tmp_path / "plan.xlsx", "--layout", "plan-table")
    assert code == 0, err
    assert "sheet 'Notas': the sheet 'Notas' has no heading row of the layout; not read [unread-sheet]" in err
    rows = run(Store(tmp_path / "store", must_exist=True), "plan-outline", {"plan": "plan"}).records()
    assert sorted((r["level"], r["notation"], r["iri"].rsplit("/plan/plan/", 1)[1]) for r in rows) == [
        ("activity", "1.1.1", "1/1-1-1"), ("activity", "1.1.2", "1/1-1-2"), ("activity", "1.1.3", "1/1-1-3"),
        ("activity", "2.1.1", "2/2-1-1"), ("axis", "1", "1"), ("axis", "2", "2")]  # one axis on two sheets


@pytest.mark.parametrize("facts, says, code", [
    ("{title: P, period: 2025, kind: plan nacional, issued_by: Gobernación de Alto Paraná}",
     "'Gobernación de Alto Paraná' in the plan's issued by (manifest) matches no actor", 0),
    ("{title: P, period: 2025, issued_by: py-minnna}", "the issued_by 'py-minnna' is no organisation key", 2),
    ("{title: P, period: 2025, kind: plan quinquenal}", "the plan kind 'plan quinquenal' is not a plan class", 2),
])
def test_plan_facts_of_a_manifest(cli, tmp_path, facts, says, code):
    """A kind is named as the ontology or its labels name it; a body's name the reference lacks is
    kept and reported, as in a cell; a key that names nothing is a typo, an error."""
    corpus = _copy(tmp_path, "paraguay-plan")
    manifest = corpus / "sources.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text[: text.index("  plan:")] + f"  plan: {facts}\n", encoding="utf-8")
    got, _, err = cli("--store", tmp_path / "store", "ingest", corpus, "--reference", corpus / "reference")
    assert got == code and says in err, err
    if code == 0:
        plans = run(Store(tmp_path / "store", must_exist=True), "plans", {"country": "PY"}).records()
        assert [(p["kind"], p["issued_by"]) for p in plans] == [("plan nacional", "Gobernación de Alto Paraná")]
