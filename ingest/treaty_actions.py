"""Treaty action nodes, shared by the readers that find treaty actions (ratification tables,
treaty statements in prose, curated facts): one node per act (the n-ary node of design note §4)
and, for each source that states it, an attestation of what that source says.

An act is a state's signature of a treaty, or its consent to be bound by it (ratification,
accession, acceptance, approval or succession: one act, whichever of these a source calls it);
its IRI is minted from instrument, party and which of the two it is, so every source that states
it names the same node. What a source says of it (the kind, the dates, the printed mark, the line)
is its attestation, in the source's graph; the act's own kind and dates are the most
authoritative source's, set by :mod:`mandato.reconcile` across the sources of the store.
"""

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


def act_iri(instrument: URIRef, country: URIRef, kind: str) -> URIRef:
    """The act of ``country`` on ``instrument``: its signature, or its consent to be bound."""
    inst_key, iso = str(instrument).rsplit("/", 1)[-1], str(country).rsplit("/", 1)[-1]
    return resource("treaty-action", inst_key, iso, "signature" if kind == "signature" else "consent")


def treaty_action(ctx: ReadContext, instrument: URIRef, country: URIRef, kind: str, act: PartialDate | None,
                  line: int | None, locator: str, text: str | None = None, deposit: PartialDate | None = None,
                  mark: str | None = None, as_at: tuple[PartialDate, int] | None = None) -> tuple[URIRef, URIRef]:
    """The act and this source's attestation of it, read from ``line`` (``text``: the words or the
    row that state it); ``act`` None where the source states the act without a date; ``as_at``:
    the date the source's data on it run to, and the line (a note) that says so."""
    node = act_iri(instrument, country, kind)
    g = ctx.graph
    g.add((node, RDF.type, MDO.TreatyAction))
    g.add((node, MDO.party, country))
    g.add((node, MDO.instrument, instrument))
    attestation = URIRef(f"{node}/attestation/{ctx.source.id}/{line or 0}")
    g.add((attestation, RDF.type, MDO.Attestation))
    g.add((attestation, MDO.attests, node))
    g.add((attestation, MDO.actionKind, ID[f"treaty-action-kind/{kind}"]))
    if act is not None:
        g.add((attestation, MDO.actionDate, act.literal()))
    if deposit is not None:
        g.add((attestation, MDO.depositDate, deposit.literal()))
    if mark:
        g.add((attestation, MDO.mark, Literal(mark)))
    where = {"es": f"línea {line}", "en": f"line {line}"} if line else {"es": "manifiesto", "en": "manifest"}
    for lang, words in (("es", "constancia de"), ("en", "attestation of")):
        label = Literal(f"{words} {ctx.source.path.name}, {where[lang]}", lang=lang)
        g.add((attestation, SKOS.prefLabel, label))
        ctx.citations.made((attestation, SKOS.prefLabel, label))  # made by mandato: no source prints it
    if as_at is not None:
        ctx.state(attestation, MDO.asAt, as_at[0].literal(), as_at[1])
    if line is None:  # stated by the manifest entry
        for n in (node, attestation):
            ctx.citations.home(n, ctx.place(None))
    else:
        ctx.derive(node, line, locator)
        ctx.derive(attestation, line, locator, text)
    return node, attestation


def act_label(country: str, kind: str, instrument: str, date: str | None, lang: str) -> str:
    """A treaty action's label in ``lang``, made from its facts (no source prints it)."""
    return f"{country}: {_kind_label(kind, lang)}, {instrument}" + (f" ({date})" if date else "")
