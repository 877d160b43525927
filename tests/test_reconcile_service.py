"""``/reconcile`` on a real `mandato serve`, driven by a client written from the Reconciliation
Service API 0.2 (the W3C community group's specification, as OpenRefine speaks it): every answer is
checked against the specification's own JSON Schemas (tests/inputs/reconciliation-api-0.2), and
the answers against the data: the names the issue names reconcile to the right entity first, with
``match: true``; extend gives ISO codes, depositary ids, Wikidata items and consent dates."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import httpx
import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from conftest import HERE, MANDATO, served

SCHEMAS = HERE / "inputs" / "reconciliation-api-0.2"
COUNTRY = "https://w3id.org/mandato/ontology#Country"
INSTRUMENT = "https://w3id.org/mandato/ontology#LegalInstrument"
BODY = "https://w3id.org/mandato/ontology#CoordinationBody"


def _schemas() -> tuple[dict[str, Any], Registry]:
    loaded = {p.stem: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s, default_specification=DRAFT7)) for s in loaded.values())
    return loaded, registry


LOADED, REGISTRY = _schemas()


def conforms(answer: Any, schema: str) -> Any:
    """The answer, once checked against one of the specification's schemas."""
    jsonschema.Draft7Validator(LOADED[schema], registry=REGISTRY).validate(answer)
    return answer


class ReconciliationClient:
    """What a client of the specification does: read the manifest, then send batches of queries
    and extend requests as form fields, and call the services the manifest names."""

    def __init__(self, url: str):
        self.url = url
        self.manifest = conforms(self.get(url), "manifest")

    def get(self, url: str, **params: str) -> Any:
        r = httpx.get(url, params=params, timeout=30)
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/json"), r.text
        return r.json()

    def post(self, **fields: str) -> Any:
        r = httpx.post(self.url, data=fields, timeout=30)
        assert r.status_code == 200, r.text
        return r.json()

    def reconcile(self, queries: dict[str, dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        answer = conforms(self.post(queries=json.dumps(queries)), "reconciliation-result-batch")
        assert set(answer) == set(queries)
        return {key: value["result"] for key, value in answer.items()}

    def extend(self, ids: list[str], properties: list[dict[str, Any]]) -> dict[str, Any]:
        return conforms(self.post(extend=json.dumps({"ids": ids, "properties": properties})),
                        "data-extension-response")

    def service(self, kind: str, schema: str, **params: str) -> Any:
        where = self.manifest["suggest"][kind] if kind in self.manifest["suggest"] \
            else self.manifest["extend"][kind]
        return conforms(self.get(where["service_url"] + where["service_path"], **params), schema)


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    store = tmp_path_factory.mktemp("reconcile") / "store"
    subprocess.run([MANDATO, "--store", store, "ingest"], check=True, capture_output=True)
    with served(store) as (base, _):
        yield ReconciliationClient(base + "/reconcile")


def test_the_manifest(client):
    m = client.manifest
    assert m["identifierSpace"] == "https://w3id.org/mandato/id/"
    assert {t["id"] for t in m["defaultTypes"]} >= {COUNTRY, INSTRUMENT, BODY}
    assert all(t["name"] for t in m["defaultTypes"])
    view = m["view"]["url"].replace("{{id}}", "country/do")
    assert httpx.get(view, headers={"Accept": "text/html"}).status_code == 200
    english = conforms(client.get(client.url, lang="en"), "manifest")
    assert {t["name"] for t in english["defaultTypes"]} == {"country", "legal instrument", "coordination body",
                                                          "organisation"}
    assert {t["name"] for t in m["defaultTypes"]} == {"país", "instrumento jurídico", "instancia de coordinación",
                                                    "organización"}
    assert english["extend"]["property_settings"][0]["label"].startswith("Treaty")
    assert m["extend"]["property_settings"][0]["label"].startswith("Tratado")


@pytest.mark.parametrize(("text", "type_", "expected"), [
    ("Rep. Dominicana", None, "country/do"),
    ("Rep. Dominicana", COUNTRY, "country/do"),
    ("Palermo Protocol", None, "instrument/un-xviii-12-a"),
    ("Palermo Protocol", INSTRUMENT, "instrument/un-xviii-12-a"),
    ("CONACOES", None, "organization/cr-conacoes"),
    ("CONACOES", BODY, "organization/cr-conacoes"),
])
def test_the_right_entity_comes_first_with_match(client, text, type_, expected):
    query = {"query": text, **({"type": type_} if type_ else {})}
    result = client.reconcile({"q0": query})["q0"]
    assert result[0]["id"] == expected and result[0]["match"] is True and result[0]["score"] == 100
    assert not any(c["match"] for c in result[1:])


def test_properties_given_with_a_query_confirm_or_contradict(client):
    """'Dominicana' names a country and bodies of it: no match alone; an ISO code (or a Wikidata
    item) the country holds makes it the match; a code it does not hold takes every match away."""
    alone = client.reconcile({"q": {"query": "Dominicana"}})["q"]
    assert not any(c["match"] for c in alone)
    for given in ({"pid": "iso_alpha2", "v": "DO"}, {"pid": "wikidata", "v": {"id": "Q786"}}):
        result = client.reconcile({"q": {"query": "Dominicana", "properties": [given]}})["q"]
        assert result[0]["id"] == "country/do" and result[0]["match"] is True, given
    wrong = client.reconcile({"q": {"query": "Dominicana", "properties": [{"pid": "iso_alpha2", "v": "PE"}]}})["q"]
    assert not any(c["match"] for c in wrong)


def test_a_batch_keeps_its_keys_and_limits(client):
    answer = client.reconcile({"a": {"query": "Costa Rica", "type": COUNTRY, "limit": 1},
                               "b": {"query": "Honduras"}, "c": {"query": "xyzzy nothing"}})
    assert [c["id"] for c in answer["a"]] == ["country/cr"]
    assert answer["b"][0]["id"] == "country/hn" and answer["b"][0]["match"]
    assert answer["c"] == []  # nothing named so: no candidate, never a guess


def test_ambiguous_names_are_candidates_without_match(client):
    """'Comisión Nacional' names several bodies: candidates, none matched automatically."""
    result = client.reconcile({"q": {"query": "Comisión Nacional", "type": BODY}})["q"]
    assert len(result) > 1 and not any(c["match"] for c in result)


def test_extend_with_codes_ids_wikidata_and_consent(client):
    proposed = client.service("propose_properties", "data-extension-property-proposal", type=COUNTRY)
    assert {p["id"] for p in proposed["properties"]} >= {"iso_alpha2", "iso_alpha3", "wikidata", "consent_date"}
    answer = client.extend(["country/do", "country/hn"], [
        {"id": "iso_alpha3"}, {"id": "wikidata"},
        {"id": "consent_date", "settings": {"instrument": "Protocolo de Palermo"}},
        {"id": "consent_kind", "settings": {"instrument": "Protocolo de Palermo"}}])
    do = answer["rows"]["country/do"]
    assert do["iso_alpha3"] == [{"str": "DOM"}]
    assert do["wikidata"] == [{"str": "http://www.wikidata.org/entity/Q786"}]
    assert do["consent_date"] == [{"str": "2008-02-05"}]
    assert answer["rows"]["country/hn"]["consent_date"] == [{"str": "2008-04-01"}]
    assert do["consent_kind"][0]["id"] == "treaty-action-kind/ratification"
    treaty = client.extend(["instrument/un-xviii-12-a"], [{"id": "depositary_id"}])
    assert treaty["rows"]["instrument/un-xviii-12-a"]["depositary_id"] == [{"str": "XVIII-12-a"}]


def test_suggest_services(client):
    entities = client.service("entity", "suggest-entities-response", prefix="Hondu")
    assert entities["result"][0]["id"] == "country/hn"
    types = client.service("type", "suggest-types-response", prefix="pa")
    assert COUNTRY in {t["id"] for t in types["result"]}
    properties = client.service("property", "suggest-properties-response", prefix="ISO")
    assert {p["id"] for p in properties["result"]} == {"iso_alpha2", "iso_alpha3"}


@pytest.mark.parametrize(("fields", "wanted"), [
    ({"queries": "{not json"}, "not valid JSON"),
    ({"queries": json.dumps({"q": {"query": "Peru", "type": "https://example.org/Nothing"}})}, "no type"),
    ({"queries": json.dumps({"q": {"query": ""}})}, "'query' must be a text"),
    ({"extend": json.dumps({"ids": ["country/do"], "properties": [{"id": "consent_date"}]})}, "needs one setting"),
    ({"extend": json.dumps({"ids": ["country/do"], "properties": [{"id": "population"}]})}, "no property"),
    ({"queries": json.dumps({"q": {"query": "Peru", "properties": [{"pid": "population", "v": "1"}]}})},
     "no property 'population' to reconcile with"),
])
def test_bad_requests_say_what_is_wrong(client, fields, wanted):
    r = httpx.post(client.url, data=fields)
    assert r.status_code == 400 and wanted in r.json()["error"], r.text


def test_the_preview_is_a_card_another_site_may_frame(client):
    url = client.manifest["preview"]["url"].replace("{{id}}", "country/do")
    r = httpx.get(url)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "República Dominicana" in r.text and "DOM" in r.text and "Q786" in r.text
    assert "frame-ancestors *" in r.headers["content-security-policy"]
    assert "x-frame-options" not in r.headers  # the one page other origins may frame
    assert "<script" not in r.text and "<form" not in r.text
    assert httpx.get(client.url.replace("/reconcile", "/id/country/do"),
                     headers={"Accept": "text/html"}).headers["x-frame-options"] == "DENY"
    missing = httpx.get(client.url + "/preview", params={"id": "country/zz"})
    assert missing.status_code == 404 and "country/zz" in missing.json()["error"]
