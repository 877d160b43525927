"""API fuzzing over the OpenAPI description (schemathesis, every check): generated requests to
every operation, valid and hostile, get the statuses, media types and bodies the description
documents; valid requests are accepted, invalid ones refused, never a server error.

Values JSON Schema cannot describe are generated from what they mean: a ``sparql-query`` is a
query of each form, an ``iri`` a named graph of the dataset, ``reconcile-queries`` and
``reconcile-extend`` valid batches of the reconciliation API, a ``mandato-<kind>`` parameter names
something of that kind the data holds (by IRI or by a name that resolves to it alone). The
exceptions to the default expectations are in ``schemathesis.toml``, each with its reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi import unregister_string_format

from mandato.api.app import create_app
from mandato.api.http import Settings
from mandato.catalogue import groups_with_members, matcher
from mandato.errors import ParameterError
from mandato.store import Store
from mandato.terms import ENTITY_CLASSES

CONFIG = Path(__file__).parents[1] / "schemathesis.toml"
QUERIES = ["ASK {}", "SELECT * WHERE { ?s ?p ?o } LIMIT 3", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
           "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3", "DESCRIBE <https://w3id.org/mandato/id/country/cr>"]

RECONCILE_QUERIES = ['{"q0": {"query": "Rep. Dominicana"}}',
                     '{"a": {"query": "Palermo", "type": "https://w3id.org/mandato/ontology#LegalInstrument", '
                     '"limit": 3}, "b": {"query": "CONACOES"}}',
                     '{"q": {"query": "Dominicana", "properties": [{"pid": "iso_alpha2", "v": "DO"}]}}']
EXTENDS = ['{"ids": ["country/do"], "properties": [{"id": "iso_alpha2"}, {"id": "wikidata"}]}',
           '{"ids": ["country/hn", "country/pe"], "properties": [{"id": "consent_date", "settings": '
           '{"instrument": "XVIII-12-a"}}]}']

def resolvable(store: Store, kind: str) -> list[str]:
    """IRIs and names that resolve to exactly one thing of ``kind`` (a group: one with members)."""
    m = matcher(store, kind)
    allowed = set(groups_with_members(store)) if kind == "group" else set(m.entries)
    values = []
    for entry in m.entries.values():
        if entry.iri not in allowed:
            continue
        values.append(entry.iri)
        for name in sorted(entry.names):
            try:
                if m.resolve(name).iri == entry.iri:
                    values.append(name)
            except ParameterError:
                pass  # a name several things bear: the answer is a 400 listing them, as it should be
    return sorted(values)


@pytest.fixture(scope="module")
def api_schema(corpus_store: Store):
    formats = {"sparql-query": QUERIES, "iri": corpus_store.named_graphs(),
               "reconcile-queries": RECONCILE_QUERIES, "reconcile-extend": EXTENDS,
               **{f"mandato-{k}": resolvable(corpus_store, k) for k in ENTITY_CLASSES}}
    for name, values in formats.items():
        assert values, name
        schemathesis.openapi.format(name, st.sampled_from(values))
    app = create_app(corpus_store, Settings(sparql_timeout=5, sparql_max_rows=1000, sparql_workers=2))
    yield schemathesis.openapi.from_asgi("/openapi.json", app, config=SchemathesisConfig.from_path(CONFIG))
    app.state.close()  # stop the SPARQL workers: tests leave no processes behind
    for name in formats:
        unregister_string_format(name)


def test_every_check_passes_on_every_operation(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None,
                  derandomize=True)
        def conforms(case):
            case.validate_response(case.call())  # every check schemathesis has

        try:
            conforms()
        except Exception as failure:  # collected: every operation is tried, all failures reported together
            failures.append(f"{operation.label}: " + "\n".join(str(failure).splitlines()[:12]))
    assert not failures, "\n".join(failures)
