"""Attacks on a running server: does `ASK {}` from another client stay under 100 ms p99, and does the
server's memory stay under its bound, while each attack of the second hardening round runs?

Starts a real `mandato serve` on loopback (the bundled corpus, or ``--store``), then runs each
attack for ``--seconds`` from a process of its own (its clients from loopback addresses 127.0.0.x,
each a client of its own to the server), while a probe from 127.0.0.1 asks `ASK {}` every 50 ms.
Prints, per attack, the probe's latencies (p50, p99, max) against the 100 ms target, its errors,
and the server's peak memory (server and workers) against the documented bound (docs/limits.md).

Attacks: ``headers`` (32 connections, each sending an unfinished 32 MB header, again when refused);
``half-sent`` (500 connections holding a half-sent request head); ``slow-body`` (64 requests
whose body arrives a byte a second); ``dumps`` (16 clients asking `/dataset` dumps, every format,
in a loop); ``crash-loop`` (16 addresses sending a query nested 3,000 deep, in a loop).

Usage: python benchmarks/attacks.py [--seconds 10] [--store DIR] [--only headers,dumps]
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import multiprocessing
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from starvation import serving, tree_rss

TARGET_MS = 100.0
MEMORY_BOUND = 2**30  # the server with its workers (docs/limits.md)
FORMATS = ("trig", "nquads", "turtle", "ntriples", "jsonld", "rdfxml")


def _address(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


def _socket(base: str, n: int) -> socket.socket:
    s = socket.socket()
    s.bind((f"127.0.0.{2 + n % 250}", 0))
    s.settimeout(30)
    s.connect(_address(base))
    return s


def headers(base: str, stop: float) -> None:
    chunk = b"a" * 65536

    def one(n: int) -> None:
        while time.monotonic() < stop:
            with contextlib.suppress(OSError), _socket(base, n) as s:
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: ")
                for _ in range(32 * 2**20 // len(chunk)):
                    s.sendall(chunk)

    _threads(one, 32)


def half_sent(base: str, stop: float) -> None:
    def one(n: int) -> None:
        while time.monotonic() < stop:
            with contextlib.suppress(OSError), _socket(base, n) as s:
                s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
                s.recv(1024)  # held until the server gives up on it

    _threads(one, 500)


def slow_body(base: str, stop: float) -> None:
    def one(n: int) -> None:
        while time.monotonic() < stop:
            with contextlib.suppress(OSError), _socket(base, n) as s:
                s.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                          b"Content-Length: 60000\r\n\r\n")
                while time.monotonic() < stop:
                    s.sendall(b" ")
                    time.sleep(1)

    _threads(one, 64)


def dumps(base: str, stop: float) -> None:
    def one(n: int) -> None:
        transport = httpx.HTTPTransport(local_address=f"127.0.0.{2 + n % 250}")
        with httpx.Client(transport=transport, timeout=120) as client:
            i = n
            while time.monotonic() < stop:
                with contextlib.suppress(httpx.HTTPError):
                    client.get(base + "/dataset", params={"format": FORMATS[i % len(FORMATS)]})
                i += 1

    _threads(one, 16)


def crash_loop(base: str, stop: float) -> None:
    query = "SELECT * WHERE " + "{" * 3000 + "}" * 3000

    def one(n: int) -> None:
        transport = httpx.HTTPTransport(local_address=f"127.0.0.{2 + n % 250}")
        with httpx.Client(transport=transport, timeout=30) as client:
            while time.monotonic() < stop:
                with contextlib.suppress(httpx.HTTPError):
                    client.post(base + "/sparql", data={"query": query})

    _threads(one, 16)


def _threads(target: Callable[[int], None], n: int) -> None:
    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


ATTACKS = {"headers": headers, "half-sent": half_sent, "slow-body": slow_body, "dumps": dumps,
           "crash-loop": crash_loop}


def _attack(name: str, base: str, seconds: float) -> None:
    ATTACKS[name](base, time.monotonic() + seconds)


def probe(base: str, pid: int, name: str, seconds: float) -> None:
    attacker = multiprocessing.Process(target=_attack, args=(name, base, seconds), daemon=True)
    attacker.start()
    time.sleep(min(1.0, seconds / 4))
    stop = time.monotonic() + seconds - 1
    ms: list[float] = []
    errors: collections.Counter[int | str] = collections.Counter()
    peak = 0
    with httpx.Client(timeout=30) as client:
        while time.monotonic() < stop:
            start = time.perf_counter()
            try:
                status: int | str = client.get(base + "/sparql", params={"query": "ASK {}"}).status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            ms.append((time.perf_counter() - start) * 1000)
            if status != 200:
                errors[status] += 1
            peak = max(peak, tree_rss(pid))
            time.sleep(0.05)
    attacker.join(seconds + 60)
    if attacker.is_alive():
        attacker.kill()
    ms.sort()
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{name:<11} ASK {{}} n={len(ms):<4} p50 {statistics.median(ms):6.1f} ms  p99 {p99:7.1f} ms  "
          f"max {ms[-1]:7.1f} ms  ratio p99/{TARGET_MS:.0f} ms {p99 / TARGET_MS:5.2f}  "
          f"errors {dict(errors) or 'none'}  "
          f"memory peak {peak / 2**20:5.0f} MiB  ratio/{MEMORY_BOUND // 2**20} MiB {peak / MEMORY_BOUND:4.2f}",
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--store", type=Path, help="a store to serve (default: the bundled corpus, ingested)")
    parser.add_argument("--only", help="comma-separated attacks to run (default: all)")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(ATTACKS)
    with serving(args.store) as (base, pid):
        print(f"idle       memory {tree_rss(pid) / 2**20:5.0f} MiB", flush=True)
        for name in names:
            probe(base, pid, name, args.seconds)
            time.sleep(2)  # the refused connections linger a second


if __name__ == "__main__":
    main()
