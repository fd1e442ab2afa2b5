"""Property-based tests of `paragraf serve`, generated from its own OpenAPI document
(schemathesis) and run against a live uvicorn: no 5xx, and every answer fits the document
(status codes, media types, response schemas), for data that fits the schemas and for data
that does not.

Schemathesis' pytest loader (`from_fixture`) does not run under this pytest, so the test walks
the operations itself and draws cases from each operation's Hypothesis strategy.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests import serving

ROOT = Path(__file__).resolve().parent.parent
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ENDPOINTS = {"POST /v1/decisions", "POST /v1/decisions/batch", "POST /v1/decisions/compare", "POST /v1/refusion",
             "GET /v1/rules", "GET /v1/rules/{rule_id}", "GET /v1/acts", "GET /v1/acts/{act}", "GET /v1/schema/case",
             "GET /v1/schema/decision", "GET /v1/health", "GET /v1/version"}
EXAMPLES = 10  # per operation and mode; the whole file stays within about a minute here


@schemathesis.serializer("application/x-ndjson", "text/csv", "application/vnd.apache.parquet")
def as_bytes(_context: Any, value: Any) -> bytes:
    """The bodies declared as text or bytes (JSON lines, CSV, Parquet), sent as drawn."""
    if isinstance(value, bytes):
        return value
    return (value if isinstance(value, str) else json.dumps(value)).encode()


@pytest.fixture(scope="module")
def api() -> Iterator[Any]:
    with serving.running(cwd=ROOT) as base:
        yield schemathesis.openapi.from_url(f"{base}/openapi.json")


def operations(api: Any) -> list[Any]:
    found = [result.ok() for result in api.get_all_operations()]
    assert {op.label for op in found} == ENDPOINTS
    return found


def failures_of(operation: Any, mode: GenerationMode) -> list[str]:
    """Draw cases for one operation and call the live server with each; the failures found."""
    found: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def call(case: schemathesis.Case) -> None:
        try:
            case.call_and_validate(checks=CHECKS, timeout=60)
        except AssertionError as failure:  # schemathesis' failures are assertion errors
            found.append(f"{operation.label} ({mode.value}): {str(failure)[:800]}")
            raise
    try:
        call()
    except AssertionError:
        pass
    except Unsatisfiable:  # nothing can be got wrong: no parameters, or only free text
        assert mode is GenerationMode.NEGATIVE, operation.label
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
def test_the_api_keeps_its_openapi_document(api: Any, mode: GenerationMode) -> None:
    failures = [f for operation in operations(api) for f in failures_of(operation, mode)]
    assert not failures, "\n\n".join(failures)
