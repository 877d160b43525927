"""One answer per fact (sources as data, item 6): with a second source stating the same treaty
acts and the same legal references, every saved query returns each answer once. The union of the
named graphs is a multiset (a triple stated in two graphs matches twice), so before the queries
guarded, 13 acts came back as 400 rows and an aggregate counted each ancestor twice."""

from __future__ import annotations

import shutil
from collections import Counter

import pytest
import yaml

from mandato.catalogue import bind, execute, load_catalogue
from mandato.packaged import CORPUS_DIR
from mandato.pipeline import ingest, load_manifest
from mandato.results import Table
from mandato.store import Store

TABLES = "corett-plan-estrategico-2018-2027"  # the document that holds the two ratification tables
CATALOGUE = load_catalogue()


@pytest.fixture(scope="module")
def restated_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The bundled corpus plus a second source that states the same tables (another document
    reprinting them, as a regional report does)."""
    corpus = tmp_path_factory.mktemp("restated") / "corpus"
    shutil.copytree(CORPUS_DIR, corpus)
    entries = yaml.safe_load((CORPUS_DIR / "sources.yaml").read_text(encoding="utf-8"))
    tables = next(e for e in entries if e["id"] == TABLES)
    shutil.copy(CORPUS_DIR / tables["file"], corpus / "reprint.txt")
    entries.append({"id": "reprint", "file": "reprint.txt", "title": "A report reprinting the CORETT tables",
                    "layout": "coalition-ratification-tables"})
    (corpus / "sources.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    store = Store(corpus / "store")
    ingest(store, load_manifest(corpus), progress=lambda _msg: None)
    return store


def answer(store: Store, name: str, lang: str | None) -> Table:
    query = CATALOGUE[name]
    args = {p.name: p.example for p in query.params if p.example and p.type != "lang"}
    if lang and any(p.type == "lang" for p in query.params):
        args["lang"] = lang
    return execute(store, query, bind(store, query, args))


def without_sources(table: Table) -> set[tuple[str, ...]]:
    keep = [i for i, c in enumerate(table.columns) if c not in ("source", "sources", "agree", "listed_in")]
    return {tuple(str(row[i]) for i in keep) for row in table.rows}


@pytest.mark.parametrize("lang", [None, "en"])
@pytest.mark.parametrize("name", sorted(n for n, q in CATALOGUE.items() if not q.graph))
def test_each_answer_once_however_many_sources_state_it(corpus_store, restated_store, name, lang):
    once, twice = answer(corpus_store, name, lang), answer(restated_store, name, lang)
    if "source_iri" in once.columns:  # rows of source documents (findings): the reprint's are its own
        at = once.columns.index("source_iri")
        original = {str(row[at]) for row in once.rows}
        assert all(str(row[at]) in original or row[at].value.endswith("/reprint") for row in twice.rows)
        twice = Table(twice.columns, [row for row in twice.rows if str(row[at]) in original])
    counts = Counter(tuple(str(c) for c in row) for row in twice.rows)
    assert max(counts.values(), default=1) == 1, counts.most_common(2)  # no row twice
    assert without_sources(twice) == without_sources(once)  # the same answers, the same aggregates


def test_a_restated_act_cites_both_sources(corpus_store, restated_store):
    query = CATALOGUE["ratifications"]
    args = {"instrument": "Protocolo de Palermo", "country": "CR"}
    (row,) = execute(restated_store, query, bind(restated_store, query, args)).records()
    assert set(row["source"].split("; ")) == {"corett-plan-estrategico-2018-2027.txt, line 434",
                                              "reprint.txt, line 434"}
    assert row["sources"] == "2"  # one act, two attestations


def test_the_graph_query_states_each_triple_once(corpus_store, restated_store):
    query = CATALOGUE["instrument-graph"]
    args = {p.name: p.example for p in query.params if p.example}
    triples = execute(restated_store, query, bind(restated_store, query, args)).triples
    assert len(triples) == len(set(triples))
    # The same graph but for the number of sources of each act the reprint restates.
    count = "https://w3id.org/mandato/ontology#sourceCount"
    assert {t for t in execute(corpus_store, query, bind(corpus_store, query, args)).triples
            if t.predicate.value != count} <= set(triples)
