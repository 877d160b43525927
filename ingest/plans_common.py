"""What the plan readers share: the plan node with its type, title, period, jurisdiction and the
bodies that issued and approved it, as the document states them."""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from mandato.namespaces import MDO, resource

from .base import ReadContext
from .plan_matrix import PlanBuilder


def plan_node(ctx: ReadContext, key: str, cls: URIRef, title: str, start: int, end: int, scope: str,
              line: int, jurisdiction: URIRef | None = None) -> PlanBuilder:
    """The plan; ``scope`` is its country (ISO alpha-2, its jurisdiction unless ``jurisdiction``
    names a municipality) or, for a regional plan, the regional body whose actors it names (its
    issuing body says where it applies)."""
    builder = PlanBuilder(ctx, key, scope)
    g, plan = ctx.graph, builder.plan
    g.add((plan, RDF.type, cls))
    g.add((plan, DCTERMS.title, Literal(title, lang="es")))
    g.add((plan, DCTERMS.identifier, Literal(key)))
    g.add((plan, SKOS.prefLabel, Literal(title, lang="es")))
    g.add((plan, MDO.startDate, Literal(str(start), datatype=XSD.gYear)))
    g.add((plan, MDO.endDate, Literal(str(end), datatype=XSD.gYear)))
    if jurisdiction is not None or len(scope) == 2:
        g.add((plan, MDO.jurisdiction, jurisdiction or resource("country", scope)))
    ctx.derive(plan, line, f"title, line {line}")
    return builder
