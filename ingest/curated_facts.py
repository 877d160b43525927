"""Facts a source states only in narrative prose: coordination bodies, national norms, regional
agreements and the mandates of plans (a curated file the manifest entry names: ``curated:``; the
bundled ones are in ``data/corpus/curated/``).

A person read these facts from the document and wrote them down with the line each was read from
and a quote that the line must contain. This reader checks every quote against the document
(case-, accent- and punctuation-insensitive), so a curated file cannot drift from its source: a
quote missing from its line is an ingest error naming the curated entry and the line.

File layout (every entry has ``line`` and ``quote``; a fact whose words are on another line is
written ``{value: …, line: N, quote: "…"}``, and one the line implies without stating it adds
``inferred: "<the curator's reason>"``, kept as an inference; references name resources by IRI
key):

- ``country``: the default jurisdiction (ISO alpha-2) of the entries.
- ``instruments``: ``key`` (``<cc>/<kind>/<number>`` for a national norm, ``regional/<name>``
  for a regional agreement), ``class`` (ontology class), ``title``, ``number``, ``date``,
  ``published``, ``issued_by``, ``creates``, ``dissolves``, ``approves``, ``regulates``,
  ``amends``, ``implements``, ``adopts_definition_of``, ``signatories``, ``signed`` (a treaty's
  signature date: one signature act per signatory).
- ``bodies``: ``key`` (under ``id/organization/``; a body of the actor registry only gains
  facts), ``class``, ``name`` (es, en), ``acronym``, ``legal_basis``, ``created``, ``members``,
  ``chaired_by``, ``attached_to``, ``part_of``, ``functions`` (``{from: N, to: M}``: one
  function per listed line of the document).
- ``plans``: ``key`` (under ``id/plan/``; a plan of the corpus only gains facts), ``class``,
  ``title``, ``period``, ``coordinated_by``, ``issued_by``, ``legal_basis``, ``implements``.
- ``findings``: what the curator noticed (``line``, ``code``, ``message``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from mandato import yamltext
from mandato.errors import IngestError, Location, did_you_mean
from mandato.files import read_regular
from mandato.namespaces import MDO, ORG, class_term, resource
from mandato.normalise import normalise
from mandato.packaged import CURATED_DIR

from .base import ReadContext
from .dates import DateProblem, PartialDate
from .treaty_actions import treaty_action

# Per instrument field: the property it states and the kind of resource it names.
INSTRUMENT_LINKS: dict[str, tuple[URIRef, str]] = {
    "issued_by": (MDO.issuedBy, "organization"),
    "creates": (MDO.creates, "organization"),
    "dissolves": (MDO.dissolves, "organization"),
    "approves": (MDO.approves, "any"),
    "regulates": (MDO.regulates, "instrument"),
    "amends": (MDO.amends, "instrument"),
    "implements": (MDO.implements, "instrument"),
    "adopts_definition_of": (MDO.adoptsDefinitionOf, "instrument"),
}
BODY_LINKS: dict[str, tuple[URIRef, str]] = {
    "legal_basis": (MDO.hasLegalBasis, "instrument"),
    "chaired_by": (MDO.chairedBy, "organization"),
    "attached_to": (MDO.attachedTo, "organization"),
    "part_of": (ORG.subOrganizationOf, "organization"),
}
PLAN_LINKS: dict[str, tuple[URIRef, str]] = {
    "coordinated_by": (MDO.coordinatedBy, "organization"),
    "issued_by": (MDO.issuedBy, "organization"),
    "approved_by": (MDO.approvedBy, "organization"),
    "legal_basis": (MDO.hasLegalBasis, "instrument"),
    "implements": (MDO.implementsPlan, "plan"),
}
LIST_MARKER = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


@dataclass(frozen=True)
class Fact:
    value: Any
    line: int
    quote: str | None = None  # the words of the line that state it, where the curator gave them
    inferred: str | None = None  # the curator's reason, for a fact the line implies but does not state


# The keys of a curated file (module docstring): a key none of these is a misspelling, refused.
PLACE_KEYS = frozenset({"key", "class", "line", "quote", "inferred", "country", "municipality"})
KEYS: dict[str, frozenset[str]] = {
    "instruments": PLACE_KEYS | {"title", "number", "date", "published", "issued_by", "creates", "dissolves",
                                 "approves", "regulates", "amends", "implements", "adopts_definition_of",
                                 "signatories", "signed"},
    "bodies": PLACE_KEYS | {"name", "acronym", "legal_basis", "created", "members", "chaired_by", "attached_to",
                            "part_of", "functions"},
    "plans": PLACE_KEYS | {"title", "period", "coordinated_by", "issued_by", "legal_basis", "implements"},
    "findings": frozenset({"line", "code", "message", "quote"}),
}
TOP_KEYS = frozenset({"country", *KEYS})
VALUE_KEYS = frozenset({"value", "line", "quote", "inferred", "es", "en", "from", "to"})


@cache
def load_curated(path: Path) -> dict[str, Any]:
    try:
        data = yamltext.load(read_regular(path, "the curated file").decode("utf-8")) or {}
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise IngestError(Location(str(path)), f"cannot read the curated file ({exc})") from None
    if not isinstance(data, dict):
        raise IngestError(Location(str(path)), "the curated file is not a mapping", "instruments, bodies, plans")
    _declared(path, data)
    return data


def _declared(path: Path, data: dict[str, Any]) -> None:
    """Every key of a curated file is one the reader knows (:data:`KEYS`), with "did you mean"."""
    def wrong(where: str, key: Any, known: frozenset[str]) -> IngestError:
        return IngestError(Location(str(path)), f"{where} has the key '{key}'{did_you_mean(str(key), known)}, which "
                           "a curated file does not have", "the keys " + ", ".join(sorted(known)))

    for key in data:
        if key not in TOP_KEYS:
            raise wrong("the file", key, TOP_KEYS)
    for section, known in KEYS.items():
        entries = data.get(section) or []
        if not isinstance(entries, list):
            raise IngestError(Location(str(path)), f"'{section}' is a {type(entries).__name__}",
                              f"a list of {section}, one entry each")
        for n, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                raise IngestError(Location(str(path)), f"{section} entry {n} is a {type(entry).__name__}",
                                  "a mapping of its facts (key, line, quote, …)")
            label = f"{section} entry {n}" + (f" ('{entry['key']}')" if entry.get("key") else "")
            for key, value in entry.items():
                if key not in known:
                    raise wrong(label, key, known)
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, dict) and (odd := next((k for k in item if k not in VALUE_KEYS), None)):
                        raise wrong(f"{label}, its '{key}'", odd, VALUE_KEYS)


def norm_number(number: str) -> str:
    """A norm's number for matching: ``32.824`` and ``32824`` alike, ``001-2016-IN`` as ``001-2016-in``."""
    return normalise(number).replace(" ", "-").replace(".", "")


def known_norms(own: Path | None = None) -> dict[tuple[str, str], URIRef]:
    """(country, normalised number) -> IRI of every national norm of the bundled curated files and
    of the source's own (``own``), for the legal references found in plan text."""
    return _norms((*sorted(CURATED_DIR.glob("*.yaml")), *([own] if own else [])))


@cache
def _norms(paths: tuple[Path, ...]) -> dict[tuple[str, str], URIRef]:
    index: dict[tuple[str, str], URIRef] = {}
    for path in paths:
        data = load_curated(path)
        for entry in data.get("instruments", []):
            country = entry.get("country", data.get("country"))
            if entry.get("number") and country:
                index[(country, norm_number(str(entry["number"])))] = instrument_iri(entry["key"])
    return index


def instrument_iri(key: str) -> URIRef:
    return resource("instrument", *key.split("/"))


def _iri(kind: str, key: str) -> URIRef:
    """The IRI of a curated reference: instrument keys hold '/' (``pe/ley/28950``)."""
    return instrument_iri(key) if kind == "instrument" else resource(kind, key)


class Curated:
    """One curated file applied to the graph of the source it describes."""

    def __init__(self, ctx: ReadContext, path: Path) -> None:
        self.ctx, self.path = ctx, path
        self.data = load_curated(path)
        self.country: str | None = self.data.get("country")
        self.local: dict[str, set[str]] = {
            "instrument": {e["key"] for e in self.data.get("instruments", [])},
            "organization": {e["key"] for e in self.data.get("bodies", [])},
            "plan": {e["key"] for e in self.data.get("plans", [])},
        }

    # Checking against the document -----------------------------------------------------------

    def problem(self, entry: dict[str, Any], message: str, expected: str | None = None) -> IngestError:
        return IngestError(Location(self.path.name), f"entry '{entry.get('key', '?')}': {message}", expected)

    def check(self, entry: dict[str, Any], line: Any, quote: Any) -> int:
        lines = self.ctx.source.lines
        if not isinstance(line, int) or not 1 <= line <= len(lines):
            raise self.problem(entry, f"line {line!r} is not a line of {self.ctx.source.path.name}",
                               f"1 to {len(lines)}")
        if quote is not None and normalise(str(quote)) not in normalise(lines[line - 1]):
            raise self.problem(entry, f"the quote {quote!r} is not on line {line} of {self.ctx.source.path.name}",
                               "the words as the document prints them on that line")
        return line

    def facts(self, entry: dict[str, Any], field: str) -> list[Fact]:
        """The values of a field, each with the line it was read from (the entry's line unless
        the value says ``{value, line, quote}``)."""
        raw = entry.get(field)
        if raw is None:
            return []
        items = raw if isinstance(raw, list) else [raw]
        out: list[Fact] = []
        for item in items:
            if isinstance(item, dict) and "value" in item:
                values = item["value"] if isinstance(item["value"], list) else [item["value"]]
                line = self.check(entry, item.get("line"), item.get("quote"))
                inferred = item.get("inferred")
                if inferred is not None and not (isinstance(inferred, str) and inferred.strip()):
                    raise self.problem(entry, f"'inferred' of the field '{field}' gives no reason",
                                       "inferred: the curator's reason, in words")
                out.extend(Fact(v, line, item.get("quote"), inferred) for v in values)
            else:
                out.append(Fact(item, entry["line"], entry.get("quote")))
        return out

    def state(self, node: URIRef, prop: URIRef, value: Any, fact: Fact) -> None:
        """``node prop value``, cited on the line (and with the quote) of ``fact``; a fact the
        curator inferred is marked so, with the reason and the curated file."""
        note = f"Inferred by the curator ({self.path.name}): {fact.inferred}" if fact.inferred else None
        self.ctx.state(node, prop, value, fact.line, None if fact.quote is None else str(fact.quote),
                       "inferred" if fact.inferred else None, note)

    def date(self, entry: dict[str, Any], fact: Fact) -> PartialDate:
        try:
            return PartialDate.from_iso(str(fact.value))
        except DateProblem as exc:
            raise self.problem(entry, str(exc)) from None

    def ref(self, entry: dict[str, Any], key: str, kind: str) -> URIRef:
        """The IRI a reference names: a key of this file, of the registry or of the corpus's plans."""
        key = str(key)
        kinds = ["instrument", "plan", "organization"] if kind == "any" else [kind]
        for k in kinds:
            if key in self.local.get(k, set()):
                return _iri(k, key)
        for k in kinds:
            iri = _iri(k, key)
            if (iri, RDF.type, None) in self.ctx.registry.graph or (iri, RDF.type, None) in self.ctx.graph:
                return iri
        raise self.problem(entry, f"'{key}' names no {' or '.join(kinds)} of this file, the registry or the plans "
                           "read so far", "a key of the curated file or of data/reference")

    # Entries ---------------------------------------------------------------------------------

    def begin(self, entry: dict[str, Any], node: URIRef, what: str) -> None:
        for required in ("key", "line", "quote"):
            if required not in entry:
                raise self.problem(entry, f"the entry has no '{required}'")
        line = self.check(entry, entry["line"], entry["quote"])
        self.ctx.derive(node, line, f"{what}, line {line}")

    def links(self, entry: dict[str, Any], node: URIRef, table: dict[str, tuple[URIRef, str]]) -> None:
        for field, (prop, kind) in table.items():
            for fact in self.facts(entry, field):
                self.state(node, prop, self.ref(entry, fact.value, kind), fact)

    def labels(self, entry: dict[str, Any], node: URIRef, field: str) -> None:
        """The names of an entry, cited on its line: the Spanish one as printed there, or else
        as the curator's name for what the line describes (inferred); another language's as the
        curator's translation."""
        value = entry.get(field)
        names = value if isinstance(value, dict) else {"es": value} if value else {}
        for lang, text in names.items():
            basis = self.printed_or_inferred(entry, str(text)) if lang == "es" else "translated"
            self.ctx.state(node, SKOS.prefLabel, Literal(str(text), lang=lang), entry["line"], basis=basis)

    def printed_or_inferred(self, entry: dict[str, Any], text: str) -> str | None:
        """None for a text printed on the entry's line; else ``inferred`` (the curator's words)."""
        return None if normalise(text) in normalise(self.ctx.source.lines[entry["line"] - 1]) else "inferred"

    def jurisdiction(self, entry: dict[str, Any], node: URIRef) -> None:
        """The municipality or country the curated file places the entry in: the curator's
        attribution (the line describes the norm or body, it seldom names its country)."""
        place = (resource("municipality", entry["municipality"]) if entry.get("municipality")
                 else resource("country", c) if (c := entry.get("country", self.country)) else None)
        if place is not None:
            where = "municipality" if entry.get("municipality") else "country"
            self.state(node, MDO.jurisdiction, place,
                       Fact(place, entry["line"], inferred=f"the {where} the curated file gives"))

    def instrument(self, entry: dict[str, Any]) -> None:
        g, node = self.ctx.graph, instrument_iri(str(entry.get("key")))
        self.begin(entry, node, "legal framework")
        for cls in entry["class"] if isinstance(entry["class"], list) else [entry["class"]]:
            g.add((node, RDF.type, class_term(cls)))
        self.labels(entry, node, "title")
        if not entry["key"].startswith("regional/"):
            self.jurisdiction(entry, node)
        if entry.get("number"):
            g.add((node, MDO.number, Literal(str(entry["number"]))))
        for field, prop in (("date", MDO.adoptionDate), ("published", MDO.publicationDate)):
            for fact in self.facts(entry, field):
                self.state(node, prop, self.date(entry, fact).literal(), fact)
        self.links(entry, node, INSTRUMENT_LINKS)
        signatories = self.facts(entry, "signatories")
        for fact in signatories:
            self.state(node, MDO.signatory, resource("country", fact.value), fact)
        for fact in self.facts(entry, "signed"):
            when = self.date(entry, fact)
            for party in signatories:
                treaty_action(self.ctx, node, resource("country", party.value), "signature", when, fact.line,
                              f"legal framework, line {fact.line}")

    def body(self, entry: dict[str, Any]) -> None:
        g, node = self.ctx.graph, resource("organization", str(entry.get("key")))
        self.begin(entry, node, "coordination bodies")
        if entry.get("class"):
            g.add((node, RDF.type, class_term(entry["class"])))
            self.labels(entry, node, "name")
            self.jurisdiction(entry, node)
        elif (node, RDF.type, None) not in self.ctx.registry.graph:
            raise self.problem(entry, "a body the actor registry does not define needs its class and name")
        for fact in self.facts(entry, "acronym"):
            self.state(node, MDO.acronym, Literal(str(fact.value)), fact)
        for fact in self.facts(entry, "created"):
            self.state(node, MDO.creationDate, self.date(entry, fact).literal(), fact)
        for fact in self.facts(entry, "members"):
            self.state(node, MDO.memberCount, Literal(int(fact.value), datatype=XSD.integer), fact)
        self.links(entry, node, BODY_LINKS)
        span = entry.get("functions")
        if span:
            first, last = self.check(entry, span.get("from"), None), self.check(entry, span.get("to"), None)
            for i in range(first, last + 1):
                text = LIST_MARKER.sub("", self.ctx.source.lines[i - 1]).strip()
                if text:
                    self.ctx.state(node, MDO.function, Literal(text, lang="es"), i)

    def plan(self, entry: dict[str, Any]) -> None:
        g, node = self.ctx.graph, resource("plan", str(entry.get("key")))
        self.begin(entry, node, "plans and mandates")
        if entry.get("class"):
            g.add((node, RDF.type, class_term(entry["class"])))
            self.labels(entry, node, "title")
            title = entry["title"]["es"] if isinstance(entry["title"], dict) else entry["title"]
            self.ctx.state(node, DCTERMS.title, Literal(str(title), lang="es"), entry["line"],
                           basis=self.printed_or_inferred(entry, str(title)))
            g.add((node, DCTERMS.identifier, Literal(entry["key"])))
            self.jurisdiction(entry, node)
            if entry.get("period"):
                start, end = entry["period"]
                g.add((node, MDO.startDate, Literal(str(start), datatype=XSD.gYear)))
                g.add((node, MDO.endDate, Literal(str(end), datatype=XSD.gYear)))
        self.links(entry, node, PLAN_LINKS)

    def apply(self) -> None:
        for entry in self.data.get("plans", []):
            self.plan(entry)
        for entry in self.data.get("bodies", []):
            self.body(entry)
        for entry in self.data.get("instruments", []):
            self.instrument(entry)
        for entry in self.data.get("findings", []):
            line = self.check(entry, entry.get("line"), entry.get("quote"))
            self.ctx.find(entry["code"], entry["message"], line)


def read(ctx: ReadContext) -> None:
    """The facts of the curated file the manifest entry names (``curated:``)."""
    if ctx.source.curated is not None:
        Curated(ctx, ctx.source.curated).apply()
