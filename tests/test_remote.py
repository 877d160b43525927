"""Remote triplestores: a real `oxigraph serve` process (the `oxigraph` package from PyPI) on
127.0.0.1, started and stopped by these tests. The bundled corpus is pushed to it, and every
saved query must return exactly the same rows remotely as embedded."""

from __future__ import annotations

import socket
import time

import pytest

from conftest import saved_query_cases
from mandato.catalogue import run
from mandato.endpoint import Endpoint
from mandato.errors import ParameterError
from mandato.remote import RemoteError, RemoteStore, push
from mandato.results import Table
from mandato.store import Store
from servers import OxigraphServer


@pytest.fixture
def oxigraph(tmp_path):
    server = OxigraphServer(tmp_path / "oxigraph").start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pushed(tmp_path_factory, corpus_store):
    server = OxigraphServer(tmp_path_factory.mktemp("oxigraph") / "data").start()
    push(corpus_store, RemoteStore(server.endpoint()))
    yield RemoteStore(server.endpoint())
    server.stop()


def records(result) -> list[dict]:
    assert isinstance(result, Table)
    return result.records()


@pytest.mark.parametrize(("name", "args"), saved_query_cases(), ids=lambda v: v if isinstance(v, str) else "-".join(v))
def test_every_saved_query_is_the_same_remotely(pushed, corpus_store, name, args):
    local, remote = run(corpus_store, name, args), run(pushed, name, args)
    if isinstance(local, Table):
        assert records(remote) == records(local) and local.rows
    else:
        assert {str(t) for t in remote.triples} == {str(t) for t in local.triples} and local.triples


def test_forgiving_names_and_hostile_values_remotely(pushed):
    table = run(pushed, "ratifications", {"instrument": "Palermo Protocol", "country": "Rep. Dominicana"})
    assert [(r["country_code"], r["date"]) for r in records(table)] == [("DO", "2008-02-05")]
    before = len(pushed)
    with pytest.raises(ParameterError):
        run(pushed, "ratifications", {"instrument": '" } ; DROP ALL ; #'})
    assert len(pushed) == before


def test_remote_dataset_is_the_local_one(pushed, corpus_store):
    assert len(pushed) == len(corpus_store)
    assert pushed.named_graphs() == corpus_store.named_graphs()


def test_cli_on_the_remote_store(oxigraph, corpus_store_path, cli, corpus_store):
    e = oxigraph.endpoint()
    code, out, err = cli("--store", corpus_store_path, "push", "--endpoint", e.query,
                         "--update-endpoint", e.update, "--graph-store", e.graph_store)
    assert code == 0 and f"pushed 8 graphs, {len(corpus_store)} triples" in out, err
    code, out, _ = cli("query", "ratifications", "-p", "instrument=XVIII-12-a", "-p", "country=DO",
                       "--format", "csv", "--endpoint", e.query)
    assert code == 0 and "2008-02-05" in out
    code, out, _ = cli("--endpoint", e.query, "validate")
    assert code == 0 and out.startswith("conforms")
    code, out, _ = cli("--endpoint", e.query, "export", "--format", "nquads")
    assert code == 0 and len(out.splitlines()) == len(corpus_store)


def test_push_is_idempotent_and_falls_back_to_sparql_update(oxigraph, corpus_store):
    remote = RemoteStore(oxigraph.endpoint(graph_store=False))
    push(corpus_store, remote)
    push(corpus_store, remote)
    assert len(remote) == len(corpus_store)
    assert records(run(remote, "country-instruments", {"country": "PE"})) == \
        records(run(corpus_store, "country-instruments", {"country": "PE"}))


def test_a_push_killed_half_way_is_reported_and_a_rerun_completes(oxigraph, corpus_store):
    remote = RemoteStore(oxigraph.endpoint())
    seen = []

    def kill_after_two(message: str) -> None:
        seen.append(message)
        if len(seen) == 3:
            oxigraph.stop()

    with pytest.raises(RemoteError) as info:
        push(corpus_store, remote, progress=kill_after_two)
    message = str(info.value)
    assert "failed after 3 tries" in message and "cannot connect" in message and oxigraph.base in message
    oxigraph.start()
    assert 0 < len(remote) < len(corpus_store)  # the first two graphs landed
    push(corpus_store, remote)
    assert len(remote) == len(corpus_store)
    assert remote.named_graphs() == corpus_store.named_graphs()


def test_clear_errors(oxigraph, cli):
    code, _, err = cli("--endpoint", "http://127.0.0.1:9/query", "query", "ratifications", "-p", "instrument=C182")
    assert code == 2 and "cannot reach the endpoint" in err and "127.0.0.1:9" in err
    code, _, err = cli("--endpoint", oxigraph.base + "/nope", "query", "ratifications", "-p", "instrument=C182")
    assert code == 2 and "/nope refused the query" in err and "not supported" in err
    code, _, err = cli("push")
    assert code == 2 and "--endpoint" in err


def test_the_api_over_a_remote_store(pushed):
    from fastapi.testclient import TestClient

    from mandato.api.app import create_app

    with TestClient(create_app(pushed)) as client:
        rows = client.get("/queries/ratifications", params={"instrument": "XVIII-12-a", "country": "HN"}).json()
        assert [r["date"] for r in rows] == ["2008-04-01"]
        r = client.get("/sparql", params={"query": "ASK { ?s a <https://w3id.org/mandato/ontology#TreatyAction> }"})
        assert r.json()["boolean"] is True
        assert client.get("/id/country/hn", headers={"Accept": "text/turtle"}).status_code == 200


def test_local_store_type_is_unchanged(corpus_store):
    assert isinstance(corpus_store, Store)


def test_an_endpoint_that_never_answers_times_out_clearly():
    """A real TCP peer that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/query"
        remote = RemoteStore(Endpoint(url, timeout=1, retries=1, backoff=0.1))
        started = time.monotonic()
        with pytest.raises(RemoteError) as info:
            run(remote, "ratifications", {"instrument": "C182"})
        assert "failed after 2 tries" in str(info.value) and url in str(info.value)
        assert time.monotonic() - started < 10
        with pytest.raises(RemoteError) as info:
            push_one = RemoteStore(Endpoint(url, graph_store=url, timeout=1, retries=0))
            push_one.put_graph("https://w3id.org/mandato/graph/registry", b"")
        assert "no answer within 1 s" in str(info.value)
