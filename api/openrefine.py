"""``/reconcile``: the Reconciliation Service API (version 0.2) for OpenRefine and other clients of
the W3C Entity Reconciliation Community Group's specification (:mod:`mandato.openrefine`).

``GET /reconcile`` answers the manifest; ``queries`` (GET or POST form field) a batch of names to
reconcile; ``extend`` facts of reconciled entities. Suggest services and property proposals live
under ``/reconcile/``. Names are answered in Spanish by default, in English with ``lang=en``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from mandato import openrefine
from mandato.openrefine import ReconcileError

from .http import error_responses
from .pages import Pages

if TYPE_CHECKING:  # the remote store's module (and its HTTP client) only when one is served
    from mandato.remote import AnyStore

LANG = Query("es", description="the language of names: es or en", json_schema_extra={"enum": ["", "es", "en"]})
QUERIES_DOC = ('a batch of queries as JSON, e.g. {"q0": {"query": "Rep. Dominicana", "type": '
               '"https://w3id.org/mandato/ontology#Country", "limit": 3}}')
EXTEND_DOC = ('entities and properties as JSON, e.g. {"ids": ["country/do"], "properties": [{"id": "iso_alpha3"}, '
              '{"id": "consent_date", "settings": {"instrument": "Protocolo de Palermo"}}]}')
TYPE_IDS = {"enum": ["", *openrefine.TYPES]}


def _json(value: str, field: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise ReconcileError(f"'{field}' is not valid JSON") from None


def _lang(value: str | None) -> str:
    return "en" if value == "en" else "es"


def router(store: AnyStore, base: str, pages: Pages) -> APIRouter:
    r = APIRouter(tags=["reconciliation (OpenRefine)"])
    errors = error_responses(400)

    def service(lang: str, queries: str | None, extend: str | None) -> dict[str, Any]:
        if queries and extend:
            raise ReconcileError("send 'queries' or 'extend', not both")
        if queries:
            return openrefine.reconcile(store, _json(queries, "queries"), lang)
        if extend:
            return openrefine.extend(store, _json(extend, "extend"), lang)
        return openrefine.manifest(base, store, lang)

    @r.get("/reconcile", summary="Reconciliation service: manifest, or a batch of queries, or extend",
           responses=errors)
    def reconcile_get(queries: str | None = Query(None, description=QUERIES_DOC,
                                                  json_schema_extra={"format": "reconcile-queries"}),
                      extend: str | None = Query(None, description=EXTEND_DOC,
                                                 json_schema_extra={"format": "reconcile-extend"}),
                      lang: str = LANG) -> dict[str, Any]:
        return service(_lang(lang), queries, extend)

    form = {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": {
        "type": "object", "properties": {
            "queries": {"type": "string", "format": "reconcile-queries", "description": QUERIES_DOC},
            "extend": {"type": "string", "format": "reconcile-extend", "description": EXTEND_DOC}}}}}}

    @r.post("/reconcile", summary="Reconciliation service: a batch of queries, or extend (form fields)",
            responses=errors, openapi_extra={"requestBody": form})
    async def reconcile_post(request: Request, lang: str = LANG) -> dict[str, Any]:
        body = (await request.body()).decode("utf-8", errors="replace")
        fields = {k: v[0] for k, v in parse_qs(body).items()}
        return service(_lang(lang), fields.get("queries"), fields.get("extend"))

    @r.get("/reconcile/suggest/entity", summary="Entities whose names start so (autocomplete)", responses=errors)
    def suggest_entity(prefix: str = Query(..., min_length=1, max_length=openrefine.MAX_TEXT),
                       type: str | None = Query(None, json_schema_extra=TYPE_IDS),
                       lang: str = LANG) -> dict[str, Any]:
        return openrefine.suggest_entities(store, prefix, type or None, _lang(lang))

    @r.get("/reconcile/suggest/type", summary="Types whose names hold the text", responses=errors)
    def suggest_type(prefix: str = Query("", max_length=200), lang: str = LANG) -> dict[str, Any]:
        return openrefine.suggest_types(store, prefix, _lang(lang))

    @r.get("/reconcile/suggest/property", summary="Properties whose names hold the text", responses=errors)
    def suggest_property(prefix: str = Query("", max_length=200), lang: str = LANG) -> dict[str, Any]:
        return openrefine.suggest_properties(prefix, _lang(lang))

    @r.get("/reconcile/preview", summary="An entity's card, for a client to show in a frame", response_model=None,
           responses={200: {"content": {"text/html": {}}}, **error_responses(404)})
    def preview(request: Request, id: str = Query(..., min_length=1, max_length=500,
                                                   description="an entity's id, e.g. country/do"),
                lang: str = LANG) -> Response:
        return pages.preview(request, openrefine.card(store, id, _lang(lang)), _lang(lang))

    @r.get("/reconcile/properties", summary="The properties extend offers for a type", responses=errors)
    def properties(type: str | None = Query(None, json_schema_extra=TYPE_IDS),
                   lang: str = LANG) -> dict[str, Any]:
        return openrefine.propose(type or None, _lang(lang))

    return r
