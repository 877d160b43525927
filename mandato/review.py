"""A dry run of ingest (``mandato ingest --dry-run``): read and check sources as an ingest
would, write nothing, and report per source what would change and every problem, where it is.

Each source is read on its own, so one that cannot be read does not hide the others' problems.
Per source: the nodes that would be new, changed or removed against the store's graph of that
source; the plans another source already defines; the findings of its reading (unresolved bodies
with the nearest names of the reference data, values kept as printed); and the shapes' results on
its nodes, checked against the dataset as it would be after the ingest. ``--annotate OUT.xlsx``
writes a curator's workbook back with each problem as a comment on its cell, coloured by severity:
a copy, never over the workbook read (refused), written whole or not at all; its cells hold the
values the review read, as text where a spreadsheet would run them (:mod:`mandato.spreadsheet_safe`).
"""

from __future__ import annotations

import io
import os
import re
import warnings
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from mandato.digests import serialized
from mandato.errors import IngestError, Location, MandatoError
from mandato.files import read_regular, replaced_atomically
from mandato.ingest.base import Source
from mandato.ingest.sheets import check_workbook
from mandato.namespaces import GRAPH, ID, MDO, ONTOLOGY_GRAPH, REGISTRY_GRAPH, source_graph
from mandato.packaged import ontology_graph
from mandato.pipeline import (
    SourceReport,
    plan_key_conflicts,
    read_source,
    reconcile,
    registry_for,
    registry_graph,
)
from mandato.provenance import is_provenance_node
from mandato.spreadsheet_safe import text_cell
from mandato.store import Store
from mandato.validation import validate

LISTED = 20  # nodes of each kind (new, changed, removed) a dry run lists per source
SEVERITIES = {"Violation": "error", "Warning": "warning"}
SHEET = re.compile(r"sheet '(.+?)'")
COLOURS = {"error": "FFC7CE", "warning": "FFEB9C"}
# What a workbook draws, by the parts of its zip (openpyxl, which writes the annotated copy, keeps
# charts, pictures only with Pillow installed, and no shapes): part names, or elements of drawings.
DRAWN = {"image": re.compile(r"xl/media/.+"), "chart": re.compile(r"xl/charts/chart\d+\.xml")}
SHAPE = re.compile(rb"<(?:\w+:)?(?:sp|cxnSp)[\s>]")  # a shape or a connector in a drawing's XML
FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")  # a cell's formula in a sheet's XML


@dataclass
class Problem:
    severity: str  # error or warning
    location: Location
    message: str
    code: str | None = None

    def __str__(self) -> str:
        return f"{self.severity}: {self.location}: {self.message}" + (f" [{self.code}]" if self.code else "")


@dataclass
class Review:
    source: Source
    problems: list[Problem] = field(default_factory=list)
    read: bool = True
    # the nodes that would be new, changed or removed: (label, IRI), by IRI
    nodes: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: {"new": [], "changed": [], "removed": []})

    @property
    def new(self) -> int:
        return len(self.nodes["new"])

    @property
    def changed(self) -> int:
        return len(self.nodes["changed"])

    @property
    def removed(self) -> int:
        return len(self.nodes["removed"])

    def listing(self, most: int = LISTED) -> list[str]:
        """The nodes that would be new, changed or removed, a line each (label and IRI), at most
        ``most`` of each kind, then how many more."""
        out = []
        for kind, nodes in self.nodes.items():
            out += [f"{kind}: {label}  <{iri}>" if label else f"{kind}: <{iri}>" for label, iri in nodes[:most]]
            if len(nodes) > most:
                out.append(f"{kind}: … and {len(nodes) - most} more")
        return out

    def summary(self) -> str:
        if not self.read:
            return f"{self.source.id} ({self.source.path.name}): cannot be read"
        counts = [f"{n} {severity}s" for severity in ("error", "warning")
                  if (n := sum(p.severity == severity for p in self.problems))]
        return (f"{self.source.id} ({self.source.path.name}): {self.new} new, {self.changed} changed, "
                f"{self.removed} removed nodes; " + (", ".join(counts) or "no problem"))


def review(sources: list[Source], store: Store | None, reference: Path | None = None) -> list[Review]:
    """What an ingest of ``sources`` would do, by the same steps (read, plan keys, reconciliation of
    treaty actions with what the store keeps, the shapes on the dataset as it would be), writing
    nothing: what it reports as an error, the ingest refuses (:func:`shape_problems`)."""
    registry = registry_for(reference)
    reviews: list[Review] = []
    graphs: dict[str, Graph] = {}
    reports: list[SourceReport] = []
    for source in sources:
        try:
            graph, report = read_source(source, registry)
        except IngestError as exc:
            reviews.append(Review(source, [_problem("error", exc)], read=False))
            continue
        item = Review(source, [Problem("warning", Location(source.path.name, f.line, f.cell, f.sheet), f.message,
                                       f.code) for f in report.findings if not f.source])
        _diff(item, graph, store)
        reviews.append(item)
        graphs[source.id] = graph
        reports.append(report)
    by_file = {str(r.source.path): r for r in reviews}
    for conflict in plan_key_conflicts(store, reports):
        by_file[conflict.location.file].problems.append(_problem("error", conflict))
    if graphs:
        written = {str(ONTOLOGY_GRAPH): serialized(str(ONTOLOGY_GRAPH), ontology_graph()),
                   str(REGISTRY_GRAPH): serialized(str(REGISTRY_GRAPH), registry_graph(registry)[0]),
                   **{str(source_graph(sid)): serialized(str(source_graph(sid)), g) for sid, g in graphs.items()}}
        reconcile(store, written, reports, reference)  # the treaty actions, as the ingest reconciles them
        read = [r for r in reviews if r.source.id in graphs]
        for source_id, problems in shape_problems(written, store, [r.source for r in read]).items():
            next(r for r in read if r.source.id == source_id).problems.extend(problems)
    return reviews


def _problem(severity: str, exc: IngestError) -> Problem:
    location = exc.location if exc.location.file else Location("?")
    location = Location(Path(location.file).name, location.line, location.cell, location.sheet)
    return Problem(severity, location, exc.problem + (f"; expected {exc.expected}" if exc.expected else ""))


def _by_subject(graph: Graph) -> dict[str, set]:
    """The nodes of a source's graph with their statements: not its findings, the graph's own
    digest, or the provenance of its statements (statement nodes and citations)."""
    out: dict[str, set] = defaultdict(set)
    skip = (str(ID["finding/"]), str(GRAPH))
    for s, p, o in graph:
        if isinstance(s, URIRef) and not str(s).startswith(skip) and not is_provenance_node(str(s)):
            out[str(s)].add((p, _value(o)))
    return out


def _value(term: Any) -> Any:
    """A term as the store compares it: a typed literal by its value ("100.0" and "100" are one
    xsd:decimal, which the store gives back as "100"), anything else as it is."""
    if isinstance(term, Literal) and term.datatype is not None and term.value is not None:
        return ("literal", str(term.datatype), term.value)
    return term


def _diff(item: Review, graph: Graph, store: Store | None) -> None:
    """New, changed and removed nodes against the store's graph of the same source."""
    name = str(source_graph(item.source.id))
    stored = store.graph(name) if store is not None and name in store.named_graphs() else Graph()
    new, old = _by_subject(graph), _by_subject(stored)

    def label(iri: str, g: Graph) -> str:
        return str(g.value(URIRef(iri), SKOS.prefLabel) or g.value(URIRef(iri), DCTERMS.title) or "")

    item.nodes = {"new": [(label(s, graph), s) for s in sorted(new.keys() - old.keys())],
                  "changed": [(label(s, graph), s) for s in sorted(new.keys() & old.keys()) if new[s] != old[s]],
                  "removed": [(label(s, stored), s) for s in sorted(old.keys() - new.keys())]}


def shape_problems(graphs: dict[str, bytes], store: Store | None, sources: list[Source]) -> dict[str, list[Problem]]:
    """The shapes' results on the nodes of ``sources``, in the dataset as it would be once
    ``graphs`` (N-Triples by named graph) replace the store's: a Violation is an error, a Warning a
    warning, each where its node was read; by source id. The dry run reports them; the ingest
    refuses the errors (mandato.cli), so that the two agree."""
    memory = Store(None)
    if store is not None:
        for name in store.named_graphs():
            if name not in graphs:
                data = store.ox.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(name))
                memory.ox.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    for name, data in graphs.items():
        memory.ox.bulk_load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    owner: dict[str, Source] = {}
    for source in sources:
        for q in memory.ox.quads_for_pattern(None, None, None, ox.NamedNode(str(source_graph(source.id)))):
            if isinstance(q.subject, ox.NamedNode):
                owner.setdefault(q.subject.value, source)
    out: dict[str, list[Problem]] = defaultdict(list)
    for result in validate(memory).results:
        source = owner.get(result.focus)
        severity = SEVERITIES.get(result.severity)
        if source is None or severity is None:
            continue
        place = ox.NamedNode(str(source_graph(source.id)))
        facts = {q.predicate.value: q.object for q in memory.ox.quads_for_pattern(ox.NamedNode(result.focus), None,
                                                                                   None, place)}
        line = facts.get(str(MDO.sourceLine))
        locator = facts.get(str(MDO.locator))
        sheet = m.group(1) if isinstance(locator, ox.Literal) and (m := SHEET.search(locator.value)) else None
        what = f"{result.plan}: " if result.plan else ""
        label = f"{result.notation} " if result.notation else ""
        row = int(line.value) if isinstance(line, ox.Literal) else None
        out[source.id].append(Problem(severity, Location(source.path.name, row, None, sheet),
                                      f"{what}{label}{result.message_en}", "shape"))
    return out


def refuse_own_input(sources: list[Source], out: Path) -> None:
    """Refuse an ``--annotate`` target that is one of the files being read: the same file by any
    name (a relative path, a symbolic or a hard link: the same device and inode)."""
    for source in sources:
        if _same_file(out, source.path):
            raise MandatoError(f"--annotate {out} is the workbook being read ({source.path}); the annotated "
                               "copy is written beside it, never over it: give another file name")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)  # os.stat of both: st_dev and st_ino
    except OSError:  # one of them is not there: not the same file
        return False


def annotate(reviews: list[Review], out: Path) -> list[str]:
    """Write the one workbook among the reviewed sources to ``out``, each problem a comment on its
    cell (the row's first cell when the problem names no column), coloured by severity; returns
    warnings of what the copy lacks that the workbook holds. The copy holds the values the review
    read (a formula's last value, never a formula), text cells as text; it replaces ``out`` whole
    once written, and is never written over the workbook read."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    books = [r for r in reviews if r.source.path.suffix.lower() == ".xlsx"]
    if len(books) != 1:
        raise MandatoError(f"--annotate writes one workbook back, and {len(books)} of the sources are workbooks; "
                           "give the workbook alone")
    item = books[0]
    refuse_own_input([item.source], out)
    with warnings.catch_warnings(record=True) as said:  # what openpyxl leaves out, said once below
        warnings.simplefilter("always")
        data = read_regular(item.source.path)
        check_workbook(item.source.path, data)  # a zip bomb or a DTD is refused before openpyxl opens it
        try:
            book = load_workbook(io.BytesIO(data), data_only=True)  # formulas as the values ingest reads
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            raise MandatoError(f"cannot annotate {item.source.path.name}: not a readable Excel workbook "
                               f"({type(exc).__name__})") from None
    for sheet in book.worksheets:  # text stays text, as the data has it (quote prefix where formula-like)
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    text_cell(cell, cell.value)
    first = book.worksheets[0]
    for problem in sorted(item.problems, key=lambda p: p.severity != "error"):  # errors colour first
        where = problem.location
        sheet = book[where.sheet] if where.sheet in book.sheetnames else first
        cell = sheet.cell(row=where.line or 1, column=where.cell or 1)
        text = f"{problem.severity}: {problem.message}" + (f" [{problem.code}]" if problem.code else "")
        cell.comment = Comment(f"{cell.comment.text}\n{text}" if cell.comment else text, "mandato", width=400,
                               height=160)
        if cell.fill is None or cell.fill.fgColor.rgb not in (f"00{COLOURS['error']}",):
            cell.fill = PatternFill("solid", fgColor=COLOURS[problem.severity])
    written = io.BytesIO()
    book.save(written)
    try:
        with replaced_atomically(out) as fh:  # a temporary file beside ``out``, renamed over it once whole
            fh.write(written.getvalue())
    except OSError as exc:
        raise MandatoError(f"cannot write {out}: {exc.strerror or exc}") from None
    return _lacks(item.source.path, written.getvalue(), out) + sorted(
        {f"openpyxl, reading {item.source.path.name}: {w.message}" for w in said})


def _lacks(source: Path, written: bytes, out: Path) -> list[str]:
    """What the copy lacks that the workbook read holds (pictures, charts, shapes), and the formulas
    it holds as values."""
    before, after = _drawn(read_regular(source)), _drawn(written)
    lost = [f"{n} {kind}{'s' if n > 1 else ''}" for kind in (*DRAWN, "shape") if (n := before[kind] - after[kind]) > 0]
    said = []
    if lost:
        said.append(f"{out} lacks {', '.join(lost)} of {source.name}: openpyxl, which writes the copy, does not "
                    "keep them; the input workbook is unchanged")
    if before["formula"]:
        said.append(f"{out} holds the formulas of {source.name} ({before['formula']}) as the values they last had "
                    "(a workbook mandato writes holds no formula); the input workbook is unchanged")
    return said


def _drawn(data: bytes) -> dict[str, int]:
    """How many pictures, charts, shapes and formulas a workbook (its bytes) holds."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        counts = {kind: sum(bool(pattern.fullmatch(n)) for n in names) for kind, pattern in DRAWN.items()}
        counts["shape"] = sum(len(SHAPE.findall(z.read(n))) for n in names
                              if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n))
        counts["formula"] = sum(len(FORMULA.findall(z.read(n))) for n in names
                                if re.fullmatch(r"xl/worksheets/[^/]+\.xml", n))
    return counts
