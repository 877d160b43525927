"""SPARQL 1.1 Protocol endpoint at ``/sparql``: queries by GET (``query=``) or POST (form field
``query`` or an ``application/sparql-query`` body), answered in the format the client accepts.
Updates are refused, and so are federated queries (``SERVICE``) unless the operator allows the
host (:mod:`api.query_text`). Queries run in worker processes with limits of time, rows, bytes and
memory, and a fair share of the workers per client (:mod:`mandato.query_pool`)."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mandato.errors import MandatoError
from mandato.results import GRAPH_MEDIA, ROW_MEDIA

from .http import choose, error_responses
from .query_text import check_federation, query_form

# Rows as SPARQL clients expect them: ``json`` and ``xml`` (format=json, Accept: application/json,
# as SPARQLWrapper sends) are the SPARQL results formats, not the records of the saved queries.
ROWS = {"srj": ROW_MEDIA["srj"], "srx": ROW_MEDIA["srx"], "csv": ROW_MEDIA["csv"], "tsv": ROW_MEDIA["tsv"],
        "json": "application/json", "xml": "application/xml"}
BOOLEANS = {k: v for k, v in ROWS.items() if k in ("srj", "srx", "json", "xml")}
OFFERED = {"select": ROWS, "ask": BOOLEANS, "construct": GRAPH_MEDIA, "describe": GRAPH_MEDIA}
ALIASES = {"json": "srj", "xml": "srx"}
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


READ_ONLY = "this endpoint is read-only: SPARQL updates are refused"


class UpdateRefused(MandatoError):
    status = 403


def router(pool_of, service_hosts: list[str]) -> APIRouter:
    r = APIRouter(tags=["SPARQL"])

    async def answer(request: Request, text: str | None, fmt: str | None) -> Response:
        if not text or not text.strip():
            raise MandatoError("pass a SPARQL query in the 'query' parameter")
        check_federation(text, service_hosts)
        form = query_form(text)
        if form is None:
            raise MandatoError("the query is not valid SPARQL: expected SELECT, ASK, CONSTRUCT or DESCRIBE after "
                               "the prefixes (updates are refused)")
        offered = OFFERED[form]
        chosen = choose(request, fmt, offered, "turtle" if offered is GRAPH_MEDIA else "srj")
        client = request.client.host if request.client else "-"
        body = await pool_of().answer(text, ALIASES.get(chosen, chosen), client)
        return Response(body, media_type=offered[chosen])

    description = ("Read-only SPARQL 1.1 query endpoint over the union of all graphs. Each query has a time "
                   "limit and a row limit; updates are refused.")

    answers = {200: {"content": {m: {} for m in {**ROWS, **GRAPH_MEDIA}.values()}},
               **error_responses(400, 403, 406, 413, 414, 429, 503)}
    body = {"required": True, "content": {
        SPARQL_QUERY: {"schema": {"type": "string"}, "example": "ASK {}"},
        "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["query"],
                                                         "properties": {"query": {"type": "string"}}}}}}

    @r.get("/sparql", summary="SPARQL 1.1 query (GET)", description=description, response_model=None,
           responses=answers)
    async def sparql_get(request: Request,
                   query: str | None = Query(None, description="a SPARQL query", max_length=8000,
                                             examples=["SELECT * WHERE { ?s ?p ?o } LIMIT 10"]),
                   format: str | None = Query(None, description="srj, srx, csv, tsv, json; turtle, jsonld, "
                                              "ntriples, rdfxml")) -> Response:
        if "update" in request.query_params:
            raise UpdateRefused(READ_ONLY)
        return await answer(request, query, format)

    @r.post("/sparql", summary="SPARQL 1.1 query (POST)", description=description, response_model=None,
            responses=answers, openapi_extra={"requestBody": body})
    async def sparql_post(request: Request, format: str | None = Query(None)) -> Response:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        if media == SPARQL_UPDATE:
            raise UpdateRefused(READ_ONLY)
        text: str | None
        if media == SPARQL_QUERY:
            text = body.decode("utf-8", errors="replace")
        elif media == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", errors="replace"))
            if "update" in form:
                raise UpdateRefused(READ_ONLY)
            text = form["query"][0] if "query" in form else None
        else:
            raise MandatoError(f"send the query as {SPARQL_QUERY} or as a form field 'query'")
        return await answer(request, text, format)

    return r
