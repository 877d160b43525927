"""SSRF (hardening, item 1): a client's query never makes the server send a request elsewhere.
A real listener on loopback stands where the attacker points SERVICE; it must receive nothing,
unless the operator allowed that host (which shows the listener would have seen the request)."""

from __future__ import annotations

import socket
import threading

import pytest
from fastapi.testclient import TestClient

from mandato.api.app import create_app
from mandato.api.http import Settings
from mandato.store import Store


class Listener:
    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stop = True
        self.thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    listen = Listener()
    yield listen
    listen.close()


def queries(port: int) -> list[str]:
    url = f"http://127.0.0.1:{port}/sparql"
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c }} . sErViCe<{url}>{{?s ?p ?o}}",
        f"SELECT * WHERE {{ BIND(<{url}> AS ?u) SERVICE ?u {{ ?s ?p ?o }} }}",
        f"PREFIX e: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE e:sparql {{ ?s ?p ?o }} }}",
        f"ASK {{ SERVICE <{url}> {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
    ]


def test_service_is_refused_and_nothing_leaves(corpus_store: Store, listener):
    with TestClient(create_app(corpus_store, Settings(sparql_workers=1, sparql_timeout=5)),
                    raise_server_exceptions=False) as client:
        for text in queries(listener.port):
            for r in (client.get("/sparql", params={"query": text}),
                      client.post("/sparql", content=text, headers={"Content-Type": "application/sparql-query"}),
                      client.post("/sparql", data={"query": text})):
                assert r.status_code == 400, (text, r.text)
                assert "SERVICE" in r.json()["error"]
    assert listener.connections == 0


def test_an_allowed_host_is_called(corpus_store: Store, listener):
    settings = Settings(sparql_workers=1, sparql_timeout=5, service_hosts=["127.0.0.1"])
    with TestClient(create_app(corpus_store, settings), raise_server_exceptions=False) as client:
        r = client.get("/sparql", params={"query": queries(listener.port)[1]})
    assert r.status_code == 200  # SILENT: the failed call is an empty answer
    assert listener.connections >= 1
