"""`POST /v1/refusion`: payment records (CSV, Parquet, JSON lines or a JSON array) → the weekly
refusion table (JSON or Parquet), with the rows that could not be read.

The body is written to a temporary file named for its media type and read by the payment file
readers (`engine.refusion.payments`), so a row is judged, and numbered, exactly as
`paragraf refusion` judges it; the table is `Rulebook.refusion`'s.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from engine.rulebook import Rulebook
from engine.interfaces.service import bodies, openapi
from engine.interfaces.service.decisions import query_options
from engine.interfaces.service.state import service_of
from engine.interfaces.service.problems import Problem

router = APIRouter(tags=["refusion"])
PARQUET = "application/vnd.apache.parquet"
SUFFIXES = {"text/csv": ".csv", PARQUET: ".parquet", "application/x-parquet": ".parquet",
            "application/x-ndjson": ".jsonl", "application/jsonl": ".jsonl", "application/json": ".json-array"}


@router.post("/refusion", summary="Weekly refusion for payment records", openapi_extra=openapi.payments_body(),
             responses=openapi.responses(openapi.refusion_content(), 400, 406, 413, 415, 422, 503, 504))
async def refusion(request: Request, proposals: list[str] = Query([], alias="with")) -> Response:
    """Per person and week: the affected week on the staircase, the refusion and co-financing
    rates and amounts (`paragraf refusion`); rows that cannot be read are listed in `bad_rows`
    (Parquet: in the file's metadata, key `paragraf:bad_rows`) and every good row is still used."""
    service = service_of(request)
    _, switched = query_options(service.book, None, proposals)
    out = _answer_format(request.headers.get("accept"))
    suffix = _body_suffix(request.headers.get("content-type"))
    raw = await bodies.read(request, service.settings.max_batch_bytes)
    if suffix == ".json-array":
        raw, suffix = _array_as_lines(raw), ".jsonl"
    names = tuple(str(p) for p in switched)
    return await service.runner.run(service.settings.refusion_seconds,
                                    lambda: _weekly(service.book, raw, suffix, names, out), "the payment records")


def _media(header: str | None) -> str:
    return (header or "").split(";")[0].strip().lower()


def _body_suffix(content_type: str | None) -> str:
    media = _media(content_type)
    if media not in SUFFIXES:
        raise Problem(415, "unsupported-media-type", f"cannot read a body of type {media or '(none)'}",
                      [{"path": "header.content-type", "message": "not a payment file format", "category": "request",
                        "hint": "send text/csv, application/vnd.apache.parquet, application/x-ndjson or application/json"}])
    return SUFFIXES[media]


def _answer_format(accept: str | None) -> str:
    for item in (accept or "*/*").split(","):
        media = _media(item)
        if media in (PARQUET, "application/x-parquet"):
            return "parquet"
        if media in ("application/json", "*/*", "application/*"):
            return "json"
    raise Problem(406, "not-acceptable", f"cannot answer in {accept}",
                  [{"path": "header.accept", "message": "no format we write", "category": "request",
                    "hint": f"accept application/json or {PARQUET}"}])


def _array_as_lines(raw: bytes) -> bytes:
    """A JSON array of payment records as JSON lines: record N is line N of the bad-row report."""
    records = bodies.parse_json(raw)
    if not isinstance(records, list):
        raise Problem(422, "payments", "a JSON body must be an array of payment records",
                      [{"path": "", "message": "expected an array", "category": "payments",
                        "hint": 'send [{"person": ..., "municipality": ..., "benefit": ..., "amount": ..., "from": ..., "to": ...}]'}])
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def _weekly(book: Rulebook, raw: bytes, suffix: str, proposals: tuple[str, ...], out: str) -> Response:
    with tempfile.TemporaryDirectory(prefix="paragraf-serve-") as folder:
        path = Path(folder) / f"payments{suffix}"
        path.write_bytes(raw)
        result = book.refusion(path, proposals)
    bad = [{"line": row.line, "reason": row.reason} for row in result.bad]
    if out == "parquet":
        return Response(_parquet(result.table, bad), media_type=PARQUET, headers={"Paragraf-Bad-Rows": str(len(bad))})
    body = {"weeks": [{k: _plain(v) for k, v in row.items()} for row in result.records()], "bad_rows": bad}
    return Response(json.dumps(body, ensure_ascii=False, sort_keys=True), media_type="application/json")


def _plain(value: Any) -> Any:
    """Decimals as decimal strings and dates ISO, as everywhere in paragraf's JSON."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _parquet(table: Any, bad: list[dict[str, Any]]) -> bytes:
    import pyarrow.parquet as pq

    metadata = {**(table.schema.metadata or {}), b"paragraf:bad_rows": json.dumps(bad).encode()}
    sink = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(metadata), sink)
    return sink.getvalue()
