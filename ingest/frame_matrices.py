"""Engine ``frame-matrices``: a plan whose strategic frame lists axes and their objectives under
headings, followed by a section of matrices, one per objective (as a national plan against
trafficking, e.g. the built-in layout ``national-plan-frame``).

Options: ``kind``, ``cover`` (see ``plans_common``); ``frame``, ``matrices`` and ``closing``
(each a list of headings, matched at the start of a line, case and accents aside: the strategic
frame, the section of matrices, and the sections that may end it; without a closing section the
matrices run to the end of the text); ``axis`` and ``objective`` (patterns of their headings, the first
group the number, an axis's second group its name; an objective's text is the next non-empty
line, or the pattern's second group when the heading carries it); ``columns`` (optional: the
matrix column synonyms, as in ``plan_matrix``), ``levels`` and
``split_targets`` (target cells listing several targets, one after a wide space or a sentence's end).
"""

from __future__ import annotations

import re
from typing import Any

from mandato.namespaces import MDO

from .base import ReadContext, fold
from .layouts import LayoutPattern, PatternError, layout_pattern
from .plan_matrix import Node, levels_of, read_matrix
from .plans_common import open_plan


def heading(ctx: ReadContext, step: dict[str, Any], name: str, after: int = 0, required: bool = True) -> int | None:
    """The first line after ``after`` that starts with one of the headings of option ``name``
    (case and accents aside)."""
    markers = ctx.option(step, name)
    markers = [markers] if isinstance(markers, str) else list(markers)
    wanted = [w for w in (fold(m) for m in markers) if w]
    width = 2 * max((len(w) for w in wanted), default=0) + 8  # folding a long matrix row whole costs much
    for i in range(after, len(ctx.source.lines)):
        start = fold(ctx.source.lines[i][:width])
        if any(start.startswith(w) for w in wanted):
            return i
    if required:
        raise ctx.missing(f"the heading '{markers[0]}' ({name})", markers[0], after)
    return None


def pattern(ctx: ReadContext, step: dict[str, Any], name: str) -> LayoutPattern:
    """The step's pattern ``name``, case aside, for the linear engine (:func:`layout_pattern`)."""
    try:
        return layout_pattern(ctx.option(step, name), re.IGNORECASE)
    except PatternError as exc:
        raise ctx.error(None, None, f"the layout's '{name}' pattern: {exc.problem}", exc.expected) from None


def read(ctx: ReadContext, step: dict[str, Any]) -> None:
    lines = ctx.source.lines
    builder = open_plan(ctx, step)
    axis_re, objective_re = pattern(ctx, step, "axis"), pattern(ctx, step, "objective")
    levels = levels_of(ctx, step)
    frame = heading(ctx, step, "frame")
    assert frame is not None
    actions = heading(ctx, step, "matrices", frame + 1)
    assert actions is not None
    closing = heading(ctx, step, "closing", actions + 1, required=False) or len(lines)
    objectives: dict[str, Node] = {}
    axis: Node | None = None
    for i in range(frame, actions):
        if m := axis_re.match(lines[i]):
            axis = builder.component(MDO.Axis, builder.root, m.group(2), i + 1, f"strategic frame, line {i + 1}",
                                     notation=m.group(1))
        elif (m := objective_re.match(lines[i])) and axis is not None:
            inline = m.group(2).strip() if m.re.groups > 1 and m.group(2) else ""
            text_line = i if inline else next((j for j in range(i + 1, actions) if lines[j].strip()), i)
            text = inline or lines[text_line].strip()
            objectives[m.group(1)] = builder.component(
                MDO.StrategicObjective, axis, text, text_line + 1, f"strategic frame, line {text_line + 1}",
                notation=m.group(1), notation_line=i + 1)
    if not objectives:
        raise ctx.missing("an objective heading of the strategic frame", str(step["objective"]), frame, actions)
    headings = [(i, m.group(1)) for i in range(actions, closing) if (m := objective_re.match(lines[i]))]
    for n, (i, number) in enumerate(headings):
        end = headings[n + 1][0] if n + 1 < len(headings) else closing
        if number not in objectives:
            raise ctx.error(i + 1, None, f"the matrix names strategic objective {number}, which the strategic frame "
                            "does not define", "an objective of the strategic frame: " + ", ".join(objectives))
        read_matrix(builder, objectives[number], i + 1, end, levels, f"actions and targets, objective {number}")
    builder.require_activities(f"the matrices after line {actions + 1}")
