"""Request bodies, bounded: read no more than a limit (413 past it), and parsed as JSON with the
line and column of a syntax error (400)."""
from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from engine.interfaces.service.problems import Problem


def too_large(limit: int) -> Problem:
    return Problem(413, "too-large", f"the request body is larger than {limit} bytes",
                   [{"path": None, "message": f"at most {limit} bytes", "category": "request",
                     "hint": "send fewer cases per request, or split the file"}])


def check_length(request: Request, limit: int) -> None:
    """Refuse at once a body whose declared length is over the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)


async def read(request: Request, limit: int) -> bytes:
    """The whole body, refused with 413 as soon as it passes `limit` bytes."""
    check_length(request, limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(raw: bytes, what: str = "the request body") -> Any:
    """JSON text → data; a syntax error is a 400 problem naming its line and column."""
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        raise Problem(400, "malformed", f"{what} is not UTF-8 text ({exc.reason} at byte {exc.start})",
                      [{"path": None, "message": "not UTF-8 text", "category": "syntax",
                        "hint": "send JSON encoded as UTF-8"}]) from None
    except json.JSONDecodeError as exc:
        raise Problem(400, "malformed", f"{what} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                      [{"path": None, "message": exc.msg, "line": exc.lineno, "column": exc.colno,
                        "category": "syntax", "hint": "send one JSON object (check quotes, commas and brackets)"}]
                      ) from None
    except RecursionError:
        raise Problem(400, "malformed", f"{what} is nested too deeply",
                      [{"path": None, "message": "nested too deeply", "category": "syntax", "hint": None}]) from None


def parse_object(raw: bytes, what: str = "the request body") -> dict[str, Any]:
    data = parse_json(raw, what)
    if not isinstance(data, dict):
        raise Problem(422, "case", f"{what} must be a JSON object, not {type(data).__name__}",
                      [{"path": "", "message": "expected a JSON object", "category": "case",
                        "hint": 'start with {"case": "<id>", "as_of": "YYYY-MM-DD", ...}'}])
    return data
