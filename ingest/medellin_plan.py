"""Medellín (Colombia), Plan Intersectorial contra la ESCNNA 2018-2028
(``co-medellin-plan-intersectorial-escnna-2018-2028.txt``), text extracted from a presentation.

Layout (one slide element per line): the title and the issuing secretariat; a timeline of the
plan's construction (upper-case step titles, each followed by its description; the years of the
graphic stand on lines of their own and cannot be tied to the steps reliably); "Esquema del Plan
Intersectorial" with "Objetivo General", the "Líneas Transversales" and the "Líneas Estratégicas"
(one per line); "Matriz de acciones" with, per strategic line, the number of ACCIONES and METAS the
plan declares (the actions themselves are not in the presentation); "Planeación Operativa 2020"
with its general objective, "Estrategias", the "RETOS 2020" per strategy and the "AVANCES" of
2020 ("✱" items).
"""

from __future__ import annotations

import re

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from mandato.namespaces import MDO, resource
from mandato.normalise import normalise, strip_markup

from .actors import split_actors
from .base import ReadContext
from .plan_matrix import Node, PlanBuilder
from .plans_common import plan_node

KEY = "co-medellin-plan-intersectorial-escnna-2018-2028"
OPERATIONAL_KEY = "co-medellin-plan-operativo-2020"
MEDELLIN = resource("municipality", "co-medellin")
TIMELINE_STEPS = ["PROPUESTA INICIAL", "ENCUENTROS DE CONSTRUCCIÓN", "DOCUMENTO TÉCNICO DEL PLAN", "CONSTRUCCIÓN",
                  "SOCIALIZACIÓN", "VALIDACIÓN", "DIÁLOGOS", "AJUSTES AL PLAN", "GOBERNANZA", "VALIDACIÓN DEL PLAN",
                  "RETOS"]


def _text_lines(ctx: ReadContext) -> list[tuple[int, str]]:
    """Non-empty lines, without HTML or Markdown emphasis ("Prevención de la **ESCNNA**")."""
    out = []
    for i, t in enumerate(ctx.source.lines):
        text = strip_markup(t).replace("**", "").strip()
        if text:
            out.append((i + 1, text))
    return out


def _index(items: list[tuple[int, str]], text: str, after: int = 0) -> int:
    for n in range(after, len(items)):
        if normalise(items[n][1]) == normalise(text):
            return n
    raise IndexError(text)


def read(ctx: ReadContext) -> None:
    items = _text_lines(ctx)
    try:
        _read(ctx, items)
    except (IndexError, StopIteration) as exc:
        raise ctx.error(None, None, f"the presentation lacks the part '{exc}'",
                        "the layout described in ingest/medellin_plan.py") from None


def _read(ctx: ReadContext, items: list[tuple[int, str]]) -> None:
    title_line, title = next((n, t) for n, t in items if t.startswith("Plan Intersectorial"))
    m = re.search(r"(\d{4})\s*-\s*(\d{4})\s*$", title)
    if m is None:
        raise ctx.error(title_line, None, "the title states no period", "a title ending in 'YYYY - YYYY'")
    builder = plan_node(ctx, KEY, MDO.IntersectoralPlan, title, int(m.group(1)), int(m.group(2)), "CO", title_line,
                        MEDELLIN)
    g, plan = ctx.graph, builder.plan
    issuer = next(t for n, t in items if n > title_line)
    for actor in split_actors(issuer, builder.actors).actors:
        g.add((plan, MDO.issuedBy, actor))
    _timeline(builder, items)
    general = _general_objective(builder, items, _index(items, "Esquema del Plan Intersectorial"), "plan scheme")
    transversal = _index(items, "Líneas Transversales", general)
    strategic = _index(items, "Líneas Estratégicas", transversal)
    matrix = _index(items, "Matriz de acciones", strategic)
    for k in range(transversal + 1, strategic):
        n, text = items[k]
        builder.component(MDO.TransversalLine, builder.root, text, n, f"plan scheme, line {n}",
                          key=f"transversal-{k - transversal}", notation=None)
    lines: list[Node] = []
    for k in range(strategic + 1, matrix):
        n, text = items[k]
        if normalise(text).replace(" ", "") == "medellin":
            continue  # the logo's letters
        lines.append(builder.component(MDO.StrategicLine, builder.root, text, n, f"plan scheme, line {n}",
                                       key=f"line-{len(lines) + 1}", notation=None))
    operational = _index(items, "Planeación Operativa 2020", matrix)
    _declared(builder, items[matrix + 1 : operational], lines)
    _operational_plan(ctx, items, operational)


def _general_objective(builder: PlanBuilder, items: list[tuple[int, str]], after: int, where: str) -> int:
    """The "Objetivo General" heading after ``after`` and the paragraph under it; its index."""
    general = _index(items, "Objetivo General", after)
    n, text = items[general + 1]
    builder.component(MDO.GeneralObjective, builder.root, text, n, f"{where}, line {n}", key="general", notation=None)
    return general


def _declared(builder: PlanBuilder, items: list[tuple[int, str]], lines: list) -> None:
    """The counts the plan declares per strategic line: "<line name>", N, "ACCIONES", M, "METAS"."""
    g = builder.ctx.graph
    for k in range(len(items) - 4):
        (n, name), (_, actions), (_, a_word), (_, targets), (_, t_word) = items[k : k + 5]
        if not (actions.isdigit() and targets.isdigit() and normalise(a_word) == "acciones"
                and normalise(t_word) == "metas"):
            continue
        match = [line for line in lines if normalise(name) in normalise(str(g.value(line.iri, SKOS.prefLabel)))]
        if len(match) != 1:
            builder.ctx.find("unmatched-line", f"the counts of '{name}' match {len(match)} strategic lines; "
                             "not recorded", n)
            continue
        g.add((match[0].iri, MDO.declaredActions, Literal(int(actions))))
        g.add((match[0].iri, MDO.declaredTargets, Literal(int(targets))))
        builder.ctx.find("actions-not-listed", f"the plan declares {actions} actions and {targets} targets for "
                         f"'{name}' but the presentation does not list them", n, match[0].iri)


def _timeline(builder: PlanBuilder, items: list[tuple[int, str]]) -> None:
    ctx, g = builder.ctx, builder.ctx.graph
    start = _index(items, "LÍNEA DE TIEMPO Construcción Plan contra la ESCNNA")
    end = _index(items, "Estructura del Plan", start)
    order = 0
    years = []
    for k in range(start + 1, end):
        n, text = items[k]
        if re.fullmatch(r"\d{4}", text):
            years.append((n, text))
        elif text in TIMELINE_STEPS:
            order += 1
            node = URIRef(f"{builder.plan}/milestone-{order}")
            g.add((builder.plan, MDO.milestone, node))
            g.add((node, RDF.type, MDO.Milestone))
            g.add((node, MDO.order, Literal(order, datatype=XSD.integer)))
            description = []
            for j in range(k + 1, end):
                nxt = items[j][1]
                if nxt in TIMELINE_STEPS or re.fullmatch(r"\d{4}", nxt):
                    break
                description.append(nxt.lstrip("- ").strip())
            label = text.capitalize() + (": " + " ".join(description) if description else "")
            g.add((node, SKOS.prefLabel, Literal(label, lang="es")))
            ctx.derive(node, n, f"timeline, line {n}")
    ctx.find("timeline-years", f"the timeline prints the years {', '.join(y for _, y in years)} on lines of their "
             "own; they cannot be tied to its steps reliably, so the steps keep their order without dates",
             years[0][0] if years else None, builder.plan)


def _operational_plan(ctx: ReadContext, items: list[tuple[int, str]], start: int) -> None:
    n, _ = items[start]
    builder = plan_node(ctx, OPERATIONAL_KEY, MDO.OperationalPlan, "Planeación Operativa 2020 del Plan Intersectorial "
                        "contra la ESCNNA de Medellín", 2020, 2020, "CO", n, MEDELLIN)
    g, plan = ctx.graph, builder.plan
    g.add((plan, MDO.implementsPlan, resource("plan", KEY)))
    general = _general_objective(builder, items, start, "operational plan 2020")
    strategies = _index(items, "Estrategias", general)
    challenges = _index(items, "RETOS 2020", strategies)
    advances = _index(items, "AVANCES", challenges)
    nodes: dict[str, Node] = {}
    for k in range(strategies + 1, challenges):
        n, text = items[k]
        nodes[normalise(text)] = builder.component(MDO.StrategicLine, builder.root, text, n,
                                                   f"operational plan 2020, line {n}", key=f"strategy-{len(nodes) + 1}",
                                                   notation=None)
    k = challenges + 1
    while k + 1 < advances:
        name, (n, challenge) = normalise(items[k][1]), items[k + 1]
        if name in nodes:
            g.add((nodes[name].iri, MDO.challenge, Literal(challenge, lang="es")))
            k += 2
        else:
            k += 1
    listed = []
    for n, text in items[advances + 1 :]:
        if not text.startswith("-"):
            break
        listed.append((n, text))
    for count, (n, text) in enumerate(listed, start=1):
        node = URIRef(f"{plan}/advance-{count}")
        g.add((plan, MDO.reportedAdvance, node))
        g.add((node, RDF.type, MDO.ReportedAdvance))
        g.add((node, SKOS.prefLabel, Literal(text.lstrip("-✱ ").strip(), lang="es")))
        g.add((node, MDO.startDate, Literal("2020", datatype=XSD.gYear)))
        g.add((node, MDO.endDate, Literal("2020", datatype=XSD.gYear)))
        ctx.derive(node, n, f"advances 2020, line {n}")
