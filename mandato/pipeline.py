"""Ingest: read sources into graphs, then replace their named graphs in the store at once.

Everything is read and checked before the store is touched, so a source that fails to read
leaves the store exactly as it was. Each run also refreshes the ontology and registry graphs.
Many sources are read by worker processes, one per core; each graph goes to the store as
N-Triples with a line stating its content digest (``mdo:contentDigest``), on which incremental
validation and the dataset version rely. Each source is read under a deadline
(``MANDATO_INGEST_TIMEOUT`` seconds, :data:`DEFAULT_TIMEOUT` unless set; 0: none): a reader past it
is stopped, and the error names the source.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import yaml
from rdflib import Graph
from rdflib.namespace import PROV, RDF

from mandato import yamltext
from mandato.digests import graph_digests, serialized, stated_digest
from mandato.errors import IngestError, Location, MandatoError, StoreError
from mandato.files import read_regular, regular_file
from mandato.ingest import ENGINES, curated_facts, legal_references
from mandato.ingest.base import Finding, ReadContext, Source, describe_source, record_findings, report_furniture
from mandato.ingest.layouts import builtin_layouts, read_layout
from mandato.ingest.plans_common import PLAN_FACTS
from mandato.ingest.sheets import stated_layout
from mandato.namespaces import ID, MDO, ONTOLOGY_GRAPH, PREFIXES, REGISTRY_GRAPH, SOURCE_GRAPH_PREFIX, source_graph
from mandato.normalise import slug
from mandato.packaged import CORPUS_DIR, ontology_graph
from mandato.processes import die_with_parent
from mandato.provenance import UncitedStatement, reify_by_node
from mandato.reconcile import (
    RECONCILED_GRAPH,
    Attested,
    Stated,
    attested_in,
    attested_in_store,
    reconciled,
    stated_in,
    stated_in_store,
)
from mandato.registry import Registry, load_registry
from mandato.store import Store

MANIFEST = "sources.yaml"


@dataclass
class SourceReport:
    source: Source
    triples: int
    treaty_actions: int
    findings: list[Finding] = field(default_factory=list)
    plans: set[str] = field(default_factory=set)  # the IRIs of the plans the source defines
    attestations: list[Attested] = field(default_factory=list)  # what it says of treaty actions
    stated: list[Stated] = field(default_factory=list)  # the one-value facts it gives bodies and norms


def load_manifest(directory: Path = CORPUS_DIR) -> list[Source]:
    path = directory / MANIFEST
    data = read_regular(path, "the corpus manifest")  # never a FIFO, a directory or a device
    try:
        entries = yamltext.load(data.decode("utf-8")) or []
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise IngestError(Location(str(path)), f"cannot read the corpus manifest ({exc})") from None
    if not isinstance(entries, list):
        raise IngestError(Location(str(path)), f"the manifest is a {type(entries).__name__}, not a list of sources",
                          "a YAML list, one entry per source: - id: …, file: …, title: …, layout: …")
    sources = []
    for n, entry in enumerate(entries, start=1):
        sources.append(_manifest_entry(path, n, entry))
    return sources


ENTRY_KEYS = {"id", "file", "title", "layout", "jurisdiction", "locality", "actors", "plan", "plans", "curated",
              "instrument", "original", "amends", "supersedes", "authority", "as_at"}
AUTHORITIES = ("depositary", "regional", "national")
ISO_ALPHA2 = re.compile(r"^[A-Z]{2}$")
SOURCE_ID = re.compile(r"[a-z0-9][a-z0-9.-]*")


def _manifest_entry(path: Path, n: int, entry: object) -> Source:
    """One entry of a manifest, checked: what is wrong names the manifest and the entry."""
    where = Location(str(path))

    def wrong(problem: str, expected: str) -> IngestError:
        return IngestError(where, f"entry {n}: {problem}", expected)

    if not isinstance(entry, dict):
        raise wrong(f"is a {type(entry).__name__}", "a mapping with id, file, title and layout")
    for key in ("id", "file", "title"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise wrong(f"has no '{key}'" if key not in entry else f"'{key}' is not text",
                        f"'{key}:' with text, as in the bundled data/corpus/{MANIFEST}")
    if not SOURCE_ID.fullmatch(entry["id"]):
        raise wrong(f"the id '{entry['id']}' cannot be part of an IRI", "lower-case letters, digits and hyphens, "
                    "such as pe-plan-nacional-2017-2021")
    if "readers" in entry:
        raise wrong("names 'readers', which layouts replaced", "layout: a built-in layout (mandato layouts) or a file")
    unknown = sorted(set(entry) - ENTRY_KEYS)
    if unknown:
        raise wrong(f"has unknown keys {unknown}", "keys among " + ", ".join(sorted(ENTRY_KEYS)))
    directory = path.parent.resolve()

    def inside(name: str, what: str) -> Path:
        file = (directory / name).resolve()
        if not file.is_relative_to(directory):
            raise wrong(f"{what} '{name}' is outside the manifest's directory",
                        "a file in the manifest's directory (or below it)")
        return path.parent / name

    file = inside(entry["file"], "file")
    layout = None
    if entry.get("layout") is not None:
        if not isinstance(entry["layout"], str):
            raise wrong(f"'layout' is {entry['layout']!r}", "a layout name (mandato layouts) or a layout file")
        ref = entry["layout"]
        layout = builtin_layouts().get(ref)
        if layout is None and ref.endswith((".yaml", ".yml")):
            layout_file = inside(ref, "layout file")
            if not layout_file.is_file():
                raise wrong(f"no layout file '{ref}' beside the manifest",
                            "a built-in layout (mandato layouts) or a layout file beside the manifest")
            layout = read_layout(layout_file)  # a layout file that cannot be read names itself
        elif layout is None:
            raise wrong(f"unknown layout '{ref}'", "one of " + ", ".join(builtin_layouts())
                        + ", or a layout file beside the manifest (name.yaml)")
    suffix = file.suffix.lower().lstrip(".")
    if layout is not None and suffix not in layout.formats:
        tables = [n for n, lay in builtin_layouts().items() if suffix in lay.formats]
        raise wrong(f"the layout '{layout.name}' reads {', '.join('.' + f for f in layout.formats)} files, and "
                    f"'{entry['file']}' is a .{suffix} file", "a layout that reads it: " + (", ".join(tables) or
                                                                                          "none is built in"))
    jurisdiction = entry.get("jurisdiction")
    if jurisdiction is not None and not (isinstance(jurisdiction, str) and ISO_ALPHA2.match(jurisdiction)):
        raise wrong(f"'jurisdiction' is {jurisdiction!r}", "an ISO 3166-1 alpha-2 code in capitals: CR, PE, CO…")
    where_from = jurisdiction or entry.get("actors")
    if layout is not None and layout.scope == "plan" and not where_from and not layout.reads_facts:
        raise wrong(f"source '{entry['id']}' has the plan layout '{layout.name}' but no jurisdiction",
                    "jurisdiction: the ISO code of the country whose plan it is (no default), or, for a regional "
                    "body's plan, actors: the key of its actor file")
    stated: list[tuple[str, str, object]] = []  # (where in the entry, plan role, facts)
    if entry.get("plan") is not None:
        stated.append(("plan", "main", entry["plan"]))
    if entry.get("plans") is not None:
        if not isinstance(entry["plans"], dict):
            raise wrong(f"'plans' is {entry['plans']!r}", "a mapping of the layout's plan roles to their facts")
        stated.extend((f"plans: {role}", str(role), facts) for role, facts in entry["plans"].items())
    plans: dict[str, dict] = {}
    for label, role, facts in stated:
        if not isinstance(facts, dict):
            raise wrong(f"'{label}' is {facts!r}", "a mapping of plan facts: " + ", ".join(PLAN_FACTS))
        bad = sorted(set(facts) - set(PLAN_FACTS))
        if bad:
            raise wrong(f"'{label}' has unknown facts {bad}", "facts among " + ", ".join(PLAN_FACTS))
        plans[role] = facts
    curated = inside(entry["curated"], "curated file") if entry.get("curated") else None
    if curated is not None and os.path.lexists(curated):
        regular_file(curated, "the curated file")  # a FIFO would wait for ever when it is read
    authority = entry.get("authority")
    if authority is not None and authority not in AUTHORITIES:
        raise wrong(f"'authority' is {authority!r}", "authority: " + ", ".join(AUTHORITIES))
    as_at = str(entry["as_at"]) if entry.get("as_at") is not None else None
    if as_at is not None and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", as_at):
        raise wrong(f"'as_at' is {entry['as_at']!r}", "as_at: the date of the status the source gives, "
                    "such as 2024-06-30 (or 2024-06, 2024)")
    relations = {}
    for key in ("amends", "supersedes"):
        value = entry.get(key) or []
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise wrong(f"'{key}' is {entry[key]!r}", f"{key}: the id of another source, or a list of ids")
        relations[key] = tuple(value)
    return Source(id=entry["id"], path=file, title=entry["title"], layout=layout, jurisdiction=jurisdiction,
                  locality=entry.get("locality"), actors=entry.get("actors"), plans=plans, curated=curated,
                  instrument=entry.get("instrument"), original=entry.get("original"), authority=authority,
                  as_at=as_at, **relations)


def sources_for(paths: Iterable[Path], layout: str | None = None, jurisdiction: str | None = None) -> list[Source]:
    """Sources for paths given on the command line: a corpus directory (with its manifest), a
    document listed in a manifest beside it, or any document read with the built-in ``layout``
    (and ``jurisdiction``, which a plan layout needs)."""
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
        chosen = layout or (_stated_layout(path) if not listed and path.suffix == ".xlsx" else None)
        if chosen:
            entry: dict[str, object] = {"id": listed[0].id if listed else slug(path.stem), "file": path.name,
                                        "title": listed[0].title if listed else path.name, "layout": chosen}
            if jurisdiction:
                entry["jurisdiction"] = jurisdiction
            source = _manifest_entry(path.parent / MANIFEST, 1, entry)
            sources.append(source)
        elif listed:
            sources.extend(listed)
        else:
            raise IngestError(Location(str(path)), "this document is in no corpus manifest",
                              f"--layout NAME (mandato layouts), or a directory with {MANIFEST}")
    return sources


TIMEOUT_SETTING = "MANDATO_INGEST_TIMEOUT"
DEFAULT_TIMEOUT = 300.0  # seconds a source may take to read
STOP_GRACE = 10.0  # seconds more the parent waits for a worker that does not stop itself


def ingest_timeout() -> float | None:
    """The deadline of a source's reading, in seconds (``MANDATO_INGEST_TIMEOUT``); None: none."""
    value = os.environ.get(TIMEOUT_SETTING, "").strip()
    if not value:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds >= 0):
        raise MandatoError(f"{TIMEOUT_SETTING} is '{value}'; expected the seconds a source may take to read "
                           f"(default {DEFAULT_TIMEOUT:g}; 0: no limit)")
    return seconds or None


class _Overdue(BaseException):
    """Raised by the deadline's alarm in the reader (a BaseException: no reader's ``except
    Exception`` swallows it)."""


@contextmanager
def _deadline(seconds: float | None) -> Iterator[None]:
    """Raise :class:`_Overdue` in this thread once ``seconds`` have passed (SIGALRM: the main
    thread of a process, as the command line's and each worker's; elsewhere, no deadline)."""
    if seconds is None or threading.current_thread() is not threading.main_thread() or not hasattr(
            signal, "setitimer"):
        yield
        return
    armed = [True]

    def overdue(signum: int, frame: object) -> None:
        if armed[0]:
            raise _Overdue

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, overdue)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        armed[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # an alarm set before ours goes on
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 0.001))


def _overdue(path: Path, name: str, seconds: float) -> IngestError:
    return IngestError(Location(path.name), f"reading the source '{name}' took more than {seconds:g} s and was "
                       f"stopped ({TIMEOUT_SETTING})", f"a smaller document, or {TIMEOUT_SETTING}=SECONDS for a "
                       "longer limit (0: none)")


def _stated_layout(path: Path) -> str | None:
    """The layout a workbook given alone states (:func:`stated_layout`), read under the deadline."""
    seconds = ingest_timeout()
    try:
        with _deadline(seconds):
            return stated_layout(path, read_regular(path))
    except _Overdue:
        assert seconds is not None
        raise _overdue(path, path.name, seconds) from None


def read_source(source: Source, registry: Registry) -> tuple[Graph, SourceReport]:
    """A source's graph and report, read under the deadline (:func:`ingest_timeout`)."""
    seconds = ingest_timeout()
    try:
        with _deadline(seconds):
            return _read_source(source, registry)
    except _Overdue:
        assert seconds is not None
        raise _overdue(source.path, source.id, seconds) from None
    except MemoryError:
        raise IngestError(Location(source.path.name), f"reading the source '{source.id}' ran out of memory",
                          "a smaller document") from None


def _read_source(source: Source, registry: Registry) -> tuple[Graph, SourceReport]:
    ctx = ReadContext(source, registry)
    describe_source(ctx)
    for step in source.layout.steps if source.layout else ():
        ENGINES[step["engine"]](ctx, step)
    for finish in ctx.at_end:
        finish()
    report_furniture(ctx)
    curated_facts.read(ctx)
    legal_references.read(ctx)
    try:
        ctx.citations.reify(ctx.graph, skip=[source.iri])
    except UncitedStatement as exc:
        raise IngestError(ctx.where(), f"{exc} (a reader's error: please report it)") from None
    record_findings(ctx.graph, source.id, ctx.findings)
    actions = len(set(ctx.graph.subjects(RDF.type, MDO.TreatyAction)))
    plans = {str(s) for s in ctx.graph.subjects(PROV.wasDerivedFrom, source.iri) if PLAN_ROOT.fullmatch(str(s))}
    return ctx.graph, SourceReport(source, len(ctx.graph), actions, ctx.findings, plans, attested_in(ctx.graph),
                                   stated_in(ctx.graph))


PLAN_ROOT = re.compile(re.escape(str(ID["plan/"])) + r"[^/]+")
PLAN_GRAPHS = """PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT DISTINCT ?plan ?g WHERE { VALUES ?plan { %s } GRAPH ?g { ?plan prov:wasDerivedFrom ?source } }"""


def plan_key_conflicts(store: Store | None, reports: list[SourceReport]) -> list[IngestError]:
    """A plan is defined by one source: two sources (being read, or one already in the store)
    that mint the same plan IRI are an error naming both, unless a manifest says one amends or
    supersedes the other. Without this, next year's plan read with last year's key would merge
    into it."""
    by_id = {r.source.id: r.source for r in reports}
    defined: dict[str, list[str]] = {}
    for report in reports:
        for plan in report.plans:
            defined.setdefault(plan, []).append(report.source.id)
    if store is not None and defined:
        reading = {str(source_graph(sid)) for sid in by_id}
        for row in store.query(PLAN_GRAPHS % " ".join(f"<{p}>" for p in sorted(defined))):
            graph = row["g"].value
            if graph not in reading and graph.startswith(str(SOURCE_GRAPH_PREFIX)):
                defined[row["plan"].value].append(graph.removeprefix(str(SOURCE_GRAPH_PREFIX)))
    errors = []
    for plan, ids in sorted(defined.items()):
        for n, first in enumerate(ids):
            for second in ids[n + 1:]:
                if _related(by_id.get(first), second) or _related(by_id.get(second), first):
                    continue
                new, other = (by_id[second], first) if second in by_id else (by_id[first], second)
                stored = "" if other in by_id else " (already in the store)"
                problem = (f"the plan {plan.rsplit('/', 1)[-1]} is defined both by source '{other}'{stored} and by "
                           f"source '{new.id}'")
                expected = (f"its own key for the new plan (plan: {{key: …}} in the manifest entry), or "
                            f"'amends: {other}' or 'supersedes: {other}' in the entry of '{new.id}'")
                errors.append(IngestError(Location(str(new.path)), problem, expected))
    return errors


def check_plan_keys(store: Store | None, reports: list[SourceReport]) -> None:
    """Raise the first plan key two sources define (see :func:`plan_key_conflicts`)."""
    conflicts = plan_key_conflicts(store, reports)
    if conflicts:
        raise conflicts[0]


def _related(source: Source | None, other: str) -> bool:
    return source is not None and (other in source.amends or other in source.supersedes)


def _read(source: Source, reference: Path | None) -> tuple[bytes, SourceReport]:
    graph, report = read_source(source, registry_for(reference))
    return serialized(str(source_graph(source.id)), graph), report


_REGISTRIES: dict[Path | None, Registry] = {}


def registry_for(reference: Path | None) -> Registry:
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
    # Each worker stops its own reader at the deadline; the parent waits that long and a little
    # more for each result, and kills the workers of a reader stuck where no alarm reaches.
    seconds = ingest_timeout()
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn"), initializer=die_with_parent) as pool:
        try:
            futures = [pool.submit(read, source) for source in sources]
            for source, future in zip(sources, futures, strict=True):
                try:
                    yield future.result(timeout=None if seconds is None else seconds + STOP_GRACE)
                except FutureTimeout:
                    for process in list((getattr(pool, "_processes", None) or {}).values()):
                        process.kill()
                    assert seconds is not None
                    raise _overdue(source.path, source.id, seconds) from None
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise


def registry_graph(registry: Registry) -> tuple[Graph, list[Finding]]:
    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    g += registry.graph
    # Reference data cite their table (a row of a table names no line of a document), or the
    # document line a membership was read from.
    reify_by_node(g)
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
    reg_graph, reg_findings = registry_graph(registry_for(reference))
    graphs = {str(g): serialized(str(g), content)
              for g, content in ((ONTOLOGY_GRAPH, ontology_graph()), (REGISTRY_GRAPH, reg_graph))}
    reports = []
    for i, (source, (data, report)) in enumerate(zip(sources, _read_all(sources, reference), strict=True), start=1):
        say(f"[{i}/{len(sources)}] read {source.path.name} ({', '.join(source.steps) or 'source only'})")
        graphs[str(source_graph(source.id))] = data
        reports.append(report)
    registry = Source("registry", Path("reference"), "reference data", [])
    reports.append(SourceReport(registry, len(reg_graph), 0, reg_findings))
    return graphs, reports


def triple_count(graphs: dict[str, bytes]) -> int:
    return sum(data.count(b"\n") for data in graphs.values())


def write(store: Store, graphs: dict[str, bytes], progress: Callable[[str], None] | None = None) -> None:
    """Replace the graphs in the store, leaving out those it holds already with the same content
    (their digests agree): re-reading one source rewrites its graph, not the reconciled acts of
    every source when they did not change."""
    say = progress or (lambda msg: print(msg, file=sys.stderr))
    stored = graph_digests(store) or {}  # none when a graph states no digest: every graph is written
    changed = {name: data for name, data in graphs.items() if stored.get(name) != stated_digest(data)}
    if len(changed) < len(graphs):
        say(f"{len(graphs) - len(changed)} of {len(graphs)} graphs unchanged: not rewritten")
    if not changed:
        return
    graphs = changed
    say(f"writing {triple_count(graphs)} triples in {len(graphs)} graphs")
    try:
        store.replace_graphs(graphs)
    except OSError as exc:  # disk full, no permission: the store is left as it was
        raise StoreError(f"cannot write the store at {store.path}: {exc.strerror or exc}; "
                         "nothing was changed") from None


def reconcile(store: Store | None, graphs: dict[str, bytes], reports: list[SourceReport],
              reference: Path | None = None) -> SourceReport:
    """Add to ``graphs`` the reconciled graph of every treaty action the store will hold once they
    are written (:mod:`mandato.reconcile`): the attestations of the sources read and those of the
    graphs the store keeps. Returns its report (its findings: sources that disagree)."""
    replaced = [*graphs, str(RECONCILED_GRAPH)]
    kept = attested_in_store(store, replaced) if store is not None else []
    kept_facts = stated_in_store(store, replaced) if store is not None else []
    registry = registry_for(reference)
    labels = {iri: {"es": e.label, **({"en": e.label_en} if e.label_en else {})}
              for matcher in (registry.countries, registry.instruments) for iri, e in matcher.entries.items()}
    graph, findings = reconciled([*kept, *(a for r in reports for a in r.attestations)], labels,
                                 [*kept_facts, *(s for r in reports for s in r.stated)])
    graphs[str(RECONCILED_GRAPH)] = serialized(str(RECONCILED_GRAPH), graph)
    return SourceReport(Source("reconciled", Path("reconciled"), "treaty actions reconciled across sources", []),
                        len(graph), len(set(graph.subjects(MDO.reconciledFrom, None))), findings)


def ingest(store: Store, sources: list[Source], progress: Callable[[str], None] | None = None) -> list[SourceReport]:
    graphs, reports = build(sources, progress)
    check_plan_keys(store, reports)
    reports.append(reconcile(store, graphs, reports))
    write(store, graphs, progress)
    return reports
