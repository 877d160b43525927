"""Files shipped inside the package: ontology, shapes, saved queries, corpus, reference data."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from mandato import __version__
from mandato.namespaces import BASE, ONTOLOGY_IRI


def _dir(package: str) -> Path:
    return Path(str(resources.files(package)))


ONTOLOGY_DIR = _dir("mandato.ontology")
SHAPES_DIR = _dir("mandato.shapes")
QUERIES_DIR = _dir("mandato.queries")
CORPUS_DIR = _dir("mandato.data") / "corpus"
REFERENCE_DIR = _dir("mandato.data") / "reference"
CURATED_DIR = CORPUS_DIR / "curated"
VERSION_IRI = URIRef(f"{BASE}ontology/{__version__}")


@cache
def ontology_graph() -> Graph:
    """The ontology, with ``owl:versionIRI`` taken from the package version."""
    g = Graph()
    for path in sorted(ONTOLOGY_DIR.glob("*.ttl")):
        g.parse(path, format="turtle")
    g.add((ONTOLOGY_IRI, OWL.versionIRI, VERSION_IRI))
    return g


@cache
def shapes_graph() -> Graph:
    g = Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        g.parse(path, format="turtle")
    return g
