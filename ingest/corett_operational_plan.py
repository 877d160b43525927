"""Regional Coalition (CORETT), matrix of the operational plan 2020-2022
(``corett-plan-operativo-2020-2022.txt``).

Layout: axis headings ("EJE DE PREVENCIÓN", "EJE 3. DE PERSECUCIÓN", "Eje 4: Fortalecimiento
Institucional …"), strategic objective lines ("Objetivo Estratégico 2.1. Institucionalizar …",
or "Objetivo Estratégico 3.1." with its text on a later line), then matrices: Objetivo operativo
| Actividad | Meta | Indicador | Responsable | Año 2020 | | Año 2021 | | Año 2022 |, with a
second heading row "Programado | Ejecutado" (once split as "Progra mado"). Traps kept as printed
and reported: a table headed 2018/2019, percentages in columns no year heads, two activities
numbered 1.1, an activity cell broken across two lines.
"""

from __future__ import annotations

import re

from mandato.namespaces import MDO, resource

from .base import ReadContext
from .plan_matrix import Levels, Node, PlanBuilder, read_matrix
from .plans_common import plan_node

KEY = "corett-plan-operativo-2020-2022"
PERIOD = (2020, 2022)
AXIS = re.compile(r"^EJE\b\s*(\d+)?[.:]?\s*(.*)$", re.IGNORECASE)
OBJECTIVE = re.compile(r"^Objetivo Estrat[ée]gico\s*(\d+(?:\.\d+)*)?\.?:?\s*(.*)$", re.IGNORECASE)
LEVELS = Levels({"objective": MDO.OperationalObjective})


def read(ctx: ReadContext) -> None:
    lines = ctx.source.lines
    title_line = next(i for i, t in enumerate(lines) if "PLAN OPERATIVO" in t.upper())
    builder = plan_node(ctx, KEY, MDO.OperationalPlan, "Plan Operativo 2020-2022 de la Coalición Regional", *PERIOD,
                        "CORETT", title_line + 1)
    ctx.graph.add((builder.plan, MDO.issuedBy, resource("organization", "corett")))
    # Its strategic objectives are those of the strategic plan 2018-2027 (same numbers and texts),
    # which foresees operational plans drawn from them ("IX. Modelo de evaluación").
    ctx.graph.add((builder.plan, MDO.implementsPlan, resource("plan", "corett-plan-estrategico-2018-2027")))
    read_sections(builder, title_line + 1, len(lines), PERIOD)


def read_sections(builder: PlanBuilder, start: int, end_of_matrix: int, period: tuple[int, int]) -> None:
    """Axes, strategic objectives and their matrices, as the Regional Coalition's operational plan
    matrices lay them out (the 2018 matrix of the strategic plan shares the layout)."""
    ctx = builder.ctx
    lines = ctx.source.lines
    marks: list[int] = [i for i in range(start, end_of_matrix) if "\t" not in lines[i]
                        and (AXIS.match(lines[i].strip()) or OBJECTIVE.match(lines[i].strip()))]
    axis: Node | None = None
    axes = 0
    for n, i in enumerate(marks):
        end = marks[n + 1] if n + 1 < len(marks) else end_of_matrix
        text = lines[i].strip()
        if m := AXIS.match(text):
            axes += 1
            axis = builder.component(MDO.Axis, builder.root, text, i + 1, f"line {i + 1}", notation=m.group(1),
                                     key=m.group(1) or str(axes))
            continue
        m = OBJECTIVE.match(text)
        if m is None:  # a mark is an axis or an objective heading
            continue
        statement = m.group(2).strip()
        if not statement:  # the objective's text is on a later line
            statement = next(lines[j].strip() for j in range(i + 1, end) if lines[j].strip())
        parent = axis or builder.root
        objective = builder.component(MDO.StrategicObjective, parent, statement, i + 1, f"line {i + 1}",
                                      notation=m.group(1), key=m.group(1) or "objective")
        read_matrix(builder, objective, i + 1, end, LEVELS, f"strategic objective {m.group(1) or ''}".strip(),
                    period=period)
