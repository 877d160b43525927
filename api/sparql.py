"""SPARQL 1.1 Protocol endpoint at ``/sparql``: queries by GET (``query=``) or POST (form field
``query`` or an ``application/sparql-query`` body), answered in the format the client accepts.
Updates are refused, and so are federated queries (``SERVICE``) unless the operator allows the
host (:mod:`mandato.query_text`). A GET without a query answers the SPARQL 1.1 Service Description.
Queries run in worker processes with limits of time, rows, bytes and memory, and a fair share of
the workers per client (:mod:`mandato.query_pool`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from rdflib import BNode, Graph, Namespace, URIRef
from rdflib.namespace import RDF

from mandato.errors import MandatoError
from mandato.query_text import TooDeep, check_federation, check_nesting, query_form
from mandato.results import GRAPH_MEDIA, RDFLIB_FORMATS, ROW_MEDIA, raw_format
from mandato.store import Dataset

from .http import answers, choices, choose
from .pages import Pages
from .queries import RAW_DOC

if TYPE_CHECKING:  # the remote store's module (and its HTTP client) only when one is served
    from mandato.remote import AnyStore

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


# Other names clients give the ``format`` parameter (SPARQLWrapper sends its own names, and the media
# type too for TSV, RDF/XML and JSON-LD; Virtuoso's and Jena's clients the same): name -> ours.
FORMAT_ALIASES = {"json-ld": "jsonld", "n3": "turtle", "ttl": "turtle", "nt": "ntriples", "n-triples": "ntriples",
                  "rdf": "rdfxml", "rdf+xml": "rdfxml", "xml": "rdfxml", "json": "jsonld"}
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
# ``raw``, as FastAPI reads a boolean in the query string (also read so from a form's body).
FLAGS = {**dict.fromkeys(("true", "1", "yes", "on", "t", "y"), True),
         **dict.fromkeys(("false", "0", "no", "off", "f", "n"), False)}


class UpdateRefused(MandatoError):
    status = 403


def _lists(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """The request's parameters, each with every value it was given, in order."""
    params: dict[str, list[str]] = {}
    for name, value in items:
        params.setdefault(name, []).append(value)
    return params


def format_named(values: list[str], offered: dict[str, str]) -> str | None:
    """Our name of the first ``format`` value that names an offered format (by our name, a client's
    alias or a media type); the first value when none does (406), None when there is none."""
    media = {m: name for name, m in offered.items()}
    for value in values:
        v = value.strip().lower()
        for name in (v, FORMAT_ALIASES.get(v), media.get(v)):
            if name in offered:
                return name
    return values[0] if values else None


def raw_named(params: dict[str, list[str]]) -> bool:
    """Whether the request asks for CSV and TSV as stored (``raw``; the last value given)."""
    values = params.get("raw")
    if not values:
        return False
    flag = FLAGS.get(values[-1].strip().lower())
    if flag is None:
        raise MandatoError(f"raw is true or false, not {values[-1][:40]!r}")
    return flag


def dataset_named(params: dict[str, list[str]]) -> Dataset | None:
    """The dataset the request names (``default-graph-uri``, ``named-graph-uri``), or None."""
    if not any(name in params for name in DATASET_PARAMS):
        return None
    for name in DATASET_PARAMS:
        for value in params.get(name, []):
            try:
                ox.NamedNode(value)
            except ValueError:
                raise MandatoError(f"{name} must be an absolute IRI, not {value[:200]!r}") from None
    return Dataset(tuple(params.get("default-graph-uri", [])), tuple(params.get("named-graph-uri", [])))


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

    async def answer(request: Request, params: dict[str, list[str]]) -> Response:
        texts = params.get("query", [])
        if len(texts) > 1:
            raise MandatoError(f"pass one query, not {len(texts)}: the 'query' parameter was given more than once")
        text = texts[0] if texts else None
        if not text or not text.strip():
            raise MandatoError("pass a SPARQL query in the 'query' parameter")
        client = request.client.host if request.client else "-"
        try:
            check_nesting(text)
        except TooDeep:  # it would kill a worker: it counts against the client's share, so it cannot be looped
            pool_of().charge(client)
            raise
        check_federation(text, service_hosts)
        form = query_form(text)
        if form is None:
            raise MandatoError("the query is not valid SPARQL: expected SELECT, ASK, CONSTRUCT or DESCRIBE after "
                               "the prefixes (updates are refused)")
        offered = OFFERED[form]
        chosen = choose(request, format_named(params.get("format", []), offered), offered,
                        "turtle" if offered is GRAPH_MEDIA else "srj")
        writer = ALIASES.get(chosen, chosen)
        body = await pool_of().answer(text, raw_format(writer) if raw_named(params) else writer, client,
                                      dataset_named(params), f"{base_url}/sparql")
        return Response(body, media_type=offered[chosen])

    description = ("Read-only SPARQL 1.1 query endpoint over the union of all graphs. Each query has a time "
                   "limit and a row limit; updates are refused. Without a query, GET answers the service "
                   "description (Turtle, JSON-LD, N-Triples or RDF/XML), or to a browser the query editor.")
    formats = sorted({*ROWS, *GRAPH_MEDIA})
    format_doc = ("the answer's format: srj, srx, json, xml, csv or tsv for SELECT and ASK (ASK: not csv or tsv); "
                  "turtle, jsonld, ntriples or rdfxml for CONSTRUCT, DESCRIBE and the service description")

    graph_iri = {"items": {"type": "string", "format": "iri"}}  # a named graph of the dataset
    default_graphs = Query(None, alias="default-graph-uri", json_schema_extra=graph_iri,
                           description="the graphs whose merge is the query's default graph (replaces its FROM); "
                                       "none: the query's FROM, else the union of every named graph")
    named_graphs = Query(None, alias="named-graph-uri", json_schema_extra=graph_iri,
                         description="the named graphs the query may read with GRAPH (replaces its FROM NAMED)")
    raw_flag = Query(False, description=RAW_DOC)
    raw_in_form = Query(False, description=f"{RAW_DOC} It may also be a field of the form.")
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
                                              json_schema_extra=choices(formats)),
                   default_graph_uri: list[str] | None = default_graphs,
                   named_graph_uri: list[str] | None = named_graphs,
                   raw: bool = raw_flag) -> Response:
        params = _lists(request.query_params.multi_items())
        if "update" in params:
            raise UpdateRefused(READ_ONLY)
        if "query" not in params:
            offered = {**GRAPH_MEDIA, "html": "text/html"}
            fmt = choose(request, format_named(params.get("format", []), offered), offered, "turtle")
            if fmt == "html":  # a person in a browser: the query editor (api.pages)
                return pages.sparql(request)
            graph = service_description(f"{base_url}/sparql", store.named_graphs(), bool(service_hosts))
            return Response(graph.serialize(format=RDFLIB_FORMATS[fmt], encoding="utf-8"),
                            media_type=GRAPH_MEDIA[fmt])
        return await answer(request, params)

    @r.post("/sparql", summary="SPARQL 1.1 query (POST)", description=description, response_model=None,
            responses=responses, openapi_extra={"requestBody": body})
    async def sparql_post(request: Request,
                          format: str | None = Query(None, description=format_doc, json_schema_extra=choices(formats)),
                          default_graph_uri: list[str] | None = default_graphs,
                          named_graph_uri: list[str] | None = named_graphs,
                          raw: bool = raw_in_form) -> Response:
        media, *options = [p.strip() for p in request.headers.get("content-type", "").split(";")]
        media = media.lower()
        charset = next((o.split("=", 1)[1].strip().strip('"').lower() for o in options
                        if o.lower().startswith("charset=")), "utf-8")
        if charset not in ("utf-8", "utf8"):
            raise MandatoError(f"send the query in UTF-8 (SPARQL 1.1 Protocol §2.1), not {charset}")
        try:
            body = (await request.body()).decode("utf-8")
        except UnicodeDecodeError:
            raise MandatoError("the request body is not UTF-8 (SPARQL 1.1 Protocol §2.1)") from None
        params = _lists(request.query_params.multi_items())
        if media == SPARQL_UPDATE:
            raise UpdateRefused(READ_ONLY)
        if media == SPARQL_QUERY:
            if "query" in params:
                raise MandatoError("send the query either in the body or in the 'query' parameter, not both")
            params["query"] = [body]
        elif media == "application/x-www-form-urlencoded":
            for name, values in parse_qs(body, keep_blank_values=True).items():
                params.setdefault(name, []).extend(values)
        else:
            raise MandatoError(f"send the query as {SPARQL_QUERY} or as a form field 'query'")
        if "update" in params:
            raise UpdateRefused(READ_ONLY)
        return await answer(request, params)

    return r
