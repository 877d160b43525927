"""Treaty action nodes, shared by the readers that find treaty actions (ratification tables,
treaty statements in prose): the n-ary node of design note §4, with an IRI minted from
instrument, party, kind and date of the act."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS

from mandato.namespaces import ID, MDO, resource
from mandato.packaged import ontology_graph

from .base import ReadContext
from .dates import PartialDate


def label_of(ctx: ReadContext, iri: URIRef) -> str:
    """The Spanish label of a country or instrument of the registry or of the graph being read."""
    for label in ctx.graph.objects(iri, SKOS.prefLabel):
        if isinstance(label, Literal) and label.language == "es":
            return str(label)
    for matcher in (ctx.registry.countries, ctx.registry.instruments):
        if str(iri) in matcher.entries:
            return matcher.entries[str(iri)].label
    return str(iri)


def _kind_label(kind: str) -> str:
    """The Spanish label of a treaty action kind, from the ontology."""
    for label in ontology_graph().objects(ID[f"treaty-action-kind/{kind}"], SKOS.prefLabel):
        if isinstance(label, Literal) and label.language == "es":
            return str(label)
    return kind


def treaty_action(ctx: ReadContext, instrument: URIRef, country: URIRef, kind: str,
                  act: PartialDate, deposit: PartialDate | None = None) -> URIRef:
    """The treaty action node, with an IRI minted from instrument, party, kind and date."""
    inst_key = str(instrument).rsplit("/", 1)[-1]
    iso = str(country).rsplit("/", 1)[-1]
    node = resource("treaty-action", inst_key, iso, kind, act.iso())
    g = ctx.graph
    g.add((node, RDF.type, MDO.TreatyAction))
    g.add((node, MDO.party, country))
    g.add((node, MDO.instrument, instrument))
    g.add((node, MDO.actionKind, ID[f"treaty-action-kind/{kind}"]))
    g.add((node, MDO.actionDate, act.literal()))
    if deposit is not None:
        g.add((node, MDO.depositDate, deposit.literal()))
    label = f"{label_of(ctx, country)}: {_kind_label(kind)}, {label_of(ctx, instrument)} ({act.iso()})"
    g.add((node, SKOS.prefLabel, Literal(label, lang="es")))
    return node
