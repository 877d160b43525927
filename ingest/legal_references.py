"""Legal references inside the text of plans: objectives, activities and targets that name a law,
decree, regulation or agreement by its number ("decreto N° 31369", "reglamento interno vigente de
la CONACOES N° 37563-MJTSS", "acuerdo 143 de 2019") or a treaty by any of its names ("Protocolo de
Palermo").

Runs after a plan reader, over the parts of plans already in the graph. A treaty is recognised by
the names of the instrument registry; a national norm by its number within the plan's country,
against the norms of the curated files (``data/corpus/curated/`` and the source's own). A norm that no source describes
becomes its own node (kind, number and the words as printed) with an ``unknown-instrument``
finding, so the reference is kept and a curator can describe it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from mandato.namespaces import MDO, resource
from mandato.normalise import normalise

from .base import ReadContext
from .curated_facts import instrument_iri, known_norms, norm_number

NORM = re.compile(
    r"\b(?P<kind>decreto(?:\s+(?:ejecutivo|supremo|legislativo))?|ley|reglamento|acuerdo(?:\s+secretarial)?|"
    r"resoluci[oó]n)\b(?P<gap>(?:\s+(?!n[°º.o]|no\.|n[uú]mero)[^\s\d]+){0,5}?)\s+"
    r"(?:n[°º.o]?\.?\s*|n[uú]mero\s+)?(?P<number>\d[\d.]*(?:-[0-9A-Za-z]+)*(?:\s+de\s+\d{4})?)",
    re.IGNORECASE,
)
KINDS: dict[str, tuple[str, URIRef]] = {
    "decreto": ("decreto", MDO.Decree),
    "decreto ejecutivo": ("decreto-ejecutivo", MDO.ExecutiveDecree),
    "decreto supremo": ("decreto-supremo", MDO.SupremeDecree),
    "decreto legislativo": ("decreto-legislativo", MDO.LegislativeDecree),
    "ley": ("ley", MDO.Law),
    "reglamento": ("reglamento", MDO.Regulation),
    "acuerdo": ("acuerdo", MDO.NationalNorm),
    "acuerdo secretarial": ("acuerdo-secretarial", MDO.NationalNorm),
    "resolucion": ("resolucion", MDO.NationalNorm),
}
def treaty_names(ctx: ReadContext) -> dict[str, URIRef]:
    """Normalised name -> treaty, for every name of at least two words or an acronym of four letters."""
    out: dict[str, URIRef] = {}
    for iri, entry in ctx.registry.instruments.entries.items():
        for name in map(normalise, entry.names):
            if len(name.split()) >= 2 or len(name) >= 4:
                out[name] = URIRef(iri)
    return out


def _texts(g) -> Iterator[tuple[URIRef, str, int, URIRef | None]]:
    """(part or target, its text, its line, the plan's jurisdiction) for every part of a plan in
    the graph (plain graph walks: an rdflib SPARQL query here took a third of ingest)."""
    where: dict[object, URIRef | None] = {}
    for part, plan in g.subject_objects(MDO.inPlan):
        if plan not in where:
            where[plan] = g.value(plan, MDO.jurisdiction)
        line = g.value(part, MDO.sourceLine)
        if line is None:
            continue
        for node in (part, *g.objects(part, MDO.hasTarget)):
            own = g.value(node, MDO.sourceLine) or line
            for text in g.objects(node, SKOS.prefLabel):
                yield node, str(text), int(own), where[plan]


def read(ctx: ReadContext) -> None:
    g = ctx.graph
    norms = known_norms(ctx.source.curated)
    treaties = treaty_names(ctx)
    seen: set[URIRef] = set()
    for part, text, line, where in list(_texts(g)):
        country = ctx.registry.graph.value(where, MDO.withinCountry) or where if where is not None else None
        iso = str(country).rsplit("/", 1)[-1].upper() if country is not None else None
        words = f" {normalise(text)} "
        for name, treaty in treaties.items():
            if f" {name} " in words:
                ctx.state(part, MDO.mentions, treaty, line)
        for m in NORM.finditer(text):
            if iso is None:
                ctx.find("unplaced-reference", f"'{m.group(0)}' names a norm, but the plan has no country to "
                         "place it in: not linked", line, part)
                continue
            ctx.state(part, MDO.mentions, _norm(ctx, m, iso, line, norms, seen), line, m.group(0))


def _norm(ctx: ReadContext, m: re.Match[str], iso: str, line: int, norms: dict[tuple[str, str], URIRef],
          seen: set[URIRef]) -> URIRef:
    printed = m.group("number").rstrip(".")
    number = norm_number(printed)
    known = norms.get((iso, number))
    if known is not None:
        return known
    slug, cls = KINDS[normalise(m.group("kind"))]
    node = instrument_iri(f"{iso.lower()}/{slug}/{number}")
    if node not in seen:
        seen.add(node)
        g = ctx.graph
        g.add((node, RDF.type, cls))
        g.add((node, SKOS.prefLabel, Literal(m.group(0).strip(), lang="es")))
        g.add((node, MDO.number, Literal(printed)))
        ctx.derive(node, line, f"legal reference in plan text, line {line}", m.group(0))
        ctx.state(node, MDO.jurisdiction, resource("country", iso), line, basis="inferred",
                  note=f"the line names the norm without its country; a norm named in a plan of {iso} is taken to be "
                  f"{iso}'s (mandato's reader of legal references)")
        ctx.find("unknown-instrument", f"'{m.group(0)}' names a norm that no source of the corpus describes: "
                 "kept as its own node", line, node)
    return node
