"""What every reader shares: the source being read, its graph, findings and provenance.

A reader is a function ``read(ctx: ReadContext) -> None`` that adds triples to ``ctx.graph`` and
findings to ``ctx.findings``, and raises :class:`mandato.errors.IngestError` (file, line, cell,
expected form) on input it cannot read. Readers never touch the store.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS

from mandato.errors import IngestError, Location
from mandato.files import read_regular
from mandato.namespaces import MDO, PREFIXES, resource, source_iri
from mandato.provenance import Citation, Citations
from mandato.registry import Registry

from .dates import PartialDate
from .furniture import furniture
from .layouts import Layout

LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass
class Source:
    """One source document and what its manifest entry says of it: its layout, its jurisdiction
    (a country's ISO alpha-2 code, and ``locality``, a municipality of the reference data, for a
    local document) or, for a regional document, the regional body whose actors it names
    (``actors``: ``data/reference/actors/<KEY>.yaml``), the facts of its plans the manifest states
    (``plans``: the layout's plan role, ``main`` for ``plan:``, to facts), the curated facts read
    from its prose (``curated``) and the instrument a treaty table is about."""

    id: str
    path: Path
    title: str
    layout: Layout | None = None
    jurisdiction: str | None = None
    locality: str | None = None
    actors: str | None = None
    plans: dict[str, dict[str, Any]] = field(default_factory=dict)
    curated: Path | None = None
    instrument: str | None = None
    original: str | None = None
    amends: tuple[str, ...] = ()  # the sources this one amends or supersedes: they may define the same plans
    supersedes: tuple[str, ...] = ()
    authority: str | None = None  # depositary, regional or national
    as_at: str | None = None  # the date of the status the source gives (ISO, at its precision)
    furniture: dict[int, str] | None = None  # running headers and page numbers (index from 0), once read

    @property
    def steps(self) -> list[str]:
        """The engines that read the document, in order, in words for progress messages."""
        names = self.layout.engines if self.layout else []
        return [*names, *(["curated-facts"] if self.curated else [])]

    @cached_property
    def data(self) -> bytes:
        """The file's bytes: a regular file (never a FIFO or a device) of at most
        :data:`mandato.files.MAX_FILE_BYTES`."""
        return read_regular(self.path)

    @cached_property
    def lines(self) -> list[str]:
        try:
            text = self.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = self.data[: exc.start].count(b"\n") + 1
            raise IngestError(Location(self.path.name, line), "the text is not UTF-8", "UTF-8 text") from None
        # Lines as an editor and `grep -n` count them: a form feed (a page break of text taken from
        # a PDF) or another of Python's line boundaries is not a line break.
        lines = LINE_BREAK.split(text)
        if lines and lines[-1] == "":
            lines.pop()
        for index in self.furniture_of(lines):  # running headers and page numbers read as blank
            lines[index] = ""
        return lines

    def furniture_of(self, lines: list[str]) -> dict[int, str]:
        """The page furniture of the document (:mod:`ingest.furniture`), kept for its report."""
        if self.furniture is None:
            self.furniture = furniture(lines)
        return self.furniture

    @property
    def iri(self) -> URIRef:
        return source_iri(self.id)


def fold(text: str) -> str:
    """Case- and accent-free, with single spaces; marks such as ``#`` and ``¿`` stay."""
    text = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).lower().split())


def readable(pattern: str) -> str:
    """A layout's pattern as a person reads it: ``^#\\s+(?P<title>PLAN NACIONAL[^\\n]*?)`` as
    ``# PLAN NACIONAL …``, four digits as ``YYYY``."""
    text = re.sub(r"\(\?[aiLmsux]+\)", "", pattern)
    text = re.sub(r"\\d\{4\}", "YYYY", text)
    text = re.sub(r"\[\^\\n\][*+]\??|\.[*+]\??|\\S\[\^\\n\]\*\??", "…", text)
    text = re.sub(r"\\[sn][*+]?|\\b", " ", text)
    text = re.sub(r"\(\?P<\w+>|\(\?:|[()^$?*+|]|\\(?=[^\w])", "", text)
    text = re.sub(r"\[([^\]]*)\]", lambda m: m.group(1)[:1], text)
    return " ".join(text.split())


@dataclass
class Finding:
    """Something a reader noticed and kept as the source says it."""

    code: str
    message: str
    line: int | None = None
    about: URIRef | None = None
    source: str | None = None  # the source id, where it is not the document being read
    sheet: str | None = None  # the workbook's sheet, where ``line`` is its row
    cell: int | None = None  # the column (from 1), where the finding is about one cell

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        if self.sheet is not None:
            where = f"sheet '{self.sheet}'{f', row {self.line}' if self.line else ''}: "
        return f"{where}{self.message} [{self.code}]"


@dataclass
class ReadContext:
    source: Source
    registry: Registry
    # rdflib's SimpleMemory: no index of contexts and no events, which a source's graph never
    # uses (ingest at ~1M triples: 39 → 30 s, same graphs)
    graph: Graph = field(default_factory=lambda: Graph(store="SimpleMemory"))
    findings: list[Finding] = field(default_factory=list)
    sheet: str | None = None  # the workbook's sheet being read: lines are its rows, cells its columns
    citations: Citations = field(default_factory=Citations)  # where each statement was read
    # what readers finish once every step has read the document (the bodies of a plan's cells,
    # resolved when every name and acronym the plan prints is known: ingest.plan_matrix)
    at_end: list[Callable[[], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for prefix, ns in PREFIXES.items():
            self.graph.bind(prefix, ns)

    def where(self, line: int | None = None, cell: int | None = None) -> Location:
        return Location(self.source.path.name, line, cell, self.sheet)

    def error(self, line: int | None, cell: int | None, problem: str, expected: str | None = None) -> IngestError:
        return IngestError(self.where(line, cell), problem, expected)

    def option(self, step: dict[str, Any], name: str, default: Any = ...) -> Any:
        """An option of a layout's step; one the engine needs and the layout lacks is an error
        naming the layout file."""
        if name in step:
            return step[name]
        if default is not ...:
            return default
        layout = self.source.layout
        raise IngestError(Location(str(layout.path) if layout else self.source.path.name),
                          f"the step '{step.get('engine')}' has no option '{name}'",
                          f"'{name}:' in the step, as in the built-in layouts (mandato layouts)")

    def missing(self, what: str, expected: str, start: int = 0, end: int | None = None) -> IngestError:
        """The error for a heading or pattern the layout expects and the text lacks: it quotes
        what was expected and the line of the text nearest to it (between ``start`` and ``end``)."""
        lines = self.source.lines[start:end]
        plain = [" ".join(t.split()) for t in lines]
        folded = {fold(t): n for n, t in reversed(list(enumerate(plain))) if t}
        best = difflib.get_close_matches(fold(expected), list(folded), n=1, cutoff=0)
        if not best:
            return self.error(None, None, f"{what} was not found (the text is empty there)", expected)
        number = folded[best[0]]
        return self.error(start + number + 1, None, f"{what} was not found; the nearest line is "
                          f"'{plain[number][:120]}'", expected)

    def find(self, code: str, message: str, line: int | None = None, about: URIRef | None = None,
             cell: int | None = None) -> None:
        self.findings.append(Finding(code, message, line, about, sheet=self.sheet, cell=cell))

    def place(self, line: int | None) -> Citation:
        """The line (or sheet row) ``line`` of the source; None: the source's manifest entry,
        which states the facts a document does not print."""
        if line is None:
            return Citation(self.source.iri, whole="manifest")
        return Citation(self.source.iri, line, self.sheet)

    def state(self, s: URIRef, p: URIRef, o: Any, line: int | None, quote: str | None = None,
              basis: str | None = None, note: str | None = None) -> None:
        """Add the statement (s, p, o), read from ``line`` (with ``quote``, the words that state
        it, where the line says more): for a fact read elsewhere than its subject's own line, or
        one the line does not print (``basis``: ``translated``, ``inferred``; ``note``: why)."""
        self.graph.add((s, p, o))
        self.citations.cite((s, p, o), self.place(line), quote, basis, note)

    def also(self, s: URIRef, p: URIRef, o: Any, lines: Iterable[int]) -> None:
        """The statement (s, p, o), already in the graph, is also stated on ``lines`` (a cell
        that runs on below its row)."""
        for line in lines:
            self.citations.also((s, p, o), self.place(line))

    def derive(self, node: URIRef, line: int, locator: str, text: str | None = None) -> None:
        """Record where ``node``'s facts were read: source, line and a locator in words. The
        first line given is the node's own: its statements are cited there unless
        :meth:`state` says otherwise."""
        self.citations.home(node, self.place(line))
        g = self.graph
        g.add((node, PROV.wasDerivedFrom, self.source.iri))
        g.add((node, MDO.sourceLine, Literal(line)))
        g.add((node, MDO.locator, Literal(locator)))
        if text:
            g.add((node, MDO.sourceText, Literal(text)))


def describe_source(ctx: ReadContext) -> None:
    """The source document node: title, file names and checksum."""
    src, g = ctx.source, ctx.graph
    g.add((src.iri, RDF.type, MDO.SourceDocument))
    g.add((src.iri, DCTERMS.title, Literal(src.title)))
    g.add((src.iri, MDO.fileName, Literal(src.path.name)))
    g.add((src.iri, MDO.sha256, Literal(hashlib.sha256(src.data).hexdigest())))
    if src.original:
        g.add((src.iri, MDO.originalFileName, Literal(src.original)))
    if src.jurisdiction:
        g.add((src.iri, MDO.jurisdiction, resource("country", src.jurisdiction)))
    if src.authority:
        g.add((src.iri, MDO.authority, Literal(src.authority)))
    if src.as_at:
        g.add((src.iri, MDO.asAt, PartialDate.from_iso(src.as_at).literal()))
    for other in src.amends:
        g.add((src.iri, PROV.wasRevisionOf, source_iri(other)))
    for other in src.supersedes:
        g.add((src.iri, DCTERMS.replaces, source_iri(other)))


def report_furniture(ctx: ReadContext) -> None:
    """One finding for the page furniture a text source's lines left out (:mod:`ingest.furniture`)."""
    found = ctx.source.furniture
    if not found:
        return
    texts = sorted(set(found.values()), key=list(found.values()).index)
    shown = "; ".join(f"'{t[:60]}'" for t in texts[:4]) + ("; …" if len(texts) > 4 else "")
    lines = ", ".join(str(i + 1) for i in sorted(found))
    ctx.find("page-furniture", f"{len(found)} lines are running headers, footers or page numbers ({shown}), "
             f"printed again on each page: not read as part of the document (lines {lines})", min(found) + 1)


def record_findings(graph: Graph, source_id: str, findings: list[Finding]) -> None:
    """Findings become nodes of a graph, so that they can be queried and exported."""
    seen: dict[str, int] = {}
    for f in findings:
        key = (f.code, f.line or 0)
        seen[str(key)] = n = seen.get(str(key), 0) + 1
        node = resource("finding", source_id, f"{f.code}-{f.line or 0}-{n}")
        graph.add((node, RDF.type, MDO.Finding))
        graph.add((node, MDO.findingCode, Literal(f.code)))
        graph.add((node, MDO.message, Literal(f.message, lang="en")))
        graph.add((node, SKOS.prefLabel, Literal(f"{f.code}: {f.message}", lang="en")))
        graph.add((node, PROV.wasDerivedFrom, source_iri(source_id)))
        if f.line:
            graph.add((node, MDO.sourceLine, Literal(f.line)))
        if f.about is not None:
            graph.add((node, MDO.about, f.about))
