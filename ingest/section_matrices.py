"""Engine ``section-matrices``: a plan in sections, each a title row naming the body that
coordinates it, a general objective row and a matrix (as a commission's annual work plan by
sub-commission, e.g. the built-in layout ``conacoes-work-plan``).

Options: ``kind``, ``cover`` and ``approval`` (patterns of the plan's facts, see
``plans_common``); ``section`` (the normalised start of a section's title, e.g. ``subcomision``)
and ``objective`` (the start of the general objective row, within the three lines after the
title: a title without one is an entry of a table of contents); ``columns`` (optional: the
matrix column synonyms, as in ``plan_matrix``); ``levels`` (the hierarchy
columns of the matrix and their ontology classes, outermost first). Each section becomes an
axis coordinated by the bodies its title names, with its general objective and its matrix.
"""

from __future__ import annotations

from typing import Any

from mandato.namespaces import MDO
from mandato.normalise import normalise, strip_markup

from .actors import split_actors
from .base import ReadContext
from .plan_matrix import levels_of, read_matrix
from .plans_common import open_plan


def read(ctx: ReadContext, step: dict[str, Any]) -> None:
    lines = ctx.source.lines
    builder = open_plan(ctx, step)
    g = ctx.graph
    section, objective = normalise(ctx.option(step, "section")), normalise(ctx.option(step, "objective"))
    levels = levels_of(ctx, step)
    starts = [i for i, t in enumerate(lines) if normalise(t.split("\t")[0]).startswith(section)
              and any(normalise(x).startswith(objective) for x in lines[i + 1 : i + 4])]
    if not starts:
        raise ctx.missing(f"a section title ('{step['section']}…' followed by '{step['objective']}…')",
                          str(step["section"]))
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        title = strip_markup(lines[start].split("\t")[0])
        axis = builder.component(MDO.Axis, builder.root, title, start + 1, f"line {start + 1}", key=str(n + 1),
                                 notation=None)
        for actor in split_actors(title, builder.actors).actors:
            g.add((axis.iri, MDO.coordinatedBy, actor))
        parent = axis
        general = next((i for i in range(start + 1, end) if normalise(lines[i]).startswith(objective)), None)
        if general is not None:
            text = strip_markup(lines[general].split("\t")[0]).split(":", 1)[-1].strip()
            parent = builder.component(MDO.GeneralObjective, axis, text, general + 1, f"line {general + 1}",
                                       key="general", notation=None)
        read_matrix(builder, parent, start + 1, end, levels, title)
