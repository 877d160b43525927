"""The embedded store: Oxigraph on disk, one named graph per source (design note §2).

Queries see the union of all graphs as a set: a store written by mandato keeps, in its default
graph, every triple of its named graphs once (the merge), and queries read that graph. Oxigraph's
own union default graph is a bag (a triple stated by n sources comes back n times, so a join of k
patterns on a fact many sources restate gave n^k rows: at ~1M triples, Peru's signature of the
Palermo Protocol, restated by 93 plans, made `ratifications` run for minutes). A store without
the merge (written by an older mandato, or filled graph by graph in memory) is read through
Oxigraph's union, as before. Dumps hold the named graphs only.

Replacing graphs is atomic, in one of two ways chosen by size (docs/benchmarks.md has the figures):
- a few graphs in a large store: one SPARQL update (take from the merge what no other graph
  states, drop the graphs, insert the new content in them and in the merge), which Oxigraph
  applies as one transaction;
- most of the data (the whole corpus, or a new store): a new store is bulk-loaded beside the old
  one (``DIR.new``: the graphs kept, dumped, and the new ones, each into its graph and into the
  merge), then the directories are swapped.
  Oxigraph's transactions cost about ten times its bulk loader per triple and leave the store
  several times larger. A swap cut short is undone the next time the store is opened.
A failure before the transaction commits, or before the swap, leaves the visible graphs as they were.
"""

from __future__ import annotations

import fcntl
import io
import os
import shutil
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox
from rdflib import Graph

from mandato.errors import StoreError
from mandato.query_text import names_dataset
from mandato.results import Boolean, Queryable, Result, Triples, from_solutions, write_serialized

DEFAULT_STORE = "mandato-store"
REBUILD_RATIO = 2  # rebuild the store when it keeps at most this many triples per new one
KEPT_FILES = ("mandato-validation.json",)  # the validation cache (mandato.validation)
ADDED_REFERENCE = "mandato-reference"  # the reference data an ingest added (--reference), for later ingests
ALL_TRIPLES = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
MERGE = ox.DefaultGraph()  # where a store written by mandato keeps the merge of its named graphs


def merged(store: ox.Store) -> bool:
    """Whether the store keeps the merge of its named graphs in its default graph."""
    return bool(store.query("ASK { ?s ?p ?o }"))


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a request names (SPARQL 1.1 Protocol ``default-graph-uri`` and
    ``named-graph-uri``): it replaces the query's own ``FROM`` and ``FROM NAMED``."""

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()


def query_store(store: ox.Store, sparql: str, is_merged: bool, dataset: Dataset | None = None,
                base: str | None = None) -> Any:
    """A query over the merge of the named graphs (the default graph where it is kept, else
    Oxigraph's union, a bag), unless the request or the query names its dataset."""
    if dataset is not None:
        return store.query(sparql, base_iri=base, default_graph=[ox.NamedNode(g) for g in dataset.default],
                           named_graphs=[ox.NamedNode(g) for g in dataset.named])
    if is_merged or names_dataset(sparql):
        return store.query(sparql, base_iri=base)
    return store.query(sparql, base_iri=base, use_default_graph_as_union=True)


def store_path(option: str | None = None) -> Path:
    """``--store DIR``, else ``MANDATO_STORE``, else ``./mandato-store``."""
    return Path(option or os.environ.get("MANDATO_STORE") or DEFAULT_STORE)


# One handle per store directory and process: Oxigraph takes an exclusive lock on the directory,
# and its read-only mode is undefined while another handle writes, so every Store of the same
# path in a process shares one handle.
_HANDLES: dict[Path, ox.Store] = {}


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two directories in one step (Linux renameat2 RENAME_EXCHANGE). Two renames leave a
    moment when the store's path does not exist, and a reader opening it then would create an
    empty store there, on which the second rename fails."""
    import ctypes  # here: an ingest's need, not a server's start

    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def _open(path: Path, must_exist: bool) -> ox.Store:
    key = path.resolve()
    if key not in _HANDLES:
        if not path.exists() and _beside(path, ".old").exists():
            _beside(path, ".old").rename(path)  # a swap cut short: the old store comes back
        if must_exist and not path.exists():
            raise StoreError(f"no store at {path}; run 'mandato ingest' first")
        try:
            handle = ox.Store(str(path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreError(f"the store at {path} is in use by another process "
                                 "(a running 'mandato serve' or 'mandato ingest'?)") from None
            raise StoreError(f"cannot open the store at {path}: {exc}") from None
        for leftover in (_beside(path, ".new"), _beside(path, ".old")):  # safe: we hold the lock
            shutil.rmtree(leftover, ignore_errors=True)
        _HANDLES[key] = handle
    return _HANDLES[key]


_SERVING: list[Any] = []  # the lock files a serving process holds


class ServeLock:
    """What `mandato serve` holds while it reads a store: a shared lock on a file beside the store
    directory (the directory itself is swapped by an ingest). Commands that only read open the store
    read-only while a server holds it; an ingest refuses at once, before reading any source, since
    a server's read-only handles would not see the swap."""

    def __init__(self, path: Path):
        self.file = _beside(path, ".serving")

    def hold(self) -> None:
        """Take the shared lock for this process's life (several servers may read one store)."""
        fh = self.file.open("a+")
        fcntl.flock(fh, fcntl.LOCK_SH)
        _SERVING.append(fh)  # kept open: the lock goes with the process

    def held(self) -> bool:
        """Whether a server (another process) holds the store now."""
        if not self.file.exists():
            return False
        with self.file.open("a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(fh, fcntl.LOCK_UN)
        return False


class _Closed:
    """The handle of a store whose directory another process held when it was to be reopened."""

    def __init__(self, path: Path):
        self.path = path

    def __getattr__(self, name: str) -> Any:
        raise StoreError(f"the store at {self.path} was written, then opened by another process; "
                         "run the command again to read it")


class Store(Queryable):
    def __init__(self, path: Path | None, must_exist: bool = False, read_only: bool = False):
        """The store in directory ``path`` (created unless ``must_exist``), or in memory;
        ``read_only``: opened without its lock, beside a server that reads it (see ServeLock)."""
        self.path = path
        self.read_only = read_only
        self.matchers: dict[str, Any] = {}  # name resolvers of catalogue.matcher, per kind
        if path is None:
            self.ox = ox.Store()
        elif read_only:
            if not path.exists():
                raise StoreError(f"no store at {path}; run 'mandato ingest' first")
            try:
                self.ox = ox.Store.read_only(str(path))
            except OSError as exc:
                raise StoreError(f"cannot open the store at {path}: {exc}") from None
        else:
            self.ox = _open(path, must_exist)
        self.merged = merged(self.ox)

    # -- writing ---------------------------------------------------------------------------

    def replace_graphs(self, graphs: Mapping[str, bytes]) -> None:
        """Replace each named graph by the given N-Triples, all at once or not at all."""
        if self.read_only:
            raise StoreError(f"the store at {self.path} is open read-only")
        kept = [g for g in self.named_graphs() if g not in graphs]
        new = sum(data.count(b"\n") for data in graphs.values())
        if self.path is not None and self._count(kept) <= REBUILD_RATIO * new:
            self._rebuild(kept, graphs)
        else:
            if not self.merged:  # a store written before the merge was kept: make it first
                self.ox.update("INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
            steps = []
            for name in graphs:  # the graph's triples no other graph states leave the merge, then the graph
                steps.append(f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} FILTER NOT EXISTS {{ "
                             f"GRAPH ?other {{ ?s ?p ?o }} FILTER(?other != <{name}>) }} }}")
                steps.append(f"DROP SILENT GRAPH <{name}>")
            body = [data.decode("utf-8") for data in graphs.values()]
            inserts = " ".join(f"GRAPH <{name}> {{ {text} }}" for name, text in zip(graphs, body, strict=True))
            merge = " ".join(body)
            self.ox.update(" ;\n".join([*steps, f"INSERT DATA {{ {inserts} {merge} }}"]))
            self.ox.flush()
        self.merged = merged(self.ox)
        self.matchers.clear()

    def _count(self, graphs: list[str]) -> int:
        if not graphs:
            return 0
        values = " ".join(f"<{g}>" for g in graphs)
        table = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}")
        return int(table.rows[0][0].value)  # type: ignore[union-attr]

    def _rebuild(self, kept: list[str], graphs: Mapping[str, bytes]) -> None:
        assert self.path is not None
        new_path, old_path = _beside(self.path, ".new"), _beside(self.path, ".old")
        shutil.rmtree(new_path, ignore_errors=True)
        try:
            new = ox.Store(str(new_path))
            for name in kept:
                data = self.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
                new.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
                new.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=MERGE)
            for name, data in graphs.items():
                new.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
                new.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=MERGE)
            # Each bulk load adds files over the same keys of the merge; compacted, a lookup reads
            # one (1M triples: 1.5 s here, and a join on the merge went from 198 to 19 ms).
            new.optimize()
            new.flush()
            del new
            for name in KEPT_FILES:  # files of mandato's own inside the store directory
                if (self.path / name).exists():
                    shutil.copy2(self.path / name, new_path / name)
            if (self.path / ADDED_REFERENCE).is_dir():
                shutil.copytree(self.path / ADDED_REFERENCE, new_path / ADDED_REFERENCE)
        except BaseException:
            shutil.rmtree(new_path, ignore_errors=True)
            raise
        _HANDLES.pop(self.path.resolve(), None)
        self.ox = None  # type: ignore[assignment]  # releases the directory's lock
        if _exchange(new_path, self.path):  # committed, atomically: the path never stands empty
            new_path.rename(old_path)  # the old data, set aside
        else:
            self.path.rename(old_path)
            new_path.rename(self.path)  # committed: from here on, the new data is the store
        shutil.rmtree(old_path, ignore_errors=True)
        self._reopen()

    def _reopen(self) -> None:
        """Open the store again after a swap. Another process (a reader started meanwhile) may hold
        the directory for a moment: wait for it, and if it holds on, leave this handle closed
        rather than report a failure of a write that has already been made."""
        assert self.path is not None
        for delay in (0.05, 0.1, 0.2, 0.4, 0.8, 1.6):
            try:
                self.ox = _open(self.path, must_exist=True)
                self.merged = merged(self.ox)
                return
            except StoreError:
                time.sleep(delay)
        self.ox = _Closed(self.path)  # type: ignore[assignment]

    def added_reference(self) -> Path | None:
        """The reference data an earlier ingest added (``--reference``), kept with the store so
        that a later ingest resolves names as that one did."""
        kept = self.path / ADDED_REFERENCE if self.path is not None else None
        return kept if kept is not None and kept.is_dir() else None

    def keep_reference(self, directory: Path | None) -> None:
        """Keep a copy of ``directory`` as the store's added reference data (None: drop it)."""
        if self.path is None:
            return
        target, staged = self.path / ADDED_REFERENCE, self.path / f"{ADDED_REFERENCE}.new"
        shutil.rmtree(staged, ignore_errors=True)
        if directory is not None:
            shutil.copytree(directory, staged)
        shutil.rmtree(target, ignore_errors=True)
        if directory is not None:
            staged.rename(target)

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
        """Oxigraph's own result objects, over the merge of all graphs."""
        return query_store(self.ox, sparql, self.merged)

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
        out = io.BytesIO()
        self.write_dump(out, rdf_format, graph, prefixes)
        return out.getvalue()

    def write_dump(self, output: BinaryIO, rdf_format: ox.RdfFormat, graph: str | None = None,
                   prefixes: dict[str, str] | None = None) -> None:
        """:meth:`dump` streamed to ``output``: quads are read as they are written."""
        items: Iterable[Any]
        if graph is not None:
            quads = self.ox.quads_for_pattern(None, None, None, ox.NamedNode(graph))
            items = quads if rdf_format.supports_datasets else (q.triple for q in quads)
        elif rdf_format.supports_datasets:  # the named graphs: the merge is not data of its own
            items = (q for q in self.ox if not isinstance(q.graph_name, ox.DefaultGraph)) if self.merged else self.ox
        else:
            items = self.query(ALL_TRIPLES)
        write_serialized(items, rdf_format, output, prefixes)

    def __len__(self) -> int:
        """The quads of the named graphs (the merge not counted)."""
        if not self.merged:
            return len(self.ox)
        merge = self.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0][0]  # the default graph
        return len(self.ox) - int(merge.value)  # type: ignore[union-attr]
