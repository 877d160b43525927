"""Sources as data: documents the bundled corpus does not hold, added by a manifest entry and a
layout, never by Python (README, "Add a document"). The documents in tests/inputs/documents were
written for these tests in the layouts of the bundled corpus, with their own text and facts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
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
    assert after == before and len(before) == 49


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
