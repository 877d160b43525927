"""Dumps outside every limit (hardening, second round): sixteen parallel `/dataset` dumps took the
server from 190 to 776 MB, it stayed near 700 MB, and other queries waited seconds meanwhile. Each
dump is now made once per dataset version and format, by a process of its own, kept in a file
beside the store and streamed from it: the server's memory stays where it was."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset
from test_http_limits import _rss, _still_answers

from conftest import served
from mandato.store import Store

GRAPHS = 4
TRIPLES = 30_000  # per graph


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    path = tmp_path_factory.mktemp("dumps") / "store"
    store = Store(path)
    store.replace_graphs({
        f"https://w3id.org/mandato/graph/source/s{g}": "".join(
            f'<https://w3id.org/mandato/id/x/{g}-{i}> <http://www.w3.org/2004/02/skos/core#prefLabel> '
            f'"label {i} of graph {g}, long enough to weigh something"@es .\n' for i in range(TRIPLES)).encode()
        for g in range(GRAPHS)})
    del store
    stale = Path(f"{path}.dumps") / "an-old-version"
    stale.mkdir(parents=True)
    (stale / "all.trig").write_text("old")
    with served(path) as (base, proc):
        yield base, proc, path


def test_dumps_of_other_versions_are_removed_at_start(server):
    _, _, path = server
    assert not (Path(f"{path}.dumps") / "an-old-version").exists()


def test_parallel_dumps_are_made_once_and_keep_memory_bounded(server):
    base, proc, path = server
    _still_answers(base)
    before = _rss(proc.pid)

    def dump(_: int) -> bytes:
        r = httpx.get(base + "/dataset", params={"format": "nquads"}, timeout=120)
        assert r.status_code == 200, r.text
        return r.content

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        pending = [pool.submit(dump, i) for i in range(16)]
        _still_answers(base)  # other clients are answered while the dump is made
        bodies = [f.result() for f in pending]
    assert len(set(bodies)) == 1
    assert bodies[0].count(b"\n") == GRAPHS * TRIPLES
    assert _rss(proc.pid) - before < 64 * 2**20
    made = [p.name for p in Path(f"{path}.dumps").glob("*/*")]
    assert made == ["all.nq"]  # one file, no part left


def test_a_dump_is_complete_in_every_format(server):
    base, _, _ = server
    r = httpx.get(base + "/dataset", params={"format": "trig"}, timeout=120)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/trig")
    assert int(r.headers["content-length"]) == len(r.content)
    assert r.headers.get_list("etag") and len(r.headers.get_list("etag")) == 1
    ds = Dataset()
    ds.parse(data=r.content, format="trig")
    assert len(ds) == GRAPHS * TRIPLES
    one = "https://w3id.org/mandato/graph/source/s1"
    r = httpx.get(base + "/dataset", params={"format": "ntriples", "graph": one}, timeout=120)
    assert r.status_code == 200 and r.content.count(b"\n") == TRIPLES and b"-0> " in r.content


def test_a_graph_the_dataset_lacks_is_not_found(server):
    base, _, _ = server
    r = httpx.get(base + "/dataset", params={"graph": "https://w3id.org/mandato/graph/source/none"})
    assert r.status_code == 404 and not r.json()["ok"]
