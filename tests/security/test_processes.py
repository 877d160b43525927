"""Processes (hardening, items 6 and 10): a killed `mandato ingest` or `mandato serve` leaves no
worker running, and ingest reports success when it committed, even when another process opens
the store the moment the new one is swapped in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import yaml

from conftest import children, free_port
from mandato.namespaces import MDO
from mandato.packaged import CORPUS_DIR
from mandato.pipeline import SOURCES_PER_WORKER
from mandato.store import Store

MANDATO = str(Path(sys.executable).parent / "mandato")


def alive(pids: list[int]) -> list[int]:
    return [p for p in pids if Path(f"/proc/{p}").exists() and "Z" not in _state(p)]


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def wait_for(condition, seconds: float = 30.0) -> bool:
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        if condition():
            return True
        time.sleep(0.05)
    return False


def many_sources(directory: Path) -> Path:
    directory.mkdir()
    peru = CORPUS_DIR / "pe-plan-nacional-trata-2017-2021.txt"
    manifest = []
    for n in range(4 * SOURCES_PER_WORKER):  # enough sources for worker processes, and time to kill them
        (directory / f"plan-{n}.txt").write_text(peru.read_text(encoding="utf-8"), encoding="utf-8")
        manifest.append({"id": f"plan-{n}", "file": f"plan-{n}.txt", "title": f"Plan {n}", "jurisdiction": "PE",
                         "layout": "national-plan-frame"})
    (directory / "sources.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    return directory


def test_killing_ingest_kills_its_workers(tmp_path: Path):
    corpus = many_sources(tmp_path / "corpus")
    proc = subprocess.Popen([MANDATO, "--store", tmp_path / "store", "ingest", corpus],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: len(children(proc.pid)) >= 2), "ingest started no worker processes"
        workers = children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert wait_for(lambda: not alive(workers), 10), alive(workers)
    finally:
        proc.kill()


def test_killing_serve_kills_its_query_workers(corpus_store_path: Path, tmp_path: Path):
    port = free_port()
    store = tmp_path / "store"
    # a consistent copy of a store this process holds open (cp -r raced its compactions)
    Store(corpus_store_path, must_exist=True).ox.backup(str(store))
    proc = subprocess.Popen([MANDATO, "--store", store, "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def answers() -> bool:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}).status_code == 200
            except httpx.TransportError:
                return False

        assert wait_for(answers)
        workers = children(proc.pid)
        assert len(workers) >= 2
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        assert wait_for(lambda: not alive(workers), 10), alive(workers)
    finally:
        proc.kill()


GRAB = """
import sys, time
from pathlib import Path
import pyoxigraph as ox
path = Path(sys.argv[1])
stop = time.monotonic() + 60
while not Path(str(path) + ".old").exists() and time.monotonic() < stop:
    pass  # the swap has begun: the old store is set aside, the new one takes its place
while time.monotonic() < stop:  # open the store the moment ingest lets it go
    try:
        store = ox.Store(str(path))
    except OSError:
        continue
    time.sleep(0.3)
    del store
    break
"""


def test_ingest_reports_success_when_another_process_opens_the_store_after_the_swap(cli, tmp_path: Path):
    store = tmp_path / "store"
    assert cli("--store", store, "ingest")[0] == 0
    expected = len(Store(store))
    for _ in range(5):
        # Without their digests the graphs count as changed: ingest rewrites them all, by a swap
        # (unchanged graphs would not be written at all).
        Store(store).ox.update(f"DELETE WHERE {{ GRAPH ?g {{ ?g <{MDO.contentDigest}> ?d }} }}")
        grabber = subprocess.Popen([sys.executable, "-c", GRAB, str(store)])
        code, out, err = cli("--store", store, "ingest")
        grabber.wait(60)
        assert code == 0, err
        assert "ingested 5 sources" in out
        assert len(Store(store)) == expected
    assert not any(p.name.endswith((".new", ".old")) for p in tmp_path.iterdir())
    os.sync()
