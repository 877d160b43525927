"""Readers that turn source documents into RDF, registered in one table (STYLE 2).

Each reader module's docstring names the document layout it parses. All share one interface:
``read(ctx: ingest.base.ReadContext) -> None``.
"""

from __future__ import annotations

from collections.abc import Callable

from . import ratification_tables, treaty_statements
from .base import ReadContext

Reader = Callable[[ReadContext], None]

READERS: dict[str, Reader] = {
    "ratification-tables": ratification_tables.read,
    "treaty-statements": treaty_statements.read,
    # Not yet: the plan matrices of all five documents (issue 3) and the institutions and
    # national norms (issue 4); until then those documents are registered as sources only.
}
