"""The embedded store: one named graph per source, idempotent and atomic re-ingest."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from rdflib import Dataset

from conftest import TREATY_ACTIONS, same_dataset
from mandato.namespaces import ONTOLOGY_GRAPH, REGISTRY_GRAPH, source_graph
from mandato.packaged import CORPUS_DIR
from mandato.pipeline import SOURCES_PER_WORKER, ingest, load_manifest
from mandato.reconcile import RECONCILED_GRAPH
from mandato.store import Store


def quads(store: Store) -> set[str]:
    return set(store.dump(ox.RdfFormat.N_QUADS).decode().splitlines())


def dataset(store: Store) -> Dataset:
    ds = Dataset()
    ds.parse(data=store.dump(ox.RdfFormat.N_QUADS), format="nquads")
    return ds


def test_one_named_graph_per_source(corpus_store: Store):
    expected = {str(source_graph(s.id)) for s in load_manifest()} | {
        str(ONTOLOGY_GRAPH), str(REGISTRY_GRAPH), str(RECONCILED_GRAPH)}
    assert set(corpus_store.named_graphs()) == expected


def test_ingesting_twice_gives_the_same_dataset(tmp_path: Path):
    store = Store(tmp_path / "s")
    ingest(store, load_manifest(), progress=lambda _m: None)
    first, first_quads = dataset(store), quads(store)
    ingest(store, load_manifest(), progress=lambda _m: None)
    assert same_dataset(dataset(store), first)
    # Outside the ontology's OWL lists there are no blank nodes: those quads are identical.
    assert {q for q in quads(store) if "_:" not in q} == {q for q in first_quads if "_:" not in q}


def test_ingesting_what_the_store_holds_writes_nothing(tmp_path: Path):
    """Graphs whose digest the store already holds are not rewritten: re-reading an unchanged
    corpus writes nothing; a changed source rewrites its graph alone."""
    store = Store(tmp_path / "s")
    ingest(store, load_manifest(), progress=lambda _m: None)
    before = quads(store)
    said: list[str] = []
    ingest(store, load_manifest(), progress=said.append)
    assert any(m.endswith("graphs unchanged: not rewritten") for m in said), said
    assert not any(m.startswith("writing") for m in said) and quads(store) == before
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    peru = corpus / "pe-plan-nacional-trata-2017-2021.txt"
    peru.chmod(0o644)
    peru.write_text(peru.read_text(encoding="utf-8").replace("Promover", "Impulsar", 1), encoding="utf-8")
    said.clear()
    ingest(store, load_manifest(corpus), progress=said.append)
    assert [m for m in said if m.startswith("writing")] == [next(m for m in said if m.startswith("writing"))]
    assert next(m for m in said if m.startswith("writing")).endswith(" in 1 graphs")


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
    assert "pe-plan-nacional-trata-2017-2021: " in out and "3 treaty actions, 5 findings" in out
    assert "reconciled: " in out and f"{TREATY_ACTIONS} treaty actions, " in out  # every act, reconciled
    assert "[5/5] read" in err  # progress
    assert "finding in corett-plan-estrategico-2018-2027, line 539" in err and "[duplicate-row]" in err
    assert "finding in corett-plan-estrategico-2018-2027, line 74" in err  # from the reference data


def test_a_swap_of_store_directories_cut_short_is_undone(tmp_path: Path):
    path = tmp_path / "s"
    # Written by another process, whose handle is gone when it exits (as after a crash).
    write = ("import sys; from pathlib import Path; from mandato.store import Store; "
             "Store(Path(sys.argv[1])).replace_graphs({'http://g/1': b'<http://a> <http://b> <http://c> .\\n'})")
    subprocess.run([sys.executable, "-c", write, str(path)], check=True)
    path.rename(tmp_path / "s.old")  # the old store moved aside, the new one never moved in
    (tmp_path / "s.new").mkdir()
    store = Store(path, must_exist=True)
    assert store.named_graphs() == ["http://g/1"] and len(store) == 1
    assert not (tmp_path / "s.old").exists() and not (tmp_path / "s.new").exists()


def test_a_source_failing_in_a_worker_process_leaves_the_store_as_it_was(cli, tmp_path: Path):
    store = tmp_path / "store"
    assert cli("--store", store, "ingest")[0] == 0
    before = quads(Store(store))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    peru = CORPUS_DIR / "pe-plan-nacional-trata-2017-2021.txt"
    manifest = []
    for n in range(2 * SOURCES_PER_WORKER):  # enough sources for two worker processes
        (corpus / f"plan-{n}.txt").write_text(peru.read_text(encoding="utf-8") if n != 5 else "not a plan\n",
                                               encoding="utf-8")
        manifest.append({"id": f"plan-{n}", "file": f"plan-{n}.txt", "title": f"Plan {n}", "jurisdiction": "PE",
                         "layout": "national-plan-frame"})
    (corpus / "sources.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    code, _, err = cli("--store", store, "ingest", corpus)
    assert code == 2 and "plan-5.txt" in err and "Traceback" not in err
    assert quads(Store(store)) == before


A, B, C = "<http://a>", "<http://b>", "<http://c>"


@pytest.mark.parametrize("on_disk", [True, False], ids=["rebuilt", "updated in place"])
def test_queries_see_a_fact_once_however_many_sources_state_it(tmp_path: Path, on_disk: bool):
    """The default graph keeps the merge of the named graphs as a set (Oxigraph's union default
    graph is a bag: a fact restated by n sources came back n times, and a join of k patterns on it
    n^k times). Replacing a graph keeps in the merge what another graph still states."""
    store = Store(tmp_path / "s" if on_disk else None)
    fact = f"{A} {B} {C} .\n{A} {B} <http://d> .\n".encode()
    store.replace_graphs({f"http://g/{i}": fact for i in range(3)})
    joined = f"SELECT (COUNT(*) AS ?n) WHERE {{ {A} {B} ?x . {A} {B} ?y . {A} {B} ?z }}"
    assert store.select(joined).rows[0][0].value == "8"  # 2 × 2 × 2, not 6 × 6 × 6
    assert len(store) == 6 and len(store.dump(ox.RdfFormat.N_QUADS).splitlines()) == 6  # the merge is not data
    store.replace_graphs({"http://g/0": f"{A} {B} {C} .\n".encode(), "http://g/1": f"{A} {B} {C} .\n".encode()})
    assert store.run(f"ASK {{ {A} {B} <http://d> }}").value  # graph 2 still states it
    store.replace_graphs({"http://g/2": f"{A} {B} {C} .\n".encode()})
    assert not store.run(f"ASK {{ {A} {B} <http://d> }}").value  # no graph does any more
    assert store.run(f"ASK {{ {A} {B} {C} }}").value


def test_a_store_without_the_merge_is_read_through_the_union(tmp_path: Path):
    """A store written before the merge was kept (or filled graph by graph) still answers."""
    raw = ox.Store(str(tmp_path / "old"))
    raw.add(ox.Quad(ox.NamedNode("http://a"), ox.NamedNode("http://b"), ox.NamedNode("http://c"),
                    ox.NamedNode("http://g/1")))
    del raw
    store = Store(tmp_path / "old", must_exist=True)
    assert not store.merged and store.run("ASK { <http://a> <http://b> <http://c> }").value
    store.replace_graphs({"http://g/2": b"<http://x> <http://y> <http://z> .\n"})
    assert store.merged and store.run("ASK { <http://a> <http://b> <http://c> }").value
