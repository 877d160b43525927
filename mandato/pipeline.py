"""Ingest: read sources into graphs, then replace their named graphs in the store at once.

Everything is read and checked before the store is touched, so a source that fails to read
leaves the store exactly as it was. Each run also refreshes the ontology and registry graphs.
Many sources are read by worker processes, one per core; each graph goes to the store as
N-Triples with a line stating its content digest (``mdo:contentDigest``), on which incremental
validation and the dataset version rely.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import yaml
from rdflib import Graph
from rdflib.namespace import RDF

from mandato.digests import serialized
from mandato.errors import IngestError, Location, StoreError
from mandato.ingest import READERS
from mandato.ingest.base import Finding, ReadContext, Source, describe_source, record_findings
from mandato.namespaces import MDO, ONTOLOGY_GRAPH, PREFIXES, REGISTRY_GRAPH, source_graph
from mandato.packaged import CORPUS_DIR, ontology_graph
from mandato.processes import die_with_parent
from mandato.registry import Registry, load_registry
from mandato.store import Store

MANIFEST = "sources.yaml"


@dataclass
class SourceReport:
    source: Source
    triples: int
    treaty_actions: int
    findings: list[Finding] = field(default_factory=list)


def load_manifest(directory: Path = CORPUS_DIR) -> list[Source]:
    path = directory / MANIFEST
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise IngestError(Location(str(path)), f"cannot read the corpus manifest ({exc})") from None
    if not isinstance(entries, list):
        raise IngestError(Location(str(path)), f"the manifest is a {type(entries).__name__}, not a list of sources",
                          "a YAML list, one entry per source: - id: …, file: …, title: …, readers: [...]")
    sources = []
    for n, entry in enumerate(entries, start=1):
        sources.append(_manifest_entry(path, n, entry))
    return sources


def _manifest_entry(path: Path, n: int, entry: object) -> Source:
    """One entry of a manifest, checked: what is wrong names the manifest and the entry."""
    where = Location(str(path))

    def wrong(problem: str, expected: str) -> IngestError:
        return IngestError(where, f"entry {n}: {problem}", expected)

    if not isinstance(entry, dict):
        raise wrong(f"is a {type(entry).__name__}", "a mapping with id, file, title and readers")
    for key in ("id", "file", "title"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise wrong(f"has no '{key}'" if key not in entry else f"'{key}' is not text",
                        f"'{key}:' with text, as in the bundled data/corpus/{MANIFEST}")
    readers = entry.get("readers", [])
    if not isinstance(readers, list) or not all(isinstance(r, str) for r in readers):
        raise wrong(f"'readers' is {readers!r}", "a list of reader names, e.g. readers: [peru-plan]")
    unknown = [r for r in readers if r not in READERS]
    if unknown:
        raise wrong(f"source '{entry['id']}' names unknown readers {unknown}", "one of " + ", ".join(READERS))
    directory = path.parent.resolve()
    file = (directory / entry["file"]).resolve()
    if not file.is_relative_to(directory):
        raise wrong(f"file '{entry['file']}' is outside the manifest's directory",
                    "a file in the manifest's directory (or below it)")
    return Source(id=entry["id"], path=path.parent / entry["file"], title=entry["title"], readers=list(readers),
                  jurisdiction=entry.get("jurisdiction"), original=entry.get("original"))


def sources_for(paths: Iterable[Path], reader: str | None = None) -> list[Source]:
    """Sources for paths given on the command line: a corpus directory (with its manifest), a
    document listed in a manifest beside it, or any document read with ``reader``."""
    sources: list[Source] = []
    for path in paths:
        if path.is_dir():
            sources.extend(load_manifest(path))
            continue
        if not path.exists():
            raise IngestError(Location(str(path)), "no such file")
        listed = []
        if (path.parent / MANIFEST).exists():
            listed = [s for s in load_manifest(path.parent) if s.path.name == path.name]
        if reader:
            if reader not in READERS:
                raise IngestError(Location(str(path)), f"unknown reader '{reader}'", "one of " + ", ".join(READERS))
            sid = listed[0].id if listed else path.stem
            title = listed[0].title if listed else path.name
            sources.append(Source(sid, path, title, [reader]))
        elif listed:
            sources.extend(listed)
        else:
            raise IngestError(Location(str(path)), "this document is in no corpus manifest",
                              f"--reader {{{','.join(READERS)}}}, or a directory with {MANIFEST}")
    return sources


def read_source(source: Source, registry: Registry) -> tuple[Graph, SourceReport]:
    ctx = ReadContext(source, registry)
    describe_source(ctx)
    for name in source.readers:
        READERS[name](ctx)
    record_findings(ctx.graph, source.id, ctx.findings)
    actions = len(set(ctx.graph.subjects(RDF.type, MDO.TreatyAction)))
    return ctx.graph, SourceReport(source, len(ctx.graph), actions, ctx.findings)


def _read(source: Source, reference: Path | None) -> tuple[bytes, SourceReport]:
    graph, report = read_source(source, _registry(reference))
    return serialized(str(source_graph(source.id)), graph), report


_REGISTRIES: dict[Path | None, Registry] = {}


def _registry(reference: Path | None) -> Registry:
    """The bundled reference data with the directory ``reference`` added (and overriding by key),
    loaded once per process (workers load their own)."""
    if reference not in _REGISTRIES:
        _REGISTRIES[reference] = load_registry(*([reference] if reference else []))
    return _REGISTRIES[reference]


SOURCES_PER_WORKER = 4  # below this a worker's start-up (about a second) costs more than it saves


def _read_all(sources: list[Source], reference: Path | None) -> Iterator[tuple[bytes, SourceReport]]:
    read = partial(_read, reference=reference)
    workers = min(os.cpu_count() or 1, len(sources) // SOURCES_PER_WORKER)
    if workers < 2:
        yield from map(read, sources)
        return
    # spawn, not fork: the parent may hold the store's threads and locks.
    # die_with_parent: a killed ingest leaves no worker behind.
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"), initializer=die_with_parent) as pool:
        try:
            yield from pool.map(read, sources)
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def registry_graph(registry: Registry) -> tuple[Graph, list[Finding]]:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g += registry.graph
    findings: dict[str, list[Finding]] = {}
    for source_id, code, message, line, about in registry.findings:
        findings.setdefault(source_id, []).append(Finding(code, message, line, about, source_id))
    for source_id, items in findings.items():
        record_findings(g, source_id, items)
    return g, [f for items in findings.values() for f in items]


def build(
    sources: list[Source], progress: Callable[[str], None] | None = None, reference: Path | None = None,
) -> tuple[dict[str, bytes], list[SourceReport]]:
    """Read every source (and the bundled reference data, with the directory ``reference`` added)
    into N-Triples, keyed by named graph; touches no store."""
    say = progress or (lambda msg: print(msg, file=sys.stderr))
    say(f"reading reference data{f' with {reference} added' if reference else ''}")
    reg_graph, reg_findings = registry_graph(_registry(reference))
    graphs = {str(g): serialized(str(g), content)
              for g, content in ((ONTOLOGY_GRAPH, ontology_graph()), (REGISTRY_GRAPH, reg_graph))}
    reports = []
    for i, (source, (data, report)) in enumerate(zip(sources, _read_all(sources, reference), strict=True), start=1):
        say(f"[{i}/{len(sources)}] read {source.path.name} ({', '.join(source.readers) or 'source only'})")
        graphs[str(source_graph(source.id))] = data
        reports.append(report)
    registry = Source("registry", Path("reference"), "reference data", [])
    reports.append(SourceReport(registry, len(reg_graph), 0, reg_findings))
    return graphs, reports


def triple_count(graphs: dict[str, bytes]) -> int:
    return sum(data.count(b"\n") for data in graphs.values())


def write(store: Store, graphs: dict[str, bytes], progress: Callable[[str], None] | None = None) -> None:
    say = progress or (lambda msg: print(msg, file=sys.stderr))
    say(f"writing {triple_count(graphs)} triples in {len(graphs)} graphs")
    try:
        store.replace_graphs(graphs)
    except OSError as exc:  # disk full, no permission: the store is left as it was
        raise StoreError(f"cannot write the store at {store.path}: {exc.strerror or exc}; "
                         "nothing was changed") from None


def ingest(store: Store, sources: list[Source], progress: Callable[[str], None] | None = None) -> list[SourceReport]:
    graphs, reports = build(sources, progress)
    write(store, graphs, progress)
    return reports
