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


def label_of(ctx: ReadContext, iri: URIRef, lang: str = "es") -> str:
    """The label (Spanish, or ``lang``; Spanish where it has none) of a country or instrument of
    the registry or of the graph being read."""
    for wanted in dict.fromkeys((lang, "es")):
        for label in ctx.graph.objects(iri, SKOS.prefLabel):
            if isinstance(label, Literal) and label.language == wanted:
                return str(label)
    for matcher in (ctx.registry.countries, ctx.registry.instruments):
        if str(iri) in matcher.entries:
            return matcher.entries[str(iri)].label_in(lang)
    return str(iri)


def _kind_label(kind: str, lang: str) -> str:
    """The label of a treaty action kind in ``lang``, from the ontology."""
    for label in ontology_graph().objects(ID[f"treaty-action-kind/{kind}"], SKOS.prefLabel):
        if isinstance(label, Literal) and label.language == lang:
            return str(label)
    return kind


def cite_instrument(ctx: ReadContext, act: URIRef, instrument: URIRef, named: int | None, line: int) -> None:
    """The act's instrument is stated where the table or text names it (``named``: a heading or
    the instrument's row; None: the manifest entry) and on the act's own line, under it."""
    for where in {named, line}:
        ctx.citations.cite((act, MDO.instrument, instrument), ctx.place(where))


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
    # The label is made from the act's facts, in both languages; no source prints it, so it has
    # no statement node (Citations.made).
    for lang in ("es", "en"):
        label = Literal(f"{label_of(ctx, country, lang)}: {_kind_label(kind, lang)}, "
                        f"{label_of(ctx, instrument, lang)} ({act.iso()})", lang=lang)
        g.add((node, SKOS.prefLabel, label))
        ctx.citations.made((node, SKOS.prefLabel, label))
    return node
