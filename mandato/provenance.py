"""Statement-level provenance: every statement read from a source names the line that states it.

DESIGN. A statement is kept as an RDF reification (``rdf:subject``, ``rdf:predicate``,
``rdf:object``, RDF 1.1 Semantics §D), not as RDF-star or a named graph per statement: every
SPARQL 1.1 store queries it with plain triple patterns, every export (Turtle, N-Triples, N-Quads,
JSON-LD) keeps it, and the graph per source stays the one unit of replacement. Each statement node
points (``mdo:citation``) to a citation: a place in a source (``prov:wasDerivedFrom`` the source,
``mdo:sourceLine``, ``mdo:locator`` in words), shared by every statement read from that line, so
that a row of a plan's matrix costs one citation however many facts it states. The words a
statement was read from, where a line says more than it, are the statement's own
``mdo:sourceText``. Statement nodes are not typed ``rdf:Statement`` (the domain of
``rdf:subject`` entails it), which saves a triple per statement. What the source does not print
but a curator translated or inferred from the cited line says so (``mdo:basis``), an inference
with the curator's reason (``skos:editorialNote``, naming the curated file).

Statement and citation IRIs are minted from their content (the source, the line, the triple), so
reading the same document twice gives the same graph. A statement stated on two lines is two
statement nodes, each with its own quote.

A reader states where a node was read (:meth:`Citations.home`, through ``ReadContext.derive``)
and, for a fact read elsewhere than its subject's own line, where that fact was read
(:meth:`Citations.cite`). Every other statement about a node is cited to the node's own line,
which is where a row of a table or an entry of a list states its cells. A statement whose subject
was never read from a line is a reader's error, reported as one. A value mandato composes from
other statements (a treaty action's label, in both languages) has no statement node: no source
states it (:meth:`Citations.made`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS
from rdflib.term import Node

from mandato.namespaces import ID, MDO

# Predicates that are not facts of the source: the reader's classification and provenance itself.
NOT_STATEMENTS = frozenset({RDF.type, PROV.wasDerivedFrom, MDO.sourceLine, MDO.locator, MDO.sourceText,
                            MDO.citation, MDO.basis, RDF.subject, RDF.predicate, RDF.object})
Triple = tuple[Node, Node, Node]
# How a statement stands on its citation when the source does not print it (none: printed there).
BASES = {name: ID[f"statement-basis/{name}"] for name in ("translated", "inferred")}
WHOLE_WORDS = {"whole": "the whole source", "manifest": "the manifest entry of the source",
               "layout": "the layout the source is read with"}


@dataclass(frozen=True)
class Citation:
    """A place in a source: a line of a document or a row of a sheet (``line``), or the whole
    source (a reference table, a manifest entry) when ``line`` is None."""

    source: URIRef
    line: int | None = None
    sheet: str | None = None
    whole: str = "whole"  # for a citation of no line: what of the source states it (its manifest entry…)

    @property
    def iri(self) -> URIRef:
        if self.line is None:
            return URIRef(f"{self.source}/{self.whole}")
        if self.sheet is not None:
            digest = hashlib.sha1(self.sheet.encode("utf-8")).hexdigest()[:8]
            return URIRef(f"{self.source}/sheet/{digest}/row/{self.line}")
        return URIRef(f"{self.source}/line/{self.line}")

    def words(self) -> str:
        if self.line is None:
            return WHOLE_WORDS.get(self.whole, self.whole)
        return f"sheet '{self.sheet}', row {self.line}" if self.sheet is not None else f"line {self.line}"


class UncitedStatement(Exception):
    """A reader added a statement about a node it never said where it read."""

    def __init__(self, triples: list[Triple]):
        self.triples = triples
        shown = "; ".join(f"{s.n3()} {p.n3()} {o.n3()}" for s, p, o in triples[:3])
        super().__init__(f"{len(triples)} statement(s) with no line they were read from, such as {shown}")


class Citations:
    """Where each statement of one source's graph was read."""

    def __init__(self) -> None:
        self.homes: dict[Node, Citation] = {}
        self.stated: dict[Triple, dict[Citation, str | None]] = {}
        self.bases: dict[Triple, str] = {}
        self.notes: dict[Triple, str] = {}  # why a curator inferred a statement, and who
        self.composed: set[Triple] = set()

    def home(self, node: Node, citation: Citation) -> None:
        """Where ``node`` was read: its statements are cited there unless :meth:`cite` says
        otherwise. The first place given is the node's own."""
        self.homes.setdefault(node, citation)

    def cite(self, triple: Triple, citation: Citation, quote: str | None = None, basis: str | None = None,
             note: str | None = None) -> None:
        """``triple`` is stated at ``citation`` (with ``quote``, the words that state it), or, with
        ``basis`` (one of BASES), stands on it without being printed there (``note``: why, and
        who says so)."""
        quotes = self.stated.setdefault(triple, {})
        if quote or citation not in quotes:
            quotes[citation] = quote
        if basis is not None:
            self.bases[triple] = basis
        if note:
            self.notes[triple] = note

    def made(self, triple: Triple) -> None:
        """``triple`` is composed by mandato from other statements (a treaty action's label from
        its party, kind, instrument and date): no source states it, so it has no statement node."""
        self.composed.add(triple)

    def also(self, triple: Triple, citation: Citation) -> None:
        """``triple`` is stated at ``citation`` as well as where it is cited so far (its
        subject's own line, unless cited elsewhere): a cell that runs on to another line."""
        if triple not in self.stated and triple[0] in self.homes:
            self.stated[triple] = {self.homes[triple[0]]: None}
        self.cite(triple, citation)

    def lines_of(self, triple: Triple) -> list[int | None]:
        """The lines ``triple`` is cited on so far (its subject's own, unless cited elsewhere)."""
        places = self.stated.get(triple) or ({self.homes[triple[0]]: None} if triple[0] in self.homes else {})
        return [c.line for c in places]

    def reify(self, graph: Graph, skip: Iterable[Node] = ()) -> int:
        """Add to ``graph`` a statement node for each of its statements (except those about the
        nodes ``skip``, such as the source's own description); returns how many."""
        skipped = set(skip)
        uncited: list[Triple] = []
        out: list[Triple] = []
        citations: set[Citation] = set()
        for triple in list(graph):
            s, p, o = triple
            if p in NOT_STATEMENTS or s in skipped or triple in self.composed:
                continue
            places = self.stated.get(triple)
            if not places:
                home = self.homes.get(s)
                if home is None:
                    uncited.append(triple)
                    continue
                places = {home: None}
            for citation, quote in places.items():
                node = statement_iri(citation.iri, triple)
                out += [(node, RDF.subject, s), (node, RDF.predicate, p), (node, RDF.object, o),
                        (node, MDO.citation, citation.iri)]
                if quote:
                    out.append((node, MDO.sourceText, Literal(quote)))
                if triple in self.bases:
                    out.append((node, MDO.basis, BASES[self.bases[triple]]))
                if triple in self.notes:
                    out.append((node, SKOS.editorialNote, Literal(self.notes[triple], lang="en")))
                citations.add(citation)
        if uncited:
            raise UncitedStatement(sorted(uncited))
        for citation in citations:
            out += [(citation.iri, RDF.type, MDO.Citation), (citation.iri, PROV.wasDerivedFrom, citation.source),
                    (citation.iri, MDO.locator, Literal(citation.words()))]
            if citation.line is not None:
                out.append((citation.iri, MDO.sourceLine, Literal(citation.line)))
        for t in out:
            graph.add(t)
        return len(out)


def reify_by_node(graph: Graph) -> int:
    """Reify a graph whose nodes carry their own provenance (``prov:wasDerivedFrom`` a source,
    and a ``mdo:sourceLine`` where it has lines), as reference data do: each statement is cited
    where its subject was read. Nodes without provenance are left as they are."""
    citations = Citations()
    for node, source in graph.subject_objects(PROV.wasDerivedFrom):
        if isinstance(source, URIRef):
            line = graph.value(node, MDO.sourceLine)
            citations.home(node, Citation(source, int(str(line))) if line is not None else Citation(source))
    return citations.reify(graph, skip=set(graph.subjects()) - set(citations.homes))


STATEMENT_PREFIX = str(ID["statement/"])
SOURCE_PREFIX = str(ID["source/"])  # a citation is a node under its source: <source>/<place>
_CITATION = re.compile(re.escape(SOURCE_PREFIX) + r"[^/]+/")


def is_provenance_node(iri: str) -> bool:
    """A statement node or a citation: the provenance of statements, not a node of the domain
    (mandato.validation.DOMAIN_QUADS says the same in SPARQL)."""
    return iri.startswith(STATEMENT_PREFIX) or _CITATION.match(iri) is not None


def statement_iri(citation: URIRef, triple: Triple) -> URIRef:
    """The statement node of ``triple`` read at the place ``citation`` (minted from both)."""
    key = "\n".join(t.n3() for t in (citation, *triple))
    return ID[f"statement/{hashlib.sha1(key.encode('utf-8')).hexdigest()[:20]}"]
