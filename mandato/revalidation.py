"""Incremental validation of an embedded store: check again only what a changed graph can affect.

Every graph states its content digest (``mdo:contentDigest``, written at ingest). The last report
is kept inside the store directory (``mandato-validation.json``) with the digests it was made on,
the subjects of every graph and the classes of every subject. On the next ``validate``:
- graphs whose digest changed, appeared or disappeared are the changed graphs;
- the nodes to check again are the subjects of a changed graph, before and after the change, and
  every node that links to one of them whose classes changed (``sh:class`` looks at the classes
  of the nodes a focus node links to; no shape of ours looks further);
- they are checked on their own triples (from every graph) and those of the nodes they link to;
  their old results are replaced, every other result is kept;
- the SPARQL-based constraints (rules across treaty actions) run again in full: in the store
  they take a fraction of a second.
A change of the shapes, the ontology or mandato's version, a missing digest or more than a
third of the nodes to check makes it a full validation. ``mandato validate --full`` forces one.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing as mp
import os
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

import orjson
import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF

from mandato import __version__
from mandato.digests import graph_digests
from mandato.namespaces import ONTOLOGY_GRAPH
from mandato.packaged import SHAPES_DIR
from mandato.provenance import is_provenance_node
from mandato.store import KEPT_FILES, Store
from mandato.validation import (
    Report,
    Result,
    Rule,
    Terms,
    base_graph,
    core_results,
    describe,
    domain_quads,
    from_records,
    report,
    rule_results,
)
from mandato.validation import rules as all_rules  # (rules is a name of its own here)

CACHE = KEPT_FILES[0]
PARALLEL_ABOVE = 200_000  # quads of a store whose full validation runs its SPARQL rules in a second process
FULL_ABOVE = 1 / 3  # share of the subjects to check again above which a full validation is faster
ONTOLOGY = ox.NamedNode(str(ONTOLOGY_GRAPH))
TYPE = ox.NamedNode(str(RDF.type))


def revalidate(store: Store, full: bool = False) -> Report:
    assert store.path is not None
    digests = graph_digests(store)
    if full or digests is None:
        return _full(store, digests)
    cache = _load(store.path / CACHE, digests)
    if cache is None:
        return _full(store, digests)
    changed = sorted(g for g in set(digests) | set(cache["graphs"]) if digests.get(g) != cache["graphs"].get(g))
    if not changed:  # the rules across nodes run again (they take a fraction of a second); the rest is kept
        rules = from_records(cache["alone"]) + rule_results(store, _rules(alone=False))
        return report(from_records(cache["results"]) + describe(rules, _graph_of(store, {r.focus for r in rules})),
                      "no graph changed since the last report")
    old_subjects = {s for g in changed for s in cache["subjects"].get(g, [])}
    new_subjects = {g: _subjects(store, g) for g in changed if g in digests}
    subjects = old_subjects | {s for ss in new_subjects.values() for s in ss}
    types = {s: _types(store, s) for s in subjects}
    focus = set(subjects)
    for s in subjects:
        if types[s] != cache["types"].get(s, []):
            focus.update(q.subject.value for q in store.ox.quads_for_pattern(None, None, ox.NamedNode(s))
                         if isinstance(q.subject, ox.NamedNode) and q.graph_name != ONTOLOGY
                         and not is_provenance_node(q.subject.value))
    total = sum(len(ss) for ss in cache["subjects"].values()) or 1
    if len(focus) > FULL_ABOVE * total:
        return _full(store, digests)
    # The rules that check each node alone run on the nodes checked again; the others in full.
    alone = [r for r in from_records(cache["alone"]) if r.focus not in focus] + rule_results(
        store, _rules(alone=True), focus)
    rules = alone + rule_results(store, _rules(alone=False))
    data = _graph_of(store, focus | {r.focus for r in rules})
    results = [r for r in from_records(cache["results"]) if r.focus not in focus] + core_results(data, focus)
    for g in changed:
        cache["subjects"].pop(g, None)
    cache["subjects"].update({g: sorted(ss) for g, ss in new_subjects.items()})
    for s, ts in types.items():
        if ts:
            cache["types"][s] = ts
        else:
            cache["types"].pop(s, None)
    cache.update(graphs=digests, results=[r.record() for r in results], alone=[r.record() for r in alone])
    _save(store.path / CACHE, cache)
    scope = (f"{len(changed)} changed graph{'s' if len(changed) != 1 else ''}: "
             f"{len(focus):,} of {total:,} nodes checked again")
    return report(results + describe(rules, data), scope)


def _key() -> str:
    """What a report depends on besides the data: mandato's version and the shapes' text."""
    h = hashlib.sha256(__version__.encode())
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        h.update(path.read_bytes())
    return h.hexdigest()


def _rules(alone: bool) -> list[Rule]:
    """The SPARQL rules that check each node alone (shapes:checksEachNodeAlone), or the others."""
    return [r for r in all_rules() if r.alone == alone]


def _rules_in(path: Path) -> list[Result]:
    """The SPARQL rules' results, in a process of their own (on the store opened read-only)."""
    return rule_results(Store(path, must_exist=True, read_only=True))


def _full(store: Store, digests: dict[str, str] | None) -> Report:
    assert store.path is not None
    # The SPARQL rules run in the store, in a second process, while this one reads the data into
    # rdflib and runs pySHACL: the two halves of a full validation, on both cores (for a store
    # large enough to repay the second process's start, about a second).
    with contextlib.ExitStack() as stack:
        if len(store) >= PARALLEL_ABOVE:
            pool = stack.enter_context(ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")))
            rules: Future[list[Result]] = pool.submit(_rules_in, store.path)
        else:
            rules = Future()
            rules.set_result(rule_results(store))
        terms, data = Terms(), base_graph()
        add = data.store.add
        subjects: dict[str, set[str]] = {}
        types: dict[str, set[str]] = {}
        for g, s, p, o in domain_quads(store):
            add((terms(s), terms(p), terms(o)), data)
            if isinstance(s, ox.NamedNode):
                subjects.setdefault(g.value, set()).add(s.value)
                if p == TYPE and isinstance(o, ox.NamedNode):
                    types.setdefault(s.value, set()).add(o.value)
        core = core_results(data)
        rule_found = rules.result()
    if digests is not None and str(ONTOLOGY_GRAPH) in digests:
        alone_shapes = {x.shape for x in _rules(alone=True)}
        _save(store.path / CACHE, {
            "key": _key(), "ontology": digests[str(ONTOLOGY_GRAPH)], "graphs": digests,
            "subjects": {g: sorted(ss) for g, ss in subjects.items()},
            "types": {s: sorted(ts) for s, ts in types.items()},
            "results": [r.record() for r in core],
            "alone": [r.record() for r in rule_found if r.shape in alone_shapes],
        })
    return report(core + describe(rule_found, data))


def _load(path: Path, digests: dict[str, str]) -> dict[str, Any] | None:
    try:
        cache = orjson.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if cache.get("key") != _key() or cache.get("ontology") != digests.get(str(ONTOLOGY_GRAPH)):
        return None
    return cache


def _save(path: Path, cache: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(orjson.dumps(cache))  # json's encoder: 87 ms at ~1M triples, orjson 5 ms
        os.replace(tmp, path)
    except OSError:  # a store one may read but not write: the next validation is a full one
        tmp.unlink(missing_ok=True)


def _subjects(store: Store, graph: str) -> set[str]:
    """The nodes a graph states something of (as :func:`_full` keeps them: no statement node or citation)."""
    return {q.subject.value for q in store.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph))
            if isinstance(q.subject, ox.NamedNode) and not is_provenance_node(q.subject.value)}


def _types(store: Store, subject: str) -> list[str]:
    return sorted({q.object.value for q in store.ox.quads_for_pattern(ox.NamedNode(subject), TYPE, None)
                   if isinstance(q.object, ox.NamedNode) and q.graph_name != ONTOLOGY})


def _graph_of(store: Store, nodes: set[str]) -> Graph:
    """The triples of ``nodes`` and of the nodes they link to, from every graph, with the ontology."""
    terms, data = Terms(), base_graph()
    add = data.store.add
    linked: set[str] = set()
    for batch, follow in ((nodes, True), (None, False)):
        for node in (batch if batch is not None else linked - nodes):
            for q in store.ox.quads_for_pattern(ox.NamedNode(node), None, None):
                if q.graph_name == ONTOLOGY:
                    continue
                add((terms(q.subject), terms(q.predicate), terms(q.object)), data)
                if follow and isinstance(q.object, ox.NamedNode):
                    linked.add(q.object.value)
    return data

