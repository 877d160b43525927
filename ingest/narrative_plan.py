"""Engine ``narrative-plan``: a strategic plan told in numbered sections of prose (as the
Regional Coalition's strategic plan, e.g. the built-in layout ``coalition-strategic-plan``).

Options: ``kind``, ``cover`` (see ``plans_common``); headings, matched at the start of a line
(case, accents and punctuation aside; entries of a table of contents, ending in dots and a page
number, are passed over): ``frame`` (the section holding ``vision`` and ``mission``, optional),
``axes`` (the section of axes and objectives), ``general_objective`` (its heading, inside
``axes``; the objective is the next paragraph), ``management`` (the section after the axes) and
``evaluation`` (the one after it); patterns of paragraphs inside ``axes``: ``axis`` ("EJE
ESTRATÉGICO N: NAME"), ``objective`` and ``result`` (the number, then the text, which may follow
on the next paragraphs) and ``indicators`` (followed by one indicator per paragraph);
``functions`` (optional: the start of a paragraph of the management section that introduces a
body's functions, to the key of that body in the reference data; one function per following
listed line).
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import Literal
from rdflib.namespace import SKOS

from mandato.namespaces import MDO, resource
from mandato.normalise import normalise

from .base import ReadContext
from .frame_matrices import pattern
from .plan_matrix import Node, PlanBuilder
from .plans_common import open_plan

TOC_ENTRY = re.compile(r"\.\.\.\s*\d+\s*$")  # "VI. Marco Filosófico	...36" in the table of contents


def _find(ctx: ReadContext, step: dict[str, Any], name: str, after: int = 0) -> int:
    prefix = str(ctx.option(step, name))
    for i in range(after, len(ctx.source.lines)):
        line = ctx.source.lines[i]
        if normalise(line).startswith(normalise(prefix)) and not TOC_ENTRY.search(line):
            return i
    raise ctx.missing(f"the heading '{prefix}' ({name})", prefix, after)


def _next_text(ctx: ReadContext, i: int) -> int:
    lines = ctx.source.lines
    j = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
    if j is None:
        raise ctx.error(i + 1, None, "the heading is the last line of the text", "a paragraph after the heading")
    return j


def read(ctx: ReadContext, step: dict[str, Any]) -> None:
    lines = ctx.source.lines
    builder = open_plan(ctx, step)
    plan = builder.plan
    axes = _find(ctx, step, "axes")
    if "frame" in step:
        frame = _find(ctx, step, "frame")
        for name, prop in (("vision", MDO.vision), ("mission", MDO.mission)):
            if name in step:
                j = _next_text(ctx, _find(ctx, step, name, frame))
                ctx.state(plan, prop, Literal(lines[j].strip(), lang="es"), j + 1)
    where = str(step["axes"]).split(".")[0]  # "VII" of "VII. EJES ESTRATÉGICOS", in locators
    general = _next_text(ctx, _find(ctx, step, "general_objective", axes))
    builder.component(MDO.GeneralObjective, builder.root, lines[general].strip(), general + 1,
                      f"{where}, line {general + 1}", key="general", notation=None)
    management = _find(ctx, step, "management", axes)
    _objectives(builder, step, axes, management, where)
    if "functions" in step:
        _functions(ctx, step["functions"], management, _find(ctx, step, "evaluation", management))


def _paragraphs(lines: list[str], start: int, end: int) -> list[tuple[int, str]]:
    return [(i, lines[i].strip()) for i in range(start, end) if lines[i].strip()]


def _objectives(builder: PlanBuilder, step: dict[str, Any], start: int, end: int, where: str) -> None:
    """Axes, strategic objectives, expected results and their indicators (narrative text)."""
    ctx = builder.ctx
    axis_re, objective_re = pattern(ctx, step, "axis"), pattern(ctx, step, "objective")
    result_re, indicators_re = pattern(ctx, step, "result"), pattern(ctx, step, "indicators")
    axis: Node | None = None
    current: Node | None = None  # the objective or result that takes the next paragraphs
    mode = ""
    indicators = 0
    for i, text in _paragraphs(ctx.source.lines, start, end):
        if m := axis_re.match(text):
            axis = builder.component(MDO.Axis, builder.root, m.group(2), i + 1, f"{where}, line {i + 1}",
                                     notation=m.group(1))
            current, mode = None, "description"
        elif (m := objective_re.match(text)) and axis is not None:
            current = builder.component(MDO.StrategicObjective, axis, m.group(2) or "…", i + 1,
                                        f"{where}, line {i + 1}", notation=m.group(1))
            mode, objective = "objective", current
        elif (m := result_re.match(text)) and current is not None:
            current = builder.component(MDO.Result, objective, m.group(2) or "…", i + 1, f"{where}, line {i + 1}",
                                        notation=m.group(1))
            mode, indicators = "result", 0
        elif (m := indicators_re.match(text)) and current is not None:
            mode = "indicators"
            if m.group(1):
                indicators += 1
                builder.detail(current.iri, "indicator", m.group(1), i + 1, indicators)
        elif mode == "indicators" and current is not None:
            indicators += 1
            builder.detail(current.iri, "indicator", re.sub(r"^\d+\.\s*", "", text), i + 1, indicators)
        elif mode in ("objective", "result") and current is not None:
            _continue_label(ctx, current, text, i + 1)


def _continue_label(ctx: ReadContext, node: Node, text: str, line: int) -> None:
    """A statement that runs on into the next paragraph at ``line`` (or starts there): the
    label is cited on every line it was read from."""
    g = ctx.graph
    label = g.value(node.iri, SKOS.prefLabel)
    g.remove((node.iri, SKOS.prefLabel, None))
    lines = ctx.citations.lines_of((node.iri, SKOS.prefLabel, label)) if label is not None else []
    joined = text if str(label) == "…" else f"{label} {text}"
    new = Literal(joined, lang="es")
    for earlier in lines if str(label) != "…" else []:
        ctx.state(node.iri, SKOS.prefLabel, new, earlier)
    ctx.state(node.iri, SKOS.prefLabel, new, line)


def _functions(ctx: ReadContext, bodies: dict[str, str], start: int, end: int) -> None:
    """The functions of the bodies the management section introduces, one per listed line."""
    heads = {normalise(h): key for h, key in bodies.items()}
    body = None
    for i, text in _paragraphs(ctx.source.lines, start, end):
        key = next((k for h, k in heads.items() if normalise(text).startswith(h)), None)
        if key:
            body = resource("organization", key)
            continue
        if body is not None and re.match(r"^(-|\d+\.)\s+", text):
            ctx.state(body, MDO.function, Literal(re.sub(r"^(-|\d+\.)\s+", "", text), lang="es"), i + 1)
        elif body is not None and not re.match(r"^(-|\d+\.)", text):
            body = None
