"""Namespaces and IRI minting (design note §3).

Terms live under ``https://w3id.org/mandato/ontology#`` (``mdo:``); resources under
``https://w3id.org/mandato/id/<kind>/<key>``; named graphs under ``https://w3id.org/mandato/graph/``.
Keys are minted from stable identifiers only, so the same input always gives the same IRIs.
"""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, XSD

from mandato.normalise import slug

BASE = "https://w3id.org/mandato/"
MDO = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("https://schema.org/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
WD = Namespace("http://www.wikidata.org/entity/")

ONTOLOGY_IRI = URIRef(BASE + "ontology")
ONTOLOGY_GRAPH = GRAPH["ontology"]
REGISTRY_GRAPH = GRAPH["registry"]
SOURCE_GRAPH_PREFIX = GRAPH["source/"]

PREFIXES: dict[str, str] = {
    "mdo": str(MDO),
    "org": str(ORG),
    "eli": str(ELI),
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "foaf": str(FOAF),
}

_KEY = re.compile(r"^[a-z0-9][a-z0-9.\-/]*$")


def class_term(name: str) -> URIRef:
    """An ontology class named in data files: ``org:Organization``, ``mdo:Commission`` or, bare,
    ``Commission`` (a term of mandato's ontology)."""
    prefix, _, local = name.rpartition(":")
    return {"": MDO, "mdo": MDO, "org": ORG}[prefix][local]


def resource(kind: str, *parts: str) -> URIRef:
    """The IRI of a resource of ``kind`` whose key is made of ``parts`` (each slugged)."""
    key = "/".join(slug(p) for p in parts)
    if not _KEY.match(key):
        raise ValueError(f"cannot mint an IRI key from {parts!r}")
    return ID[f"{kind}/{key}"]


def source_graph(source_id: str) -> URIRef:
    return GRAPH[f"source/{slug(source_id)}"]


def source_iri(source_id: str) -> URIRef:
    return resource("source", source_id)
