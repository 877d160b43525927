"""Saved queries over HTTP: ``GET /queries`` lists them; each ``queries/<name>.rq`` becomes
``GET /queries/<name>`` with its ``#+`` header parameters as query-string fields (grlc
convention), documented in the OpenAPI page with their examples."""

from __future__ import annotations

import inspect
from collections import OrderedDict
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mandato.catalogue import SavedQuery, load_catalogue, run
from mandato.errors import ParameterError
from mandato.results import GRAPH_MEDIA, ROW_MEDIA, Triples, render
from mandato.store import Store

from .http import AnyStore, choose

FORMATS = sorted({*ROW_MEDIA, *GRAPH_MEDIA})
FormatName = Literal[tuple(FORMATS)]  # type: ignore[valid-type]


def describe(q: SavedQuery) -> dict[str, Any]:
    return {
        "name": q.name, "summary": q.summary, "description": q.description, "tags": q.tags,
        "path": f"/queries/{q.name}",
        "params": [{"name": p.name, "type": p.type, "required": p.required, "default": p.default,
                    "example": p.example, "description": p.description} for p in q.params],
    }


def router(store: AnyStore) -> APIRouter:
    r = APIRouter(tags=["saved queries"])
    catalogue = load_catalogue()

    @r.get("/queries", summary="The saved queries, with their summaries and parameters")
    def list_queries() -> list[dict[str, Any]]:
        return [describe(q) for q in catalogue.values()]

    for query in catalogue.values():
        r.add_api_route(f"/queries/{query.name}", _endpoint(store, query), methods=["GET"],
                        summary=query.summary, description=_doc(query), response_model=None,
                        responses={200: {"content": {m: {} for m in {**ROW_MEDIA, **GRAPH_MEDIA}.values()}}})
    return r


def _doc(q: SavedQuery) -> str:
    return (f"{q.description}\n\nAnswers JSON records by default; `format` or `Accept` selects SPARQL "
            "results JSON (srj) or XML (srx), CSV or TSV, or for a graph Turtle, JSON-LD, N-Triples or RDF/XML.")


CACHED_ANSWERS = 512  # per saved query


def _endpoint(store: AnyStore, query: SavedQuery):
    names = {p.name for p in query.params}
    # The embedded store cannot change while it is served (the server holds its lock), so an
    # answer, once rendered, is kept for the same parameters and format (least recently used
    # out first). A remote store may change under us: its answers are not kept. A request with
    # "Cache-Control: no-cache" is answered afresh.
    answers: OrderedDict[tuple, tuple[bytes, str]] = OrderedDict()
    keep = isinstance(store, Store)

    def endpoint(request: Request, **fields: str | None) -> Response:
        unknown = sorted(set(request.query_params) - names - {"format"})
        if unknown:
            raise ParameterError(f"the query '{query.name}' has no parameter {', '.join(unknown)}", sorted(names))
        args = {k: v for k, v in fields.items() if k != "format" and v is not None}
        key = (tuple(sorted(args.items())), fields.get("format"), request.headers.get("accept"))
        fresh = "no-cache" in request.headers.get("cache-control", "")  # HTTP: do not answer from a cache
        if keep and key in answers and not fresh:
            answers.move_to_end(key)
            body, media = answers[key]
            return Response(body, media_type=media)
        result = run(store, query.name, args)
        offered = GRAPH_MEDIA if isinstance(result, Triples) else ROW_MEDIA
        fmt = choose(request, fields.get("format"), offered, "turtle" if isinstance(result, Triples) else "json")
        body, media = render(result, fmt), offered[fmt]
        if keep:
            answers[key] = (body, media)
            if len(answers) > CACHED_ANSWERS:
                answers.popitem(last=False)
        return Response(body, media_type=media)

    params = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    for p in query.params:
        default = Query(... if p.required else None, description=f"{p.description} ({p.type})",
                        examples=[p.example] if p.example else None, max_length=1000)
        params.append(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                        annotation=str if p.required else str | None))
    params.append(inspect.Parameter(
        "format", inspect.Parameter.KEYWORD_ONLY, annotation=FormatName | None,
        default=Query(None, description="answer format: " + ", ".join(FORMATS)),
    ))
    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    endpoint.__name__ = "query_" + query.name.replace("-", "_")
    return endpoint
