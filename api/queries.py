"""Saved queries over HTTP: ``GET /queries`` lists them; each ``queries/<name>.rq`` becomes
``GET /queries/<name>`` with its ``#+`` header parameters as query-string fields (grlc
convention), documented in the OpenAPI page with their examples."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mandato.catalogue import SavedQuery, bind, data_languages, execute, load_catalogue
from mandato.errors import ParameterError
from mandato.results import GRAPH_MEDIA, ROW_MEDIA, raw_format, render
from mandato.store import Store
from mandato.terms import DATE, ENTITY_CLASSES, RESOURCE_PATTERN

from .cache import AnswerCache, asks_afresh, request_key
from .http import answers, choices, choose

if TYPE_CHECKING:  # the remote store's module (and its HTTP client) only when one is served
    from mandato.remote import AnyStore


# Parameters every saved query's route takes besides the query's own.
OPTIONS = ("format", "raw")
RAW_DOC = ("true: CSV and TSV give the values as stored, for programs. By default (false) they are "
           "written for spreadsheets: a value Excel or LibreOffice would run as a formula (one that starts "
           "with =, +, -, @, a tab or a carriage return and is not a number, such as =HYPERLINK(…)) is "
           "written with an apostrophe first ('=HYPERLINK(…)), which a spreadsheet shows as text, and a CSV "
           "field with a semicolon or a tab is quoted. JSON and the SPARQL results formats always give the "
           "values as stored.")


def offered(q: SavedQuery) -> dict[str, str]:
    """The formats a saved query answers in: graph formats for a graph query, row formats otherwise."""
    return GRAPH_MEDIA if q.graph else ROW_MEDIA


def describe(q: SavedQuery) -> dict[str, Any]:
    return {
        "name": q.name, "summary": q.summary, "description": q.description, "tags": q.tags,
        "path": f"/queries/{q.name}",
        "params": [{"name": p.name, "type": p.type, "required": p.required, "default": p.default,
                    "example": p.example, "description": p.description,
                    **({"choices": p.choices} if p.choices else {})} for p in q.params],
    }


def router(store: AnyStore, cache: AnswerCache | None) -> APIRouter:
    """The saved queries' routes; ``cache`` keeps their answers (None: answer every request afresh)."""
    r = APIRouter(tags=["saved queries"])
    catalogue = load_catalogue()
    # The embedded store cannot change while served: the languages it holds are the documented
    # choices of ``lang`` (checked at bind time in any case), listed when the OpenAPI document is
    # first asked for, not at the start (listing them reads every label: 120 ms at ~1M triples).
    languages = (lambda: data_languages(store)) if isinstance(store, Store) else None

    @r.get("/queries", summary="The saved queries, with their summaries and parameters")
    def list_queries() -> list[dict[str, Any]]:
        return [describe(q) for q in catalogue.values()]

    for query in catalogue.values():
        r.add_api_route(f"/queries/{query.name}", _endpoint(store, query, cache, languages), methods=["GET"],
                        summary=query.summary, description=_doc(query), response_model=None,
                        responses=answers(offered(query), 400, 404, 406, 413, 414,
                                          *((502,) if not isinstance(store, Store) else ())))
    return r


def _with_choices(extra: dict[str, Any], names: Callable[[], list[str]]) -> Callable[[dict[str, Any]], None]:
    """A parameter's schema completed, when the schema is written, with the choices ``names`` gives."""
    def complete(schema: dict[str, Any]) -> None:
        schema.update(extra)
        schema.update(choices(names()))
    return complete


def _doc(q: SavedQuery) -> str:
    return (f"{q.description}\n\nAnswers JSON records by default; `format` or `Accept` selects SPARQL "
            "results JSON (srj) or XML (srx), CSV or TSV, or for a graph Turtle, JSON-LD, N-Triples or RDF/XML. "
            "CSV and TSV are written for spreadsheets (a value that would run as a formula is text); "
            "`raw=true` gives them as stored.")


def _endpoint(store: AnyStore, query: SavedQuery, cache: AnswerCache | None,
              languages: Callable[[], list[str]] | None):
    names = {p.name for p in query.params}
    if taken := sorted(names & set(OPTIONS)):
        raise ValueError(f"the saved query '{query.name}' cannot name a parameter {', '.join(taken)}: its route has it")
    formats = offered(query)
    media_of = {**formats, **{raw_format(f): m for f, m in formats.items()}}  # the raw writers: the same media
    fallback = "turtle" if query.graph else "json"
    # The embedded store cannot change while it is served (the server holds its lock), so an
    # answer, once rendered, is kept (``cache``) under the resolved parameters and the chosen
    # format: "Palermo" and "XVIII-12-a" share one entry. A remote store may change under us: its
    # answers are not kept. A request with "Cache-Control: no-cache" is answered afresh.

    def endpoint(request: Request, **fields: str | None) -> Response:
        unknown = sorted(set(request.query_params) - names - set(OPTIONS))
        if unknown:
            raise ParameterError(f"the query '{query.name}' has no parameter {', '.join(unknown)}", sorted(names))
        fmt = choose(request, fields.get("format"), formats, fallback)
        if fields.get("raw"):  # CSV and TSV as stored (the other formats are in any case)
            fmt = raw_format(fmt)
        bindings = bind(store, query, {k: v for k, v in fields.items() if k not in OPTIONS and v is not None})
        key = (query.name, tuple(sorted((k, str(v)) for k, v in bindings.items())), fmt)
        if cache is not None and not asks_afresh(request.headers) and (kept := cache.get(key)) is not None:
            body, media = kept
        else:
            body, media = render(execute(store, query, bindings), fmt), media_of[fmt]
            if cache is not None:
                cache.put(key, body, media)
        if cache is not None:  # the same request is then answered before routing (KeptAnswers)
            cache.remember(request_key(request.scope), key)
        return Response(body, media_type=media)

    params = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    for p in query.params:
        # Documented, not enforced by FastAPI: bind() says what is wrong, with candidates or an example.
        extra: dict[str, Any] = {}
        if p.type in ENTITY_CLASSES:
            extra["format"] = f"mandato-{p.type}"  # a name or IRI the data holds (see the description)
        if p.required:
            extra.update(minLength=1, pattern=r"\S")  # an empty or blank value is missing
        if p.type == "resource":  # an IRI of the dataset, no other (mandato.terms.scalar_term)
            extra.update(format="iri", pattern=RESOURCE_PATTERN)
        if p.type == "choice":
            extra.update(choices(p.choices or []))
        if p.type == "date":  # a day or a year (mandato.terms.scalar_term)
            extra.update(pattern=f"^{DATE.pattern}$")
        schema: dict[str, Any] | Callable[[dict[str, Any]], None] | None = extra or None
        if p.type == "lang" and languages is not None:
            schema = _with_choices(extra, languages)
        default = Query(... if p.required else None, description=f"{p.description} ({p.type})",
                        examples=[p.example] if p.example else None, max_length=1000, json_schema_extra=schema)
        params.append(inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=default,
                                        annotation=str if p.required else str | None))
    params.append(inspect.Parameter(
        "format", inspect.Parameter.KEYWORD_ONLY, annotation=str | None,
        default=Query(None, description="answer format: " + ", ".join(sorted(formats)),
                      json_schema_extra=choices(sorted(formats))),
    ))
    params.append(inspect.Parameter("raw", inspect.Parameter.KEYWORD_ONLY, annotation=bool,
                                    default=Query(False, description=RAW_DOC)))
    endpoint.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    endpoint.__name__ = "query_" + query.name.replace("-", "_")
    return endpoint
