"""The ratification tables of the Regional Coalition's strategic plan (section IV, tables A, B)
and the treaty statements of Peru's national plan, read from the bundled corpus."""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from conftest import HERE, assert_golden
from mandato.ingest.base import ReadContext
from mandato.namespaces import ID, MDO
from mandato.pipeline import load_manifest, read_source
from mandato.registry import load_registry

GOLDEN = HERE / "golden" / "corett-treaty-actions.ttl"


def _source(source_id: str):
    return next(s for s in load_manifest() if s.id == source_id)


def _actions(graph: Graph) -> Graph:
    """Every triple about a treaty action or an attestation of one."""
    out = Graph()
    out.bind("mdo", MDO)
    for act in {*graph.subjects(RDF.type, MDO.TreatyAction), *graph.subjects(RDF.type, MDO.Attestation)}:
        for p, o in graph.predicate_objects(act):
            out.add((act, p, o))
    return out


def _said(graph: Graph, act: URIRef) -> URIRef:
    """What the one source read says of ``act``: its attestation."""
    (attestation,) = graph.subjects(MDO.attests, act)
    assert isinstance(attestation, URIRef)
    return attestation


def _read(source_id: str):
    return read_source(_source(source_id), load_registry())


def test_whole_tables_match_the_golden_file():
    graph, _ = _read("corett-plan-estrategico-2018-2027")
    assert_golden(_actions(graph), GOLDEN)


def test_every_dated_cell_is_one_action_and_nothing_else():
    """Counted independently of the reader: every table line with a date in its third cell."""
    source = _source("corett-plan-estrategico-2018-2027")
    lines = source.lines
    a = lines.index("A. INSTRUMENTOS INTERNACIONALES")
    b = lines.index("B. INSTRUMENTOS REGIONALES")
    c = lines.index("C. ACUERDOS REGIONALES")
    dated = re.compile(r"\d+\s*/\s*\d+\s*/\s*\d+")

    def count(lo: int, hi: int) -> int:
        cells = [ln.split("\t") for ln in lines[lo:hi]]
        return sum(1 for c in cells if len(c) > 2 and dated.search(c[2]))

    in_a, in_b = count(a, b), count(b, c)
    assert (in_a, in_b) == (112, 22)
    _, report = _read("corett-plan-estrategico-2018-2027")
    # Rep. Dominicana is listed twice under B-57, once empty: the merge keeps 22 acts from table B.
    assert (in_a + in_b) == 134
    # and 8 signatures of the Central American victims convention in the legal framework (section C)
    assert report.treaty_actions == in_a + in_b + 8


def test_table_a_is_day_first_and_marks_accessions():
    graph, _ = _read("corett-plan-estrategico-2018-2027")
    act = ID["treaty-action/un-iv-2/sv/consent"]  # "30 /11/ 1979 a"
    assert (_said(graph, act), MDO.actionKind, ID["treaty-action-kind/accession"]) in graph
    assert (_said(graph, act), MDO.mark, Literal("a")) in graph
    assert (act, MDO.sourceLine, Literal(378)) in graph
    c105 = ID["treaty-action/ilo-c105/cr/consent"]  # "04 /05/ 1959": 4 May
    assert (_said(graph, c105), MDO.actionDate, Literal("1959-05-04", datatype=XSD.date)) in graph


def test_table_b_is_month_first_with_two_digit_years_and_deposit_dates():
    graph, _ = _read("corett-plan-estrategico-2018-2027")
    # Costa Rica, Belém do Pará: "07/05/95	07/12/95 RA" is 5 July 1995, deposited 12 July 1995.
    act = ID["treaty-action/oas-a-61/cr/consent"]
    assert (_said(graph, act), MDO.depositDate, Literal("1995-07-12", datatype=XSD.date)) in graph
    # Mexico, Pact of San José: "03/02/81	03/24/81 AD" is an accession of 2 March 1981.
    mx = ID["treaty-action/oas-b-32/mx/consent"]
    assert (_said(graph, mx), MDO.depositDate, Literal("1981-03-24", datatype=XSD.date)) in graph
    assert (_said(graph, mx), MDO.actionKind, ID["treaty-action-kind/accession"]) in graph
    # Costa Rica, San José: "03/02/70" is 1970, not 2070.
    assert (ID["treaty-action/oas-b-32/cr/consent"], RDF.type, MDO.TreatyAction) in graph


def test_empty_cells_record_no_act():
    graph, _ = _read("corett-plan-estrategico-2018-2027")
    opcat = URIRef(ID["instrument/un-iv-9-b"])
    parties = {str(graph.value(a, MDO.party)).rsplit("/", 1)[-1] for a in graph.subjects(MDO.instrument, opcat)}
    assert parties == {"cr", "gt", "hn", "mx", "ni", "pa"}  # El Salvador and Rep. Dominicana are empty


def test_a_country_listed_twice_is_merged_and_reported():
    graph, report = _read("corett-plan-estrategico-2018-2027")
    minors = URIRef(ID["instrument/oas-b-57"])
    do_acts = [a for a in graph.subjects(MDO.instrument, minors) if graph.value(a, MDO.party) == ID["country/do"]]
    assert len(do_acts) == 1
    assert graph.value(_said(graph, do_acts[0]), MDO.actionDate) == Literal("2011-09-23", datatype=XSD.date)
    dup = [f for f in report.findings if f.code == "duplicate-row"]
    assert len(dup) == 1 and "532" in dup[0].message and "539" in dup[0].message
    assert (None, MDO.findingCode, Literal("duplicate-row")) in graph


def test_footnotes_that_cite_the_wrong_source_or_an_earlier_date_are_reported():
    _, report = _read("corett-plan-estrategico-2018-2027")
    # Nine tables (ICERD to the optional protocols) give one note, the CERD page; the
    # convention against organised crime and its protocol share a note rightly (not reported);
    # each table's own OAS page (notes 38-40) is not reported either.
    copied = [f for f in report.findings if f.code == "copied-footnote"]
    assert len(copied) == 1 and copied[0].line == 410
    assert re.findall(r"\(line (\d+), for", copied[0].message) == [
        "410", "412", "414", "416", "451", "490", "492", "494", "496"]
    assert "CERD.aspx" in copied[0].message
    # "Datos hasta febrero de 2006" (notes 31 and 32), above acts of October 2006 and of 2008.
    later = {f.line: f.message for f in report.findings if f.code == "act-after-as-at"}
    assert set(later) == {426, 434}
    assert "2006-10-26 (line 433)" in later[426]
    assert "2008-04-01 (line 437)" in later[434] and "2008-02-05 (line 441)" in later[434]
    assert "2004" not in later[434]  # acts up to February 2006 are not reported
    # That note is the 'as at' of each act the table gives on the protocol, cited on its line.
    graph, _ = _read("corett-plan-estrategico-2018-2027")
    said = _said(graph, ID["treaty-action/un-xviii-12-a/cr/consent"])
    assert graph.value(said, MDO.asAt) == Literal("2006-02", datatype=XSD.gYearMonth)
    assert 455 in {int(graph.value(graph.value(s, MDO.citation), MDO.sourceLine))
                   for s in graph.subjects(RDF.subject, said) if graph.value(s, RDF.predicate) == MDO.asAt}
    assert graph.value(_said(graph, ID["treaty-action/ilo-c182/cr/consent"]), MDO.asAt) is None  # no note


def test_every_action_keeps_source_and_line():
    graph, _ = _read("corett-plan-estrategico-2018-2027")
    for act in graph.subjects(RDF.type, MDO.TreatyAction):
        assert graph.value(act, MDO.sourceLine) is not None
        assert str(graph.value(act, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))).endswith(
            "/source/corett-plan-estrategico-2018-2027")


def test_peru_statements_keep_year_precision_and_report_what_is_undated():
    graph, report = _read("pe-plan-nacional-trata-2017-2021")
    ratification = ID["treaty-action/oas-b-32/pe/consent"]
    assert (_said(graph, ratification), MDO.actionDate, Literal("1978", datatype=XSD.gYear)) in graph
    assert (ratification, MDO.sourceLine, Literal(203)) in graph
    signature = ID["treaty-action/un-xviii-12-a/pe/signature"]
    assert (_said(graph, signature), MDO.actionDate, Literal("2000", datatype=XSD.gYear)) in graph
    # "Fue firmado … y entró en vigencia el 29 de setiembre de 2003": a signature binds no one, so
    # the date (the Convention's own entry into force) is a finding, not a fact of the signature.
    assert (_said(graph, signature), MDO.entryIntoForce, None) not in graph
    assert any(f.code == "entry-into-force-ambiguous" and "not recorded on the signature" in f.message
               for f in report.findings)
    # "los Estados que, como el Perú, la han ratificado" (line 184): an act of unknown date.
    undated = ID["treaty-action/un-xviii-12-a/pe/consent"]
    assert (_said(graph, undated), MDO.actionKind, ID["treaty-action-kind/ratification"]) in graph
    assert (_said(graph, undated), MDO.actionDate, None) not in graph
    assert report.treaty_actions == 3
    statements = {(f.code, f.line) for f in report.findings if f.line is not None and f.line < 300}
    assert statements == {("undated-act", 184), ("entry-into-force-ambiguous", 188)}


def test_readers_are_deterministic():
    first, _ = _read("corett-plan-estrategico-2018-2027")
    second, _ = _read("corett-plan-estrategico-2018-2027")
    assert set(first) == set(second)


def test_read_context_locations_name_the_file():
    ctx = ReadContext(_source("corett-plan-estrategico-2018-2027"), load_registry())
    assert str(ctx.where(372, 3)) == "corett-plan-estrategico-2018-2027.txt, line 372, cell 3"
