"""HTTP headers and methods (hardening, items 8 and 13): caches told what the body depends on, no
Host header echoed, security headers, CORS for query editors on other origins, HEAD and OPTIONS
answered, 405 with Allow, oversized bodies refused even without a declared length, and the
validation report rendered once."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from mandato.api.app import create_app
from mandato.api.http import Settings
from mandato.store import Store

BASE = "https://mandato.example.org"


@pytest.fixture(scope="module")
def client(corpus_store: Store):
    settings = Settings(sparql_workers=1, base_url=BASE, max_body=8192)
    with TestClient(create_app(corpus_store, settings), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("path", ["/queries/ratifications?instrument=A-61", "/id/country/cr", "/ontology",
                                  "/dataset/void", "/sparql?query=ASK%7B%7D"])
def test_negotiated_answers_vary_on_accept(client, path):
    r = client.get(path)
    assert r.status_code == 200
    assert "accept" in r.headers["vary"].lower() and r.headers["etag"]


@pytest.mark.parametrize("path", ["/", "/dataset/void"])
def test_host_header_is_never_echoed(client, path):
    r = client.get(path, headers={"Host": "evil.example"})
    assert r.status_code == 200
    assert "evil.example" not in r.text and BASE in r.text


@pytest.mark.parametrize("path", ["/", "/queries", "/id/country/cr", "/nowhere", "/docs"])
def test_security_headers_on_every_answer(client, path):
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_cors_preflight_for_a_query_editor_on_another_origin(client):
    r = client.options("/sparql", headers={"Origin": "https://editor.example", "Access-Control-Request-Method": "POST",
                                            "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    assert "POST" in r.headers["access-control-allow-methods"]
    r = client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://editor.example"})
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"


def test_cors_origins_are_configurable(corpus_store):
    settings = Settings(sparql_workers=1, cors_origins=["https://partner.example"])
    with TestClient(create_app(corpus_store, settings)) as c:
        ok = c.get("/queries", headers={"Origin": "https://partner.example"})
        other = c.get("/queries", headers={"Origin": "https://other.example"})
    assert ok.headers["access-control-allow-origin"] == "https://partner.example"
    assert "access-control-allow-origin" not in other.headers


def test_plain_options_lists_the_methods(client):
    r = client.options("/sparql")
    assert r.status_code == 204 and {"GET", "HEAD", "POST", "OPTIONS"} <= set(r.headers["allow"].split(", "))
    assert client.options("/nowhere").status_code == 404


def test_head_answers_like_get_without_a_body(client):
    get = client.get("/queries/ratifications", params={"instrument": "A-61"})
    head = client.head("/queries/ratifications", params={"instrument": "A-61"})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["etag"] == get.headers["etag"]


def test_method_not_allowed_says_which_are(client):
    r = client.delete("/queries")
    assert r.status_code == 405 and "GET" in r.headers["allow"]
    assert r.json()["ok"] is False


def test_body_without_declared_length_over_the_limit_is_refused(client):
    def chunks():
        for _ in range(20):
            yield b"x" * 1024

    r = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413


def test_validation_report_is_rendered_once(client):
    first = client.get("/validation", params={"format": "turtle"})
    start = time.perf_counter()
    for _ in range(5):
        again = client.get("/validation", params={"format": "turtle"}, headers={"Cache-Control": "no-cache"})
    assert again.content == first.content and first.status_code == 200
    assert time.perf_counter() - start < 1.0  # five renders took seconds each before
