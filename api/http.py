"""What every router shares: settings, the error body, content negotiation, the dataset version."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import JSONResponse

from mandato.errors import MandatoError
from mandato.results import negotiate


def _env(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def _env_list(name: str, default: str) -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


@dataclass
class Settings:
    """Limits of the API; each can be set by an environment variable."""

    sparql_timeout: float = field(default_factory=lambda: _env("MANDATO_SPARQL_TIMEOUT", 10.0))
    sparql_max_rows: int = field(default_factory=lambda: int(_env("MANDATO_SPARQL_MAX_ROWS", 10_000)))
    sparql_workers: int = field(default_factory=lambda: int(_env("MANDATO_SPARQL_WORKERS", 2)))
    # Workers kept for short queries, and how long a query may run on one (mandato.query_pool).
    sparql_fast_workers: int = field(default_factory=lambda: int(_env("MANDATO_SPARQL_FAST_WORKERS", 2)))
    sparql_fast_limit: float = field(default_factory=lambda: _env("MANDATO_SPARQL_FAST_LIMIT", 0.5))
    sparql_max_bytes: int = field(default_factory=lambda: int(_env("MANDATO_SPARQL_MAX_BYTES", 16 * 2**20)))
    sparql_worker_memory: int = field(default_factory=lambda: int(_env("MANDATO_SPARQL_WORKER_MEMORY", 512 * 2**20)))
    sparql_per_client: int = field(default_factory=lambda: int(_env("MANDATO_SPARQL_PER_CLIENT", 4)))
    sparql_queue: int = field(default_factory=lambda: int(_env("MANDATO_SPARQL_QUEUE", 16)))
    max_query_string: int = field(default_factory=lambda: int(_env("MANDATO_MAX_QUERY_STRING", 8192)))
    max_body: int = field(default_factory=lambda: int(_env("MANDATO_MAX_BODY", 65536)))
    # The request's head and the connections (api.server), the body's read time (api.middleware).
    header_bytes: int = field(default_factory=lambda: int(_env("MANDATO_MAX_HEADER_BYTES", 32768)))
    max_headers: int = field(default_factory=lambda: int(_env("MANDATO_MAX_HEADERS", 100)))
    header_timeout: float = field(default_factory=lambda: _env("MANDATO_HEADER_TIMEOUT", 10.0))
    body_timeout: float = field(default_factory=lambda: _env("MANDATO_BODY_TIMEOUT", 10.0))
    max_connections: int = field(default_factory=lambda: int(_env("MANDATO_MAX_CONNECTIONS", 256)))
    keep_alive: float = field(default_factory=lambda: _env("MANDATO_KEEP_ALIVE", 5.0))
    # Dumps of /dataset (api.dumps): made at once, time and memory of each.
    dump_concurrency: int = field(default_factory=lambda: int(_env("MANDATO_DUMP_CONCURRENCY", 1)))
    dump_timeout: float = field(default_factory=lambda: _env("MANDATO_DUMP_TIMEOUT", 600.0))
    dump_memory: int = field(default_factory=lambda: int(_env("MANDATO_DUMP_MEMORY", 1024 * 2**20)))
    cache_bytes: int = field(default_factory=lambda: int(_env("MANDATO_CACHE_BYTES", 64 * 2**20)))
    # The server's public address, for the links it gives (never the client's Host header);
    # ``mandato serve`` sets it from --host and --port unless MANDATO_BASE_URL says otherwise.
    base_url: str = field(default_factory=lambda: os.environ.get("MANDATO_BASE_URL", "http://127.0.0.1:8000"))
    # Origins whose pages may call the read-only endpoints (CORS); "*" for any.
    cors_origins: list[str] = field(default_factory=lambda: _env_list("MANDATO_CORS_ORIGINS", "*"))
    # Hosts a client's query may call with SERVICE; none by default (mandato.query_text).
    service_hosts: list[str] = field(default_factory=lambda: _env_list("MANDATO_SPARQL_SERVICE_HOSTS", ""))


class NotAcceptable(MandatoError):
    status = 406


class NotFound(MandatoError):
    status = 404


ERROR_SCHEMA = {"type": "object", "required": ["ok", "error", "errors", "status"], "properties": {
    "ok": {"type": "boolean", "const": False}, "error": {"type": "string"},
    "errors": {"type": "array", "items": {"type": "string"}}, "status": {"type": "integer"}}}
ERROR_TEXT = {400: "bad request: an ill-formed, unknown, ambiguous or unsupported parameter or query",
              403: "updates are refused: the endpoint is read-only", 404: "no such resource",
              406: "no format offered is acceptable", 413: "request body too large",
              414: "query string too long", 429: "too many queries: try again after Retry-After seconds",
              502: "served from a remote store that refused the query, failed, or sent a partial answer",
              503: "the query was stopped (time or memory limit) or no worker could take it"}


def error_responses(*statuses: int) -> dict[int | str, dict]:
    """OpenAPI entries for the error statuses a route answers, with the one error body."""
    return {status: {"description": ERROR_TEXT[status], "content": {"application/json": {"schema": ERROR_SCHEMA}}}
            for status in statuses}


def answers(media: dict[str, str], *errors: int) -> dict[int | str, dict]:
    """OpenAPI responses of a route: the media types of its 200 and its error statuses."""
    return {200: {"content": {m: {} for m in media.values()}}, **error_responses(*errors)}


def error_response(error: MandatoError) -> JSONResponse:
    """The one error body for an expected error, with ``Retry-After`` where the error says when."""
    response = error_body(error.status, str(error), error.details())
    if retry := getattr(error, "retry_after", None):
        response.headers["Retry-After"] = str(retry)
    return response


def choices(names: Iterable[str]) -> dict[str, list[str]]:
    """The OpenAPI ``enum`` of a parameter: its values, and "" since an empty value (as an HTML form
    sends it) means the parameter is absent."""
    return {"enum": ["", *names]}


def error_body(status: int, message: str, errors: list[str] | None = None) -> JSONResponse:
    """The one error body of the API (STYLE 7)."""
    return JSONResponse({"ok": False, "error": message, "errors": errors or [], "status": status}, status_code=status)


def choose(request: Request, fmt: str | None, offered: dict[str, str], default: str) -> str:
    """The format to answer with (``format`` parameter, else Accept), or 406."""
    chosen = negotiate(request.headers.get("accept"), fmt, offered, default)
    if chosen is None:
        wanted = f"format={fmt}" if fmt else f"Accept: {request.headers.get('accept')}"
        raise NotAcceptable(f"cannot answer {wanted}; formats: {', '.join(offered)}")
    return chosen
