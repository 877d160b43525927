"""Readers that turn source documents into RDF, registered in one table (STYLE 2).

Each reader module's docstring names the document layout it parses. All share one interface:
``read(ctx: ingest.base.ReadContext) -> None``.
"""

from __future__ import annotations

from collections.abc import Callable

from . import (
    conacoes_plan,
    corett_operational_plan,
    corett_strategic_plan,
    legal_framework,
    legal_references,
    medellin_plan,
    peru_plan,
    ratification_tables,
    treaty_statements,
)
from .base import ReadContext

Reader = Callable[[ReadContext], None]

READERS: dict[str, Reader] = {
    "ratification-tables": ratification_tables.read,
    "treaty-statements": treaty_statements.read,
    "conacoes-plan": conacoes_plan.read,
    "peru-plan": peru_plan.read,
    "corett-operational-plan": corett_operational_plan.read,
    "corett-strategic-plan": corett_strategic_plan.read,
    "medellin-plan": medellin_plan.read,
    "legal-framework": legal_framework.read,
    "legal-references": legal_references.read,
}
