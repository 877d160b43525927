"""Export of the dataset in every format of the design note, read back with rdflib."""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph

from mandato.results import DATASET_FORMATS, EXTENSIONS
from mandato.store import Store

RDFLIB = {
    "turtle": "turtle", "trig": "trig", "nquads": "nquads", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml",
}


def distinct_triples(store: Store) -> int:
    result = store.run("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
    return int(result.records()[0]["n"])


@pytest.mark.parametrize("fmt", sorted(DATASET_FORMATS))
def test_export_reads_back_complete(fmt, cli, corpus_store_path, corpus_store, tmp_path):
    out = tmp_path / f"mandato.{EXTENSIONS[fmt]}"
    code, _, err = cli("--store", corpus_store_path, "export", "--format", fmt, "-o", out)
    assert code == 0 and out.exists(), err
    *_, quads = DATASET_FORMATS[fmt]
    if quads:
        ds = Dataset()
        ds.parse(out, format=RDFLIB[fmt])
        graphs = {str(g.identifier) for g in ds.graphs() if len(g)}
        assert set(corpus_store.named_graphs()) <= graphs
        assert sum(len(g) for g in ds.graphs()) == len(corpus_store)
    else:
        g = Graph().parse(out, format=RDFLIB[fmt])
        assert len(g) == distinct_triples(corpus_store)


def test_export_to_stdout(cli, corpus_store_path):
    code, out, _ = cli("--store", corpus_store_path, "export", "--format", "nquads")
    assert code == 0 and "/graph/source/corett-plan-estrategico-2018-2027>" in out
