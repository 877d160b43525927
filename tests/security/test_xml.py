"""Ill-formed XML (hardening, item 9): a literal holding a character XML 1.0 cannot carry gives a
clear 406 in SPARQL XML and RDF/XML, never a document no XML parser reads; other formats carry it."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest
from fastapi.testclient import TestClient

from mandato.api.app import create_app
from mandato.api.http import Settings
from mandato.namespaces import ID
from mandato.store import Store


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("xml") / "store")
    store.replace_graphs({"https://w3id.org/mandato/graph/source/x":
                          f'<{ID}country/zz> <http://www.w3.org/2004/02/skos/core#prefLabel> "a\\u0001b" .\n'
                          f'<{ID}country/zz> <http://www.w3.org/2004/02/skos/core#altLabel> "plain" .\n'.encode()})
    with TestClient(create_app(store, Settings(sparql_workers=1)), raise_server_exceptions=False) as c:
        yield c
    c.app.state.close()


QUERY = "SELECT ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"


@pytest.mark.parametrize("fmt", ["srx", "xml"])
def test_sparql_xml_refuses_a_control_character(client, fmt):
    r = client.get("/sparql", params={"query": QUERY, "format": fmt})
    assert r.status_code == 406 and "U+0001" in r.json()["error"]


def test_rdfxml_refuses_a_control_character(client):
    r = client.get("/id/country/zz", params={"format": "rdfxml"})
    assert r.status_code == 406 and "U+0001" in r.json()["error"]
    assert client.get("/dataset", params={"format": "rdfxml"}).status_code == 406


def test_other_formats_carry_it(client):
    r = client.get("/sparql", params={"query": QUERY, "format": "srj"})
    assert r.status_code == 200 and r.json()["results"]["bindings"][0]["l"]["value"] == "a\x01b"


def test_xml_without_such_characters_is_well_formed(client):
    r = client.get("/sparql", params={"query": QUERY.replace("prefLabel", "altLabel"), "format": "srx"})
    assert r.status_code == 200 and ET.fromstring(r.content) is not None
