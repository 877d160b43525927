"""SPARQL 1.1 Protocol endpoint at ``/sparql``: queries by GET (``query=``) or POST (form field
``query`` or an ``application/sparql-query`` body), answered in the format the client accepts.
Updates are refused, and so are federated queries (``SERVICE``) unless the operator allows the
host (:mod:`api.query_text`). A GET without a query answers the SPARQL 1.1 Service Description.
Queries run in worker processes with limits of time, rows, bytes and memory, and a fair share of
the workers per client (:mod:`mandato.query_pool`)."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF

from mandato.errors import MandatoError
from mandato.results import GRAPH_MEDIA, RDFLIB_FORMATS, ROW_MEDIA

from .http import AnyStore, answers, choices, choose
from .pages import Pages
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


SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "JSON-LD", "N-Triples", "RDF_XML"]
READ_ONLY = "this endpoint is read-only: SPARQL updates are refused"


class UpdateRefused(MandatoError):
    status = 403


def service_description(endpoint: str, graphs: list[str], federation: bool) -> Graph:
    """What the endpoint offers, as the SPARQL 1.1 Service Description vocabulary says it."""
    g = Graph()
    g.bind("sd", SD)
    g.bind("formats", FORMATS)
    service, dataset, default = BNode(), BNode(), BNode()
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(endpoint)))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    g.add((service, SD.feature, SD.UnionDefaultGraph))  # the default graph is the union of the named graphs
    if federation:
        g.add((service, SD.feature, SD.BasicFederatedQuery))
    for name in RESULT_FORMATS:
        g.add((service, SD.resultFormat, FORMATS[name]))
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    for name in graphs:
        named = BNode()
        g.add((dataset, SD.namedGraph, named))
        g.add((named, RDF.type, SD.NamedGraph))
        g.add((named, SD.name, URIRef(name)))
    return g


def router(pool_of, store: AnyStore, service_hosts: list[str], base_url: str, pages: Pages) -> APIRouter:
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
                   "limit and a row limit; updates are refused. Without a query, GET answers the service "
                   "description (Turtle, JSON-LD, N-Triples or RDF/XML), or to a browser the query editor.")
    formats = sorted({*ROWS, *GRAPH_MEDIA})
    format_doc = ("the answer's format: srj, srx, json, xml, csv or tsv for SELECT and ASK (ASK: not csv or tsv); "
                  "turtle, jsonld, ntriples or rdfxml for CONSTRUCT, DESCRIBE and the service description")

    responses = answers({**ROWS, **GRAPH_MEDIA}, 400, 403, 406, 413, 414, 429, 503)
    query_schema = {"type": "string", "format": "sparql-query", "minLength": 1}
    body = {"required": True, "content": {
        SPARQL_QUERY: {"schema": query_schema, "example": "ASK {}"},
        "application/x-www-form-urlencoded": {"schema": {"type": "object", "required": ["query"],
                                                         "properties": {"query": query_schema}}}}}

    @r.get("/sparql", summary="SPARQL 1.1 query (GET)", description=description, response_model=None,
           responses=answers({**ROWS, **GRAPH_MEDIA, "html": "text/html"}, 400, 403, 406, 413, 414, 429, 503))
    async def sparql_get(request: Request,
                   query: str | None = Query(None, description="a SPARQL query; none: the service description",
                                             max_length=8000, examples=["SELECT * WHERE { ?s ?p ?o } LIMIT 10"],
                                             json_schema_extra={"format": "sparql-query", "minLength": 1}),
                   format: str | None = Query(None, description=format_doc,
                                              json_schema_extra=choices(formats))) -> Response:
        if "update" in request.query_params:
            raise UpdateRefused(READ_ONLY)
        if query is None:
            fmt = choose(request, format, {**GRAPH_MEDIA, "html": "text/html"}, "turtle")
            if fmt == "html":  # a person in a browser: the query editor (api.pages)
                return pages.sparql(request)
            graph = service_description(f"{base_url}/sparql", store.named_graphs(), bool(service_hosts))
            return Response(graph.serialize(format=RDFLIB_FORMATS[fmt], encoding="utf-8"),
                            media_type=GRAPH_MEDIA[fmt])
        return await answer(request, query, format)

    @r.post("/sparql", summary="SPARQL 1.1 query (POST)", description=description, response_model=None,
            responses=responses, openapi_extra={"requestBody": body})
    async def sparql_post(request: Request, format: str | None = Query(None, description=format_doc,
                                                                       json_schema_extra=choices(formats))) -> Response:
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
