"""What every router shares: settings, the error body, content negotiation, the dataset version."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import JSONResponse

from mandato.errors import MandatoError
from mandato.remote import RemoteStore
from mandato.results import negotiate
from mandato.store import Store

AnyStore = Store | RemoteStore  # the embedded store or a remote SPARQL endpoint


def _env(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


@dataclass
class Settings:
    """Limits of the API; each can be set by an environment variable."""

    sparql_timeout: float = field(default_factory=lambda: _env("MANDATO_SPARQL_TIMEOUT", 10.0))
    sparql_max_rows: int = field(default_factory=lambda: int(_env("MANDATO_SPARQL_MAX_ROWS", 10_000)))
    sparql_workers: int = field(default_factory=lambda: int(_env("MANDATO_SPARQL_WORKERS", 2)))
    max_query_string: int = field(default_factory=lambda: int(_env("MANDATO_MAX_QUERY_STRING", 8192)))
    max_body: int = field(default_factory=lambda: int(_env("MANDATO_MAX_BODY", 65536)))


class NotAcceptable(MandatoError):
    status = 406


class NotFound(MandatoError):
    status = 404


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
