"""What the SPARQL worker processes cost the fast path: the same small query in-process
(Oxigraph in the server's process) and through the worker pool (a process that can be killed).

Usage: python benchmarks/sparql_pool.py [STORE_DIR]   (ingest first: mandato --store DIR ingest)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

from mandato.query_pool import QueryPool
from mandato.store import Store

QUERY = """SELECT ?a ?d WHERE { ?a a <https://w3id.org/mandato/ontology#TreatyAction> ;
  <https://w3id.org/mandato/ontology#actionDate> ?d } LIMIT 50"""


def timed(fn, n: int = 300) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def report(name: str, ms: list[float]) -> None:
    ms = sorted(ms)
    print(f"{name:<28} p50 {statistics.median(ms):7.3f} ms   p95 {ms[int(len(ms) * 0.95)]:7.3f} ms")


def main() -> None:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "mandato-store")
    store = Store(path, must_exist=True)

    async def measure() -> None:
        pool = QueryPool(path, workers=2, timeout=10)
        try:
            await pool.answer(QUERY, "srj")  # start-up of the workers is not part of the fast path
            report("in-process (no time limit)", timed(lambda: list(store.query(QUERY))))
            ms = []
            for _ in range(300):
                t = time.perf_counter()
                await pool.answer(QUERY, "srj")
                ms.append((time.perf_counter() - t) * 1000)
            report("worker pool (limits, rendered)", ms)
        finally:
            pool.close()

    asyncio.run(measure())


if __name__ == "__main__":
    main()
