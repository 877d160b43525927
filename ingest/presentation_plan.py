"""Engine ``presentation-plan``: a plan told in the slides of a presentation, one slide element
per line (as Medellín's intersectoral plan against ESCNNA, e.g. the built-in layout
``municipal-plan-presentation``).

Options: ``kind``, ``cover`` (see ``plans_common``: its ``issued_by`` group may read the issuer
from the line under the title); headings, each a slide element matched by its start (case and
accents aside), in this order: ``timeline`` (``starts``, ``ends`` and the upper-case ``steps`` of
the plan's construction, each followed by its description; years printed apart from the steps
cannot be tied to them and are reported), ``scheme`` (holding ``general_objective``),
``transversal`` and ``strategic`` (their lines, one per element; ``skip`` lists elements that are
not lines, such as a logo's letters), ``matrix`` (per strategic line, the number of ACCIONES and
METAS declared); ``operational`` (optional), a plan inside the presentation: its own ``plan``
role, ``kind``, ``cover``, ``implements`` and the headings ``general_objective``, ``strategies``,
``challenges`` (one challenge after each strategy's name) and ``advances`` (items starting "-").
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from mandato.namespaces import MDO
from mandato.normalise import normalise, strip_markup

from .base import ReadContext
from .plan_matrix import Node, PlanBuilder
from .plans_common import open_plan


def _text_lines(ctx: ReadContext) -> list[tuple[int, str]]:
    """Non-empty lines, without HTML or Markdown emphasis ("Prevención de la **ESCNNA**")."""
    out = []
    for i, t in enumerate(ctx.source.lines):
        text = strip_markup(t).replace("**", "").strip()
        if text:
            out.append((i + 1, text))
    return out


class Slides:
    """The presentation's elements, and the headings a layout's step names."""

    def __init__(self, ctx: ReadContext, step: dict[str, Any]):
        self.ctx, self.step, self.items = ctx, step, _text_lines(ctx)

    def index(self, name: str, after: int = 0) -> int:
        """The element that starts with the heading of option ``name``, after element ``after``."""
        text = str(self.ctx.option(self.step, name))
        for n in range(after, len(self.items)):
            if normalise(self.items[n][1]).startswith(normalise(text)):
                return n
        first = self.items[after][0] - 1 if after < len(self.items) else 0
        raise self.ctx.missing(f"the slide '{text}' ({name})", text, first)

    def at_line(self, line: int) -> int:
        return next(n for n, (number, _) in enumerate(self.items) if number >= line)


def read(ctx: ReadContext, step: dict[str, Any]) -> None:
    slides = Slides(ctx, step)
    items = slides.items
    builder = open_plan(ctx, step)
    if "timeline" in step:
        _timeline(builder, Slides(ctx, step["timeline"]))
    general = _general_objective(builder, slides, slides.index("scheme"), "plan scheme")
    transversal = slides.index("transversal", general)
    strategic = slides.index("strategic", transversal)
    matrix = slides.index("matrix", strategic)
    skip = {normalise(t).replace(" ", "") for t in step.get("skip", [])}
    for k in range(transversal + 1, strategic):
        n, text = items[k]
        builder.component(MDO.TransversalLine, builder.root, text, n, f"plan scheme, line {n}",
                          key=f"transversal-{k - transversal}", notation=None)
    lines: list[Node] = []
    for k in range(strategic + 1, matrix):
        n, text = items[k]
        if normalise(text).replace(" ", "") in skip:
            continue
        lines.append(builder.component(MDO.StrategicLine, builder.root, text, n, f"plan scheme, line {n}",
                                       key=f"line-{len(lines) + 1}", notation=None))
    if "operational" not in step:
        _declared(builder, items[matrix + 1 :], lines)
        return
    sub = Slides(ctx, step["operational"])
    operational = open_plan(ctx, sub.step, items[matrix][0])
    start = slides.at_line(operational.line)
    _declared(builder, items[matrix + 1 : start], lines)
    _operational_plan(operational, sub, start)


def _general_objective(builder: PlanBuilder, slides: Slides, after: int, where: str) -> int:
    """The general objective's heading after element ``after`` and the paragraph under it; its index."""
    general = slides.index("general_objective", after)
    if general + 1 >= len(slides.items):
        raise builder.ctx.error(slides.items[general][0], None, "the general objective's heading ends the text",
                                "the objective's paragraph under its heading")
    n, text = slides.items[general + 1]
    builder.component(MDO.GeneralObjective, builder.root, text, n, f"{where}, line {n}", key="general", notation=None)
    return general


def _declared(builder: PlanBuilder, items: list[tuple[int, str]], lines: list) -> None:
    """The counts the plan declares per strategic line: "<line name>", N, "ACCIONES", M, "METAS"."""
    g = builder.ctx.graph
    for k in range(len(items) - 4):
        (n, name), (n_actions, actions), (_, a_word), (n_targets, targets), (_, t_word) = items[k : k + 5]
        if not (actions.isdigit() and targets.isdigit() and normalise(a_word) == "acciones"
                and normalise(t_word) == "metas"):
            continue
        match = [line for line in lines if normalise(name) in normalise(str(g.value(line.iri, SKOS.prefLabel)))]
        if len(match) != 1:
            builder.ctx.find("unmatched-line", f"the counts of '{name}' match {len(match)} strategic lines; "
                             "not recorded", n)
            continue
        builder.ctx.state(match[0].iri, MDO.declaredActions, Literal(int(actions)), n_actions)
        builder.ctx.state(match[0].iri, MDO.declaredTargets, Literal(int(targets)), n_targets)
        builder.ctx.find("actions-not-listed", f"the plan declares {actions} actions and {targets} targets for "
                         f"'{name}' but the presentation does not list them", n, match[0].iri)


def _timeline(builder: PlanBuilder, slides: Slides) -> None:
    ctx, g, items = builder.ctx, builder.ctx.graph, slides.items
    start = slides.index("starts")
    end = slides.index("ends", start)
    steps = {str(t) for t in ctx.option(slides.step, "steps")}
    order = 0
    years = []
    for k in range(start + 1, end):
        n, text = items[k]
        if re.fullmatch(r"\d{4}", text):
            years.append((n, text))
        elif text in steps:
            order += 1
            node = URIRef(f"{builder.plan}/milestone-{order}")
            g.add((builder.plan, MDO.milestone, node))
            g.add((node, RDF.type, MDO.Milestone))
            g.add((node, MDO.order, Literal(order, datatype=XSD.integer)))
            description, more = [], []
            for j in range(k + 1, end):
                nxt = items[j][1]
                if nxt in steps or re.fullmatch(r"\d{4}", nxt):
                    break
                description.append(nxt.lstrip("- ").strip())
                more.append(items[j][0])
            label = Literal(text.capitalize() + (": " + " ".join(description) if description else ""), lang="es")
            g.add((node, SKOS.prefLabel, label))
            ctx.derive(node, n, f"timeline, line {n}")
            ctx.also(node, SKOS.prefLabel, label, more)
    if years:
        ctx.find("timeline-years", f"the timeline prints the years {', '.join(y for _, y in years)} on lines of "
                 "their own; they cannot be tied to its steps reliably, so the steps keep their order without dates",
                 years[0][0], builder.plan)


def _operational_plan(builder: PlanBuilder, slides: Slides, start: int) -> None:
    ctx, items = builder.ctx, slides.items
    g, plan = ctx.graph, builder.plan
    assert builder.period is not None
    first, last = builder.period
    year = str(first) if first == last else f"{first}-{last}"
    where = f"operational plan {year}"
    general = _general_objective(builder, slides, start, where)
    strategies = slides.index("strategies", general)
    challenges = slides.index("challenges", strategies)
    advances = slides.index("advances", challenges)
    nodes: dict[str, Node] = {}
    for k in range(strategies + 1, challenges):
        n, text = items[k]
        nodes[normalise(text)] = builder.component(MDO.StrategicLine, builder.root, text, n,
                                                   f"{where}, line {n}", key=f"strategy-{len(nodes) + 1}",
                                                   notation=None)
    k = challenges + 1
    while k + 1 < advances:
        name, (n, challenge) = normalise(items[k][1]), items[k + 1]
        if name in nodes:
            ctx.state(nodes[name].iri, MDO.challenge, Literal(challenge, lang="es"), n)
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
        ctx.derive(node, n, f"advances {year}, line {n}")
        # The year of an advance is the operational plan's, printed where its period is.
        ctx.state(node, MDO.startDate, Literal(str(first), datatype=XSD.gYear), builder.period_line)
        ctx.state(node, MDO.endDate, Literal(str(last), datatype=XSD.gYear), builder.period_line)
