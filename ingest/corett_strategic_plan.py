"""Regional Coalition (CORETT), strategic plan 2018-2027 and operational plan 2018
(``corett-plan-estrategico-2018-2027.txt``; its ratification tables are read by
``ratification_tables``).

Layout: "1. VISIÓN" and "2. MISIÓN" paragraphs; "1. OBJETIVO GENERAL:"; section "VII. EJES
ESTRATÉGICOS Y OBJETIVOS" with "EJE ESTRATÉGICO N: NAME", "Objetivo Estratégico N.N: text" (the
text may follow on the next paragraphs), "Resultado(s) N.N: text" (idem) and "Indicador(es):"
followed by one indicator per paragraph; section "VIII. MODELO DE GESTIÓN" with the functions of
the plenary ("Del Pleno …:"), the presidency and the technical secretariat, one per line; section
"X. PLAN OPERATIVO ANUAL 2018" ending in "MATRIZ DEL PLAN OPERATIVO 2018", laid out like the
operational plan 2020-2022 but with "I Semestre" and "II Semestre" columns.
"""

from __future__ import annotations

import re

from rdflib import Literal
from rdflib.namespace import SKOS

from mandato.namespaces import MDO, resource
from mandato.normalise import normalise

from .base import ReadContext
from .corett_operational_plan import read_sections
from .plan_matrix import Node
from .plans_common import plan_node

KEY = "corett-plan-estrategico-2018-2027"
OPERATIONAL_KEY = "corett-plan-operativo-2018"
AXIS = re.compile(r"^EJE ESTRAT[ÉE]GICO (\d+):\s*(.+)$", re.IGNORECASE)
OBJECTIVE = re.compile(r"^Objetivo Estrat[ée]gico\s*(\d+(?:\.\d+)*)\.?:?\s*(.*)$", re.IGNORECASE)
RESULT = re.compile(r"^Resultados?\s*(\d+(?:\.\d+)*)\.?:?\s*(.*)$", re.IGNORECASE)
INDICATORS = re.compile(r"^Indicador(?:es)?:\s*(.*)$", re.IGNORECASE)
FUNCTIONS = {"del pleno": "corett-plenary", "de la presidencia": "corett-presidency",
             "de la secretaria tecnica": "corett-st"}


TOC_ENTRY = re.compile(r"\.\.\.\s*\d+\s*$")  # "VI. Marco Filosófico	...36" in the table of contents


def _find(ctx: ReadContext, prefix: str, after: int = 0) -> int:
    for i in range(after, len(ctx.source.lines)):
        line = ctx.source.lines[i]
        if normalise(line).startswith(normalise(prefix)) and not TOC_ENTRY.search(line):
            return i
    raise ctx.error(None, None, f"the section '{prefix}' was not found")


def _next_text(lines: list[str], i: int) -> int:
    return next(j for j in range(i + 1, len(lines)) if lines[j].strip())


def read(ctx: ReadContext) -> None:
    lines = ctx.source.lines
    title = _find(ctx, "PLAN ESTRATÉGICO 2018-2027")
    builder = plan_node(ctx, KEY, MDO.StrategicPlan, "Plan Estratégico 2018-2027 de la Coalición Regional",
                        2018, 2027, "CORETT", title + 1)
    g, plan = ctx.graph, builder.plan
    g.add((plan, MDO.issuedBy, resource("organization", "corett")))
    frame = _find(ctx, "VI. MARCO FILOSÓFICO")
    for heading, prop in (("1. VISIÓN", MDO.vision), ("2. MISIÓN", MDO.mission)):
        j = _next_text(lines, _find(ctx, heading, frame))
        g.add((plan, prop, Literal(lines[j].strip(), lang="es")))
    axes = _find(ctx, "VII. EJES ESTRATÉGICOS", frame)
    general = _next_text(lines, _find(ctx, "1. OBJETIVO GENERAL", axes))
    builder.component(MDO.GeneralObjective, builder.root, lines[general].strip(), general + 1,
                      f"VII, line {general + 1}", key="general", notation=None)
    management = _find(ctx, "VIII. MODELO DE GESTIÓN", axes)
    _objectives(builder, axes, management)
    _functions(ctx, management, _find(ctx, "IX. MODELO DE EVALUACIÓN", management))
    matrix = _find(ctx, "MATRIZ DEL PLAN OPERATIVO 2018", management)
    operational = plan_node(ctx, OPERATIONAL_KEY, MDO.OperationalPlan, "Plan Operativo 2018 de la Coalición Regional",
                            2018, 2018, "CORETT", matrix + 1)
    g.add((operational.plan, MDO.issuedBy, resource("organization", "corett")))
    g.add((operational.plan, MDO.implementsPlan, plan))
    end = next((i for i in range(matrix + 1, len(lines)) if lines[i].strip() == "COALICIÓN REGIONAL"), len(lines))
    read_sections(operational, matrix + 1, end, (2018, 2018))


def _paragraphs(lines: list[str], start: int, end: int) -> list[tuple[int, str]]:
    return [(i, lines[i].strip()) for i in range(start, end) if lines[i].strip()]


def _objectives(builder, start: int, end: int) -> None:
    """Axes, strategic objectives, expected results and their indicators (narrative text)."""
    ctx = builder.ctx
    axis: Node | None = None
    current: Node | None = None  # the objective or result that takes the next paragraphs
    mode = ""
    indicators = 0
    for i, text in _paragraphs(ctx.source.lines, start, end):
        if m := AXIS.match(text):
            axis = builder.component(MDO.Axis, builder.root, m.group(2), i + 1, f"VII, line {i + 1}",
                                     notation=m.group(1))
            current, mode = None, "description"
        elif (m := OBJECTIVE.match(text)) and axis is not None:
            current = builder.component(MDO.StrategicObjective, axis, m.group(2) or "…", i + 1, f"VII, line {i + 1}",
                                        notation=m.group(1))
            mode, objective = "objective", current
        elif (m := RESULT.match(text)) and current is not None:
            current = builder.component(MDO.Result, objective, m.group(2) or "…", i + 1, f"VII, line {i + 1}",
                                        notation=m.group(1))
            mode, indicators = "result", 0
        elif (m := INDICATORS.match(text)) and current is not None:
            mode = "indicators"
            if m.group(1):
                indicators += 1
                builder.detail(current.iri, "indicator", m.group(1), i + 1, indicators)
        elif mode == "indicators" and current is not None:
            indicators += 1
            builder.detail(current.iri, "indicator", re.sub(r"^\d+\.\s*", "", text), i + 1, indicators)
        elif mode in ("objective", "result") and current is not None:
            _continue_label(ctx, current, text)


def _continue_label(ctx: ReadContext, node: Node, text: str) -> None:
    """A statement that runs on into the next paragraph (or starts there)."""
    g = ctx.graph
    label = g.value(node.iri, SKOS.prefLabel)
    g.remove((node.iri, SKOS.prefLabel, None))
    joined = text if str(label) == "…" else f"{label} {text}"
    g.add((node.iri, SKOS.prefLabel, Literal(joined, lang="es")))


def _functions(ctx: ReadContext, start: int, end: int) -> None:
    """The functions of the plenary, presidency and technical secretariat, one per line."""
    body = None
    for _, text in _paragraphs(ctx.source.lines, start, end):
        key = next((k for h, k in FUNCTIONS.items() if normalise(text).startswith(h)), None)
        if key:
            body = resource("organization", key)
            continue
        if body is not None and re.match(r"^(-|\d+\.)\s+", text):
            ctx.graph.add((body, MDO.function, Literal(re.sub(r"^(-|\d+\.)\s+", "", text), lang="es")))
        elif body is not None and not re.match(r"^(-|\d+\.)", text):
            body = None
