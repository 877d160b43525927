"""Peru, Plan Nacional contra la Trata de Personas 2017-2021 (``pe-plan-nacional-trata-2017-2021.txt``).

Layout: a cover "# PLAN NACIONAL CONTRA LA TRATA DE PERSONAS" with the period on a line of its
own; the plan's key is the source id. "# MARCO ESTRATÉGICO DEL PLAN NACIONAL" gives the axes ("## 4 - GOBERNANZA
INSTITUCIONAL") and under each its strategic objective ("### **OBJETIVO ESTRATÉGICO 1:**" and the
objective's text on the next line; axis 4 holds objective 1, as printed). "# ACCIONES Y METAS
PRIORITARIAS" repeats "## Objetivo estratégico N:" before each page of the matrix OBJETIVO
INMEDIATO | ACCIONES | METAS AL 2021 | RESPONSABLES, whose target cells list several targets
separated by wide spaces (bullets flattened by the PDF extraction).
"""

from __future__ import annotations

import re

from mandato.namespaces import MDO

from .base import ReadContext
from .plan_matrix import Levels, Node, read_matrix
from .plans_common import plan_node

TITLE = "Plan Nacional contra la Trata de Personas"
PERIOD = re.compile(r"^\s*(\d{4})\s*-\s*(\d{4})\s*$")
AXIS = re.compile(r"^##\s+(\d+)\s*-\s*(.+?)\s*$")
OBJECTIVE = re.compile(r"^#{2,3}\s+(?:\*\*)?objetivo estrat[ée]gico\s+(\d+):?(?:\*\*)?\s*$", re.IGNORECASE)
LEVELS = Levels({"objective": MDO.ImmediateObjective}, split_targets=True)


def _section(ctx: ReadContext, heading: str, after: int = 0) -> int:
    for i in range(after, len(ctx.source.lines)):
        if ctx.source.lines[i].strip().upper().startswith(heading):
            return i
    raise ctx.error(None, None, f"the section '{heading}' was not found")


def read(ctx: ReadContext) -> None:
    lines = ctx.source.lines
    heading = next((i for i, t in enumerate(lines) if t.startswith("# PLAN NACIONAL")), None)
    cover = [] if heading is None else lines[heading:heading + 5]
    period = next((m for t in cover if (m := PERIOD.match(t))), None)
    if heading is None or period is None:
        raise ctx.error(None if heading is None else heading + 1, None,
                        "the cover has no '# PLAN NACIONAL …' heading followed by its period",
                        "# PLAN NACIONAL CONTRA LA TRATA DE PERSONAS, then 2017-2021")
    start, end = int(period.group(1)), int(period.group(2))
    # The plan's key is the source id: the bundled plan's is pe-plan-nacional-trata-2017-2021.
    builder = plan_node(ctx, ctx.source.id, MDO.NationalPlan, f"{TITLE} {start}-{end}", start, end,
                        ctx.source.jurisdiction or "PE", heading + 1)
    frame = _section(ctx, "# MARCO ESTRATÉGICO")
    actions = _section(ctx, "# ACCIONES Y METAS PRIORITARIAS", frame)
    closing = _section(ctx, "# ¿CÓMO IMPLEMENTAMOS", actions)
    objectives: dict[str, Node] = {}
    axis: Node | None = None
    for i in range(frame, actions):
        if m := AXIS.match(lines[i]):
            axis = builder.component(MDO.Axis, builder.root, m.group(2), i + 1, f"strategic frame, line {i + 1}",
                                     notation=m.group(1))
        elif (m := OBJECTIVE.match(lines[i])) and axis is not None:
            text_line = next(j for j in range(i + 1, actions) if lines[j].strip())
            objectives[m.group(1)] = builder.component(
                MDO.StrategicObjective, axis, lines[text_line].strip(), text_line + 1,
                f"strategic frame, line {text_line + 1}", notation=m.group(1))
    headings = [(i, m.group(1)) for i in range(actions, closing) if (m := OBJECTIVE.match(lines[i]))]
    for n, (i, number) in enumerate(headings):
        end = headings[n + 1][0] if n + 1 < len(headings) else closing
        if number not in objectives:
            raise ctx.error(i + 1, None, f"the matrix names strategic objective {number}, which the strategic frame "
                            "does not define", "OBJETIVO ESTRATÉGICO 1 to 4")
        read_matrix(builder, objectives[number], i + 1, end, LEVELS, f"actions and targets, objective {number}")
