"""Linked data for partners: dereferenceable resource IRIs (``/id/...``), the ontology, dumps of
the dataset or one named graph, a VoID/DCAT description, a JSON-LD ``@context`` and the
validation report."""

from __future__ import annotations

import json
import os
import threading
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID, XSD
from starlette.concurrency import run_in_threadpool

from mandato import __version__
from mandato.catalogue import inject_values
from mandato.namespaces import BASE, ID, MDO, PREFIXES
from mandato.packaged import ontology_graph
from mandato.results import DATASET_FORMATS, GRAPH_MEDIA, RDFLIB_FORMATS, Triples, render
from mandato.terms import SAFE_IRI

from .dumps import Dumps
from .http import NotFound, answers, choices, choose
from .pages import Pages

if TYPE_CHECKING:  # the remote store's module (and its HTTP client) only when one is served
    from mandato.remote import AnyStore

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DESCRIBE = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
DATASET_MEDIA = {name: media for name, (media, _, _) in DATASET_FORMATS.items()}
REPORT_MEDIA = {"json": "application/json", "turtle": "text/turtle"}


def router(store: AnyStore, version: str, base_url: str, pages: Pages, dumps: Dumps) -> APIRouter:
    r = APIRouter(tags=["linked data"])
    report_lock = threading.Lock()
    report_cache: dict[str, Any] = {}

    @r.get("/id/{key:path}", summary="A resource of the dataset (HTML, Turtle, JSON-LD, N-Triples or RDF/XML)",
           response_model=None, responses=answers({"html": "text/html", **GRAPH_MEDIA}, 404, 406, 414))
    def resource(request: Request, key: str,
                 format: str | None = Query(None, json_schema_extra=choices(["html", *GRAPH_MEDIA]))) -> Response:
        iri = f"{ID}{key}"
        if not SAFE_IRI.fullmatch(iri):  # no resource has such an IRI: refused before it reaches a query
            raise NotFound(f"no resource <{iri}>")
        offered = {"html": "text/html", **GRAPH_MEDIA}
        fmt = choose(request, format, offered, "turtle")
        if fmt == "html":  # the page for people (api.pages), with links in and out
            return pages.resource(request, iri)
        triples = store.construct(inject_values(DESCRIBE, {"s": URIRef(iri)}))
        if not triples:
            raise NotFound(f"no resource <{iri}>")
        return Response(render(Triples(triples), fmt), media_type=offered[fmt])

    @r.get("/ontology", summary="The ontology (Turtle, JSON-LD, N-Triples or RDF/XML; HTML documentation)",
           response_model=None, responses=answers({"html": "text/html", **GRAPH_MEDIA}, 406, 414))
    def ontology(request: Request, format: str | None = Query(
            None, json_schema_extra=choices(["html", *GRAPH_MEDIA]))) -> Response:
        fmt = choose(request, format, {"html": "text/html", **GRAPH_MEDIA}, "turtle")
        if fmt == "html":
            return pages.ontology(request)
        return Response(ontology_graph().serialize(format=RDFLIB_FORMATS[fmt], encoding="utf-8"),
                        media_type=GRAPH_MEDIA[fmt])

    @r.get("/dataset", summary="Dump of the whole dataset, or of one named graph", response_model=None,
           responses=answers(DATASET_MEDIA, 404, 406, 414, 503))
    async def dataset(request: Request, graph: str | None = Query(None, description="the IRI of one named graph"),
                      format: str | None = Query(None, description=", ".join(DATASET_FORMATS),
                                                 json_schema_extra=choices(DATASET_FORMATS))) -> Response:
        fmt = choose(request, format, DATASET_MEDIA, "trig")
        if graph is not None:
            graphs = await run_in_threadpool(store.named_graphs)
            if graph not in graphs:
                raise NotFound(f"no named graph <{graph}>; graphs: {', '.join(graphs)}")
        path = await dumps.file(fmt, graph)  # made once, then streamed from its file (api.dumps)
        response = FileResponse(path, media_type=DATASET_MEDIA[fmt], stat_result=os.stat(path))
        del response.headers["etag"]  # the server's own, tied to the dataset's version (api.middleware)
        return response

    @r.get("/dataset/void", summary="VoID/DCAT description of the dataset: counts, graphs, licence, sources",
           response_model=None, responses=answers(GRAPH_MEDIA, 406, 414))
    def void(request: Request, format: str | None = Query(None, json_schema_extra=choices(GRAPH_MEDIA))
             ) -> Response:
        fmt = choose(request, format, GRAPH_MEDIA, "turtle")
        g = _void(store, base_url, version)
        return Response(g.serialize(format=RDFLIB_FORMATS[fmt], encoding="utf-8"), media_type=GRAPH_MEDIA[fmt])

    @r.get("/context.jsonld", summary="JSON-LD @context for the ontology's terms", response_model=None,
           responses=answers({"jsonld": "application/ld+json"}))
    def context() -> Response:
        return Response(json.dumps(_context(), indent=2), media_type="application/ld+json")

    @r.get("/validation", summary="The SHACL validation report (JSON or Turtle)", response_model=None,
           responses=answers(REPORT_MEDIA, 406, 414))
    def validation(request: Request, format: str | None = Query(None, description="json or turtle",
                                                                json_schema_extra=choices(REPORT_MEDIA))
                   ) -> Response:
        from mandato.validation import render_report, validate  # pySHACL: imported when a report is asked for

        fmt = choose(request, format, REPORT_MEDIA, "json")
        with report_lock:  # validated once, each format rendered once: the store cannot change while served
            if "report" not in report_cache:
                report_cache["report"] = validate(store)
            if fmt not in report_cache:
                report_cache[fmt] = render_report(report_cache["report"], fmt).encode("utf-8")
        return Response(report_cache[fmt], media_type=REPORT_MEDIA[fmt])

    return r


def _void(store: AnyStore, base: str, version: str) -> Graph:
    g = Graph()
    g.bind("void", VOID)
    g.bind("dcat", DCAT)
    g.bind("dcterms", DCTERMS)
    ds = URIRef(f"{BASE}dataset")
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("mandato", lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "Actors, laws and commitments against human trafficking and the commercial sexual exploitation "
        "of children in Latin America.", lang="en")))
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, OWL.versionInfo, Literal(f"{__version__}+{version}")))
    g.add((ds, VOID.uriSpace, Literal(str(ID))))
    g.add((ds, VOID.vocabulary, URIRef(str(MDO))))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{base}/sparql")))
    g.add((ds, VOID.triples, Literal(len(store), datatype=XSD.integer)))
    for name in DATASET_FORMATS:
        dist = URIRef(f"{base}/dataset?format={name}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.downloadURL, dist))
        g.add((dist, DCAT.mediaType, Literal(DATASET_FORMATS[name][0])))
    counts = {r["g"]: int(r["n"] or 0) for r in store.select(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g").records()}
    for name in store.named_graphs():
        sub = URIRef(name)
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, VOID.triples, Literal(counts.get(name, 0), datatype=XSD.integer)))
    for s in store.select(
        "PREFIX mdo: <https://w3id.org/mandato/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
        "SELECT ?doc ?title ?file ?sha WHERE { ?doc a mdo:SourceDocument ; dcterms:title ?title ; "
        "mdo:fileName ?file ; mdo:sha256 ?sha }"
    ).records():
        doc = URIRef(str(s["doc"]))
        g.add((ds, DCTERMS.source, doc))
        g.add((doc, DCTERMS.title, Literal(s["title"])))
        g.add((doc, MDO.fileName, Literal(s["file"])))
        g.add((doc, MDO.sha256, Literal(s["sha"])))
    return g


def _context() -> dict[str, Any]:
    onto = ontology_graph()
    ctx: dict[str, Any] = dict(PREFIXES)
    for prop in sorted(str(p) for p in onto.subjects(RDF.type, OWL.ObjectProperty)):
        if str(prop).startswith(str(MDO)):
            ctx[str(prop)[len(str(MDO)):]] = {"@id": f"mdo:{str(prop)[len(str(MDO)):]}", "@type": "@id"}
    for prop in sorted(str(p) for p in onto.subjects(RDF.type, OWL.DatatypeProperty)):
        if str(prop).startswith(str(MDO)):
            ctx[str(prop)[len(str(MDO)):]] = {"@id": f"mdo:{str(prop)[len(str(MDO)):]}"}
    for cls in sorted(str(c) for c in onto.subjects(RDF.type, OWL.Class)):
        if str(cls).startswith(str(MDO)):
            ctx[str(cls)[len(str(MDO)):]] = f"mdo:{str(cls)[len(str(MDO)):]}"
    ctx["prefLabel"] = {"@id": "skos:prefLabel", "@container": "@language"}
    ctx["wasDerivedFrom"] = {"@id": "prov:wasDerivedFrom", "@type": "@id"}
    return {"@context": ctx}
