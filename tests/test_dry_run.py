"""Dry run and review before anything is written (#12, item 4): `mandato ingest --dry-run` reads
and checks every source (layouts and shapes), writes nothing, and reports per source the nodes
that would be new, changed or removed and every problem with its file, sheet, row and column;
`--annotate OUT.xlsx` writes the curator's workbook back with the problems on their cells."""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import Workbook, load_workbook

from conftest import HERE
from mandato.packaged import CORPUS_DIR

DOCUMENTS = HERE / "inputs" / "documents"
PARAGUAY = DOCUMENTS / "paraguay-plan"


def test_a_dry_run_reports_and_writes_nothing(cli, tmp_path: Path):
    code, out, _ = cli("--store", tmp_path / "store", "ingest", PARAGUAY, "--reference", PARAGUAY / "reference",
                       "--dry-run")
    assert code == 0 and out.startswith("dry run: nothing was written")
    assert "py-plan-nacional-escnna-2024-2026 (plan.tsv): 42 new, 0 changed, 0 removed nodes" in out
    # the table the country's bodies came from: --reference's, not a bundled one (issue 31, item 7)
    assert ("warning: plan.tsv, line 5, cell 5: 'Gobernación de Alto Paraná' in the collaborator cell matches no "
            f"actor of {PARAGUAY / 'reference' / 'actors' / 'PY.yaml'}") in out
    assert "warning: plan.tsv, line 2: " in out and "1.1.1 The activity has no means of verification. [shape]" in out
    assert not (tmp_path / "store").exists()


def test_a_dry_run_against_the_store_counts_changes(cli, tmp_path: Path):
    store = tmp_path / "store"
    assert cli("--store", store, "ingest")[0] == 0
    code, out, _ = cli("--store", store, "ingest", "--dry-run")
    assert code == 0
    assert "cr-conacoes-plan-anual-2021 (cr-conacoes-plan-anual-2021.txt): 0 new, 0 changed, 0 removed" in out
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    plan = corpus / "cr-conacoes-plan-anual-2021.txt"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("Realizar reuniones ordinarias y extraordinarias", "Realizar reuniones ordinarias"),
                    encoding="utf-8")
    code, out, _ = cli("--store", store, "ingest", corpus, "--dry-run")
    # two activities (of two sub-commissions) print those words, and the source's checksum changes
    assert code == 0 and "(cr-conacoes-plan-anual-2021.txt): 0 new, 3 changed, 0 removed" in out
    # which nodes, by label and IRI (issue 31, item 1)
    assert "  changed: Realizar reuniones ordinarias con la participación de las instituciones que conforman la " \
           "Subcomisión de Trabajo de Promoción y Prevención.  <https://w3id.org/mandato/id/plan/cr-conacoes-2021/1/" \
           "general/1/1-1/1-1-1>" in out
    assert "  changed: " in out and "<https://w3id.org/mandato/id/source/cr-conacoes-plan-anual-2021>" in out


def test_a_dry_run_reports_every_source_and_exits_1_on_errors(cli, tmp_path: Path):
    corpus = tmp_path / "corpus"
    shutil.copytree(DOCUMENTS / "conacoes-2022", corpus)
    shutil.copy(PARAGUAY / "plan.tsv", corpus / "plan.tsv")
    (corpus / "broken.csv").write_text("Eje;Acción;Responsable\n1. Prevención;;MINNA\n", encoding="utf-8")
    manifest = corpus / "sources.yaml"
    text = manifest.read_text(encoding="utf-8")
    text = text.replace("plan: {issued_by", "plan: {key: cr-conacoes-2021, issued_by")
    text += "- id: broken\n  file: broken.csv\n  title: B\n  layout: plan-table\n  jurisdiction: PY\n"
    manifest.write_text(text + "  plan: {title: B, period: 2025}\n", encoding="utf-8")
    code, out, _ = cli("--store", tmp_path / "store", "ingest", CORPUS_DIR, corpus, "--dry-run")
    assert code == 1
    assert "broken (broken.csv): cannot be read" in out
    assert "error: broken.csv, line 2, cell 3: the row gives a responsible but no activity" in out
    assert ("error: cr-conacoes-plan-anual-2022.txt: the plan cr-conacoes-2021 is defined both by source "
            "'cr-conacoes-plan-anual-2021' and by source 'cr-conacoes-plan-anual-2022'") in out
    assert "pe-plan-nacional-trata-2017-2021 (pe-plan-nacional-trata-2017-2021.txt): " in out  # the rest reviewed
    assert not (tmp_path / "store").exists()


def test_annotate_writes_the_problems_on_their_cells(cli, tmp_path: Path):
    book = Workbook()
    facts = book.active
    facts.title = "Plan"
    for row in (["Título", "Plan de prueba"], ["Período", "2025"], ["País", "Paraguay"]):
        facts.append(row)
    sheet = book.create_sheet("Actividades")
    for row in (["Eje", "Actividad", "Responsable", "Colaboradores"],
                ["1. Prevención", "1.1.1 Hacer algo", "Ministerio de la Ninez", "Policía Nacional"]):
        sheet.append(row)
    book.save(tmp_path / "plan.xlsx")
    code, out, err = cli("--store", tmp_path / "store", "ingest", tmp_path / "plan.xlsx", "--layout", "plan-table",
                         "--reference", PARAGUAY / "reference", "--annotate", tmp_path / "annotated.xlsx")
    assert code == 0, err
    assert "(did you mean 'Ministerio de la Niñez y la Adolescencia' or" in out  # the nearest names, as candidates
    annotated = load_workbook(tmp_path / "annotated.xlsx")["Actividades"]
    responsible = annotated["C2"]
    assert responsible.comment is not None and "matches no actor" in responsible.comment.text
    assert responsible.fill.fgColor.rgb.endswith("FFEB9C")  # a warning: yellow
    assert annotated["D2"].comment is None  # Policía Nacional resolves
    assert annotated["A2"].comment is not None and "no indicator" in annotated["A2"].comment.text.lower()


def test_annotate_colours_errors_red(cli, tmp_path: Path):
    book = Workbook()
    book.active.title = "Plan"
    for row in (["Título", "Plan de prueba"], ["Período", "2025"], ["País", "PY"]):
        book.active.append(row)
    sheet = book.create_sheet("Actividades")
    sheet.append(["Eje", "Acción", "Responsable"])
    sheet.append(["1. Prevención", None, "MINNA"])
    book.save(tmp_path / "plan.xlsx")
    code, out, _ = cli("--store", tmp_path / "store", "ingest", tmp_path / "plan.xlsx", "--layout", "plan-table",
                       "--annotate", tmp_path / "annotated.xlsx")
    assert code == 1 and "error: plan.xlsx, sheet 'Actividades', row 2, column C: the row gives a responsible" in out
    cell = load_workbook(tmp_path / "annotated.xlsx")["Actividades"]["C2"]
    assert "error: the row gives a responsible but no activity" in cell.comment.text
    assert cell.fill.fgColor.rgb.endswith("FFC7CE")  # an error: red


def test_the_dry_run_of_an_unchanged_corpus_changes_nothing(cli, tmp_path: Path):
    """Issue 31, item 1: a decimal the store gives back canonical ("100" for "100.0") is no change
    (the dry run counted 34 and 25 changed nodes in CORETT's plans of an unchanged corpus)."""
    store = tmp_path / "store"
    assert cli("--store", store, "ingest")[0] == 0
    code, out, _ = cli("--store", store, "ingest", "--dry-run")
    summaries = [line for line in out.splitlines() if " new, " in line]
    assert code == 0 and len(summaries) == 5
    assert all(": 0 new, 0 changed, 0 removed nodes" in line for line in summaries), summaries


def test_a_depositary_table_dry_run_agrees_with_its_ingest(cli, tmp_path: Path):
    """The README's UN Treaty Collection example: the dry run reconciles the treaty actions as the
    ingest does (it reported dozens of shape errors, "needs exactly one kind", with exit 1)."""
    store = tmp_path / "store"
    code, out, _ = cli("--store", store, "ingest", CORPUS_DIR, DOCUMENTS / "untc-palermo", "--dry-run")
    assert code == 0 and "error:" not in out, out
    assert cli("--store", store, "ingest", CORPUS_DIR, DOCUMENTS / "untc-palermo")[0] == 0


def test_the_ingest_refuses_what_the_dry_run_reports_as_an_error(tmp_path: Path):
    """A source whose node breaks a shape (a national norm of two countries) is an error of the dry
    run and is refused by the ingest before anything is written, with the same message."""
    import pytest

    from mandato.cli import _refuse_violations
    from mandato.errors import IngestError
    from mandato.ingest.base import Source
    from mandato.namespaces import ID, MDO, source_graph
    from mandato.review import shape_problems

    source = Source("two-countries", tmp_path / "norm.txt", "A norm of two countries")
    norm = ID["instrument/xx/ley/1"]
    data = (f"<{norm}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{MDO.NationalNorm}> .\n"
            f"<{norm}> <{MDO.jurisdiction}> <{ID['country/cr']}> .\n"
            f"<{norm}> <{MDO.jurisdiction}> <{ID['country/pe']}> .\n"
            f"<{norm}> <{MDO.sourceLine}> \"7\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n").encode()
    graphs = {str(source_graph(source.id)): data}
    problems = shape_problems(graphs, None, [source])[source.id]
    errors = [p for p in problems if p.severity == "error"]
    assert {p.location.line for p in errors} == {7}
    assert any("exactly one country" in p.message for p in errors), errors
    with pytest.raises(IngestError) as refused:
        _refuse_violations(graphs, None, [source])
    assert errors[0].message in str(refused.value) and "nothing was written" in str(refused.value)
