"""The FastAPI app that ``mandato serve`` starts (design note §7).

Thin routers over one store (STYLE 6): saved queries (:mod:`api.queries`), the SPARQL endpoint
(:mod:`api.sparql`) and linked data (:mod:`api.linked_data`). Every error has the one JSON body
``{"ok": false, "error": ..., "errors": [...], "status": N}``; a 500 never shows exception text.
Limits, HEAD and OPTIONS, ETags and security headers are the middleware's (:mod:`api.middleware`);
CORS is Starlette's, for the origins configured.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware

from mandato import __version__
from mandato.digests import dataset_version
from mandato.errors import MandatoError
from mandato.query_pool import QueryPool
from mandato.search import warm
from mandato.store import Store

from . import linked_data, openrefine, pages, queries, sparql
from .cache import AnswerCache, KeptAnswers
from .dumps import Dumps
from .http import Settings, error_body, error_response, error_responses
from .middleware import Guard

if TYPE_CHECKING:
    from mandato.remote import RemoteRunner, RemoteStore

log = logging.getLogger("mandato.api")
STATIC_DIR = Path(__file__).with_name("static")
WARM_AFTER = 1.0  # seconds after the start before the search's names are read (see lifespan)


def create_app(store: Store | RemoteStore, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    version = dataset_version(store)
    state: dict[str, Any] = {}

    def pool() -> QueryPool | RemoteRunner:
        if "pool" not in state:
            if not isinstance(store, Store):
                from mandato.remote import RemoteRunner

                state["pool"] = RemoteRunner(store, settings.sparql_timeout, settings.sparql_max_rows,
                                             settings.sparql_max_bytes)
            elif store.path is None:
                raise MandatoError("the SPARQL endpoint needs a store on disk")
            else:
                state["pool"] = QueryPool(
                    store.path, settings.sparql_workers, settings.sparql_timeout, settings.sparql_max_rows,
                    max_bytes=settings.sparql_max_bytes, memory=settings.sparql_worker_memory,
                    fast_workers=settings.sparql_fast_workers, fast_limit=settings.sparql_fast_limit,
                    per_client=settings.sparql_per_client, queue=settings.sparql_queue)
        return state["pool"]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The search box's names, read once before the first person asks, but after the server's
        # first answers: read at once, they took a third of the start's CPU (the GIL) and delayed
        # the first answer (1.0-1.2 s at ~1M triples).
        warming = threading.Timer(WARM_AFTER, warm, args=(store,)) if isinstance(store, Store) else None
        if warming is not None:
            warming.name, warming.daemon = "mandato-warm-search", True
            warming.start()
        yield
        if warming is not None:
            warming.cancel()
        if "pool" in state:
            state.pop("pool").close()
        dumps.close()

    app = FastAPI(
        title="mandato", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
        description="Actors, laws and commitments against human trafficking and the commercial sexual "
        "exploitation of children (ESCNNA) in Latin America, as linked data: saved queries, a SPARQL "
        "endpoint, dereferenceable IRIs and dumps.",
    )
    app.state.version = version
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        """The OpenAPI page, with Swagger UI from the package: it works with no network."""
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title="mandato API",
                                   swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url="/static/swagger-ui/swagger-ui.css",
                                   swagger_favicon_url="/static/swagger-ui/favicon-32x32.png")
    app.state.close = lambda: state.pop("pool").close() if "pool" in state else None

    people = pages.Pages(store)

    @app.exception_handler(MandatoError)
    async def mandato_error(request: Request, exc: MandatoError) -> Response:
        if pages.is_page(request):  # a person in a browser reads the error on a page
            return people.error(request, exc)
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()]
        return error_body(400, "the request is not valid", problems)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        response = error_body(exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})  # e.g. Allow on 405
        return response

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s", request.url.path)
        return error_body(500, "internal server error")

    @app.get("/", tags=["about"], summary="What this server offers (JSON; a browser gets the home page)",
             response_model=None)
    def index(request: Request) -> dict[str, Any] | Response:
        if pages.wants_html(request):
            return people.home(request, None)
        base = settings.base_url.rstrip("/")
        return {"name": "mandato", "version": __version__, "dataset_version": version, "links": {
            "queries": f"{base}/queries", "sparql": f"{base}/sparql", "dataset": f"{base}/dataset",
            "void": f"{base}/dataset/void", "ontology": f"{base}/ontology", "context": f"{base}/context.jsonld",
            "validation": f"{base}/validation", "reconcile": f"{base}/reconcile", "openapi": f"{base}/docs"}}

    # The embedded store cannot change while served: its answers are kept. A remote one may change.
    app.state.answer_cache = AnswerCache(settings.cache_bytes) if isinstance(store, Store) else None
    base = settings.base_url.rstrip("/")
    dumps = Dumps(store, version, concurrency=settings.dump_concurrency, timeout=settings.dump_timeout,
                  memory=settings.dump_memory)
    routers = [queries.router(store, app.state.answer_cache),
               sparql.router(pool, store, settings.service_hosts, base, people),
               linked_data.router(store, version, base, people, dumps), pages.router(people),
               openrefine.router(store, base, people)]
    for router in routers:
        app.include_router(router)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    if app.state.answer_cache is not None:  # inside Guard: its limits, ETags and headers apply
        app.add_middleware(KeptAnswers, cache=app.state.answer_cache)
    app.add_middleware(Guard, version=version, max_query_string=settings.max_query_string,
                       max_body=settings.max_body, routes=[*app.router.routes, *(r for x in routers for r in x.routes)],
                       refusal=lambda client: state["pool"].refusal(client) if "pool" in state else None,
                       body_timeout=settings.body_timeout)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "HEAD", "POST"],
                       allow_headers=["Accept", "Content-Type", "Cache-Control", "If-None-Match"],
                       expose_headers=["ETag", "Retry-After"])
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's OpenAPI document without its 422s: an invalid request is a 400 with the one error
    body here (``invalid_request``), and each route lists its 400 where it can answer one."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = FastAPI.openapi(app)  # FastAPI's own document, kept as app.openapi_schema: amended in place
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            if operation.get("responses", {}).pop("422", None) is not None:
                operation["responses"].setdefault("400", error_responses(400)[400])
    for name in ("HTTPValidationError", "ValidationError"):
        schema.get("components", {}).get("schemas", {}).pop(name, None)
    return schema
