"""API fuzzing over the OpenAPI description (schemathesis): generated requests to every
operation, including hostile and malformed values, never get a server error."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from mandato.api.app import create_app
from mandato.api.http import Settings
from mandato.store import Store


@pytest.fixture(scope="module")
def api_schema(corpus_store: Store):
    app = create_app(corpus_store, Settings(sparql_timeout=5, sparql_max_rows=1000, sparql_workers=2))
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    app.state.close()  # stop the SPARQL workers: tests leave no processes behind


def test_no_server_errors(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def no_server_error(case):
            response = case.call()
            case.validate_response(response, checks=[not_a_server_error])

        no_server_error()
