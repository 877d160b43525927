"""SHACL shapes: the corpus conforms; each invalid example (named for what is wrong) fails with
a violation, each valid example passes (STYLE 11)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from rdflib import Graph

from conftest import HERE
from mandato.digests import serialized
from mandato.namespaces import ONTOLOGY_GRAPH, REGISTRY_GRAPH
from mandato.packaged import CORPUS_DIR, ontology_graph
from mandato.pipeline import registry_graph
from mandato.provenance import reify_by_node
from mandato.registry import load_registry
from mandato.store import Store
from mandato.validation import Report, validate

EXAMPLES = HERE / "shapes"


def with_reference(path: Path) -> Report:
    """The report on an example, in a store with the ontology and the registry, as ingest writes them."""
    store = Store(None)
    store.replace_graphs({str(name): serialized(str(name), graph) for name, graph in (
        (ONTOLOGY_GRAPH, ontology_graph()), (REGISTRY_GRAPH, registry_graph(load_registry())[0]),
        ("https://w3id.org/mandato/graph/source/example", example(path)))})
    return validate(store)


def example(path: Path) -> Graph:
    """An example's graph, each statement cited where its subject says it was read (as a reader
    cites a row's cells), so that an example is about its facts, not about their citations."""
    graph = Graph().parse(path, format="turtle")
    reify_by_node(graph)
    return graph


@pytest.mark.parametrize("path", sorted((EXAMPLES / "invalid").glob("*.ttl")), ids=lambda p: p.stem)
def test_invalid_examples_have_violations(path: Path):
    report = with_reference(path)
    assert not report.conforms
    violations = [r for r in report.results if r.severity == "Violation"]
    assert violations and all(r.message_en and r.message_es for r in violations)
    assert any(r.focus.startswith("https://w3id.org/mandato/id/") for r in violations)


@pytest.mark.parametrize("path", sorted((EXAMPLES / "valid").glob("*.ttl")), ids=lambda p: p.stem)
def test_valid_examples_conform(path: Path):
    report = with_reference(path)
    assert report.conforms, [r.message_en for r in report.results]


def test_a_protocol_party_without_the_convention_is_a_gap_of_the_sources_not_a_violation():
    # Peru's plan states a ratification of the Palermo Protocol and nothing of the convention.
    report = with_reference(EXAMPLES / "valid" / "protocol-party-not-party-to-convention.ttl")
    warned = [r for r in report.results if r.severity == "Warning" and "no source states it" in r.message_en]
    assert report.conforms and len(warned) == 1


def test_the_corpus_conforms(cli, corpus_store_path):
    code, out, _ = cli("--store", corpus_store_path, "validate")
    assert code == 0 and out.startswith("conforms")
    code, out, _ = cli("--store", corpus_store_path, "validate", "--format", "json")
    assert json.loads(out)["conforms"] is True
    code, out, _ = cli("--store", corpus_store_path, "validate", "--format", "turtle")
    assert "ValidationReport" in out


def test_validate_exits_1_on_violations(cli, tmp_path):
    store = tmp_path / "store"
    bad = EXAMPLES / "invalid" / "deposit-before-act.ttl"
    from mandato.store import Store

    s = Store(store)
    s.replace_graphs({
        name: serialized(name, graph) for name, graph in (
            ("https://w3id.org/mandato/graph/registry", registry_graph(load_registry())[0]),
            ("https://w3id.org/mandato/graph/source/test", Graph().parse(bad, format="turtle")))
    })
    del s
    code, out, _ = cli("--store", store, "validate")
    assert code == 1
    assert "Violation" in out and "before the date of the act" in out and "anterior a la fecha del acto" in out


def test_validate_without_a_store_is_an_error(cli, tmp_path):
    code, _, err = cli("--store", tmp_path / "none", "validate")
    assert code == 2 and "mandato ingest" in err


def test_after_a_change_only_what_it_can_affect_is_checked_again(cli, tmp_path):
    corpus, store = tmp_path / "corpus", tmp_path / "store"
    shutil.copytree(CORPUS_DIR, corpus)
    peru = corpus / "pe-plan-nacional-trata-2017-2021.txt"
    peru.chmod(0o644)
    # Three more plans, so that one plan is a small part of the dataset (as it is at scale).
    manifest = yaml.safe_load((corpus / "sources.yaml").read_text(encoding="utf-8"))
    for n in range(3):
        shutil.copy(peru, corpus / f"plan-{n}.txt")
        manifest.append({"id": f"plan-{n}", "file": f"plan-{n}.txt", "title": f"Plan {n}", "jurisdiction": "PE",
                         "layout": "national-plan-frame"})
    (corpus / "sources.yaml").chmod(0o644)
    (corpus / "sources.yaml").write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    assert cli("--store", store, "ingest", corpus)[0] == 0
    _, before, err = cli("--store", store, "validate", "--format", "json")
    assert "validated: whole dataset" in err
    lines = peru.read_text(encoding="utf-8").splitlines()
    row = next(i for i, line in enumerate(lines) if "<b>1.1.3.</b>" in line)
    lines[row] = lines[row].rsplit("\t", 1)[0] + "\t"  # action 1.1.3 loses its responsible bodies
    peru.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli("--store", store, "ingest", peru)[0] == 0
    _, after, err = cli("--store", store, "validate", "--format", "json")
    checked = re.search(r"1 changed graph: ([\d,]+) of ([\d,]+) nodes checked again", err)
    assert checked and int(checked.group(1).replace(",", "")) < int(checked.group(2).replace(",", ""))
    _, full, err = cli("--store", store, "validate", "--full", "--format", "json")
    assert "validated: whole dataset" in err
    assert after == full != before  # the same report as checking everything, and the change shows in it
    was, now = ({(r["focus"], r["message_en"]) for r in json.loads(report)["results"]} for report in (before, after))
    assert now - was and all(focus.endswith("/1-1-3") for focus, _ in now - was), now - was
    _, again, err = cli("--store", store, "validate", "--format", "json")
    assert "no graph changed" in err and again == full


def test_a_rule_that_checks_each_node_alone_gives_on_some_nodes_what_it_gives_on_all(cli, tmp_path):
    """Re-validation runs such a rule (an uncited link) on the nodes it checks again only: on those,
    its answer is the whole-dataset answer; on others, nothing."""
    import pyoxigraph as ox

    from mandato.validation import rules

    assert cli("--store", tmp_path / "store", "ingest")[0] == 0
    store = Store(tmp_path / "store", must_exist=True)
    peru = "https://w3id.org/mandato/id/plan/pe-plan-nacional-trata-2017-2021"
    link = ox.Quad(ox.NamedNode(peru), ox.NamedNode("https://w3id.org/mandato/ontology#mentions"),
                   ox.NamedNode("https://w3id.org/mandato/id/instrument/un-iv-9-b"),  # which it does not name
                   ox.NamedNode("https://w3id.org/mandato/graph/source/pe-plan-nacional-trata-2017-2021"))
    store.ox.add(link)
    store.ox.add(ox.Quad(link.subject, link.predicate, link.object, ox.DefaultGraph()))  # the merge
    alone = [r for r in rules() if r.alone]
    assert alone, "shapes:checksEachNodeAlone marks the provenance rule"
    other = "https://w3id.org/mandato/id/country/cr"
    def found(query: str) -> set[tuple[str, ...]]:
        table = store.select(query)
        return {tuple(str(row[table.columns.index(c)]) for c in ("this", "path", "value")) for row in table.rows}

    for rule in alone:
        whole = found(rule.query)
        assert (f"<{peru}>", f"<{link.predicate.value}>", f"<{link.object.value}>") in whole  # the uncited link
        assert found(rule.on({peru, other})) == {row for row in whole if row[0] in (f"<{peru}>", f"<{other}>")}
        assert not found(rule.on({other}))


def test_a_full_validation_runs_its_rules_in_a_second_process_on_a_large_store(cli, tmp_path, monkeypatch):
    """Above PARALLEL_ABOVE quads the SPARQL rules run in a process of their own beside pySHACL:
    the report is the one of a single process."""
    assert cli("--store", tmp_path / "store", "ingest")[0] == 0
    code, alone, _ = cli("--store", tmp_path / "store", "validate", "--full", "--format", "json")
    monkeypatch.setattr("mandato.revalidation.PARALLEL_ABOVE", 0)
    code_both, both, err = cli("--store", tmp_path / "store", "validate", "--full", "--format", "json")
    assert (code, alone) == (code_both, both) and "validated: whole dataset" in err
    assert json.loads(both)["results"]  # warnings of the corpus: the comparison is of something
