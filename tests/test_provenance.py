"""Statement-level provenance, audited against the documents: every statement read from a
bundled source cites a line of it, every quote is on the line it cites, and text kept as
printed is printed on the lines its statement cites (a cell that runs on below its row cites
each of its lines). What a curator translated or inferred says so and is not audited as printed."""

from __future__ import annotations

import itertools
import re
from functools import cache

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from mandato.ingest.base import Source
from mandato.ingest.dates import MONTHS
from mandato.namespaces import ID, MDO
from mandato.normalise import normalise
from mandato.pipeline import load_manifest, read_source, registry_for
from mandato.provenance import BASES

# Values a reader keeps as the document prints them.
PRINTED = {SKOS.prefLabel, DCTERMS.title, SKOS.notation, MDO.function, MDO.vision, MDO.mission, MDO.challenge,
           MDO.number, MDO.acronym, MDO.approvalAct, MDO.deadline, MDO.baseline}
SOURCES = {s.id: s for s in load_manifest()}


@cache
def read(source_id: str) -> Graph:
    return read_source(SOURCES[source_id], registry_for(None))[0]


def statements(g: Graph):
    """(statement node, triple, cited lines of that triple, quote, basis) of every statement."""
    lines: dict[tuple, set[int]] = {}
    rows = []
    for node in g.subjects(MDO.citation, None):
        triple = (g.value(node, RDF.subject), g.value(node, RDF.predicate), g.value(node, RDF.object))
        line = g.value(g.value(node, MDO.citation), MDO.sourceLine)
        if line is not None:
            lines.setdefault(triple, set()).add(int(line))
        rows.append((node, triple, line, g.value(node, MDO.sourceText), g.value(node, MDO.basis)))
    return [(node, triple, line, sorted(lines.get(triple, ())), quote, basis)
            for node, triple, line, quote, basis in rows]


def printed_on(value: str, source: Source, lines: list[int]) -> bool:
    """``value`` is printed on ``lines``: within one of them, or as one cell of each, in order."""
    text = [source.lines[n - 1] for n in lines]
    wanted = normalise(value)
    if any(wanted in normalise(t) for t in text):
        return True
    cells = [[c for c in t.split("\t") if c.strip()] or [t] for t in text]
    return any(normalise(" ".join(choice)) == wanted or wanted in normalise(" ".join(choice))
               for choice in itertools.product(*cells))


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_every_statement_cites_a_place_of_its_source(source_id):
    g = read(source_id)
    rows = statements(g)
    assert rows, "the reader reified its statements"
    source_iri = SOURCES[source_id].iri
    for node, (s, p, o), line, _, _, _ in rows:
        citation = next(g.objects(node, MDO.citation))
        assert (citation, RDF.type, MDO.Citation) in g and g.value(citation, MDO.locator)
        assert g.value(citation, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")) == source_iri
        assert (s, p, o) in g, f"a statement node for a statement the graph does not hold: {s} {p} {o}"
        assert line is None or 1 <= int(line) <= len(SOURCES[source_id].lines)


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_every_quote_is_on_the_line_it_cites(source_id):
    source, g = SOURCES[source_id], read(source_id)
    wrong = [(int(line), str(quote)) for _, _, line, _, quote, _ in statements(g)
             if quote is not None and line is not None
             and normalise(str(quote)) not in normalise(source.lines[int(line) - 1])]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_text_kept_as_printed_is_printed_where_it_is_cited(source_id):
    source, g = SOURCES[source_id], read(source_id)
    wrong = []
    for _, (_, p, o), line, lines, quote, basis in statements(g):
        if p not in PRINTED or basis is not None or quote is not None or not lines or line is None:
            continue
        if not printed_on(str(o), source, lines):
            wrong.append((lines, p.n3(g.namespace_manager), str(o)[:80]))
    assert not wrong, wrong[:5]


# Bounds of a period a table names ("I Semestre", "Año 2020"): the day and month are the period's.
BOUNDS = {(1, 1), (6, 30), (7, 1), (12, 31)}
ENGLISH_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def number_printed(value: Literal, text: str) -> bool:
    """A date or number read from ``text`` is printed there: a date's year (four digits or two),
    month (a number or its name) and day, in any order or form (09 /09/ 2003, 9/9/03, 9 de
    septiembre de 2003, 9 Sep 2003); the first or last day of a semester or year the text names;
    a number as a number (50 as "50%")."""
    numbers = re.findall(r"\d+(?:[.,]\d+)?", text)
    if value.datatype not in (XSD.date, XSD.gYear, XSD.gYearMonth):
        return float(value) in {float(n.replace(",", ".")) for n in numbers}
    ints = {int(n) for n in numbers if n.isdigit()}
    year, *rest = (int(p) for p in str(value).split("-"))
    if year not in ints and year % 100 not in ints:
        return False
    words = normalise(text).split()
    if len(rest) == 2 and tuple(rest) in BOUNDS and {"semestre", "ano", "year"} & set(words):
        return True
    month_named = bool(rest) and any(MONTHS.get(w) == rest[0] or w[:3] == ENGLISH_MONTHS[rest[0] - 1] for w in words)
    return (not rest or rest[0] in ints or month_named) and (len(rest) < 2 or rest[1] in ints)


@pytest.mark.parametrize("source_id", sorted(SOURCES))
def test_dates_and_numbers_are_printed_where_they_are_cited(source_id):
    # mdo:order is a step's place in the document, not a value it prints.
    source, g = SOURCES[source_id], read(source_id)
    wrong = []
    for _, (_, p, o), _, lines, quote, basis in statements(g):
        if not isinstance(o, Literal) or o.datatype is None or p == MDO.order or basis is not None or not lines:
            continue
        text = str(quote) if quote is not None else " ".join(source.lines[n - 1] for n in lines)
        if not number_printed(o, text):
            wrong.append((lines, p.n3(g.namespace_manager), str(o), text[:80]))
    assert not wrong, wrong[:5]


def test_a_treaty_actions_label_is_composed_in_both_languages_and_cites_nothing(corpus_store):
    # The act's label and values are set across sources (the reconciled graph): the label is made
    # by mandato and cites nothing; its kind and date cite the line of the source they come from.
    act = ID["treaty-action/un-xviii-12-a/pe/signature"]
    rows = corpus_store.select(f"""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX mdo: <https://w3id.org/mandato/ontology#>
        SELECT ?label ?p ?line WHERE {{
          {{ <{act}> skos:prefLabel ?label }}
          UNION
          {{ ?s rdf:subject <{act}> ; rdf:predicate ?p ; mdo:citation/mdo:sourceLine ?line }}
        }}""").rows
    labels = {r[0].language: r[0].value for r in rows if r[0] is not None}
    assert labels["es"] == "Perú: firma, Protocolo para Prevenir, Reprimir y Sancionar la Trata de Personas, " \
        "Especialmente Mujeres y Niños (2000)"
    assert labels["en"].startswith("Peru: signature, ")
    cited = {(r[1].value.rsplit("#", 1)[-1], int(r[2].value)) for r in rows if r[1] is not None}
    assert {("actionKind", 188), ("actionDate", 188), ("party", 188), ("instrument", 182)} <= cited
    assert not any(p == "prefLabel" for p, _ in cited)


def test_a_curators_english_name_is_marked_as_a_translation():
    g = read("pe-plan-nacional-trata-2017-2021")
    body = ID["organization/pe-gtmp-trata"]
    bases = {(str(o), o.language): basis for _, (s, p, o), _, _, _, basis in statements(g)
             if s == body and p == SKOS.prefLabel and isinstance(o, Literal)}
    assert bases[("Permanent Multisectoral Working Group against Trafficking in Persons", "en")] == BASES["translated"]
    assert bases[("Grupo de Trabajo Multisectorial Permanente contra la Trata de Personas", "es")] is None


def test_a_link_cites_the_line_that_states_it_not_its_subjects_line():
    g = read("pe-plan-nacional-trata-2017-2021")
    plan = ID["plan/pe-plan-nacional-trata-2017-2021"]
    cited = {p: lines for _, (s, p, o), _, lines, _, _ in statements(g) if s == plan}
    assert cited[MDO.coordinatedBy] == [541]  # "¿CÓMO IMPLEMENTAMOS…?", not the title's line
    assert cited[DCTERMS.title][0] == int(g.value(plan, MDO.sourceLine))  # and the line the title runs on to
    law = ID["instrument/pe/ley/28950"]
    definition = {tuple(lines) for _, (s, p, o), _, lines, _, _ in statements(g)
                  if s == law and p == MDO.adoptsDefinitionOf}
    assert definition == {(73,)}


def test_an_act_cites_the_heading_that_names_its_treaty_and_its_own_line():
    g = read("corett-plan-estrategico-2018-2027")
    source = SOURCES["corett-plan-estrategico-2018-2027"]
    for _, (s, p, _), _, lines, _, _ in statements(g):
        if p == MDO.instrument and (s, RDF.type, MDO.TreatyAction) in g:
            act_line = int(g.value(s, MDO.sourceLine))
            assert act_line in lines and len(lines) <= 2
            named = [n for n in lines if n != act_line]
            assert all(source.lines[n - 1].split("\t")[0].strip() for n in named)


def test_a_curators_inference_is_marked_with_the_reason_and_the_file():
    # Line 74 names the Lineamientos de Actuación as the document that sets CORETT's make-up; the
    # curator infers from it that they are its legal basis, and says so.
    g = read("corett-plan-estrategico-2018-2027")
    rows = [(node, lines, basis) for node, (s, p, _), _, lines, _, basis in statements(g)
            if s == ID["organization/corett"] and p == MDO.hasLegalBasis]
    assert [(lines, basis) for _, lines, basis in rows] == [([74], BASES["inferred"])]
    note = str(g.value(rows[0][0], SKOS.editorialNote))
    assert "corett-plan-estrategico-2018-2027.yaml" in note and "does not say" in note


def test_what_the_manifest_entry_says_of_a_plan_is_the_curators_inference():
    # CONACOES's work plan does not print who issued it; the manifest entry says CONACOES.
    # Norms a plan names without their country take the plan's, as an inference too.
    g = read("cr-conacoes-plan-anual-2021")
    plan = ID["plan/cr-conacoes-2021"]
    rows = [(node, basis) for node, (s, p, o), *_, basis in statements(g)
            if (s, p, o) == (plan, MDO.issuedBy, ID["organization/cr-conacoes"])]
    assert [basis for _, basis in rows] == [BASES["inferred"]]
    assert "manifest entry" in str(g.value(rows[0][0], SKOS.editorialNote))
    norm = ID["instrument/cr/decreto/31369"]
    assert [basis for _, (s, p, _), *_, basis in statements(g) if (s, p) == (norm, MDO.jurisdiction)] == [
        BASES["inferred"]]
    # A fact the cover prints is stated, not inferred: the plan's title.
    assert {basis for _, (s, p, _), *_, basis in statements(g) if (s, p) == (plan, DCTERMS.title)} == {None}


def test_the_trace_says_which_relation_a_curator_inferred(corpus_store):
    from mandato.catalogue import run
    rows = run(corpus_store, "activity-trace",
               {"activity": "Mapeo de actores nacionales regionales y extra regionales"}).records()
    basis = {r["relation"]: r["basis"] for r in rows if r["from_iri"] == str(ID["organization/corett"])}
    assert basis == {"legal basis": "inferred"}
    assert all(not r["basis"] for r in rows if r["relation"] in ("activity", "part of"))


def test_an_inference_without_a_reason_is_an_error(tmp_path):
    import shutil

    from mandato.errors import IngestError
    from mandato.packaged import CORPUS_DIR
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    curated = corpus / "curated" / "corett-plan-estrategico-2018-2027.yaml"
    text = curated.read_text(encoding="utf-8")
    start = text.index("      inferred: ")
    curated.write_text(text[:start] + '      inferred: ""\n' + text[text.index("\n", start) + 1:], encoding="utf-8")
    source = next(s for s in load_manifest(corpus) if s.id == "corett-plan-estrategico-2018-2027")
    with pytest.raises(IngestError, match="gives no reason"):
        read_source(source, registry_for(None))
