"""SHACL shapes: the corpus conforms; each invalid example (named for what is wrong) fails with
a violation, each valid example passes (STYLE 11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from conftest import HERE
from mandato.digests import serialized
from mandato.namespaces import ONTOLOGY_GRAPH, REGISTRY_GRAPH
from mandato.packaged import ontology_graph
from mandato.pipeline import registry_graph
from mandato.registry import load_registry
from mandato.store import Store
from mandato.validation import Report, validate

EXAMPLES = HERE / "shapes"


def with_reference(path: Path) -> Report:
    """The report on an example, in a store with the ontology and the registry, as ingest writes them."""
    store = Store(None)
    store.replace_graphs({str(name): serialized(str(name), graph) for name, graph in (
        (ONTOLOGY_GRAPH, ontology_graph()), (REGISTRY_GRAPH, registry_graph(load_registry())[0]),
        ("https://w3id.org/mandato/graph/source/example", Graph().parse(path, format="turtle")))})
    return validate(store)


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
