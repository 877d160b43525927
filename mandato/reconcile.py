"""One fact, many sources: a treaty action's own values, reconciled from its attestations.

Each source that states an act adds, in its own graph, an attestation of what it says (kind,
dates, printed mark, line; :mod:`mandato.ingest.treaty_actions`). The act takes the values of
its most authoritative attestation: the source's ``authority`` in the manifest (a depositary, then
a regional body, then a national document, then a source that gives none), a dated attestation
before an undated one, the latest ``as_at`` (the attestation's own, from a note of its table, else
its source's), then the source id (so the choice never depends on
reading order). The others are kept beside it; where one gives another kind of act (an accession
for a ratification), another date or another deposit date, a ``sources-disagree`` finding names
both sources and lines. A year and a full date in that year agree (the year is the coarser
reading of the same date).

Bodies and norms are one node each already (their keys come from the reference data or the
curated files), and every source's statements about them cite that source's lines; where two
sources give a one-value fact of theirs (creation date, members, adoption date…) two values, both
are kept and a ``sources-disagree`` finding names both lines.

The reconciled values live in a graph of their own (``…/graph/reconciled``), computed at every
ingest from the attestations the store will hold (those of the sources being read and those of
the graphs it keeps), and written with them in one replacement. Each value is a statement that
cites the chosen attestation's line, so a trace shows the line it comes from; the act's label and
its number of sources are made by mandato and cite nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, SKOS, XSD

from mandato.ingest.base import Finding, record_findings
from mandato.namespaces import GRAPH, ID, MDO, PREFIXES
from mandato.provenance import statement_iri
from mandato.results import Table

RECONCILED_GRAPH = GRAPH["reconciled"]
AUTHORITY_RANK = {"depositary": 0, "regional": 1, "national": 2}
KIND = str(ID["treaty-action-kind/"])


@dataclass(frozen=True)
class Attested:
    """One source's attestation of one act, as the reconciliation reads it."""

    act: str
    attestation: str
    source: str  # the source's id
    kind: str  # the kind's notation: ratification, accession…
    date: Literal | None
    deposit: Literal | None
    mark: str | None
    citation: str  # the IRI of the place it was read (its line)
    line: int | None
    file: str
    authority: str | None
    as_at: str | None
    party: str
    instrument: str
    names: tuple[tuple[str, str], ...] = ()  # (IRI, label@lang) of its party and instrument, where known

    def rank(self) -> tuple:
        return (AUTHORITY_RANK.get(self.authority or "", len(AUTHORITY_RANK)), self.date is None,
                _descending(self.as_at), self.source)

    def where(self) -> str:
        return f"{self.file}, line {self.line}" if self.line else self.file


def _descending(iso: str | None) -> tuple:
    """A sort key that puts the latest 'as at' first (and none last)."""
    return (1,) if not iso else (0, tuple(-int(p) for p in iso.split("-")))


ATTESTATIONS = """
PREFIX mdo: <https://w3id.org/mandato/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?g ?act ?att ?kind ?date ?deposit ?mark ?citation ?line ?file ?authority ?as_at ?source ?party ?instrument
       ?party_es ?party_en ?instrument_es ?instrument_en
WHERE {
  # Required patterns in the graph that states them; each OPTIONAL apart, from a bound term: a
  # GRAPH group holding OPTIONALs is joined by hash (at ~1M triples: 6 minutes; 0.6 s apart).
  GRAPH ?g {
    ?att a mdo:Attestation ; mdo:attests ?act ; mdo:actionKind ?kind_iri ; prov:wasDerivedFrom ?source .
    ?act mdo:party ?party ; mdo:instrument ?instrument .
    ?statement rdf:subject ?att ; rdf:predicate mdo:attests ; mdo:citation ?citation .
    ?source mdo:fileName ?file .
  }
  ?kind_iri skos:notation ?kind .
  OPTIONAL { ?att mdo:actionDate ?date }
  OPTIONAL { ?att mdo:depositDate ?deposit }
  OPTIONAL { ?att mdo:mark ?mark }
  OPTIONAL { ?citation mdo:sourceLine ?line }
  OPTIONAL { ?source mdo:authority ?authority }
  OPTIONAL { ?source mdo:asAt ?source_as_at }
  OPTIONAL { ?att mdo:asAt ?own_as_at }
  BIND(COALESCE(?own_as_at, ?source_as_at) AS ?as_at)
  OPTIONAL { ?party skos:prefLabel ?party_es FILTER(lang(?party_es) = "es") }
  OPTIONAL { ?party skos:prefLabel ?party_en FILTER(lang(?party_en) = "en") }
  OPTIONAL { ?instrument skos:prefLabel ?instrument_es FILTER(lang(?instrument_es) = "es") }
  OPTIONAL { ?instrument skos:prefLabel ?instrument_en FILTER(lang(?instrument_en) = "en") }
}"""


def attested_in(graph: Graph) -> list[Attested]:
    """The attestations of one source's graph, before it is written."""
    out = []

    def literal(node: Any, prop: URIRef) -> Literal | None:
        value = graph.value(node, prop)
        return value if isinstance(value, Literal) else None

    for att in graph.subjects(RDF.type, MDO.Attestation):
        act, source = graph.value(att, MDO.attests), graph.value(att, PROV.wasDerivedFrom)
        statement = next(s for s in graph.subjects(RDF.subject, att) if graph.value(s, RDF.predicate) == MDO.attests)
        citation = graph.value(statement, MDO.citation)
        line = literal(citation, MDO.sourceLine)
        out.append(Attested(
            str(act), str(att), str(source).rsplit("/", 1)[-1], str(graph.value(att, MDO.actionKind))[len(KIND):],
            literal(att, MDO.actionDate), literal(att, MDO.depositDate), _text(graph.value(att, MDO.mark)),
            str(citation), int(line) if line is not None else None, str(graph.value(source, MDO.fileName)),
            _text(graph.value(source, MDO.authority)),
            _text(graph.value(att, MDO.asAt)) or _text(graph.value(source, MDO.asAt)),
            str(graph.value(act, MDO.party)), str(graph.value(act, MDO.instrument)),
            tuple((str(node), f"{label}@{label.language}") for node in (graph.value(act, MDO.party),
                                                                           graph.value(act, MDO.instrument))
                  for label in graph.objects(node, SKOS.prefLabel) if isinstance(label, Literal) and label.language)))
    return out


def attested_in_store(store: Any, skip: Iterable[str]) -> list[Attested]:
    """The attestations of the store's graphs, except those of the graphs ``skip`` (about to be
    replaced)."""
    skipped = set(skip)
    table = store.run(ATTESTATIONS)
    assert isinstance(table, Table)
    return [_from_row(row[1:]) for row in table.rows if row[0] is not None and _text(row[0]) not in skipped]


def _from_row(row: list[Any]) -> Attested:
    act, att, kind, date, deposit, mark, citation, line, file, authority, as_at, source, party, instrument = row[:14]
    names = tuple((node.value, f"{label.value}@{label.language}") for node, label in
                  ((party, row[14]), (party, row[15]), (instrument, row[16]), (instrument, row[17]))
                  if label is not None)
    return Attested(act.value, att.value, source.value.rsplit("/", 1)[-1], kind.value, _literal(date),
                    _literal(deposit), _text(mark), citation.value, int(line.value) if line is not None else None,
                    file.value, _text(authority), _text(as_at), party.value, instrument.value, names)


def _text(term: Any) -> str | None:
    """The lexical form of an rdflib term (str; its ``value`` is a Python value, None for a
    gYearMonth) or a pyoxigraph one (``value``)."""
    if term is None:
        return None
    return str(term) if isinstance(term, (Literal, URIRef)) else str(term.value)


def _literal(term: Any) -> Literal | None:
    """An rdflib literal for a pyoxigraph one."""
    return None if term is None else Literal(term.value, datatype=URIRef(term.datatype.value))


def reconciled(attested: list[Attested], labels: dict[str, dict[str, str]],
               stated: list[Stated] | None = None) -> tuple[Graph, list[Finding]]:
    """The reconciled graph of the acts ``attested`` and the findings of disagreement, among
    them those of the one-value facts of bodies and norms ``stated``; ``labels`` (IRI ->
    language -> label: the reference data's countries and instruments) name the parties and
    instruments whose sources do not, in the acts' labels."""
    from mandato.ingest.treaty_actions import act_label  # the readers' label, in both languages

    g = Graph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    by_act: dict[str, list[Attested]] = {}
    names = {iri: dict(langs) for iri, langs in labels.items()}
    for a in attested:
        by_act.setdefault(a.act, []).append(a)
        for iri, label in a.names:
            text, _, lang = label.rpartition("@")
            names.setdefault(iri, {}).setdefault(lang, text)
    findings: list[Finding] = []
    for act_key, group in sorted(by_act.items()):
        group.sort(key=Attested.rank)
        best, act = group[0], URIRef(act_key)
        facts: list[tuple[URIRef, Any]] = [(MDO.actionKind, ID[f"treaty-action-kind/{best.kind}"]),
                                           (MDO.reconciledFrom, URIRef(best.attestation))]
        facts += [(MDO.actionDate, best.date)] if best.date is not None else []
        facts += [(MDO.depositDate, best.deposit)] if best.deposit is not None else []
        for p, o in facts:
            _state(g, act, p, o, URIRef(best.citation))
        g.add((act, MDO.sourceCount, Literal(len({a.source for a in group}), datatype=XSD.integer)))
        date = str(best.date) if best.date is not None else None
        for lang in ("es", "en"):
            g.add((act, SKOS.prefLabel, Literal(act_label(_label(names, best.party, lang), best.kind,
                                                          _label(names, best.instrument, lang), date, lang),
                                                lang=lang)))
        for other in group[1:]:
            differences = _differences(best, other)
            if differences:
                findings.append(Finding(
                    "sources-disagree",
                    f"{other.where()} gives {'; '.join(d[1] for d in differences)} where {best.where()} gives "
                    f"{'; '.join(d[0] for d in differences)}; the act keeps the values of {best.where()} "
                    f"({best.authority or 'no authority given'}), the other is kept beside it",
                    other.line, act, other.source))
    findings += disagreements(stated or [])
    for source_id in sorted({f.source for f in findings if f.source}):
        record_findings(g, source_id, [f for f in findings if f.source == source_id])
    return g, findings


def _state(g: Graph, s: URIRef, p: URIRef, o: Any, citation: URIRef) -> None:
    """A reconciled value, cited where the chosen source states it."""
    g.add((s, p, o))
    node = statement_iri(citation, (s, p, o))
    for triple in ((node, RDF.subject, s), (node, RDF.predicate, p), (node, RDF.object, o),
                   (node, MDO.citation, citation)):
        g.add(triple)


def _label(labels: dict[str, dict[str, str]], iri: str, lang: str) -> str:
    names = labels.get(iri, {})
    return names.get(lang) or names.get("es") or iri.rsplit("/", 1)[-1]


def _differences(best: Attested, other: Attested) -> list[tuple[str, str]]:
    """What ``other`` says otherwise than ``best``: (best's, other's) in words."""
    out = []
    if best.kind != other.kind:
        out.append((_a(best.kind), _a(other.kind)))
    for what, mine, theirs in (("dated", best.date, other.date), ("deposited", best.deposit, other.deposit)):
        if mine is not None and theirs is not None and not _compatible(str(mine), str(theirs)):
            out.append((f"{what} {mine}", f"{what} {theirs}"))
    return out


def _a(kind: str) -> str:
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _compatible(a: str, b: str) -> bool:
    """Two dates of one act agree when one is the other at a coarser precision (2003, 2003-09-09)."""
    return a.startswith(b) or b.startswith(a)


# Facts of a body or a norm that have one value however many sources give it: where two sources
# give two values (a year and a date in it agree), each is kept and the difference reported.
ONE_VALUE = (MDO.creationDate, MDO.memberCount, MDO.adoptionDate, MDO.publicationDate, MDO.approvalDate)


@dataclass(frozen=True)
class Stated:
    """A value one source gives to a one-value fact of a body or a norm, and where."""

    subject: str
    prop: str
    value: str
    source: str
    file: str
    line: int | None

    def where(self) -> str:
        return f"{self.file}, line {self.line}" if self.line else self.file


STATED = """
PREFIX mdo: <https://w3id.org/mandato/ontology#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?g ?s ?p ?o ?source ?file ?line WHERE {
  VALUES ?p { PROPERTIES }
  GRAPH ?g {
    ?statement rdf:predicate ?p ; rdf:subject ?s ; rdf:object ?o ; mdo:citation ?citation .
    ?citation prov:wasDerivedFrom ?source .
    ?source mdo:fileName ?file .
  }
  OPTIONAL { ?citation mdo:sourceLine ?line }  # apart from the GRAPH group (see ATTESTATIONS)
}""".replace("PROPERTIES", " ".join(p.n3() for p in ONE_VALUE))


def stated_in(graph: Graph) -> list[Stated]:
    """The one-value facts of one source's graph, before it is written."""
    out = []
    for statement in graph.subjects(MDO.citation, None):
        prop = graph.value(statement, RDF.predicate)
        if prop not in ONE_VALUE:
            continue
        citation = graph.value(statement, MDO.citation)
        source = graph.value(citation, PROV.wasDerivedFrom)
        line = graph.value(citation, MDO.sourceLine)
        out.append(Stated(str(graph.value(statement, RDF.subject)), str(prop), str(graph.value(statement, RDF.object)),
                          str(source).rsplit("/", 1)[-1], str(graph.value(source, MDO.fileName)),
                          int(line) if isinstance(line, Literal) else None))
    return out


def stated_in_store(store: Any, skip: Iterable[str]) -> list[Stated]:
    """The one-value facts of the store's graphs, except those of the graphs ``skip``."""
    skipped = set(skip)
    table = store.run(STATED)
    assert isinstance(table, Table)
    return [Stated(_text(s) or "", _text(p) or "", _text(o) or "", (_text(source) or "").rsplit("/", 1)[-1],
                   _text(file) or "", int(line.value) if isinstance(line, ox.Literal) else None)
            for g, s, p, o, source, file, line in table.rows if _text(g) not in skipped]


def disagreements(stated: list[Stated]) -> list[Finding]:
    """A ``sources-disagree`` finding for each value of a one-value fact that another source
    gives otherwise (reported in the source that comes later by id, naming both lines)."""
    by_fact: dict[tuple[str, str], dict[str, Stated]] = {}
    for s in stated:
        by_fact.setdefault((s.subject, s.prop), {}).setdefault(s.source, s)
    findings = []
    for (subject, prop), per_source in sorted(by_fact.items()):
        first, *others = sorted(per_source.values(), key=lambda s: s.source)
        for other in others:
            if not _compatible(first.value, other.value):
                findings.append(Finding(
                    "sources-disagree",
                    f"{other.where()} gives {prop.rsplit('#', 1)[-1]} {other.value} for <{subject}> where "
                    f"{first.where()} gives {first.value}; both are kept", other.line, URIRef(subject), other.source))
    return findings
