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
