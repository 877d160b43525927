"""The HTTP API through the real app, in-process (FastAPI's TestClient speaks real HTTP semantics)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from mandato.api.app import create_app

from mandato.store import Store


@pytest.fixture(scope="module")
def client(corpus_store: Store) -> TestClient:
    return TestClient(create_app(corpus_store), raise_server_exceptions=False)


def test_catalogue(client):
    body = client.get("/queries").json()
    names = {q["name"] for q in body}
    assert {"ratifications", "not-ratified", "country-instruments", "ratification-matrix"} <= names
    rat = next(q for q in body if q["name"] == "ratifications")
    assert rat["summary"] and {"instrument", "country", "lang"} == {p["name"] for p in rat["params"]}


def test_run_a_saved_query(client):
    rows = client.get("/queries/ratifications", params={"instrument": "XVIII-12-a", "country": "DO"}).json()
    assert [(r["country_code"], r["action"], r["date"]) for r in rows] == [("DO", "ratification", "2008-02-05")]


def test_errors_have_one_json_body(client):
    r = client.get("/queries/ratifications", params={"instrument": "Palermo"})
    assert r.status_code == 400
    body = r.json()
    assert body["ok"] is False and body["status"] == 400 and "ambiguous" in body["error"]
    assert any("un-xviii-12-a" in c for c in body["errors"])
    r = client.get("/queries/nope")
    assert r.status_code == 404 and r.json()["ok"] is False


def test_a_server_error_shows_no_exception_text(corpus_store):
    app = create_app(corpus_store)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret detail")

    r = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert r.status_code == 500
    assert r.json() == {"ok": False, "error": "internal server error", "errors": [], "status": 500}
    assert "secret" not in r.text
