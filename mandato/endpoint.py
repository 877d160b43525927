"""Where a remote store answers, and how long to wait for it: ``--endpoint``, ``--update-endpoint``
and ``--graph-store``, else ``MANDATO_ENDPOINT``, ``MANDATO_UPDATE_ENDPOINT`` and
``MANDATO_GRAPH_STORE``; time-out, retries and back-off from ``MANDATO_ENDPOINT_TIMEOUT``,
``MANDATO_ENDPOINT_RETRIES`` and ``MANDATO_ENDPOINT_BACKOFF``; the most bytes one answer may hold
from ``MANDATO_ENDPOINT_MAX_BYTES`` (docs/remote-stores.md). Apart from :mod:`mandato.remote`,
so that a command on the embedded store (``mandato serve``) can tell it has none without importing
an HTTP client."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


@dataclass
class Endpoint:
    query: str
    update: str | None = None
    graph_store: str | None = None
    timeout: float = field(default_factory=lambda: float(os.environ.get("MANDATO_ENDPOINT_TIMEOUT", 60)))
    retries: int = field(default_factory=lambda: int(os.environ.get("MANDATO_ENDPOINT_RETRIES", 3)))
    backoff: float = field(default_factory=lambda: float(os.environ.get("MANDATO_ENDPOINT_BACKOFF", 0.5)))
    # The time-out is a deadline for each whole answer, not for each read; an answer longer than
    # max_bytes is refused while it is read.
    max_bytes: int = field(default_factory=lambda: int(os.environ.get("MANDATO_ENDPOINT_MAX_BYTES", 256 * 2**20)))

    @classmethod
    def from_options(cls, query: str | None, update: str | None, graph_store: str | None) -> Endpoint | None:
        query = query or os.environ.get("MANDATO_ENDPOINT")
        if not query:
            return None
        return cls(query, update or os.environ.get("MANDATO_UPDATE_ENDPOINT"),
                   graph_store or os.environ.get("MANDATO_GRAPH_STORE"))
