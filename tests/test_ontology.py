"""The ontology is the source of truth (STYLE 1, 13): consistent under HermiT, every term
labelled and defined in Spanish and English, every term used elsewhere declared."""

from __future__ import annotations

import re
import shutil

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD

from mandato.namespaces import ONTOLOGY_GRAPH, ONTOLOGY_IRI, PREFIXES
from mandato.packaged import QUERIES_DIR, SHAPES_DIR, VERSION_IRI, ontology_graph, shapes_graph
from mandato.store import Store

DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
BUILT_IN = (str(RDF), str(RDFS), str(OWL), str(XSD), str(SH))


def declared() -> set[URIRef]:
    g = ontology_graph()
    return {s for t in DECLARATIONS for s in g.subjects(RDF.type, t) if isinstance(s, URIRef)}


def needs_declaring(iri: URIRef) -> bool:
    return not str(iri).startswith(BUILT_IN) and not str(iri).startswith("https://w3id.org/mandato/id/")


def hermit(graph: Graph, tmp_path) -> list:
    """Run HermiT (owlready2, Java) on a graph; returns the unsatisfiable classes."""
    import owlready2

    path = tmp_path / "ontology.nt"
    path.write_bytes(graph.serialize(format="nt", encoding="utf-8"))
    world = owlready2.World()
    onto = world.get_ontology(path.as_uri()).load()
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return list(world.inconsistent_classes())


def test_consistent_under_hermit(tmp_path):
    assert shutil.which("java"), "install Java 17: HermiT needs it"
    assert hermit(ontology_graph(), tmp_path) == []


def test_hermit_catches_a_category_mistake(tmp_path):
    """Proves the reasoner really runs: a country that is also a treaty is inconsistent."""
    import owlready2

    g = Graph() + ontology_graph()
    thing = URIRef("https://w3id.org/mandato/id/test/thing")
    g.add((thing, RDF.type, URIRef(PREFIXES["mdo"] + "Country")))
    g.add((thing, RDF.type, URIRef(PREFIXES["mdo"] + "Convention")))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        hermit(g, tmp_path)


def test_every_term_has_labels_and_definitions_in_spanish_and_english():
    g = ontology_graph()
    missing = []
    for term in declared() - {RDFS.label}:
        for prop in (RDFS.label, SKOS.definition):
            langs = {o.language for o in g.objects(term, prop) if isinstance(o, Literal)}
            if not {"es", "en"} <= langs:
                missing.append(f"{term} {prop}")
    assert missing == []


def test_version_iri_comes_from_the_package_version():
    assert (ONTOLOGY_IRI, OWL.versionIRI, VERSION_IRI) in ontology_graph()


def _prefixed_terms(text: str, prefixes: dict[str, str]) -> set[URIRef]:
    terms = {URIRef(m) for m in re.findall(r"<(https?://[^>\s]+)>", text)}
    for prefix, local in re.findall(r"\b([a-z]+):([A-Za-z][\w-]*)", text):
        if prefix in prefixes:
            terms.add(URIRef(prefixes[prefix] + local))
    return {t for t in terms if not t.endswith(("#", "/"))}


def _vocabulary(terms: set[URIRef]) -> set[URIRef]:
    vocab_ns = [v for k, v in PREFIXES.items() if k not in ("rdf", "rdfs", "owl", "xsd")]
    return {t for t in terms if any(str(t).startswith(ns) for ns in vocab_ns) and needs_declaring(t)}


def test_every_term_of_the_shapes_is_declared():
    g = shapes_graph()
    used = set()
    for prop in (SH.path, SH["class"], SH.targetClass):
        used |= {o for o in g.objects(None, prop) if isinstance(o, URIRef)}
    for select in g.objects(None, SH.select):
        used |= _prefixed_terms(str(select), PREFIXES)
    used |= {URIRef(t) for t in _prefixed_terms(" ".join(p.read_text() for p in SHAPES_DIR.glob("*.ttl")), PREFIXES)}
    assert _vocabulary(used) - declared() == set()


def test_every_term_of_the_queries_is_declared():
    used = set()
    for path in QUERIES_DIR.glob("*.rq"):
        text = path.read_text()
        prefixes = dict(re.findall(r"PREFIX\s+(\w+):\s*<([^>]+)>", text))
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        used |= _prefixed_terms(body, prefixes)
    assert _vocabulary(used) - declared() == set()


def test_every_term_of_reader_output_is_declared(corpus_store: Store):
    data = Graph()
    for name in corpus_store.named_graphs():
        if name != str(ONTOLOGY_GRAPH):
            data += corpus_store.graph(name)
    used = set(data.predicates()) | {o for o in data.objects(None, RDF.type) if isinstance(o, URIRef)}
    undeclared = {t for t in used if needs_declaring(t)} - declared() - {OWL.sameAs}
    assert undeclared == set()
