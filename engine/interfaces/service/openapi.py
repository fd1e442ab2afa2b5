"""The OpenAPI 3.1 document at `/openapi.json`, with the case and decision JSON Schemas in it.

Endpoints read their bodies themselves (the case reader validates a case; no pydantic model
stands in for it), so their request and response bodies are declared here, pointing at the
published schemas (`engine.officer.schema.case_schema`, `engine.officer.decision_schema`),
which OpenAPI 3.1 takes as they are (JSON Schema 2020-12). The interactive docs (Swagger UI at
`/docs`, ReDoc at `/redoc`) are served from the `fastapi-offline` package: no CDN, no network.
"""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from engine.officer.decision_schema import decision_schema
from engine.officer.schema import case_schema
from engine.rulebook import Rulebook
from engine.interfaces.service.problems import MEDIA_TYPE, SCHEMA as PROBLEM_SCHEMA, TITLES

DESCRIPTION = ("Danish employment law as rules, evaluated and explained to the paragraph: decisions "
               "(`paragraf/decision@2`), refusion, and the rules and acts behind them. Errors are RFC 9457 "
               "`application/problem+json` with the field path and a hint.")
SCHEMA_REF = "#/components/schemas/"
OBJECT = {"type": "object"}
COMPARISON_REQUEST = {
    "type": "object", "required": ["case", "proposal"], "additionalProperties": False,
    "properties": {"case": {"$ref": SCHEMA_REF + "Case"},
                   "proposal": {"type": "string", "description": "The proposal to switch on, e.g. NAME or NAME:219,751@2021-01-01."}},
}
COMPARISON = {
    "type": "object", "required": ["case", "as_of", "municipality", "proposal", "changes", "missing"],
    "properties": {"case": {"type": "string"}, "as_of": {"type": "string"}, "municipality": {"type": ["string", "null"]},
                   "proposal": {"type": "string"}, "changes": {"type": "array", "items": OBJECT},
                   "missing": {"type": "array", "items": {"type": "string"}}},
}
REFUSION = {
    "type": "object", "required": ["weeks", "bad_rows"],
    "properties": {"weeks": {"type": "array", "items": OBJECT, "description": "One row per person and week."},
                   "bad_rows": {"type": "array", "items": {"type": "object", "required": ["line", "reason"], "properties": {
                       "line": {"type": "integer"}, "reason": {"type": "string"}}}}},
}
TEXT = {"schema": {"type": "string"}}
BINARY = {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}


def body(name: str) -> dict[str, Any]:
    """A JSON request body of the component schema `name` (`Case`, `Comparison request`)."""
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"$ref": SCHEMA_REF + name.replace(" ", "")}}}}}


def lines_body() -> dict[str, Any]:
    return {"requestBody": {"required": True, "description": "One case (JSON) per line.",
                            "content": {"application/x-ndjson": TEXT}}}


def payments_body() -> dict[str, Any]:
    records = {"type": "array", "items": {"type": "object", "properties": {
        name: {"type": ["string", "number", "null"]} for name in
        ("person", "municipality", "benefit", "amount", "from", "to", "flexjob_visitation_date", "early_pension_granted")}}}
    return {"requestBody": {"required": True, "description": "Payment records, one per row.", "content": {
        "text/csv": TEXT, "application/x-ndjson": TEXT, "application/json": {"schema": records},
        "application/vnd.apache.parquet": BINARY}}}


def decision_content() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": SCHEMA_REF + "Decision"}},
            "text/html": TEXT, "text/markdown": TEXT}


def batch_content() -> dict[str, Any]:
    return {"application/x-ndjson": {"schema": {"type": "string", "description": (
        'One line per case, in order: its decision, or {"line": N, "error": <problem>}.')}}}


def comparison_content() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": SCHEMA_REF + "Comparison"}}}


def refusion_content() -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": SCHEMA_REF + "Refusion"}},
            "application/vnd.apache.parquet": BINARY}


def json_content(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def responses(content: dict[str, Any], *statuses: int) -> dict[int | str, dict[str, Any]]:
    """The success answer's content, and a problem for each status listed (and 500)."""
    problem = {"content": {MEDIA_TYPE: {"schema": {"$ref": SCHEMA_REF + "Problem"}}}}
    answers: dict[int | str, dict[str, Any]] = {200: {"description": "OK", "content": content}}
    for status in (*statuses, 500):
        answers[status] = {"description": TITLES[status], **problem}
    return answers


def _published(schema: dict[str, Any]) -> dict[str, Any]:
    """A published schema as a component: its `$id` and `$schema` would rebase it, so they go."""
    return {key: value for key, value in schema.items() if key not in ("$id", "$schema")}


def install(app: FastAPI, book: Rulebook) -> None:
    """Build the document once, with the rulebook's case schema and the decision schema in it."""
    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            built = get_openapi(title=app.title, version=app.version, openapi_version="3.1.0",
                                description=app.description, routes=app.routes)
            schemas = built.setdefault("components", {}).setdefault("schemas", {})
            schemas.update({"Case": _published(case_schema(book.checked.inputs)),
                            "Decision": _published(decision_schema()), "Problem": PROBLEM_SCHEMA,
                            "ComparisonRequest": COMPARISON_REQUEST, "Comparison": COMPARISON, "Refusion": REFUSION})
            app.openapi_schema = built
        return app.openapi_schema
    app.openapi = document  # type: ignore[method-assign]
