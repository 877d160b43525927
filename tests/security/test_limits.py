"""Limits that hold end to end (hardening, items 2, 3 and 11): a memory and time bomb is stopped
within its limits and the server's memory stays small; an answer over the byte limit is an
error; a client with too many queries, or a full queue, gets 429 with Retry-After, but one client
cannot fill the queue for all; a client that does not wait its Retry-After gets its next 429 late
(a tarpit); a cheap query answers while runaway queries hold every general worker; the answer
cache is bounded in bytes."""

from __future__ import annotations

import asyncio
import resource
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from mandato.api.app import create_app
from mandato.api.cache import AnswerCache
from mandato.api.http import Settings
from mandato.api.middleware import TARPIT
from mandato.query_pool import Busy, QueryPool, QueryTimeout
from mandato.store import Store

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def bomb(levels: int, seed: str = "0123456789abcdef") -> str:
    binds = [f'BIND("{seed}" AS ?x0)'] + [f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(levels)]
    return f"SELECT ?x{levels} WHERE {{ {' '.join(binds)} }}"


def test_memory_bomb_is_stopped_and_the_server_stays_small(corpus_store: Store):
    settings = Settings(sparql_workers=1, sparql_timeout=10, sparql_worker_memory=256 * 2**20)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with TestClient(create_app(corpus_store, settings), raise_server_exceptions=False) as client:
        start = time.monotonic()
        r = client.get("/sparql", params={"query": bomb(24)})
        took = time.monotonic() - start
        assert r.status_code in (400, 503) and r.json()["ok"] is False
        assert "memory" in r.json()["error"] or "larger than" in r.json()["error"]
        assert took < settings.sparql_timeout + 2  # the bomb's 268 MB row took 34 s before
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mib < 100, grown_mib  # 1.9 GB before: the row never reaches the server


def test_answer_over_the_byte_limit_is_an_error(corpus_store: Store):
    settings = Settings(sparql_workers=1, sparql_max_bytes=100_000)
    with TestClient(create_app(corpus_store, settings), raise_server_exceptions=False) as client:
        r = client.get("/sparql", params={"query": bomb(14)})  # one row of 262,144 characters
        assert r.status_code == 400 and "larger than 100000 bytes" in r.json()["error"]
        r = client.get("/sparql", params={"query": bomb(10)})
        assert r.status_code == 200


def run(coro):
    return asyncio.run(coro)


def test_too_many_queries_of_one_client_get_429(corpus_store_path):
    async def scenario():
        pool = QueryPool(corpus_store_path, workers=1, timeout=3, fast_workers=1, per_client=2, queue=8)
        try:
            runaways = [asyncio.create_task(pool.answer(RUNAWAY, "srj", "greedy")) for _ in range(2)]
            await asyncio.sleep(0.1)
            with pytest.raises(Busy) as err:
                await pool.answer("ASK {}", "srj", "greedy")
            assert err.value.status == 429 and err.value.retry_after
            for t in runaways:
                with pytest.raises(QueryTimeout):
                    await t
        finally:
            pool.close()

    run(scenario())


def test_a_full_queue_gets_429(corpus_store_path):
    async def scenario():
        pool = QueryPool(corpus_store_path, workers=1, timeout=3, fast_workers=0, per_client=10, queue=2)
        try:
            await pool.answer("ASK {}", "srj", "first")  # the worker has started
            tasks = [asyncio.create_task(pool.answer(RUNAWAY + f" # {i}", "srj", f"c{i}")) for i in range(3)]
            await asyncio.sleep(0.5)
            with pytest.raises(Busy):
                await pool.answer("ASK {}", "srj", "late")
            for t in tasks:
                with pytest.raises(QueryTimeout):
                    await t
        finally:
            pool.close()

    run(scenario())


def test_one_client_cannot_fill_the_queue_for_all(corpus_store_path):
    async def scenario():
        pool = QueryPool(corpus_store_path, workers=1, timeout=3, fast_workers=0, per_client=10, queue=2)
        try:
            await pool.answer("ASK {}", "srj", "first")  # the worker has started
            greedy = []
            for i in range(3):  # one runs, two wait: the queue is full
                greedy.append(asyncio.create_task(pool.answer(RUNAWAY + f" # {i}", "srj", "greedy")))
                await asyncio.sleep(0.2)
            polite = asyncio.create_task(pool.answer("ASK {}", "srj", "polite"))
            await asyncio.sleep(0.2)
            with pytest.raises(Busy) as err:  # the newest of the greedy client's waiters made room
                await greedy[2]
            assert "2 of them from this client" in str(err.value)
            outcome = await asyncio.gather(polite, *greedy[:2], return_exceptions=True)
            assert not isinstance(outcome[0], Busy), outcome  # answered, or out of time: never refused
        finally:
            pool.close()

    run(scenario())


def test_a_client_ignoring_retry_after_gets_its_next_refusal_late(corpus_store: Store):
    settings = Settings(sparql_workers=1, sparql_fast_workers=0, sparql_per_client=1, sparql_timeout=4)
    app = create_app(corpus_store, settings)

    async def scenario():
        transport = httpx.ASGITransport(app=app, client=("10.0.0.7", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://mandato") as client:
            runaway = asyncio.create_task(client.get("/sparql", params={"query": RUNAWAY}))
            await asyncio.sleep(0.5)
            times = []
            for _ in range(2):
                start = time.monotonic()
                r = await client.get("/sparql", params={"query": "ASK {}"})
                times.append(time.monotonic() - start)
                assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1 and r.json()["ok"] is False
            assert (await runaway).status_code == 503
            return times

    try:
        first, again = run(scenario())
    finally:
        app.state.close()
    assert first < TARPIT / 2 <= TARPIT <= again, (first, again)  # the first at once, the next after the pause


def test_cheap_query_answers_while_runaways_hold_every_general_worker(corpus_store_path):
    async def scenario():
        pool = QueryPool(corpus_store_path, workers=2, timeout=8, fast_workers=2, fast_limit=0.3,
                         per_client=4, queue=32)
        try:
            await asyncio.sleep(2)  # the workers start
            runaways = [asyncio.create_task(pool.answer(RUNAWAY, "srj", f"attacker-{i}")) for i in range(12)]
            await asyncio.sleep(1.0)  # past the fast limit: every runaway is known slow
            waits = []
            for _ in range(20):
                start = time.monotonic()
                assert b"true" in await pool.answer("ASK {}", "srj", "probe")
                waits.append(time.monotonic() - start)
                await asyncio.sleep(0.05)
            for t in runaways:
                t.cancel()
            await asyncio.gather(*runaways, return_exceptions=True)
            return sorted(waits)
        finally:
            pool.close()

    waits = run(scenario())
    assert waits[-1] < 0.5, waits  # 9 s before: the probe waited behind the runaways


def test_answer_cache_is_bounded_in_bytes():
    cache = AnswerCache(max_bytes=16_000)
    for i in range(100):
        cache.put(("q", i), b"x" * 900, "text/csv")
    assert cache.size <= 16_000 and len(cache) < 100
    cache.put(("big",), b"x" * 2_000, "text/csv")  # over a sixteenth of the budget: not kept
    assert cache.get(("big",)) is None
    assert cache.get(("q", 99)) is not None and cache.get(("q", 0)) is None


def test_cache_keys_are_normalised(corpus_store: Store):
    with TestClient(create_app(corpus_store, Settings(sparql_workers=1))) as client:
        for accept in ("application/json", "application/json;q=0.9", "*/*", "application/json, text/plain;q=0.1"):
            assert client.get("/queries/ratifications", params={"instrument": "XVIII-12-a"},
                              headers={"Accept": accept}).status_code == 200
        for name in ("Protocolo de Palermo", "palermo protocol", "XVIII-12-a"):
            client.get("/queries/ratifications", params={"instrument": name})
        assert len(client.app.state.answer_cache) == 1  # one answer, whatever the spelling or Accept
