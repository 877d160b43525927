"""Content digests of named graphs: written into each graph at ingest, read by incremental
validation (which graphs changed) and by the API (the dataset version behind its ETags)."""

from __future__ import annotations

import hashlib
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph

from mandato.namespaces import MDO


def serialized(name: str, graph: Graph) -> bytes:
    """The graph as N-Triples, with one more line: ``<name> mdo:contentDigest "sha256:…"``, the
    digest of its sorted lines (blank nodes canonicalised first, so that it changes only when the
    content does)."""
    data = graph.serialize(format="nt", encoding="utf-8")
    canonical = data
    # (a graph whose N-Triples hold no "_:" has no blank node: most graphs, not walked again)
    if b"_:" in data and any(isinstance(term, BNode) for triple in graph for term in triple):
        canonical = to_canonical_graph(graph).serialize(format="nt", encoding="utf-8")
    digest = hashlib.sha256(b"\n".join(sorted(canonical.splitlines()))).hexdigest()
    return data + f'<{name}> <{MDO.contentDigest}> "sha256:{digest}" .\n'.encode()


def stated_digest(data: bytes) -> str | None:
    """The digest :func:`serialized` wrote on the last line of a graph's N-Triples."""
    last = data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("utf-8", errors="replace")
    return last.split(f"<{MDO.contentDigest}> ", 1)[1].strip(' ."') if f"<{MDO.contentDigest}>" in last else None


def graph_digests(store: Any) -> dict[str, str] | None:
    """Each named graph's content digest (embedded or remote store), or None when a graph states
    none (it was not written by ``mandato ingest``)."""
    table = store.select(f"SELECT ?g ?d WHERE {{ GRAPH ?g {{ ?g <{MDO.contentDigest}> ?d }} }}")
    digests = {g.value: d.value for g, d in table.rows}
    return digests if set(digests) == set(store.named_graphs()) else None


def dataset_version(store: Any) -> str:
    """A digest of the whole dataset: of the graphs' digests when every graph states one, else of
    a dump of every quad (slow on a large store)."""
    digests = graph_digests(store)
    if digests is None:
        return hashlib.sha256(store.dump(ox.RdfFormat.N_QUADS)).hexdigest()[:16]
    return hashlib.sha256("\n".join(f"{g} {d}" for g, d in sorted(digests.items())).encode()).hexdigest()[:16]
