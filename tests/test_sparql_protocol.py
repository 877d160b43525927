"""The SPARQL 1.1 Protocol on ``/sparql``: the W3C protocol test manifest (tests/inputs/
w3c-sparql-protocol) run request by request against a real `mandato serve`, and against `oxigraph
serve` as the reference, each on a store holding the manifest's data as the named graphs it labels;
then what the manifest leaves out and clients rely on: a query's own FROM and FROM NAMED, every
format SPARQLWrapper asks for, rdflib's SPARQLStore on one named graph."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from conftest import HERE, served
from mandato.remote import RemoteStore, push
from mandato.store import Store
from servers import OxigraphServer

SUITE = HERE / "inputs" / "w3c-sparql-protocol"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
FORMATS = {  # mf:expectedFormat: the media types that format may come in (SPARQL 1.1 Protocol §2.1.6)
    "boolean": {"application/sparql-results+xml", "application/sparql-results+json", "application/json",
                "application/xml"},
    "tabular": {"application/sparql-results+xml", "application/sparql-results+json", "application/json",
                "application/xml", "text/csv", "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples", "text/html", "application/xhtml+xml"},
}
DATA1 = "http://kasei.us/2009/09/sparql/data/data1.rdf"
DATA2 = "http://kasei.us/2009/09/sparql/data/data2.rdf"


@dataclass
class Step:
    method: str
    path: str  # after the endpoint's own path, as the manifest gives it after "/sparql/"
    headers: dict[str, str]
    body: bytes | None
    statuses: set[str]  # "2xx", "3xx", "4xx"
    boolean: bool | None
    format: str | None


@dataclass
class Case:
    name: str
    title: str
    steps: list[Step]

    @property
    def is_update(self) -> bool:
        """A case whose first request is an update: expected to succeed, refused here (read-only)."""
        first = self.steps[0]
        text = (first.body or b"").decode("utf-8", errors="replace") + first.path
        return "2xx" in first.statuses and (
            "sparql-update" in first.headers.get("content-type", "") or "update=" in text or "using-" in text)


def _manifest() -> tuple[list[Case], dict[str, Path]]:
    g = Graph().parse(SUITE / "manifest.ttl", format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    data = {str(g.value(d, RDFS.label)): SUITE / Path(str(g.value(d, UT.graph))).name
            for d in g.objects(None, UT.graphData)}
    cases = []
    for entry in Collection(g, g.value(manifest, MF.entries)):
        steps = []
        for request in Collection(g, g.value(g.value(entry, MF.action), HT.requests)):
            headers = {}
            if (listed := g.value(request, HT.headers)) is not None:
                headers = {str(g.value(h, HT.fieldName)).lower(): str(g.value(h, HT.fieldValue))
                           for h in Collection(g, listed)}
            charset = next((p.split("=", 1)[1] for p in headers.get("content-type", "").split(";")
                            if p.strip().lower().startswith("charset=")), "utf-8")
            chars = g.value(g.value(request, HT.body), CNT.chars)
            response = g.value(request, HT.resp)
            boolean = g.value(response, MF.expectedBoolean)
            fmt = g.value(response, MF.expectedFormat)
            steps.append(Step(str(g.value(request, HT.methodName)), str(g.value(request, HT.absolutePath))[8:],
                              headers, None if chars is None else str(chars).encode(charset.strip()),
                              {str(s).removeprefix(str(HTS.StatusCode))
                               for s in g.objects(response, MF.expectedStatus)},
                              None if boolean is None else boolean.toPython(), None if fmt is None else str(fmt)))
        cases.append(Case(entry.split("#")[-1], str(g.value(entry, MF.name)), steps))
    return cases, data


CASES, DATA = _manifest()


def _boolean(r: httpx.Response) -> bool:
    if "json" in r.headers["content-type"]:
        return r.json()["boolean"]
    element = ET.fromstring(r.content).find("{http://www.w3.org/2005/sparql-results#}boolean")
    assert element is not None, r.text
    return element.text == "true"


def check(endpoint: str, step: Step) -> httpx.Response:
    """Send one request of the manifest and check its answer as the manifest says."""
    r = httpx.request(step.method, endpoint + step.path, headers=step.headers, content=step.body, timeout=10)
    assert f"{r.status_code // 100}xx" in step.statuses, (r.status_code, r.text[:300])
    if step.format is not None:
        assert r.headers["content-type"].split(";")[0] in FORMATS[step.format], r.headers["content-type"]
    if step.boolean is not None:
        assert _boolean(r) is step.boolean
    return r


@pytest.fixture(scope="module")
def mandato_endpoint(tmp_path_factory):
    path = tmp_path_factory.mktemp("protocol") / "store"
    Store(path).replace_graphs({name: file.read_bytes() for name, file in DATA.items()})
    with served(path) as (base, _):
        yield base + "/sparql"


@pytest.fixture(scope="module")
def oxigraph_endpoint(tmp_path_factory):
    server = OxigraphServer(tmp_path_factory.mktemp("protocol-oxigraph") / "data").start()
    local = Store(None)
    local.replace_graphs({name: file.read_bytes() for name, file in DATA.items()})
    push(local, RemoteStore(server.endpoint()))
    yield server.base + "/query"
    server.stop()


@pytest.fixture(scope="module")
def remote_endpoint(oxigraph_endpoint):
    """`mandato serve --endpoint` over the reference: the request's dataset goes along."""
    with served(oxigraph_endpoint) as (base, _):
        yield base + "/sparql"


def test_the_manifest_is_read_whole():
    assert len(CASES) == 34 and len(DATA) == 3
    assert sum(c.is_update for c in CASES) == 7  # update_dataset_* (4), update_post_form/direct, update_base_uri
    assert all(c.steps for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_w3c_protocol_case(mandato_endpoint, case):
    if case.is_update:  # read-only: refused, with the reason, and nothing changed
        first = case.steps[0]
        r = httpx.request(first.method, mandato_endpoint + first.path, headers=first.headers, content=first.body)
        assert r.status_code == 403 and "read-only" in r.json()["error"]
        assert httpx.get(mandato_endpoint, params={"query": "ASK { ?s ?p ?o }"},
                         headers={"Accept": "application/sparql-results+json"}).json()["boolean"] is True
        return
    for step in case.steps:
        check(mandato_endpoint, step)


# Where `oxigraph serve` (0.5) answers otherwise than the manifest expects, and what it answers.
REFERENCE_DEVIATES = {"query_content_type_describe": "application/n-quads",
                      "query_content_type_construct": "application/n-quads"}


@pytest.mark.parametrize("case", [c for c in CASES if not c.is_update], ids=lambda c: c.name)
def test_w3c_protocol_case_on_the_reference(oxigraph_endpoint, case):
    """The same requests against `oxigraph serve`: the runner reads the manifest right. Oxigraph
    answers a CONSTRUCT or DESCRIBE without Accept in N-Quads, which the manifest does not list."""
    for step in case.steps:
        if case.name in REFERENCE_DEVIATES:
            r = httpx.request(step.method, oxigraph_endpoint + step.path, headers=step.headers, content=step.body)
            assert r.status_code == 200 and r.headers["content-type"] == REFERENCE_DEVIATES[case.name]
        else:
            check(oxigraph_endpoint, step)


def _count(endpoint: str, query: str, **params: str | list[str]) -> int:
    r = httpx.get(endpoint, params={"query": query, **params}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


TRIPLES = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
NAMED = "SELECT (COUNT(*) AS ?n) {} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"


@pytest.mark.parametrize("which", ["mandato", "oxigraph", "remote"])
def test_the_dataset_of_a_request(request, which):
    """The protocol's parameters and FROM NAMED choose the graphs; the union of the named graphs
    is the default graph only when the request names none."""
    endpoint = request.getfixturevalue(f"{which}_endpoint")
    assert _count(endpoint, TRIPLES.format("")) == 3
    assert _count(endpoint, TRIPLES.format(""), **{"default-graph-uri": DATA2}) == 1
    assert _count(endpoint, TRIPLES.format(f"FROM <{DATA1}>"), **{"default-graph-uri": [DATA1, DATA2]}) == 2
    assert _count(endpoint, NAMED.format("")) == 3
    assert _count(endpoint, NAMED.format(f"FROM NAMED <{DATA1}>")) == 1
    assert _count(endpoint, NAMED.format(""), **{"named-graph-uri": DATA2}) == 1
    assert _count(endpoint, NAMED.format(""), **{"default-graph-uri": DATA1}) == 0


def test_from_chooses_the_default_graph(mandato_endpoint, oxigraph_endpoint):
    """A query's FROM replaces the union (SPARQL 1.1 §13.2): a count over one named graph counts
    that graph. `oxigraph serve --union-default-graph` keeps the union and ignores FROM (the
    deviation docs/remote-stores.md warns of)."""
    assert _count(mandato_endpoint, TRIPLES.format(f"FROM <{DATA1}>")) == 1
    assert _count(mandato_endpoint, TRIPLES.format(f"FROM <{DATA1}> FROM <{DATA2}>")) == 2
    assert _count(mandato_endpoint, TRIPLES.format(f"FROM NAMED <{DATA1}>")) == 0
    assert _count(oxigraph_endpoint, TRIPLES.format(f"FROM <{DATA1}>")) == 3


def test_dataset_parameters_must_be_iris(mandato_endpoint):
    r = httpx.get(mandato_endpoint, params={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert r.status_code == 400 and "default-graph-uri must be an absolute IRI" in r.json()["error"]


@pytest.mark.parametrize("which", ["mandato", "oxigraph", "remote"])
def test_relative_iris_resolve_against_the_endpoint(request, which):
    endpoint = request.getfixturevalue(f"{which}_endpoint")
    r = httpx.post(endpoint, content=b"CONSTRUCT { <s> <p> 1 } WHERE {}",
                   headers={"Content-Type": "application/sparql-query", "Accept": "application/n-triples"})
    assert r.status_code == 200 and r.text.startswith(f"<{endpoint.rsplit('/', 1)[0]}/s> ")


SELECT = f"SELECT ?type FROM <{DATA1}> WHERE {{ <{DATA1}> a ?type }}"
CONSTRUCT = f"CONSTRUCT {{ ?s a ?type }} WHERE {{ GRAPH <{DATA1}> {{ ?s a ?type }} }}"


@pytest.mark.parametrize(("fmt", "media"), [(JSON, "json"), (XML, "xml"), (CSV, "text/csv"),
                                            (TSV, "text/tab-separated-values")])
def test_sparqlwrapper_result_formats(mandato_endpoint, fmt, media):
    client = SPARQLWrapper(mandato_endpoint)
    client.setQuery(SELECT)
    client.setReturnFormat(fmt)
    response = client.query().response
    assert media in response.headers["content-type"]
    assert b"http://xmlns.com/foaf/0.1/Document" in response.read()


@pytest.mark.parametrize(("fmt", "rdflib_format"), [(TURTLE, "turtle"), (N3, "turtle"), (RDFXML, "xml"),
                                                    (XML, "xml"), (JSONLD, "json-ld")])
def test_sparqlwrapper_graph_formats(mandato_endpoint, fmt, rdflib_format):
    client = SPARQLWrapper(mandato_endpoint)
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(fmt)
    graph = Graph().parse(data=client.query().response.read(), format=rdflib_format)
    assert set(graph) == {(URIRef(DATA1), RDF.type, URIRef("http://xmlns.com/foaf/0.1/Document"))}


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_on_a_named_graph(mandato_endpoint, method):
    graph = Graph(store=SPARQLStore(mandato_endpoint, method=method), identifier=URIRef(DATA2))
    assert [str(s) for s, _, _ in graph] == [DATA2]
    assert len(graph) == 1
    assert [str(row[0]) for row in graph.query("SELECT ?s WHERE { ?s a ?t }")] == [DATA2]


def test_the_service_description_names_every_graph(mandato_endpoint):
    r = httpx.get(mandato_endpoint, headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    names = {str(o) for o in Graph().parse(data=r.text, format="json-ld").objects(
        None, URIRef("http://www.w3.org/ns/sparql-service-description#name"))}
    assert names == set(DATA)
    assert json.loads(r.text)
