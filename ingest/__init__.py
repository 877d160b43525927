"""The engines that read source documents, registered in one table (STYLE 2).

An engine reads one kind of document layout, configured by the options of a layout's step
(``ingest/layouts/*.yaml``, see :mod:`ingest.layouts`); it holds no document's facts. All share
one interface: ``read(ctx: ingest.base.ReadContext, step: dict) -> None``. After a layout's
steps, every source gets its curated facts (the file its manifest entry names) and the legal
references of its plans' text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import (
    axis_matrices,
    frame_matrices,
    narrative_plan,
    plan_table,
    presentation_plan,
    ratification_tables,
    section_matrices,
    treaty_statements,
)
from .base import ReadContext

Engine = Callable[[ReadContext, dict[str, Any]], None]

# The options each engine reads from a layout's step (besides ``engine``), and the roles a
# ``columns`` option may name: a key of a step that is none of these is a misspelling, refused
# when the layout loads (ingest.layouts), never ignored. The options of the plan every plan
# engine opens (ingest.plans_common.open_plan) are shared.
PLAN_OPTIONS = frozenset({"kind", "cover", "approval", "plan", "implements", "separators"})
MATRIX_OPTIONS = PLAN_OPTIONS | {"levels", "columns", "split_targets", "objective"}
OPTIONS: dict[str, frozenset[str]] = {
    "ratification-table": frozenset({"as_at", "columns", "default_kind", "footnotes", "lists_every_party", "marks",
                                     "non_states", "required", "tables", "separator", "day_month"}),
    "treaty-statements": frozenset({"locator", "heading"}),
    "section-matrices": MATRIX_OPTIONS | {"section"},
    "frame-matrices": MATRIX_OPTIONS | {"axis", "closing", "frame", "matrices"},
    "axis-matrices": MATRIX_OPTIONS | {"axis", "ends"},
    "narrative-plan": PLAN_OPTIONS | {"axes", "axis", "evaluation", "frame", "functions", "general_objective",
                                      "indicators", "management", "mission", "objective", "result", "vision"},
    "presentation-plan": PLAN_OPTIONS | {"general_objective", "matrix", "operational", "scheme", "skip", "strategic",
                                         "timeline", "transversal"},
    "plan-table": PLAN_OPTIONS | {"columns", "facts", "levels", "separator"},
}
COLUMN_ROLES: dict[str, frozenset[str]] = {
    "ratification-table": frozenset({"instrument", "country", "signature_date", "act_date", "act_kind",
                                     "deposit_date"}),
    "plan-table": frozenset({"axis", "line", "objective", "result", "activity", "responsible", "collaborators",
                             "indicator", "target", "means", "deadline", "baseline"}),
    **dict.fromkeys(("section-matrices", "frame-matrices", "axis-matrices"), frozenset(
        {"line", "objective", "activity", "collaborators", "responsible", "indicator", "target", "means"})),
}

ENGINES: dict[str, Engine] = {
    "ratification-table": ratification_tables.read,
    "treaty-statements": treaty_statements.read,
    "section-matrices": section_matrices.read,
    "frame-matrices": frame_matrices.read,
    "axis-matrices": axis_matrices.read,
    "narrative-plan": narrative_plan.read,
    "presentation-plan": presentation_plan.read,
    "plan-table": plan_table.read,
}
