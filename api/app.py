"""FastAPI app: the catalogue of saved queries and their results as JSON.

Thin routers over one store; every error has the one JSON body
``{"ok": false, "error": ..., "errors": [...], "status": N}`` and a 500 never shows exception text.
The full API (content negotiation, /sparql, linked data, ETags) is issue 5.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from mandato import __version__
from mandato.catalogue import load_catalogue, run
from mandato.errors import MandatoError
from mandato.store import Store

log = logging.getLogger("mandato.api")


def error_body(status: int, message: str, errors: list[str] | None = None) -> JSONResponse:
    return JSONResponse({"ok": False, "error": message, "errors": errors or [], "status": status}, status_code=status)


def create_app(store: Store) -> FastAPI:
    catalogue = load_catalogue()  # a broken .rq stops start-up here
    app = FastAPI(title="mandato", version=__version__,
                  description="Actors, laws and commitments against human trafficking and ESCNNA in Latin America.")

    @app.exception_handler(MandatoError)
    async def mandato_error(request: Request, exc: MandatoError) -> JSONResponse:
        return error_body(exc.status, str(exc), exc.details())

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return error_body(500, "internal server error")

    @app.get("/queries", summary="The saved queries with their summaries and parameters")
    def list_queries() -> list[dict]:
        return [
            {"name": q.name, "summary": q.summary, "description": q.description, "tags": q.tags,
             "params": [{"name": p.name, "type": p.type, "required": p.required, "default": p.default,
                         "example": p.example, "description": p.description} for p in q.params]}
            for q in catalogue.values()
        ]

    @app.get("/queries/{name}", summary="Run a saved query; its parameters are query-string fields")
    def run_query(name: str, request: Request) -> list[dict]:
        return run(store, name, dict(request.query_params)).records()

    return app
