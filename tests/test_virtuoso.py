"""Virtuoso (Debian's virtuoso-opensource 7.2) as a second real engine beside Oxigraph server, both
started and stopped by these tests: push through the Graph Store protocol and SPARQL Update with
Digest and Basic authentication, every saved query with the same rows as the embedded store on both
servers, export, validate and serve over ``--endpoint``, the row cap and partial answers reported,
and Virtuoso's blank nodes read."""

from __future__ import annotations

import os
import subprocess

import httpx
import pyoxigraph as ox
import pytest
from rdflib.compare import isomorphic

from conftest import MANDATO, saved_query_cases, served
from mandato.catalogue import run
from mandato.errors import ParameterError
from mandato.namespaces import ID, MDO
from mandato.remote import RemoteError, RemoteStore, push
from mandato.results import Table
from mandato.store import Store
from servers import OxigraphServer, VirtuosoServer

CREDENTIALS = {"MANDATO_ENDPOINT_USER": VirtuosoServer.user, "MANDATO_ENDPOINT_PASSWORD": VirtuosoServer.password}


@pytest.fixture(scope="module")
def credentials():
    with pytest.MonkeyPatch.context() as mp:
        for name, value in CREDENTIALS.items():
            mp.setenv(name, value)
        yield


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory, credentials):
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso") / "db").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def engines(tmp_path_factory, virtuoso, corpus_store):
    """The bundled corpus pushed to both servers (Virtuoso: Graph Store, Digest)."""
    oxigraph = OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "data").start()
    stores = {"oxigraph": RemoteStore(oxigraph.endpoint()), "virtuoso": RemoteStore(virtuoso.endpoint("digest"))}
    for store in stores.values():
        push(corpus_store, store)
    yield stores
    oxigraph.stop()


def answer(result) -> list | set:
    if isinstance(result, Table):
        return result.records()
    return {str(t) for t in result.triples}


@pytest.mark.parametrize(("name", "args"), saved_query_cases(), ids=lambda v: v if isinstance(v, str) else "-".join(v))
def test_every_saved_query_is_the_same_on_both_servers(engines, corpus_store, name, args):
    local = answer(run(corpus_store, name, args))
    assert local
    for engine, store in engines.items():
        assert answer(run(store, name, args)) == local, engine


# Parameters beyond the examples, where Virtuoso 7 once answered other rows (docs/remote-stores.md):
# an activity under every part of every plan (its trace follows paths from paths), a resource of
# every kind in both directions (language-tagged values, labels of several languages, a class with
# its label), the plans of every country that is a jurisdiction.
SPREAD = {
    "activity-trace": ("activity", "SELECT (MIN(?a) AS ?v) WHERE { ?a a mdo:Activity ; mdo:partOf ?p } GROUP BY ?p"),
    "resource": ("resource", f"SELECT (MIN(?r) AS ?v) WHERE {{ ?r a ?c FILTER(STRSTARTS(STR(?r), '{ID}')) }} "
                             "GROUP BY ?c"),
    "plans": ("country", "SELECT DISTINCT ?v WHERE { ?v mdo:isoAlpha2 ?code "
                         "FILTER EXISTS { ?x mdo:jurisdiction/mdo:withinCountry? ?v } }"),
}


@pytest.mark.parametrize("name", sorted(SPREAD))
def test_saved_queries_agree_beyond_their_examples(engines, corpus_store, name):
    param, values = SPREAD[name]
    values = [row[0].value for row in corpus_store.select(f"PREFIX mdo: <{MDO}> {values}").rows]
    assert len(values) >= 10
    for value in values:
        for extra in ({}, {"lang": "en"}) if name == "resource" else ({},):
            args = {param: value, **extra}
            assert answer(run(engines["virtuoso"], name, args)) == answer(run(corpus_store, name, args)), args


def test_the_pushed_dataset_is_the_local_one(engines, corpus_store, virtuoso):
    """Only mandato's graphs count: Virtuoso's own system graphs are left out of every dump."""
    store = engines["virtuoso"]
    assert store.named_graphs() == corpus_store.named_graphs()
    assert len(store) == len(corpus_store)
    served_graphs = httpx.get(virtuoso.base + "/sparql", params={
        "query": "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"}).json()
    assert int(served_graphs["results"]["bindings"][0]["n"]["value"]) > len(corpus_store.named_graphs())


def test_export_pages_through_the_row_cap_and_keeps_blank_nodes(engines, corpus_store):
    """More quads than Virtuoso's 10,000-row cap: read page by page, every quad, blank nodes
    (``nodeID://…`` in Virtuoso's answers) included."""
    store = engines["virtuoso"]
    remote = ox.Dataset(store.quads())
    assert len(remote) == len(corpus_store) > 10_000
    blank = [q for q in remote if isinstance(q.subject, ox.BlankNode)]
    assert blank and len(blank) == len([q for q in ox.parse(corpus_store.dump(ox.RdfFormat.N_QUADS),
                                                            format=ox.RdfFormat.N_QUADS)
                                        if isinstance(q.subject, ox.BlankNode)])


def test_a_capped_answer_is_an_error(engines):
    with pytest.raises(RemoteError, match="partial answer"):
        engines["virtuoso"].select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")


def test_a_timed_out_answer_is_an_error(engines, virtuoso):
    """Virtuoso's 'anytime' answer (a query past its time limit returns what it has, HTTP 200 with
    X-SQL-State) is refused, not taken as the count."""
    url = virtuoso.base + "/sparql?timeout=1"  # milliseconds: Virtuoso's own limit for this query
    slow = RemoteStore(type(engines["virtuoso"].endpoint)(url, retries=0))
    with pytest.raises(RemoteError, match="partial answer"):
        slow.select("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")


# Not Basic with the Graph Store: Virtuoso's Graph Store handler never answers a request that came
# through an address checking SQL users (the request hangs); its own address takes Digest only.
@pytest.mark.parametrize(("auth", "graph_store"), [("digest", True), ("digest", False), ("basic", False)])
def test_push_with_each_protocol_and_authentication(virtuoso, corpus_store, monkeypatch, auth, graph_store):
    """SPARQL Update (blank nodes in an INSERT template: Virtuoso refuses them in INSERT DATA) and
    the Graph Store protocol, with Digest (Virtuoso's own addresses, found from their challenge)
    and Basic authentication (set: Virtuoso's Basic address challenges with Digest)."""
    if auth == "basic":
        monkeypatch.setenv("MANDATO_ENDPOINT_AUTH", "basic")
    one = {"https://w3id.org/mandato/graph/ontology": corpus_store.dump(
        ox.RdfFormat.N_TRIPLES, graph="https://w3id.org/mandato/graph/ontology")}
    local = Store(None)
    local.replace_graphs(one)
    target = virtuoso.endpoint(auth, graph_store)
    remote = RemoteStore(target)
    push(local, remote)
    push(local, remote)  # idempotent
    name = next(iter(one))
    assert isomorphic(remote.graph(name), corpus_store.graph(name))
    assert remote.credentials is not None
    assert remote.credentials.wanted((target.graph_store or target.update) or "") == auth


def test_wrong_credentials_are_a_clear_error(virtuoso, monkeypatch):
    monkeypatch.setenv("MANDATO_ENDPOINT_PASSWORD", "wrong")
    remote = RemoteStore(virtuoso.endpoint("digest", graph_store=False))
    with pytest.raises(RemoteError, match=r"HTTP 401"):
        remote.put_graph("https://w3id.org/mandato/graph/x", b"<https://a> <https://b> <https://c> .\n")


def test_an_error_names_the_iris_it_is_about(virtuoso):
    """Virtuoso's error text (HTML, with IRIs in angle brackets) keeps the IRIs."""
    remote = RemoteStore(virtuoso.endpoint("digest", graph_store=False))
    with pytest.raises(RemoteError) as error:
        remote.select("SELECT * WHERE { <https://w3id.org/mandato/id/x> ?p }")
    assert "https://w3id.org/mandato/id/x" in str(error.value)


def test_forgiving_names_and_hostile_values(engines):
    table = run(engines["virtuoso"], "ratifications", {"instrument": "Palermo Protocol", "country": "Rep. Dominicana"})
    assert [(r["country_code"], r["date"]) for r in table.records()] == [("DO", "2008-02-05")]
    with pytest.raises(ParameterError):
        run(engines["virtuoso"], "ratifications", {"instrument": '" } ; DROP ALL ; #'})


def test_cli_and_server_over_virtuoso(engines, virtuoso, corpus_store):
    url = virtuoso.base + "/sparql"
    out = subprocess.run([MANDATO, "--endpoint", url, "export", "--format", "nquads"], capture_output=True,
                         env={**os.environ, **CREDENTIALS}, timeout=300)
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == len(corpus_store)
    out = subprocess.run([MANDATO, "--endpoint", url, "validate"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.startswith("conforms"), out.stdout + out.stderr
    with served(url) as (base, _):
        r = httpx.get(base + "/queries/ratifications", params={"instrument": "Protocolo de Palermo", "country": "HN"})
        assert r.status_code == 200 and r.json()[0]["date"] == "2008-04-01"
        r = httpx.get(base + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
                      headers={"Accept": "application/sparql-results+json"})
        assert r.status_code == 200
        links = httpx.get(base + "/queries/resource", params={"resource": "https://w3id.org/mandato/id/country/cr"})
        assert links.status_code == 200
        assert {"Costa Rica"} == {r["value"] for r in links.json() if r["property"].endswith("#prefLabel")}
        page = httpx.get(base + "/id/country/cr")
        assert page.status_code == 200 and "Costa Rica" in page.text
        documented = httpx.get(base + "/openapi.json").json()["paths"]["/queries/resource"]["get"]["responses"]
        assert "502" in documented
