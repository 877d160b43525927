"""Shared fixtures: a real Oxigraph store on disk with the bundled corpus ingested once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset, Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from mandato.catalogue import load_catalogue
from mandato.cli import main
from mandato.pipeline import ingest, load_manifest
from mandato.store import Store
from servers import free_port

HERE = Path(__file__).parent
REGEN = os.environ.get("MANDATO_REGEN_GOLDEN") == "1"
# Treaty actions of the bundled corpus: 134 in the CORETT ratification tables, 2 in Peru's
# statements, 8 signatures of the Central American victims convention (CORETT legal framework).
TREATY_ACTIONS = 134 + 3 + 8


@pytest.fixture(scope="session")
def corpus_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "corpus"
    ingest(Store(path), load_manifest(), progress=lambda _msg: None)
    return path


@pytest.fixture(scope="session")
def corpus_store(corpus_store_path: Path) -> Store:
    return Store(corpus_store_path, must_exist=True)


def assert_golden(graph: Graph, path: Path) -> None:
    """Compare a reader's output with its golden file as graphs (STYLE 10);
    MANDATO_REGEN_GOLDEN=1 rewrites the file."""
    if REGEN:
        path.write_text(graph.serialize(format="turtle"), encoding="utf-8")
    expected = Graph().parse(path, format="turtle")
    if not isomorphic(graph, expected):
        _, new, old = graph_diff(to_isomorphic(graph), to_isomorphic(expected))
        raise AssertionError(f"not in golden: {sorted(new)[:5]}\nmissing: {sorted(old)[:5]}")


def same_dataset(a: Dataset, b: Dataset) -> bool:
    """Two datasets are the same when they have the same named graphs, each isomorphic (blank
    nodes, as in the ontology's OWL lists, get new labels in every load)."""
    graphs_a = {g.identifier: g for g in a.graphs() if len(g)}
    graphs_b = {g.identifier: g for g in b.graphs() if len(g)}
    return graphs_a.keys() == graphs_b.keys() and all(isomorphic(graphs_a[k], graphs_b[k]) for k in graphs_a)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run the real command line in-process; returns (exit code, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        code = main([str(a) for a in args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


MANDATO = str(Path(sys.executable).parent / "mandato")


@contextmanager
def served(store: Path | str, env: dict[str, str] | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """A real `mandato serve` on ``store`` (a directory, or the URL of a remote SPARQL endpoint)
    at a free port, answering before this yields (base URL, process); stopped with SIGTERM after,
    and no worker of it may be left behind."""
    port = free_port()
    option = "--endpoint" if str(store).startswith("http") else "--store"
    proc = subprocess.Popen([MANDATO, option, str(store), "serve", "--port", str(port)],
                            env={**os.environ, **(env or {})}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(base + "/", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError(proc.stdout.read().decode() if proc.stdout else "mandato serve did not start")
    try:
        yield base, proc
    finally:
        workers = children(proc.pid)
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)
        for _ in range(50):
            left = [w for w in workers if Path(f"/proc/{w}").exists()]
            if not left:
                break
            time.sleep(0.1)
        assert not left, [Path(f"/proc/{w}/cmdline").read_bytes() for w in left]


def saved_query_cases() -> list[tuple[str, dict[str, str]]]:
    """Each saved query with its example parameters, and again in English where it takes ``lang``."""
    out = []
    for name, q in sorted(load_catalogue().items()):
        example = {p.name: p.example for p in q.params if p.example and p.name != "lang"}
        out.append((name, example))
        if any(p.name == "lang" for p in q.params):
            out.append((name, {**example, "lang": "en"}))
    return out
