"""RFC 9457 problem details: every error the service answers is `application/problem+json`.

A problem names its `type` (one per category of error), a `title`, the HTTP `status`, a `detail`
and, for input that does not fit, `errors`: one entry per problem with its field `path` (as the
command line prints it: `citizen.sickness.category`), the `message` and the `hint` the command line
gives. Nothing here ever shows a stack trace: an unexpected exception is logged on the server
and answered with a plain 500 problem.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any, Iterable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from engine.lang.errors import Diagnostic, EngineError, RulebookError

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://paragraf.example/problems/"
FIELD_PATH = re.compile(r"^([A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\])*): (.+)$", re.DOTALL)
TITLES = {400: "Malformed request body", 404: "Not found", 405: "Method not allowed", 406: "Not acceptable",
          413: "Request body too large", 415: "Unsupported media type", 422: "Input does not fit",
          500: "Internal server error", 503: "Service unavailable", 504: "Evaluation took too long"}
logger = logging.getLogger("paragraf.service")


class Problem(Exception):
    """An answer the service gives on purpose: raise it anywhere in a request."""

    def __init__(self, status: int, category: str, detail: str, errors: Iterable[dict[str, Any]] = ()) -> None:
        super().__init__(detail)
        self.status, self.category, self.detail, self.errors = status, category, detail, list(errors)

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """The problem as RFC 9457 members (and `errors`), for a response or a line of a batch."""
        problem: dict[str, Any] = {"type": TYPE_BASE + self.category, "title": TITLES.get(self.status, "Error"),
                                   "status": self.status, "detail": self.detail}
        if instance is not None:
            problem["instance"] = instance
        if self.errors:
            problem["errors"] = self.errors
        return problem

    def response(self, instance: str | None = None) -> Response:
        headers = {"Retry-After": "1"} if self.status == 503 else None
        return Response(json.dumps(self.body(instance), ensure_ascii=False, sort_keys=True), self.status,
                        headers=headers, media_type=MEDIA_TYPE)


def field_error(diagnostic: Diagnostic, prefix: str = "") -> dict[str, Any]:
    """One diagnostic as an entry of `errors`: its field path (below `prefix`) split off its message."""
    match = FIELD_PATH.match(diagnostic.message)
    path, message = (prefix + match.group(1), match.group(2)) if match else (None, diagnostic.message)
    return {"path": path, "message": message, "hint": diagnostic.hint, "category": diagnostic.category}


def from_engine_error(exc: EngineError, prefix: str = "") -> Problem:
    """An engine error (a case that does not fit, an unknown proposal, ...) as a 422 problem;
    `prefix` places the case's field paths inside a larger body (`case.`)."""
    if isinstance(exc, RulebookError):  # the served rulebook passed the gate at start; this is ours
        return Problem(500, "rulebook", "the rulebook cannot evaluate this; see the server's log")
    errors = [field_error(d, prefix) for d in exc.diagnostics]
    return Problem(422, exc.diagnostics[0].category if exc.diagnostics else "case", str(exc), errors)


def from_validation(exc: RequestValidationError) -> Problem:
    """FastAPI's check of query parameters, as field paths (`query.lang`)."""
    errors = [{"path": ".".join(str(part) for part in error.get("loc", ())), "message": error.get("msg", ""),
               "hint": _allowed(error), "category": "request"} for error in exc.errors()]
    detail = "; ".join(f"{e['path']}: {e['message']}" for e in errors) or "the request does not fit"
    return Problem(422, "request", detail, errors)


def _allowed(error: dict[str, Any]) -> str | None:
    expected = (error.get("ctx") or {}).get("expected")
    return f"write one of {expected}" if expected else None


def install(app: FastAPI) -> None:
    """Answer every error as a problem; log what we did not expect, without showing it."""
    async def on_problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return exc.response(request.url.path)

    async def on_engine_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, EngineError)
        return from_engine_error(exc).response(request.url.path)

    async def on_validation(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        return from_validation(exc).response(request.url.path)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
        category = "not-found" if exc.status_code == 404 else "http"
        return Problem(exc.status_code, category, detail).response(request.url.path)

    async def on_anything(request: Request, exc: Exception) -> Response:
        logger.exception("internal error on %s %s", request.method, request.url.path)
        return internal().response(request.url.path)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(EngineError, on_engine_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
    app.add_exception_handler(Exception, on_anything)


def internal() -> Problem:
    return Problem(500, "internal", "paragraf could not answer this request; the server's log says why")


SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"}, "title": {"type": "string"},
        "status": {"type": "integer"}, "detail": {"type": "string"}, "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "required": ["path", "message"], "properties": {
            "path": {"type": ["string", "null"], "description": "The field path, as the command line names it."},
            "message": {"type": "string"}, "hint": {"type": ["string", "null"]},
            "category": {"type": "string"}, "line": {"type": "integer"}, "column": {"type": "integer"}}}},
    },
}
