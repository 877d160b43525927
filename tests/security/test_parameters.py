"""Silent wrong answers from parameters (hardening, item 4): an empty value, a language the data
does not hold, a missing translation and a group without members each give an answer that says
so, never a quiet empty table read as "nobody"."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from mandato.api.app import create_app
from mandato.api.http import Settings
from mandato.catalogue import load_catalogue, run
from mandato.errors import ParameterError
from mandato.store import Store

LANG_QUERIES = sorted(n for n, q in load_catalogue().items() if any(p.type == "lang" for p in q.params))


def examples(name: str) -> dict[str, str]:
    return {p.name: p.example for p in load_catalogue()[name].params if p.example and p.type != "lang"}


@pytest.fixture(scope="module")
def client(corpus_store: Store):
    with TestClient(create_app(corpus_store, Settings(sparql_workers=1)), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("name", LANG_QUERIES)
def test_empty_lang_means_the_default(corpus_store, name):
    default = run(corpus_store, name, examples(name))
    empty = run(corpus_store, name, {**examples(name), "lang": ""})
    assert default.rows and empty.rows == default.rows  # type: ignore[union-attr]


@pytest.mark.parametrize("name", LANG_QUERIES)
def test_empty_lang_over_http_is_the_default(client, name):
    default = client.get(f"/queries/{name}", params=examples(name))
    empty = client.get(f"/queries/{name}", params={**examples(name), "lang": ""})
    assert default.status_code == empty.status_code == 200
    assert empty.json() == default.json() and empty.json()


@pytest.mark.parametrize("name", LANG_QUERIES)
def test_language_not_in_the_data_is_an_error_listing_those_held(client, name):
    r = client.get(f"/queries/{name}", params={**examples(name), "lang": "fr"})
    assert r.status_code == 400
    assert "fr" in r.json()["error"] and set(r.json()["errors"]) == {"es", "en"}


@pytest.mark.parametrize("name", sorted(set(LANG_QUERIES) - {"ratification-matrix"}))
def test_missing_translation_falls_back_to_spanish_never_drops_a_row(corpus_store, name):
    spanish = run(corpus_store, name, {**examples(name), "lang": "es"})
    english = run(corpus_store, name, {**examples(name), "lang": "en"})
    assert len(english.rows) == len(spanish.rows)  # type: ignore[union-attr]
    assert english.columns[-1] == "untranslated"  # type: ignore[union-attr]


def test_regional_convention_without_english_name_is_kept_and_marked(corpus_store):
    spanish = run(corpus_store, "country-instruments", {"country": "HN"}).records()  # type: ignore[union-attr]
    english = run(corpus_store, "country-instruments", {"country": "HN", "lang": "en"}).records()  # type: ignore[union-attr]
    assert len(english) == len(spanish) == 18
    marked = [r for r in english if r["untranslated"]]
    assert [r["untranslated"] for r in marked] == ["instrument"]
    assert marked[0]["instrument"] in {r["instrument"] for r in spanish}  # the Spanish name, as a fallback


def test_english_matrix_keeps_every_column(corpus_store):
    spanish = run(corpus_store, "ratification-matrix", {})
    english = run(corpus_store, "ratification-matrix", {"lang": "en"})
    assert len(english.columns) == len(spanish.columns) and len(english.rows) == len(spanish.rows)  # type: ignore[union-attr]


def test_group_without_members_is_an_error_naming_groups_with_members(corpus_store, client):
    with pytest.raises(ParameterError) as err:
        run(corpus_store, "not-ratified", {"instrument": "XVIII-12-a", "group": "OAS"})
    assert any("corett" in c for c in err.value.candidates)
    r = client.get("/queries/ratification-matrix", params={"group": "OAS"})
    assert r.status_code == 400 and "member" in r.json()["error"]


@pytest.mark.parametrize("value", ["en\n", "hn\n", "https://w3id.org/mandato/id/country/hn\n"])
def test_trailing_newline_never_passes_a_safe_pattern(value):
    from rdflib import URIRef

    from mandato.terms import to_sparql

    with pytest.raises(ParameterError):
        to_sparql(URIRef(value)) if value.startswith("https") else to_sparql(URIRef("https://x/" + value))


def test_resource_iri_with_a_newline_is_not_found(client):
    assert client.get("/id/country/hn", headers={"Accept": "text/turtle"}).status_code == 200
    assert client.get("/id/country/hn%0A", headers={"Accept": "text/turtle"}).status_code == 404
