"""Push throughput and saved-query p50 on each tested remote engine (Oxigraph server, Virtuoso),
beside the embedded store, on one store (``--store``, e.g. a 1M synthetic corpus built with
``benchmarks/synthetic.py`` and ingested). Starts and stops both servers itself (tests/servers.py).

    python benchmarks/engines.py --store /tmp/s1m [--repeat 5] [--protocol gsp|update]

Prints one table: quads pushed per second per engine, then each saved query's p50 (ms) with its
example parameters on the embedded store and on each engine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "tests"))
from mandato.catalogue import get, load_catalogue, run
from mandato.errors import MandatoError
from mandato.remote import RemoteStore, push
from mandato.store import Store
from servers import OxigraphServer, VirtuosoServer

TIMEOUT = 30.0  # seconds a remote query may take


def example_args(name: str) -> dict[str, str]:
    return {p.name: p.example for p in get(name).params if p.example and p.name != "lang"}


def p50(store, name: str, repeat: int) -> str:
    """The p50 in ms as a table cell; a query the store did not answer (time-out, error) is a cell
    saying so, once (the others are still measured)."""
    args = example_args(name)
    times = []
    try:
        run(store, name, args)  # first run: name matchers built, caches warm
        for _ in range(repeat):
            t = time.perf_counter()
            run(store, name, args)
            times.append((time.perf_counter() - t) * 1000)
    except MandatoError as exc:
        print(f"  {name}: {exc}", file=sys.stderr)
        return f"{'timeout' if 'time' in str(exc) else 'error':>10}"
    return f"{statistics.median(times):10.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="an ingested store to push and query")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--protocol", choices=["gsp", "update"], default="gsp",
                        help="push through the Graph Store protocol or SPARQL Update")
    args = parser.parse_args(argv)
    local = Store(args.store, read_only=True)
    quads = len(local)
    os.environ["MANDATO_ENDPOINT_USER"], os.environ["MANDATO_ENDPOINT_PASSWORD"] = \
        VirtuosoServer.user, VirtuosoServer.password
    with tempfile.TemporaryDirectory() as work:
        servers = {"oxigraph": OxigraphServer(Path(work) / "oxigraph"),
                   "virtuoso": VirtuosoServer(Path(work) / "virtuoso")}
        stores, pushed = {}, {}
        try:
            for engine, server in servers.items():
                server.start()
                store = RemoteStore(replace(server.endpoint(graph_store=args.protocol == "gsp"), timeout=TIMEOUT,
                                            retries=0))
                t = time.perf_counter()
                push(local, store)
                pushed[engine] = time.perf_counter() - t
                if len(store) != quads:
                    print(f"{engine}: pushed {len(store)} of {quads} quads", file=sys.stderr)
                    return 1
                stores[engine] = store
            print(f"store: {args.store} ({quads:,} quads); push through {args.protocol}")
            for engine, seconds in pushed.items():
                print(f"push to {engine}: {seconds:.1f} s, {quads / seconds:,.0f} quads/s")
            print(f"\n{'saved query':<22} {'embedded':>10} " + " ".join(f"{e:>10}" for e in stores))
            for name in sorted(load_catalogue()):
                cells = [p50(local, name, args.repeat)]
                cells += [p50(store, name, args.repeat) for store in stores.values()]
                print(f"{name:<22} " + " ".join(cells), flush=True)
            print(f"(p50 in ms, example parameters; time-out {TIMEOUT:g} s)")
        finally:
            for server in servers.values():
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
