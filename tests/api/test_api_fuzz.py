"""Schemathesis against the OpenAPI document: no 5xx and no answer that breaks the schema.

Every operation is fuzzed with valid (positive) and invalid (negative) requests, carrying a
valid editor token; a model is stored first so that some requests find something to change.
The number of examples is kept small so the test runs in seconds.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = 6


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda mode: mode.value)
def test_api_never_errors_and_keeps_to_its_schema(
    client: TestClient, auth: Any, document: dict[str, Any], mode: GenerationMode
) -> None:
    assert client.post("/api/v1/models", json=document, headers=auth.editor).status_code == 201
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 19

    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(case: Any) -> None:
            case.call_and_validate(headers={**(case.headers or {}), **auth.editor}, checks=CHECKS)

        try:
            fuzz()
        except Unsatisfiable:
            # Nothing of this operation can be made invalid (e.g. /healthz takes no input).
            assert mode is GenerationMode.NEGATIVE
