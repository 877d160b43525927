"""The FastAPI app that ``mandato serve`` starts (design note §7).

Thin routers over one store (STYLE 6): saved queries (:mod:`api.queries`), the SPARQL endpoint
(:mod:`api.sparql`) and linked data (:mod:`api.linked_data`). Every error has the one JSON body
``{"ok": false, "error": ..., "errors": [...], "status": N}``; a 500 never shows exception text.
Responses carry an ETag tied to the dataset's version (the store cannot change while served);
``If-None-Match`` gives 304. Query strings and request bodies have size limits.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException

from mandato import __version__
from mandato.digests import dataset_version
from mandato.errors import MandatoError
from mandato.query_pool import QueryPool
from mandato.remote import RemoteRunner, RemoteStore
from mandato.store import Store

from . import linked_data, queries, sparql
from .http import Settings, error_body

log = logging.getLogger("mandato.api")


def create_app(store: Store | RemoteStore, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    version = dataset_version(store)
    state: dict[str, Any] = {}

    def pool() -> QueryPool | RemoteRunner:
        if "pool" not in state:
            if isinstance(store, RemoteStore):
                state["pool"] = RemoteRunner(store, settings.sparql_timeout, settings.sparql_max_rows)
            elif store.path is None:
                raise MandatoError("the SPARQL endpoint needs a store on disk")
            else:
                state["pool"] = QueryPool(store.path, settings.sparql_workers, settings.sparql_timeout,
                                          settings.sparql_max_rows)
        return state["pool"]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if "pool" in state:
            state.pop("pool").close()

    app = FastAPI(
        title="mandato", version=__version__, lifespan=lifespan,
        description="Actors, laws and commitments against human trafficking and the commercial sexual "
        "exploitation of children (ESCNNA) in Latin America, as linked data: saved queries, a SPARQL "
        "endpoint, dereferenceable IRIs and dumps.",
    )
    app.state.version = version
    app.state.close = lambda: state.pop("pool").close() if "pool" in state else None

    @app.exception_handler(MandatoError)
    async def mandato_error(request: Request, exc: MandatoError) -> JSONResponse:
        return error_body(exc.status, str(exc), exc.details())

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()]
        return error_body(400, "the request is not valid", problems)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return error_body(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return error_body(500, "internal server error")

    @app.middleware("http")
    async def limits_and_etag(request: Request, call_next: Any) -> Response:
        if len(request.url.query) > settings.max_query_string:
            return error_body(414, f"the query string is longer than {settings.max_query_string} bytes")
        length = request.headers.get("content-length")
        if length and (not length.isdigit() or int(length) > settings.max_body):
            return error_body(413, f"the request body is larger than {settings.max_body} bytes")
        if request.method not in ("GET", "HEAD"):
            return await call_next(request)
        tag = '"' + hashlib.sha256(
            f"{version}|{request.url.path}|{request.url.query}|{request.headers.get('accept', '')}".encode()
        ).hexdigest()[:24] + '"'
        if tag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers={"ETag": tag})
        response = await call_next(request)
        if response.status_code == 200:
            response.headers["ETag"] = tag
            response.headers["Cache-Control"] = "public, max-age=300"
        return response

    @app.get("/", tags=["about"], summary="What this server offers")
    def index(request: Request) -> dict[str, Any]:
        base = str(request.base_url).rstrip("/")
        return {"name": "mandato", "version": __version__, "dataset_version": version, "links": {
            "queries": f"{base}/queries", "sparql": f"{base}/sparql", "dataset": f"{base}/dataset",
            "void": f"{base}/dataset/void", "ontology": f"{base}/ontology", "context": f"{base}/context.jsonld",
            "validation": f"{base}/validation", "openapi": f"{base}/docs"}}

    app.include_router(queries.router(store))
    app.include_router(sparql.router(pool))
    app.include_router(linked_data.router(store, version))
    return app
