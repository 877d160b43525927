"""Engine ``axis-matrices``: a plan whose axis and objective headings each precede a matrix (as
the Regional Coalition's operational plans, e.g. the built-in layout ``coalition-operational-plan``).

Options: ``kind``, ``cover`` (see ``plans_common``: the matrices start after the title's line)
and ``ends`` (a pattern of the line after the last matrix; the end of the text when absent);
``axis`` and ``objective`` (patterns of heading lines, without tabs: the first group the
notation, the second the text, which may stand on a later line); ``columns`` (optional: the
matrix column synonyms, as in ``plan_matrix``) and ``levels``. Progress columns
("Año 2020" over "Programado | Ejecutado", or "I Semestre") are read against the plan's period.
"""

from __future__ import annotations

from typing import Any

from mandato.namespaces import MDO

from .base import ReadContext
from .frame_matrices import pattern
from .plan_matrix import Node, levels_of, read_matrix
from .plans_common import open_plan


def read(ctx: ReadContext, step: dict[str, Any]) -> None:
    lines = ctx.source.lines
    builder = open_plan(ctx, step)
    start = builder.line
    end = len(lines)
    if step.get("ends"):
        ends = pattern(ctx, step, "ends")
        end = next((i for i in range(start, len(lines)) if ends.match(lines[i].strip())), len(lines))
    axis_re, objective_re = pattern(ctx, step, "axis"), pattern(ctx, step, "objective")
    levels = levels_of(ctx, step)
    marks: list[int] = [i for i in range(start, end) if "\t" not in lines[i]
                        and (axis_re.match(lines[i].strip()) or objective_re.match(lines[i].strip()))]
    if not marks:
        raise ctx.missing("an axis or objective heading", str(step["objective"]), start, end)
    axis: Node | None = None
    axes = 0
    for n, i in enumerate(marks):
        stop = marks[n + 1] if n + 1 < len(marks) else end
        text = lines[i].strip()
        if m := axis_re.match(text):
            axes += 1
            axis = builder.component(MDO.Axis, builder.root, text, i + 1, f"line {i + 1}", notation=m.group(1),
                                     key=m.group(1) or str(axes))
            continue
        m = objective_re.match(text)
        if m is None:  # a mark is an axis or an objective heading
            continue
        statement, at = m.group(2).strip(), i
        if not statement:  # the objective's text is on a later line
            at = next((j for j in range(i + 1, stop) if lines[j].strip()), i)
            statement = lines[at].strip()
        parent = axis or builder.root
        objective = builder.component(MDO.StrategicObjective, parent, statement, at + 1, f"line {at + 1}",
                                      notation=m.group(1), key=m.group(1) or "objective", notation_line=i + 1)
        read_matrix(builder, objective, i + 1, stop, levels, f"strategic objective {m.group(1) or ''}".strip(),
                    period=builder.period)
    builder.require_activities(f"the matrices after line {start}")
