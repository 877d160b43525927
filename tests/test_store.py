"""The embedded store: one named graph per source, idempotent and atomic re-ingest."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset

from conftest import same_dataset
from mandato.namespaces import ONTOLOGY_GRAPH, REGISTRY_GRAPH, source_graph
from mandato.pipeline import ingest, load_manifest
from mandato.store import Store


def quads(store: Store) -> set[str]:
    return set(store.ox.dump(format=ox.RdfFormat.N_QUADS).decode().splitlines())


def dataset(store: Store) -> Dataset:
    ds = Dataset()
    ds.parse(data=store.ox.dump(format=ox.RdfFormat.N_QUADS), format="nquads")
    return ds


def test_one_named_graph_per_source(corpus_store: Store):
    expected = {str(source_graph(s.id)) for s in load_manifest()} | {str(ONTOLOGY_GRAPH), str(REGISTRY_GRAPH)}
    assert set(corpus_store.named_graphs()) == expected


def test_ingesting_twice_gives_the_same_dataset(tmp_path: Path):
    store = Store(tmp_path / "s")
    ingest(store, load_manifest(), progress=lambda _m: None)
    first, first_quads = dataset(store), quads(store)
    ingest(store, load_manifest(), progress=lambda _m: None)
    assert same_dataset(dataset(store), first)
    # Outside the ontology's OWL lists there are no blank nodes: those quads are identical.
    assert {q for q in quads(store) if "_:" not in q} == {q for q in first_quads if "_:" not in q}


def test_replacing_graphs_is_all_or_nothing(tmp_path: Path):
    store = Store(tmp_path / "s")
    store.replace_graphs({"http://g/1": b"<http://a> <http://b> <http://c> .\n"})
    before = quads(store)
    # The second graph fails half-way through the write, after the first was loaded.
    with pytest.raises(SyntaxError):
        store.replace_graphs({"http://g/1": b"<http://x> <http://y> <http://z> .\n",
                              "http://g/2": b"<http://x> <http://y> <http://z> .\n<http://x> oops"})
    assert quads(store) == before
    assert store.named_graphs() == ["http://g/1"]


def test_ingest_command_prints_counts_and_findings(cli, tmp_path: Path):
    code, out, err = cli("--store", tmp_path / "s", "ingest")
    assert code == 0
    assert "corett-plan-estrategico-2018-2027: " in out and "142 treaty actions, " in out
    assert "pe-plan-nacional-trata-2017-2021: " in out and "2 treaty actions, 5 findings" in out
    assert "[5/5] read" in err  # progress
    assert "finding in corett-plan-estrategico-2018-2027, line 539" in err and "[duplicate-row]" in err
    assert "finding in corett-plan-estrategico-2018-2027, line 74" in err  # from the reference data
