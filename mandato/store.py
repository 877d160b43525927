"""The embedded store: Oxigraph on disk, one named graph per source (design note §2).

Queries see the union of all graphs. Replacing graphs is atomic: the new content is first
written to staging graphs (each write is its own transaction), then a single SPARQL update moves
every staging graph onto its target, which Oxigraph applies in one transaction. A failure before
that update leaves the visible graphs as they were.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from mandato.errors import StoreError
from mandato.namespaces import STAGING_GRAPH_PREFIX
from mandato.results import Boolean, Queryable, Result, Triples, from_solutions, serialized

DEFAULT_STORE = "mandato-store"
ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def store_path(option: str | None = None) -> Path:
    """``--store DIR``, else ``MANDATO_STORE``, else ``./mandato-store``."""
    return Path(option or os.environ.get("MANDATO_STORE") or DEFAULT_STORE)


# One handle per store directory and process: Oxigraph takes an exclusive lock on the directory,
# and its read-only mode is undefined while another handle writes, so every Store of the same
# path in a process shares one handle.
_HANDLES: dict[Path, ox.Store] = {}


def _open(path: Path, must_exist: bool) -> ox.Store:
    key = path.resolve()
    if key not in _HANDLES:
        if must_exist and not path.exists():
            raise StoreError(f"no store at {path}; run 'mandato ingest' first")
        try:
            _HANDLES[key] = ox.Store(str(path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreError(f"the store at {path} is in use by another process "
                                 "(a running 'mandato serve' or 'mandato ingest'?)") from None
            raise StoreError(f"cannot open the store at {path}: {exc}") from None
    return _HANDLES[key]


class Store(Queryable):
    def __init__(self, path: Path | None, must_exist: bool = False):
        """The store in directory ``path`` (created unless ``must_exist``), or in memory."""
        self.path = path
        self.matchers: dict[str, Any] = {}  # name resolvers of catalogue.matcher, per kind
        self.ox = ox.Store() if path is None else _open(path, must_exist)

    # -- writing ---------------------------------------------------------------------------

    def replace_graphs(self, graphs: Mapping[str, Graph]) -> None:
        """Replace each named graph by the given content, all at once or not at all."""
        staging = {name: ox.NamedNode(f"{STAGING_GRAPH_PREFIX}{i}") for i, name in enumerate(graphs)}
        self.drop_staging()
        try:
            for name, graph in graphs.items():
                data = graph.serialize(format="nt", encoding="utf-8")
                self.ox.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=staging[name])
            moves = " ;\n".join(f"MOVE SILENT GRAPH {staging[n]} TO GRAPH <{n}>" for n in graphs)
            if moves:
                self.ox.update(moves)
        except BaseException:
            self.drop_staging()
            raise
        self.ox.flush()
        self.matchers.clear()

    def drop_staging(self) -> None:
        for g in list(self.ox.named_graphs()):
            if isinstance(g, ox.NamedNode) and g.value.startswith(str(STAGING_GRAPH_PREFIX)):
                self.ox.remove_graph(g)

    # -- reading ---------------------------------------------------------------------------

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def graph(self, name: str) -> Graph:
        """One named graph as an rdflib graph (for pyshacl and serialisers)."""
        data = self.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
        g = Graph()
        g.parse(data=data, format="nt")
        return g

    def query(self, sparql: str) -> Any:
        """Oxigraph's own result objects, over the union of all graphs."""
        return self.ox.query(sparql, use_default_graph_as_union=True)

    def run(self, sparql: str) -> Result:
        """A query's result as a table, triples or a boolean (the same types as a remote store)."""
        result = self.query(sparql)
        if isinstance(result, ox.QuerySolutions):
            return from_solutions(result)
        if isinstance(result, ox.QueryBoolean):
            return Boolean(bool(result))
        return Triples(list(result))

    def dump(self, rdf_format: ox.RdfFormat, graph: str | None = None, prefixes: dict[str, str] | None = None) -> bytes:
        """The dataset (quad formats), the union of its graphs (triple formats), or one named graph."""
        if graph is not None:
            quads = list(self.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
            items: list[Any] = quads if rdf_format.supports_datasets else [q.triple for q in quads]
            return serialized(items, rdf_format, prefixes)
        if rdf_format.supports_datasets:
            return self.ox.dump(format=rdf_format, prefixes=prefixes) or b""
        return serialized(self.query(ALL_TRIPLES), rdf_format, prefixes)

    def __len__(self) -> int:
        return len(self.ox)
