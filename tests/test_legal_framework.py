"""Institutions and legal mandates (issue 4): curated legal framework, legal references in plan
text, the coordination-bodies and activity-trace queries, on the real corpus and store."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from mandato.catalogue import run
from mandato.errors import IngestError
from mandato.ingest import ENGINES, legal_references
from mandato.ingest.base import ReadContext, Source
from mandato.ingest.curated_facts import Curated
from mandato.namespaces import ID, MDO
from mandato.packaged import CURATED_DIR
from mandato.pipeline import load_manifest, read_source
from mandato.registry import load_registry

PERU = "pe-plan-nacional-trata-2017-2021"
CORETT = "corett-plan-estrategico-2018-2027"


@pytest.fixture(scope="module")
def registry():
    return load_registry()


def _source(source_id: str) -> Source:
    return next(s for s in load_manifest() if s.id == source_id)


def _read(source_id: str, registry):
    return read_source(_source(source_id), registry)


# Curated facts are checked against the document --------------------------------------------------

def _curated_copy(tmp_path: Path, source_id: str, change) -> Path:
    curated = _source(source_id).curated
    assert curated is not None
    data = yaml.safe_load(curated.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / f"{source_id}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _entry(data: dict, key: str) -> dict:
    return next(e for section in ("instruments", "bodies", "plans") for e in data.get(section, []) if e["key"] == key)


@pytest.mark.parametrize("change, message", [
    (lambda d: _entry(d, "pe/ley/28950").update(quote="LEY N° 28951"), "'LEY N° 28951' is not on line 228"),
    (lambda d: _entry(d, "pe/ley/28950").update(line=99999), "line 99999 is not a line of"),
    (lambda d: _entry(d, "pe/ley/30251").update(date={"value": "2014", "line": 240, "quote": "2015"}),
     "'2015' is not on line 240"),
    (lambda d: _entry(d, "pe/decreto-supremo/001-2016-in").update(regulates="pe/ley/99999"),
     "'pe/ley/99999' names no instrument"),
    (lambda d: _entry(d, "pe/ley/28950").update(date="2007-13"), "has no month 13"),
])
def test_a_curated_fact_that_the_document_does_not_support_is_an_error(tmp_path, registry, change, message):
    path = _curated_copy(tmp_path, PERU, change)
    ctx = ReadContext(_source(PERU), registry)
    for step in ctx.source.layout.steps:
        ENGINES[step["engine"]](ctx, step)
    with pytest.raises(IngestError) as err:
        Curated(ctx, path).apply()
    assert message in str(err.value) and path.name in str(err.value)


def test_every_curated_file_is_named_by_a_source_of_the_corpus():
    files = sorted(CURATED_DIR.glob("*.yaml"))
    named = {s.curated.resolve() for s in load_manifest() if s.curated}
    assert files and {f.resolve() for f in files} == named


# What the readers record ------------------------------------------------------------------------

def test_peru_norms_timeline_and_commission(registry):
    g, report = _read(PERU, registry)
    ds = ID["instrument/pe/decreto-supremo/001-2016-in"]
    law = ID["instrument/pe/ley/28950"]
    cmnp = ID["organization/pe-cmnp-tptim"]
    assert (ds, RDF.type, MDO.SupremeDecree) in g
    assert (ds, MDO.adoptionDate, Literal("2016", datatype=XSD.gYear)) in g  # the timeline's year
    assert (ds, MDO.regulates, law) in g and (ds, MDO.creates, cmnp) in g
    assert (ds, MDO.dissolves, ID["organization/pe-gtmp-trata"]) in g
    assert (cmnp, MDO.hasLegalBasis, ds) in g
    assert (law, MDO.adoptsDefinitionOf, ID["instrument/un-xviii-12-a"]) in g
    assert (ID[f"plan/{PERU}"], MDO.coordinatedBy, cmnp) in g
    assert (ID["instrument/pe/decreto-supremo/004-2011-in"], MDO.approves,
            ID["plan/pe-plan-nacional-accion-trata-2011-2016"]) in g
    assert {(f.code, f.line) for f in report.findings} >= {("unnamed-instrument", 555), ("no-issuing-body", 541)}


def test_national_bodies_keep_the_precision_of_their_dates(registry):
    g, report = _read(CORETT, registry)
    assert (ID["instrument/sv/decreto-legislativo/824"], MDO.adoptionDate,
            Literal("2014-10-16", datatype=XSD.date)) in g
    assert (ID["instrument/ni/ley/896"], MDO.adoptionDate, Literal("2015-01", datatype=XSD.gYearMonth)) in g
    assert (ID["organization/sv-cnctp"], MDO.creationDate, Literal("2011-07", datatype=XSD.gYearMonth)) in g
    assert (ID["instrument/cr/decreto-ejecutivo/32824"], MDO.publicationDate,
            Literal("2005-12-16", datatype=XSD.date)) in g
    # The joint declaration is dated 2015 on line 545 and 2012 on line 86: no date, a finding.
    declaration = ID["instrument/regional/declaracion-conjunta-trata-centroamerica"]
    assert g.value(declaration, MDO.adoptionDate) is None
    assert set(g.objects(declaration, MDO.signatory)) == {ID[f"country/{c}"] for c in ("cr", "sv", "gt", "hn", "ni")}
    codes = {(f.code, f.line) for f in report.findings}
    assert {("date-disagreement", 545), ("body-not-described", 72), ("name-variant", 249)} <= codes


def test_a_regional_convention_signed_on_a_date_gives_one_signature_per_state(registry):
    g, _ = _read(CORETT, registry)
    convention = ID["instrument/regional/convenio-centroamericano-proteccion-victimas-testigos"]
    acts = list(g.subjects(MDO.instrument, convention))
    assert len(acts) == 8
    for act in acts:
        said = g.value(predicate=MDO.attests, object=act)  # what the plan says of it
        assert g.value(said, MDO.actionKind) == ID["treaty-action-kind/signature"]
        assert g.value(said, MDO.actionDate) == Literal("2007-12-11", datatype=XSD.date)
        assert g.value(act, MDO.sourceLine) == Literal(561)


# Legal references in plan text ------------------------------------------------------------------

def test_references_in_conacoes_activities(registry):
    g, report = _read("cr-conacoes-plan-anual-2021", registry)
    decree, regulation = ID["instrument/cr/decreto/31369"], ID["instrument/cr/reglamento/37563-mjtss"]
    activity = ID["plan/cr-conacoes-2021/3/general/2/2-2/2-2-1"]
    assert (activity, MDO.mentions, decree) in g
    assert (ID["plan/cr-conacoes-2021/3/general/2/2-1/2-1-1"], MDO.mentions, regulation) in g
    # The regulation is described by the curated file: no finding; the decree by no source: one.
    unknown = [f for f in report.findings if f.code == "unknown-instrument"]
    assert [(f.line, f.about) for f in unknown] == [(113, decree)]
    assert (decree, RDF.type, MDO.Decree) in g and (decree, MDO.number, Literal("31369")) in g


def test_references_found_in_any_plan_text(registry):
    """Known norms by number within the plan's country, treaties by any name, unknown norms kept."""
    ctx = ReadContext(_source(PERU), registry)
    g = ctx.graph
    plan, activity, target = URIRef(ID["plan/test"]), URIRef(ID["plan/test/1"]), URIRef(ID["plan/test/1/target-1"])
    g.add((plan, MDO.jurisdiction, ID["country/pe"]))
    g.add((activity, MDO.inPlan, plan))
    g.add((activity, MDO.sourceLine, Literal(7)))
    g.add((activity, SKOS.prefLabel, Literal("Difundir la Ley N° 28950 y el Protocolo de Palermo", lang="es")))
    g.add((activity, MDO.hasTarget, target))
    g.add((target, SKOS.prefLabel, Literal("Propuesta de Decreto Supremo N° 999-2020-IN aprobada", lang="es")))
    legal_references.read(ctx)
    assert set(g.objects(activity, MDO.mentions)) == {ID["instrument/pe/ley/28950"], ID["instrument/un-xviii-12-a"]}
    unknown = ID["instrument/pe/decreto-supremo/999-2020-in"]
    assert set(g.objects(target, MDO.mentions)) == {unknown}
    assert (unknown, RDF.type, MDO.SupremeDecree) in g
    assert [(f.code, f.line) for f in ctx.findings] == [("unknown-instrument", 7)]


# Saved queries ----------------------------------------------------------------------------------

def test_coordination_bodies_of_every_described_member_and_peru(corpus_store):
    rows = run(corpus_store, "coordination-bodies").records()
    assert list(rows[0])[:5] == ["country", "body", "acronym", "legal_basis", "legal_basis_date"]
    with_basis = {r["country_code"] for r in rows if r["legal_basis"]}
    # Every member of the Regional Coalition whose national body the strategic plan describes
    # (Belize's is not described), and Peru.
    assert {"CR", "GT", "SV", "HN", "NI", "PA", "DO", "MX", "PE"} <= with_basis
    assert "BZ" not in {r["country_code"] for r in rows}
    salvador = [r for r in rows if r["acronym"] == "CNCTP"]
    assert len(salvador) == 1 and salvador[0]["legal_basis_date"] == "2014-10-16"
    assert int(salvador[0]["members"]) == 14 and salvador[0]["created"] == "2011-07"
    regional = [r for r in rows if r["acronym"] == "CORETT"]
    assert regional and regional[0]["country"] is None and regional[0]["legal_basis_date"] == "2014"


def test_coordination_bodies_of_one_country_in_english(corpus_store):
    rows = run(corpus_store, "coordination-bodies", {"country": "Costa Rica", "lang": "en"}).records()
    assert {r["country_code"] for r in rows} == {"CR"}
    connatt = [r for r in rows if r["acronym"] == "CONNATT"]
    assert [r["legal_basis_date"] for r in connatt] == ["2005-12-16", "2013"]
    assert connatt[0]["body"].startswith("National Coalition")


def _trace(store, activity: str) -> list[dict]:
    rows = run(store, "activity-trace", {"activity": activity}).records()
    steps = [int(r["step"]) for r in rows]
    assert steps == sorted(steps) and steps[0] == 1 and rows[0]["relation"] == "activity"
    assert all(r["source"] for r in rows), "every step keeps its source"
    return rows


def test_trace_of_a_conacoes_defence_activity_reaches_the_decree_it_names(corpus_store):
    rows = _trace(corpus_store, "modificaciones al decreto N° 31369")
    by_node = {r["node_iri"]: r for r in rows}
    decree = by_node[str(ID["instrument/cr/decreto/31369"])]
    assert decree["relation"] == "names" and decree["from"] == "2.2.1"
    assert decree["source"] == "cr-conacoes-plan-anual-2021.txt, line 113"
    plan = by_node[str(ID["plan/cr-conacoes-2021"])]
    defence = by_node[str(ID["organization/cr-conacoes-defence"])]
    conacoes = [r for r in rows if r["node_iri"] == str(ID["organization/cr-conacoes"])]
    assert defence["relation"] == "coordinated by" and int(plan["step"]) < int(defence["step"]) < int(decree["step"])
    assert {r["relation"] for r in conacoes} == {"issued by", "part of"}
    assert by_node[str(ID["organization/cr-cnna"])]["relation"] == "approved by"


def test_trace_of_a_peru_action_reaches_the_protocol_and_perus_act(corpus_store):
    rows = _trace(corpus_store, "Fortalecer las instancias de gestión y articulación, en los tres niveles de gobierno")
    chain = [
        ("coordinated by", ID["organization/pe-cmnp-tptim"]),
        ("legal basis", ID["instrument/pe/decreto-supremo/001-2016-in"]),
        ("regulates", ID["instrument/pe/ley/28950"]),
        ("adopts definition of", ID["instrument/un-xviii-12-a"]),
        ("signature", ID["treaty-action/un-xviii-12-a/pe/signature"]),
    ]
    found = [next(r for r in rows if r["node_iri"] == str(iri)) for _, iri in chain]
    assert [r["relation"] for r in found] == [rel for rel, _ in chain]
    assert [int(r["step"]) for r in found] == sorted(int(r["step"]) for r in found)
    assert found[-1]["source"] == "pe-plan-nacional-trata-2017-2021.txt, line 188"
    assert found[2]["from_iri"] == str(ID["instrument/pe/decreto-supremo/001-2016-in"])


def test_trace_of_an_unknown_activity_lists_candidates(corpus_store):
    from mandato.errors import ParameterError
    with pytest.raises(ParameterError):
        run(corpus_store, "activity-trace", {"activity": "zzz no such activity"})
