"""Starvation: do cheap queries and saved queries keep answering while runaway queries run?

Starts a real `mandato serve` on loopback, then N runaway clients (a cross-product query, looped
for the duration, each from its own loopback address 127.0.0.x so that each is a separate client
to the server's fair queue; all in one process of their own) and one probe client from 127.0.0.1
that alternates `ASK {}` on /sparql and an uncached saved query. Prints the probe's latencies
(p50, p99, max) against the 100 ms target, the runaways' answers by status, and the server's peak
memory (server and workers) against 1 GiB. Bounded in time; every request goes to loopback only.

Usage: python benchmarks/starvation.py [--runaways 64] [--connections 1] [--nice] [--seconds 20]
                                      [--backoff 2] [--store DIR]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TARGET_MS, MEMORY_LIMIT = 100.0, 2**30
MANDATO = str(Path(sys.executable).parent / "mandato")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree_rss(pid: int) -> int:
    """Resident memory of a process and its children, in bytes."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(stat.parent.name) == pid or int(fields[1]) == pid:
                total += int((stat.parent / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runaways", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--backoff", type=float, default=2.0,
                        help="seconds a runaway client waits after a 429 (the server's Retry-After is 2; 0: none)")
    parser.add_argument("--connections", type=int, default=1,
                        help="connections each runaway client keeps busy at once (its share is 4)")
    parser.add_argument("--nice", action="store_true",
                        help="run the runaway clients at the lowest CPU priority, as if on other machines")
    parser.add_argument("--store", type=Path, help="a store to serve (default: the bundled corpus, ingested)")
    args = parser.parse_args()
    with serving(args.store) as (base, pid):
        run(base, pid, args.runaways, args.seconds, args.backoff, args.connections, args.nice)


@contextlib.contextmanager
def serving(store: Path | None) -> Iterator[tuple[str, int]]:
    """A real `mandato serve` of ``store`` (default: the bundled corpus, ingested) on a free
    loopback port, answering, with every worker started: (base URL, process id); stopped after."""
    with tempfile.TemporaryDirectory() as tmp:
        path = store or Path(tmp) / "store"
        if store is None:
            subprocess.run([MANDATO, "--store", path, "ingest"], check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen([MANDATO, "--store", path, "serve", "--port", str(port)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
            time.sleep(1.0)  # every worker started
            yield base, server.pid
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(20)


def attack(base: str, runaways: int, seconds: float, backoff: float, connections: int, nice: bool,
           results: Any) -> None:
    """The runaway clients, in a process of their own (their threads do not share the probe's
    interpreter); puts their answers by status on ``results``. ``nice``: at the lowest CPU
    priority, as if they ran on other machines (on one machine the load generator's own threads
    otherwise take the cores the server is measured on)."""
    if nice:
        os.nice(19)
    stop = time.monotonic() + seconds
    statuses: collections.Counter[int | str] = collections.Counter()
    lock = threading.Lock()

    def attacker(n: int) -> None:
        address = f"127.0.0.{2 + n % 250}"
        with httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=30) as client:
            while time.monotonic() < stop:
                try:
                    status: int | str = client.get(base + "/sparql", params={"query": RUNAWAY}).status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                with lock:
                    statuses[status] += 1
                if status == 429 and backoff:
                    time.sleep(backoff)

    threads = [threading.Thread(target=attacker, args=(n,), daemon=True)
               for n in range(runaways) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 35)
    results.put(dict(statuses))


def run(base: str, pid: int, runaways: int, seconds: float, backoff: float, connections: int, nice: bool) -> None:
    stop = time.monotonic() + seconds
    results: Any = multiprocessing.Queue()
    attackers = multiprocessing.Process(target=attack, args=(base, runaways, seconds, backoff, connections, nice,
                                                                 results))
    attackers.start()
    time.sleep(min(2.0, seconds / 4))  # the runaways hold every general worker
    ask, saved, errors = [], [], collections.Counter()
    peak = 0
    with httpx.Client(timeout=30) as probe:
        n = 0
        while time.monotonic() < stop:
            n += 1
            for bucket, request in ((ask, lambda: probe.get(base + "/sparql", params={"query": "ASK {}"})),
                                    (saved, lambda i=n: probe.get(
                                        base + "/queries/country-instruments",
                                        params={"country": ["CR", "HN", "GT", "SV"][i % 4]},
                                        headers={"Cache-Control": "no-cache"}))):
                start = time.perf_counter()
                r = request()
                bucket.append((time.perf_counter() - start) * 1000)
                if r.status_code != 200:
                    errors[r.status_code] += 1
            peak = max(peak, tree_rss(pid))
            time.sleep(0.05)
    statuses = results.get(timeout=seconds + 60)
    attackers.join(10)

    def line(name: str, ms: list[float]) -> None:
        ms = sorted(ms)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        print(f"{name:<34} n={len(ms):<4} p50 {statistics.median(ms):7.1f} ms  p99 {p99:7.1f} ms  "
              f"max {ms[-1]:7.1f} ms  target {TARGET_MS:.0f} ms  ratio p99/target {p99 / TARGET_MS:5.2f}")

    print(f"{runaways} runaway clients × {connections} connections for {seconds:g} s, "
          f"waiting {backoff:g} s after a 429{', load generator niced' if nice else ''}")
    line("probe ASK {} on /sparql", ask)
    line("probe saved query (uncached)", saved)
    print(f"probe errors: {dict(errors) or 'none'}")
    print(f"runaway answers by status: {dict(statuses)}")
    print(f"server memory (with workers), peak: {peak / 2**20:.0f} MiB  limit {MEMORY_LIMIT / 2**20:.0f} MiB  "
          f"ratio {peak / MEMORY_LIMIT:.2f}")


if __name__ == "__main__":
    main()
