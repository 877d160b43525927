"""Costa Rica, CONACOES annual work plan 2021 (``cr-conacoes-plan-anual-2021.txt``).

Layout: a cover with the approval ("Aprobado por el Consejo Nacional de la Niñez y la
Adolescencia en la Sesión Ordinaria CNNA 08-2021 del 28 de julio de 2021"); then, for each of the
three sub-commissions, a title row ("SUBCOMISION DE PROMOCION Y PREVENICION" — misspelt in the
source), an "Objetivo General:" row and a matrix of eight columns (Acción estratégica, Objetivo,
Actividad, Colaboradores, Responsable, Indicadores, Meta, Medios de Verificación). Each
sub-commission's part becomes an axis coordinated by the sub-commission, with its general
objective, strategic actions (lines), objectives and activities.
"""

from __future__ import annotations

import re

from rdflib import Literal

from mandato.namespaces import MDO, resource
from mandato.normalise import normalise, strip_markup

from .actors import split_actors
from .base import ReadContext
from .dates import DateProblem, parse_spanish
from .plan_matrix import Levels, read_matrix
from .plans_common import plan_node

KEY = "cr-conacoes-2021"
APPROVAL = re.compile(
    r"Aprobado por el (?P<body>.+?) en la\s+(?P<act>Sesión .+?) del (?P<date>\d{1,2} de \w+ de \d{4})")
LEVELS = Levels({"line": MDO.StrategicLine, "objective": MDO.SpecificObjective})


def read(ctx: ReadContext) -> None:
    lines = ctx.source.lines
    builder = plan_node(ctx, KEY, MDO.AnnualWorkPlan, "Plan Anual de Trabajo 2021 de la CONACOES", 2021, 2021, "CR",
                        _line_of(lines, "Plan Anual de Trabajo"))
    g, plan = ctx.graph, builder.plan
    g.add((plan, MDO.issuedBy, resource("organization", "cr-conacoes")))
    _approval(ctx, plan)
    # A sub-commission's part starts at its title, the one followed by its "Objetivo General:" (the
    # cover lists the same titles without objectives).
    starts = [i for i, t in enumerate(lines) if normalise(t.split("\t")[0]).startswith("subcomision")
              and any(normalise(x).startswith("objetivo general") for x in lines[i + 1 : i + 4])]
    if len(starts) != 3:
        raise ctx.error(None, None, f"found {len(starts)} sub-commission headings", "three: SUBCOMISIÓN DE …")
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        title = strip_markup(lines[start].split("\t")[0])
        axis = builder.component(MDO.Axis, builder.root, title, start + 1, f"line {start + 1}", key=str(n + 1),
                                 notation=None)
        for actor in split_actors(title, builder.actors).actors:
            g.add((axis.iri, MDO.coordinatedBy, actor))
        parent = axis
        general = next((i for i in range(start + 1, end) if normalise(lines[i]).startswith("objetivo general")), None)
        if general is not None:
            text = strip_markup(lines[general].split("\t")[0]).split(":", 1)[1].strip()
            parent = builder.component(MDO.GeneralObjective, axis, text, general + 1, f"line {general + 1}",
                                       key="general", notation=None)
        read_matrix(builder, parent, start + 1, end, LEVELS, title)


def _line_of(lines: list[str], text: str) -> int:
    return next((i + 1 for i, t in enumerate(lines) if t.strip().startswith(text)), 1)


def _approval(ctx: ReadContext, plan) -> None:
    lines = ctx.source.lines
    joined = "\n".join(lines[:20])
    m = APPROVAL.search(joined)
    if not m:
        ctx.find("no-approval", "the cover states no approval of the plan", None, plan)
        return
    line = joined[: m.start()].count("\n") + 1
    body = split_actors(m.group("body"), ctx.registry.actors.get("CR", {}))
    for actor in body.actors:
        ctx.graph.add((plan, MDO.approvedBy, actor))
    ctx.graph.add((plan, MDO.approvalAct, Literal(m.group("act").strip())))
    try:
        ctx.graph.add((plan, MDO.approvalDate, parse_spanish(m.group("date")).literal()))
    except DateProblem as exc:
        raise ctx.error(line + 1, None, str(exc), "a date such as '28 de julio de 2021'") from None
