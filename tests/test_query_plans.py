"""A guard on the saved queries' plans (issue 15): Oxigraph's plan of every saved query, with its
example parameters, reads no predicate whole unless the query's header says it does, and why.

Oxigraph plans a query from its text alone (no data statistics), so the plan a test reads is the
plan a store of any size runs. A pattern is read whole when neither its subject nor its object is
bound where it is evaluated: by a constant, by a parameter's VALUES, or by the left side of a
for-loop join (``Lateral``, ``ForLoopLeftJoin``) above it. A hash join evaluates both its sides
with what is bound above it only: that is how an OPTIONAL of several patterns, a group after an
OPTIONAL or a UNION branch ends up read over the whole store. At ~1M triples such a read turned
10 ms queries into 0.1-2 s ones; the next query written cannot do it silently.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mandato.catalogue import bind, inject_values, load_catalogue

OXIGRAPH = str(Path(sys.executable).parent / "oxigraph")
PREFIXES = {
    "https://w3id.org/mandato/ontology#": "mdo:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/2000/01/rdf-schema#": "rdfs:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
    "http://www.w3.org/ns/prov#": "prov:",
    "http://www.w3.org/ns/org#": "org:",
    "http://purl.org/dc/terms/": "dcterms:",
}
TERM = re.compile(r'\?\w+|<[^>]*>|_:\w+|"(?:[^"\\]|\\.)*"(?:@[\w-]+|\^\^<[^>]*>)?')
FOR_LOOP = ("Lateral", "ForLoopLeftJoin")


def compact(text: str) -> str:
    for iri, prefix in PREFIXES.items():
        text = re.sub(rf"<{re.escape(iri)}([^>]*)>", rf"{prefix}\1", text)
    return text.replace("<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "rdf:type")


def variables(node: dict) -> set[str]:
    found = set(re.findall(r"\?\w+", node["name"]))
    for child in node.get("children", []):
        found |= variables(child)
    return found


def whole_reads(node: dict, bound: frozenset[str] = frozenset()) -> set[str]:
    """The predicates (or paths) the plan reads with neither end bound."""
    name, children = node["name"], node.get("children", [])
    if name.startswith(FOR_LOOP):
        left, right = children
        return whole_reads(left, bound) | whole_reads(right, bound | variables(left))
    if name.startswith(("QuadPattern(", "Path(")):
        inner = name[name.index("(") + 1:-1]
        terms = TERM.findall(inner)
        path = name.startswith("Path(")
        subject, last = terms[0], terms[-1] if path else terms[2]
        # A path is what lies between its two ends.
        predicate = inner[len(subject):inner.rindex(last)].strip() if path else terms[1]
        if any(not t.startswith("?") or t in bound for t in (subject, last)):
            return set()
        return {"any predicate" if predicate.startswith("?") else compact(predicate)}
    reads: set[str] = set()
    for child in children:
        reads |= whole_reads(child, bound)
    return reads


def plan(store_path: Path, text: str, tmp_path: Path, graph: bool = False) -> dict:
    """Oxigraph's plan of a query (its command line opens the store read-only)."""
    (tmp_path / "q.rq").write_text(text, encoding="utf-8")
    done = subprocess.run([OXIGRAPH, "query", "--location", str(store_path), "--query-file", str(tmp_path / "q.rq"),
                           "--results-format", "nt" if graph else "tsv", "--results-file", str(tmp_path / "out"),
                           "--explain-file", str(tmp_path / "plan.json")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads((tmp_path / "plan.json").read_text())["plan"]


@pytest.mark.parametrize("name", sorted(load_catalogue()))
def test_no_saved_query_reads_a_predicate_whole_unless_it_says_so(name, corpus_store, corpus_store_path, tmp_path):
    query = load_catalogue()[name]
    required = {p.name: p.example for p in query.params if p.required and p.example}
    every = {p.name: p.example for p in query.params if p.example}
    reads: set[str] = set()
    for args in (required, every):
        text = inject_values(query.text, bind(corpus_store, query, args))
        reads |= whole_reads(plan(corpus_store_path, text, tmp_path, query.graph))
    assert reads == set(query.scans), (
        f"{name}: the plan reads {sorted(reads)} whole; the header's `scans` says {sorted(query.scans)}. Restrict "
        "the pattern from a bound term (oxigraph query --explain), or say in `scans` why the query must read it.")


def test_the_guard_sees_a_read_of_the_whole_store(corpus_store_path, tmp_path):
    """The guard itself: a GRAPH group holding an OPTIONAL is joined by hash (coordination-bodies
    did this: 349 ms at ~1M triples), so its pattern is read whole; the same lookups as a GRAPH
    pattern and an OPTIONAL of its own are read from the bound attestation."""
    head = ("PREFIX mdo: <https://w3id.org/mandato/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
            "SELECT * WHERE { VALUES ?act { <https://w3id.org/mandato/id/treaty-action/un-xviii-12-a/cr/consent> } "
            "?attestation mdo:attests ?act . ")
    held = plan(corpus_store_path, head + "GRAPH ?g { ?attestation prov:wasDerivedFrom ?doc . "
                "OPTIONAL { ?attestation mdo:sourceLine ?line } } }", tmp_path)
    apart = plan(corpus_store_path, head + "GRAPH ?g { ?attestation prov:wasDerivedFrom ?doc } "
                 "OPTIONAL { GRAPH ?g { ?attestation mdo:sourceLine ?line } } }", tmp_path)
    assert whole_reads(held) == {"prov:wasDerivedFrom"}
    assert whole_reads(apart) == set()
