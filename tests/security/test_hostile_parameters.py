"""Hostile parameters for every saved query (hardening): whatever a client types, the answer is
200 or a clear 4xx in the one error body, never a 500, and the data is never changed."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mandato.api.app import create_app
from mandato.api.http import Settings
from mandato.catalogue import load_catalogue
from mandato.store import Store

NASTY = st.one_of(
    st.text(max_size=60),
    st.sampled_from(['" } ; DROP ALL ; #', "\\u0022 }", "es\n", "<http://x> } INSERT DATA { <a> <b> <c> }",
                     "SERVICE <http://127.0.0.1:9/>", "", " ", "\x00", "%0A", "XVIII-12-a\n", "ｐａｌｅｒｍｏ",
                     "a" * 999, "?x", "$lang", "'''", "\U0010ffff", "\ud800"]),
)


@pytest.fixture(scope="module")
def client(corpus_store: Store):
    with TestClient(create_app(corpus_store, Settings(sparql_workers=1)), raise_server_exceptions=False) as c:
        yield c, corpus_store


@pytest.mark.parametrize("name", sorted(load_catalogue()))
def test_hostile_values_for_every_parameter(client, name):
    c, store = client
    size = len(store)
    params = [p.name for p in load_catalogue()[name].params]

    @given(values=st.fixed_dictionaries({p: NASTY for p in params}))
    @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def hostile(values):
        r = c.get(f"/queries/{name}", params={k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
                                              for k, v in values.items()})
        assert r.status_code in (200, 400, 404, 406, 414), r.text
        if r.status_code != 200:
            body = r.json()
            assert body["ok"] is False and body["error"] and "Traceback" not in body["error"]

    hostile()
    assert len(store) == size  # no value changed the data
