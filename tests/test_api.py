"""The HTTP API through the real app (in-process, FastAPI's TestClient): every saved query in
every format, the SPARQL endpoint with its limits, linked data, caching, limits and errors."""

from __future__ import annotations

import csv
import io
import re
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph, Namespace
from rdflib.namespace import RDF

from conftest import TREATY_ACTIONS
from mandato.api.app import create_app
from mandato.api.cache import request_key
from mandato.api.http import Settings
from mandato.catalogue import load_catalogue
from mandato.namespaces import MDO
from mandato.results import GRAPH_MEDIA, ROW_MEDIA
from mandato.store import Store

RDFLIB_FORMAT = {"turtle": "turtle", "jsonld": "json-ld", "ntriples": "nt", "rdfxml": "xml",
                 "trig": "trig", "nquads": "nquads"}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def client(corpus_store: Store):
    settings = Settings(sparql_timeout=3, sparql_max_rows=1000, sparql_workers=2, max_query_string=4096,
                        max_body=8192)
    with TestClient(create_app(corpus_store, settings), raise_server_exceptions=False) as c:
        yield c


def examples(name: str) -> dict[str, str]:
    return {p.name: p.example for p in load_catalogue()[name].params if p.example}


ROW_QUERIES = [n for n in sorted(load_catalogue()) if n != "instrument-graph"]


def test_catalogue(client):
    body = client.get("/queries").json()
    assert {q["name"] for q in body} == set(load_catalogue())
    rat = next(q for q in body if q["name"] == "ratifications")
    assert rat["summary"] and {"instrument", "country", "lang"} == {p["name"] for p in rat["params"]}


@pytest.mark.parametrize("name", ROW_QUERIES)
@pytest.mark.parametrize("fmt", sorted(ROW_MEDIA))
def test_every_row_query_in_every_format(client, name, fmt):
    r = client.get(f"/queries/{name}", params={**examples(name), "format": fmt})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(ROW_MEDIA[fmt])
    if fmt == "json":
        assert isinstance(r.json(), list) and r.json()
    elif fmt == "srj":
        body = r.json()
        assert body["head"]["vars"] and body["results"]["bindings"]
    elif fmt == "srx":
        root = ET.fromstring(r.content)
        assert root.find("{http://www.w3.org/2005/sparql-results#}results") is not None
    elif fmt == "csv":
        assert list(csv.DictReader(io.StringIO(r.text)))
    elif fmt == "tsv":
        assert r.text.splitlines()[0].startswith("?")
    else:
        assert "rows)" in r.text


@pytest.mark.parametrize("fmt", sorted(GRAPH_MEDIA))
def test_construct_query_in_every_graph_format(client, fmt):
    r = client.get("/queries/instrument-graph", params={"instrument": "A-61", "format": fmt})
    assert r.status_code == 200 and r.headers["content-type"].startswith(GRAPH_MEDIA[fmt])
    g = Graph().parse(data=r.content, format=RDFLIB_FORMAT[fmt])
    actions = set(g.subjects(RDF.type, MDO.TreatyAction))
    assert len(actions) == 8  # the eight dated rows of Belém do Pará in table B


def test_accept_header_negotiation(client):
    params = {"instrument": "XVIII-12-a", "country": "CR"}
    assert client.get("/queries/ratifications", params=params).headers["content-type"].startswith("application/json")
    r = client.get("/queries/ratifications", params=params, headers={"Accept": "text/csv;q=0.9, application/xml;q=1"})
    assert r.headers["content-type"].startswith("text/csv")
    r = client.get("/queries/ratifications", params=params, headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.json()["ok"] is False
    r = client.get("/queries/instrument-graph", params={"instrument": "A-61"},
                   headers={"Accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")


def test_parameter_errors_have_one_json_body_with_candidates(client):
    r = client.get("/queries/ratifications", params={"instrument": "Palermo"})
    body = r.json()
    assert r.status_code == 400 and body["ok"] is False and body["status"] == 400 and "ambiguous" in body["error"]
    assert any("un-xviii-12-a" in c for c in body["errors"])
    assert client.get("/queries/ratifications", params={"country": "CR"}).status_code == 400  # missing
    r = client.get("/queries/ratifications", params={"instrument": "Protocolo de Palermoo"})  # names nothing held
    assert r.status_code == 404 and "no instrument is known as" in r.json()["error"]
    assert any("un-xviii-12-a" in c for c in r.json()["errors"])  # the close names, as candidates
    assert client.get("/queries/ratifications", params={"instrument": "C182", "colour": "x"}).status_code == 400
    r = client.get("/queries/nope")
    assert r.status_code == 404 and r.json()["ok"] is False


@pytest.mark.parametrize("hostile", ['" } ; DROP ALL ; #', 'es" . } #', "<http://x>", "\\u0022 }", "es\nen", "x" * 900])
def test_hostile_values_never_change_the_query(client, hostile):
    for params in ({"instrument": hostile}, {"instrument": "C182", "lang": hostile},
                   {"instrument": "C182", "country": hostile}):
        r = client.get("/queries/ratifications", params=params)
        if r.status_code == 200:  # a value the resolver reads as a name: 'es" . } #' is Spain's code, ES
            assert params.get("country") == hostile and r.json() == []  # Spain states no act in the corpus
            continue
        assert r.status_code in (400, 404) and r.json()["ok"] is False  # refused, or names nothing held
    assert len(client.get("/queries/ratifications", params={"instrument": "C182"}).json()) == 8


# -- SPARQL 1.1 Protocol --------------------------------------------------------------------

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/mandato/ontology#TreatyAction> }"


def test_sparql_get_and_post(client):
    r = client.get("/sparql", params={"query": COUNT})
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert r.json()["results"]["bindings"][0]["n"]["value"] == str(TREATY_ACTIONS)
    r = client.post("/sparql", data={"query": COUNT}, headers={"Accept": "application/sparql-results+xml"})
    assert r.status_code == 200 and str(TREATY_ACTIONS).encode() in r.content
    r = client.post("/sparql", content=COUNT,
                    headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"})
    assert r.text.splitlines() == ["n", str(TREATY_ACTIONS)]
    r = client.get("/sparql", params={"query": "ASK { ?s a <https://w3id.org/mandato/ontology#Country> }"})
    assert r.json() == {"head": {}, "boolean": True}
    r = client.get("/sparql", params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"},
                   headers={"Accept": "text/turtle"})
    assert len(Graph().parse(data=r.text, format="turtle")) == 5


def test_sparql_refuses_updates(client):
    assert client.post("/sparql", data={"update": "DROP ALL"}).status_code == 403
    r = client.post("/sparql", content="DROP ALL", headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 403
    assert client.get("/sparql", params={"query": "DROP ALL"}).status_code == 400
    count = client.get("/sparql", params={"query": COUNT}).json()["results"]["bindings"][0]["n"]["value"]
    assert count == str(TREATY_ACTIONS)


def test_sparql_errors(client):
    r = client.get("/sparql", params={"query": "SELEC * WHERE"})
    assert r.status_code == 400 and "not valid SPARQL" in r.json()["error"]
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 400 and "more than 1000 results" in r.json()["error"]
    assert client.get("/sparql", params={"query": ""}).status_code == 400
    r = client.post("/sparql", content=b"", headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "pass a SPARQL query" in r.json()["error"]


def test_sparql_without_a_query_describes_the_service(client, corpus_store):
    """SPARQL 1.1 Service Description: a GET without a query string describes the endpoint."""
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = g.value(predicate=RDF.type, object=sd.Service)
    assert str(g.value(service, sd.endpoint)).endswith("/sparql")
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in g
    assert (service, sd.feature, sd.UnionDefaultGraph) in g
    assert (service, sd.feature, sd.BasicFederatedQuery) not in g  # SERVICE is refused by default
    named = {str(n) for n in g.objects(predicate=sd.name)}
    assert named == set(corpus_store.named_graphs())
    r = client.get("/sparql", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    assert client.get("/sparql", params={"format": "csv"}).status_code == 406  # not a graph format


def test_a_runaway_query_is_stopped_and_others_still_answer(client):
    r = client.get("/sparql", params={"query": RUNAWAY})
    assert r.status_code == 503 and "time limit" in r.json()["error"]
    for _ in range(3):
        assert client.get("/sparql", params={"query": COUNT}).status_code == 200


# -- linked data ----------------------------------------------------------------------------

def test_resource_iris_dereference(client):
    r = client.get("/id/country/cr", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "<h1>Costa Rica</h1>" in r.text
    r = client.get("/id/instrument/un-xviii-12-a", headers={"Accept": "text/turtle"})
    g = Graph().parse(data=r.text, format="turtle")
    assert len(g) > 5
    r = client.get("/id/treaty-action/un-xviii-12-a/cr/consent", params={"format": "jsonld"})
    assert r.status_code == 200 and "2003-09-09" in r.text
    assert client.get("/id/country/zz").status_code == 404
    assert client.get("/id/country/c%3Er").status_code == 404


@pytest.mark.parametrize("fmt", ["trig", "nquads", "jsonld", "turtle", "ntriples", "rdfxml"])
def test_dataset_dumps(client, corpus_store, fmt):
    r = client.get("/dataset", params={"format": fmt})
    assert r.status_code == 200
    if fmt in ("trig", "nquads", "jsonld"):
        ds = Dataset()
        ds.parse(data=r.content, format=RDFLIB_FORMAT[fmt])
        assert sum(len(g) for g in ds.graphs()) == len(corpus_store)
    else:
        assert len(Graph().parse(data=r.content, format=RDFLIB_FORMAT[fmt])) > 2000
    graph = "https://w3id.org/mandato/graph/source/corett-plan-estrategico-2018-2027"
    r = client.get("/dataset", params={"format": fmt, "graph": graph})
    assert r.status_code == 200 and b"corett" in r.content
    assert client.get("/dataset", params={"graph": "https://example.org/nope"}).status_code == 404


def test_void_description(client, corpus_store):
    g = Graph().parse(data=client.get("/dataset/void").text, format="turtle")
    q = "PREFIX void: <http://rdfs.org/ns/void#> SELECT ?n WHERE { <https://w3id.org/mandato/dataset> void:triples ?n }"
    assert int(next(iter(g.query(q)))[0]) == len(corpus_store)
    subsets = "PREFIX void: <http://rdfs.org/ns/void#> SELECT ?g WHERE { ?d void:subset ?g }"
    assert len(list(g.query(subsets))) == len(corpus_store.named_graphs())


def test_jsonld_context_and_ontology(client):
    ctx = client.get("/context.jsonld").json()["@context"]
    assert ctx["party"] == {"@id": "mdo:party", "@type": "@id"} and ctx["TreatyAction"] == "mdo:TreatyAction"
    r = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert "TreatyAction" in r.text


def test_validation_report(client):
    assert client.get("/validation").json()["conforms"] is True
    assert "ValidationReport" in client.get("/validation", params={"format": "turtle"}).text


# -- HTTP behaviour ---------------------------------------------------------------------------

def test_etag_and_304(client):
    r = client.get("/queries/ratifications", params={"instrument": "C182"})
    tag = r.headers["etag"]
    again = client.get("/queries/ratifications", params={"instrument": "C182"}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/queries/ratifications", params={"instrument": "C105"})
    assert other.headers["etag"] != tag


def test_size_limits(client):
    assert client.get("/sparql", params={"query": "x" * 5000}).status_code == 414
    r = client.post("/sparql", content="x" * 9000, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413 and r.json()["ok"] is False


def test_no_endpoint_writes(client, corpus_store):
    before = len(corpus_store)
    for method in ("post", "put", "delete", "patch"):
        getattr(client, method)("/dataset")
    client.post("/sparql", data={"update": "INSERT DATA { <http://a> <http://b> <http://c> }"})
    client.get("/sparql", params={"query": "INSERT DATA { <http://a> <http://b> <http://c> }"})
    assert len(corpus_store) == before


def test_a_server_error_shows_no_exception_text(corpus_store):
    app = create_app(corpus_store)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret detail")

    r = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert r.status_code == 500
    assert r.json() == {"ok": False, "error": "internal server error", "errors": [], "status": 500}
    assert "secret" not in r.text


def test_regression_bracket_in_a_resource_path_is_404_not_500(client):
    """Found by schemathesis: GET /id/[ reached the SPARQL parser (brackets are no IRIREF characters)."""
    for path in ("/id/%5B", "/id/a%5Db", "/id/%7B", "/id/a%20b"):
        r = client.get(path)
        assert r.status_code == 404 and r.json()["ok"] is False


def test_answers_are_kept_but_no_cache_asks_afresh(client):
    url = "/queries/ratifications"
    params = {"instrument": "Protocolo de Palermo", "format": "csv"}
    first = client.get(url, params=params)
    again = client.get(url, params=params)
    fresh = client.get(url, params=params, headers={"Cache-Control": "no-cache"})
    assert first.status_code == again.status_code == fresh.status_code == 200
    assert first.content == again.content == fresh.content and first.headers["content-type"].startswith("text/csv")
    assert client.get(url, params={**params, "format": "json"}).headers["content-type"].startswith("application/json")


def test_a_request_answered_before_gets_the_same_answer_before_routing(client):
    """KeptAnswers: the same path, query string and Accept get the kept answer, with every header
    the routed answer had (ETag, Vary, security headers); another Accept, another query string or
    no-cache is routed as before."""
    url = "/queries/ratifications?instrument=XVIII-12-a&lang=en"
    routed = client.get(url, headers={"Accept": "text/csv"})
    cache = client.app.state.answer_cache
    scope = {"path": "/queries/ratifications", "query_string": b"instrument=XVIII-12-a&lang=en",
             "headers": [(b"accept", b"text/csv")]}
    assert cache.answer_to(request_key(scope)) == (routed.content, "text/csv")
    kept = client.get(url, headers={"Accept": "text/csv"})
    assert kept.content == routed.content and kept.status_code == 200
    assert {k: v for k, v in kept.headers.items() if k != "date"} == {
        k: v for k, v in routed.headers.items() if k != "date"}
    assert client.head(url, headers={"Accept": "text/csv"}).content == b""
    assert client.get(url, headers={"Accept": "application/json"}).headers["content-type"].startswith(
        "application/json")
    assert client.get(url + "&junk=1", headers={"Accept": "text/csv"}).status_code == 400
    # Two Accept headers: the endpoint reads the first, and so does the key of a kept answer.
    two = client.get(url, headers=[("Accept", "application/json"), ("Accept", "text/csv")])
    assert two.headers["content-type"].startswith("application/json")
    assert client.get(url, headers={"Accept": "text/csv", "Cache-Control": "no-cache"}).content == routed.content


def test_the_openapi_page_works_with_no_network(client):
    """/docs loads Swagger UI from the package, not from a CDN the machine may not reach: every
    script, style sheet and icon it names is served by mandato itself."""
    import re

    page = client.get("/docs")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", page.text)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    for asset in assets:
        r = client.get(asset)
        assert r.status_code == 200 and len(r.content) > 500, asset
    assert "https:" not in page.headers["content-security-policy"]
    assert client.get("/openapi.json").json()["info"]["title"] == "mandato"


def test_the_openapi_document_lists_the_languages_the_data_holds(client):
    """Listed when the document is written (listing them reads every label), not at the start."""
    operation = client.get("/openapi.json").json()["paths"]["/queries/ratifications"]["get"]
    lang = next(p for p in operation["parameters"] if p["name"] == "lang")
    assert lang["schema"]["enum"] == ["", "en", "es"]
    refused = client.get("/queries/ratifications", params={**examples("ratifications"), "lang": "fr"})
    assert refused.status_code == 400 and refused.json()["errors"] == ["en", "es"]


def test_a_treaty_action_without_its_party_is_a_page_not_an_error(tmp_path):
    # Data from another store may break a shape (validate reports it); its page still answers.
    act = "https://w3id.org/mandato/id/treaty-action/un-xviii-12-a/zz/consent"
    from mandato.digests import serialized
    from mandato.namespaces import MDO, ONTOLOGY_GRAPH, REGISTRY_GRAPH
    from mandato.packaged import ontology_graph
    from mandato.pipeline import registry_graph
    from mandato.registry import load_registry

    store = Store(tmp_path / "s")
    store.replace_graphs({
        str(ONTOLOGY_GRAPH): serialized(str(ONTOLOGY_GRAPH), ontology_graph()),
        str(REGISTRY_GRAPH): serialized(str(REGISTRY_GRAPH), registry_graph(load_registry())[0]),
        "https://w3id.org/mandato/graph/source/x": (
            f"<{act}> <{RDF.type}> <{MDO.TreatyAction}> .\n"
            f"<{act}> <{MDO.instrument}> <https://w3id.org/mandato/id/instrument/un-xviii-12-a> .\n").encode()})
    r = TestClient(create_app(store)).get("/id/treaty-action/un-xviii-12-a/zz/consent", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "un-xviii-12-a/zz/consent" in r.text and 'id="attestations"' not in r.text


CR = "https://w3id.org/mandato/id/country/cr"


def test_the_links_of_a_resource_by_direction(client):
    """`resource` with direction=out or in gives the two halves of its whole answer, and
    `incoming-links` counts the links in by property and class."""
    def rows(**params):
        r = client.get("/queries/resource", params={"resource": CR, **params})
        assert r.status_code == 200, r.text
        return r.json()
    every, out, into = rows(), rows(direction="out"), rows(direction="in")
    assert {r["direction"] for r in out} == {"out"} and {r["direction"] for r in into} == {"in"}
    key = lambda r: (r["direction"], r["property"], r["value"], r["other_iri"])  # noqa: E731
    assert sorted(map(key, every)) == sorted(map(key, out + into))
    counts = client.get("/queries/incoming-links", params={"resource": CR}).json()
    by_kind: dict[tuple[str, str | None], int] = {}
    for r in into:
        by_kind[(r["property"], r["kind"])] = by_kind.get((r["property"], r["kind"]), 0) + 1
    assert {(c["property"], c["kind"]): int(c["links"]) for c in counts} == by_kind
    assert sum(by_kind.values()) > 20  # Costa Rica's acts, memberships, bodies, plans...
    bad = client.get("/queries/resource", params={"resource": CR, "direction": "sideways"})
    assert bad.status_code == 400 and "must be one of: out, in" in bad.json()["error"]


def test_a_resource_named_by_more_than_a_page_can_list(client, monkeypatch):
    """Over the page's limit, the links in are given by number, class and property, with the
    whole list as CSV and JSON; under it, one by one (as many as the count says)."""
    html = client.get("/id/country/cr", headers={"Accept": "text/html"}).text
    counts = client.get("/queries/incoming-links", params={"resource": CR}).json()
    total = sum(int(c["links"]) for c in counts)
    assert 'id="incoming"' in html and "<h3>" in html and "recursos lo mencionan" not in html
    monkeypatch.setattr("mandato.api.pages.INCOMING_LISTED", total - 1)
    html = client.get("/id/country/cr", headers={"Accept": "text/html"}).text
    section = html[html.index('id="incoming"'):]
    assert f"{total} recursos lo mencionan" in section
    assert section.count("<tr><td>") == len(counts)
    assert "/queries/resource?resource=https%3A%2F%2Fw3id.org%2Fmandato%2Fid%2Fcountry%2Fcr&amp;direction=in" in section
    assert "<h3>" not in section.split("</section>")[0]


def test_the_findings_page_counts_them_by_source_and_lists_them_when_few(client, monkeypatch):
    """Every source with its findings by kind; the findings one by one when they are few enough to
    read, else on each source's own page (whose address the table links to)."""
    page = lambda url: client.get(url, headers={"Accept": "text/html"})  # noqa: E731
    counts = client.get("/queries/finding-counts").json()
    total, sources = sum(int(r["findings"]) for r in counts), {r["source_iri"] for r in counts}
    html = page("/findings").text
    assert sum(ul.count("<li>") for ul in re.findall(r'<ul class="findings">(.*?)</ul>', html)) == total
    assert html.count('<ul class="findings">') == len(counts)  # one list per source and kind
    monkeypatch.setattr("mandato.api.pages.FINDINGS_LISTED", total - 1)
    html = page("/findings").text
    assert f"{total} hallazgos en {len(sources)} fuentes" in html and '<ul class="findings">' not in html
    for iri in sources:
        link = f'href="/findings?{urlencode({"source": iri})}"'
        assert link in html
        one = page(f"/findings?{urlencode({'source': iri})}").text
        listed = [r for r in counts if r["source_iri"] == iri]
        assert one.count('<ul class="findings">') == len(listed)
        assert '<a href="/findings">← Todas las fuentes</a>' in one
    country = page("/findings?source=https://w3id.org/mandato/id/country/cr")  # data, but no source of findings
    assert country.status_code == 200 and "ningún hallazgo de esta fuente" in country.text
    assert page("/findings?source=https://w3id.org/mandato/id/source/nope").status_code == 404
