"""One real `mandato serve` process on a free port, queried over the network by real SPARQL
clients (SPARQLWrapper, rdflib's SPARQLStore) and plain HTTP; the test stops it and checks that
no process is left behind."""

from __future__ import annotations

import subprocess

import httpx
import pytest
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

from conftest import MANDATO, TREATY_ACTIONS, served

COUNT_ACTIONS = "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/mandato/ontology#TreatyAction> }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store = tmp_path_factory.mktemp("serve") / "store"
    subprocess.run([MANDATO, "--store", store, "ingest"], check=True, capture_output=True)
    with served(store, {"MANDATO_SPARQL_TIMEOUT": "3"}) as running:
        yield running


def test_saved_query_over_http(server):
    base, _ = server
    r = httpx.get(base + "/queries/ratifications", params={"instrument": "Protocolo de Palermo", "country": "HN"})
    assert r.status_code == 200 and r.json()[0]["date"] == "2008-04-01"
    assert "ETag" in r.headers


def test_sparqlwrapper(server):
    base, _ = server
    client = SPARQLWrapper(base + "/sparql")
    client.setQuery(COUNT_ACTIONS)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert result["results"]["bindings"][0]["n"]["value"] == str(TREATY_ACTIONS)


def test_rdflib_sparqlstore(server):
    base, _ = server
    graph = Graph(store=SPARQLStore(base + "/sparql"))
    rows = list(graph.query(COUNT_ACTIONS))
    assert int(rows[0][0]) == TREATY_ACTIONS


def test_runaway_query_does_not_stop_the_server(server):
    base, _ = server
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    r = httpx.get(base + "/sparql", params={"query": runaway}, timeout=30)
    assert r.status_code == 503
    assert httpx.get(base + "/sparql", params={"query": COUNT_ACTIONS}).status_code == 200


def test_large_answers_arrive_whole(server):
    """An answer larger than a pipe's buffer crosses from the query worker whole, under the
    server's own event loop (uvloop left the pipe non-blocking: such answers failed, at random)."""
    base, _ = server
    for _ in range(5):
        r = httpx.post(base + "/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 3000"},
                       headers={"Accept": "application/sparql-results+json"}, timeout=30)
        assert r.status_code == 200, r.text
        assert len(r.json()["results"]["bindings"]) == 3000


def test_serving_the_embedded_store_imports_no_http_client(corpus_store_path):
    """A tenth of a second of every start (mandato.remote and httpx) is spent only when a remote
    store is served; reading YAML takes libyaml's parser."""
    import sys

    check = ("import sys; from pathlib import Path; from mandato.api.app import create_app; "
             "from mandato.store import Store; import mandato.yamltext as y; "
             f"create_app(Store(Path({str(corpus_store_path)!r}), must_exist=True, read_only=True)); "
             "print(sorted(m for m in ('httpx', 'mandato.remote', 'SPARQLWrapper', 'ctypes') if m in sys.modules), "
             "y.LOADER.__name__)")
    out = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["[]", "CSafeLoader"]
