"""Queries that kill their worker (hardening, second round): 3,000 nested braces overflow the SPARQL
parser's stack and kill the process that runs it; looped from 16 addresses, they took `ASK {}` from
3 ms to 1.6 s p50. Such a query is now refused before it reaches a worker; a query that kills one
anyway counts against its client's share and its shape is refused for a while, from any client;
a spare worker takes the dead one's place at once."""

from __future__ import annotations

import asyncio
import os

import httpx
import pytest
from fastapi.testclient import TestClient

from conftest import children, served
from mandato.api.app import create_app
from mandato.api.http import Settings
from mandato.query_pool import Busy, QueryPool, QueryRejected
from mandato.query_text import MAX_NESTING, TooDeep, check_nesting
from mandato.store import Store


def nested(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + "}" * depth


def test_deep_nesting_is_refused_before_any_worker(corpus_store: Store):
    with TestClient(create_app(corpus_store, Settings(sparql_workers=1, sparql_fast_workers=1)),
                    raise_server_exceptions=False) as client:
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        workers = sorted(children(os.getpid()))
        for text in (nested(3000), "ASK { FILTER(" + "(" * 500 + "1" + ")" * 500 + ") }"):
            r = client.post("/sparql", data={"query": text})
            assert r.status_code == 400 and f"more than {MAX_NESTING} deep" in r.json()["error"]
        assert sorted(children(os.getpid())) == workers  # none died, none was started
        r = client.post("/sparql", data={"query": nested(50)})  # a query nested as deep as any real one
        assert r.status_code == 200
    client.app.state.close()


def test_nesting_inside_strings_and_iris_does_not_count():
    check_nesting('SELECT * WHERE { ?s ?p "' + "{" * 500 + '" . ?s ?p <http://x.example/' + "(" * 300 + "> }")
    with pytest.raises(TooDeep):
        check_nesting(nested(MAX_NESTING + 1))


def test_a_query_that_kills_its_worker_counts_against_its_client(corpus_store_path):
    """The pool itself, given what the endpoint refuses before it: each crash costs the client a
    place of its share for a while, a crashing shape is refused at once from any client, and
    another client is answered by a spare worker meanwhile."""
    async def scenario():
        pool = QueryPool(corpus_store_path, workers=1, timeout=10, fast_workers=1, per_client=2, queue=8)
        try:
            assert await pool.answer("ASK {}", "srj", "calm")  # the workers are up
            for depth in (3000, 3001):  # two shapes
                with pytest.raises(QueryRejected, match="stopped its worker"):
                    await pool.answer(nested(depth), "srj", "crasher")
            refused = pool.refusal("crasher")
            assert isinstance(refused, Busy) and "stopped their worker" in str(refused)
            with pytest.raises(QueryRejected, match="a moment ago"):  # the shape, from another address
                await pool.answer(nested(3000), "srj", "accomplice")
            answer = await asyncio.wait_for(pool.answer("ASK {}", "srj", "calm"), 5)
            assert b"true" in answer
        finally:
            pool.close()

    asyncio.run(scenario())


def test_crashing_queries_do_not_reach_a_real_server(corpus_store_path, tmp_path):
    """Over HTTP, from the real server: the refusal is the one error body; a client that goes on
    sending such queries is refused at the door (429) once they fill its share, while another
    client's ASK {} goes on."""
    store = tmp_path / "store"
    Store(corpus_store_path, must_exist=True).ox.backup(str(store))  # a copy this process does not hold
    with served(store) as (base, _):
        statuses = []
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=30) as looper:
            for _ in range(8):
                r = looper.post(base + "/sparql", data={"query": nested(3000)})
                assert not r.json()["ok"]
                statuses.append(r.status_code)
        assert statuses == [400] * 4 + [429] * 4  # the share of a client is 4 queries
        assert httpx.get(base + "/sparql", params={"query": "ASK {}"}).status_code == 200
