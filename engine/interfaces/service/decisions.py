"""`POST /v1/decisions`, `/v1/decisions/batch` and `/v1/decisions/compare`: cases in, decisions out.

A case is read and validated by the case reader (`Rulebook.read_case`), evaluated by
`Rulebook.evaluate` and written by `Decision.to_json` or `Decision.explain`: the service adds
nothing to a decision, so the JSON it answers is the library's, byte for byte. The body is sent
as the library wrote it (no response model re-validating it).
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, AsyncIterator, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response, StreamingResponse

from engine.audit import record as records
from engine.decide.casefile import Case
from engine.decide.proposals import Proposal
from engine.lang import values
from engine.lang.errors import CaseError, EngineError
from engine.officer import compare as comparing
from engine.rulebook import Rulebook
from engine.interfaces.service import bodies, openapi
from engine.interfaces.service.state import service_of
from engine.interfaces.service.problems import Problem, from_engine_error, internal, logger

router = APIRouter(tags=["decisions"])
REPORTS = {"application/json": "json", "text/html": "html", "text/markdown": "markdown"}
MEDIA = {"json": "application/json", "html": "text/html; charset=utf-8", "markdown": "text/markdown; charset=utf-8"}
AS_OF = Query(None, description="Evaluate under the law in force on this date (YYYY-MM-DD) instead of the case's own.")
WITH = Query([], alias="with", description="Switch on a proposal (repeat for several), e.g. NAME or NAME:219,751@2021-01-01.")
EXPLAIN = Query(False, description="Include the explanation tree in the decision JSON (the reports always explain).")
LANG = Query("da", description="Language of the HTML and Markdown reports.")
Lang = Literal["da", "en"]


def report_format(accept: str | None) -> str:
    """The first format the `Accept` header names that we write; JSON for `*/*` or none."""
    if not accept:
        return "json"
    for item in accept.split(","):
        media = item.split(";")[0].strip().lower()
        if media in REPORTS:
            return REPORTS[media]
        if media in ("*/*", "application/*"):
            return "json"
    raise Problem(406, "not-acceptable", f"cannot answer in {accept}",
                  [{"path": "header.accept", "message": "no format we write", "category": "request",
                    "hint": "accept application/json, text/html or text/markdown"}])


def query_options(book: Rulebook, as_of: str | None, proposals: list[str]) -> tuple[dt.date | None, tuple[Proposal, ...]]:
    """The date and proposals of the query, checked before any case is read (422 with their path)."""
    day = None
    if as_of is not None:
        try:
            day = values.parse_date(as_of)
        except ValueError as exc:
            raise _query_problem("as_of", str(exc), "write YYYY-MM-DD") from None
    try:
        return day, book.proposals(proposals)
    except CaseError as exc:
        raise _query_problem("with", str(exc), "name a proposal of the rulebook (GET /v1/rules?kind=proposal)") from None


def _query_problem(name: str, message: str, hint: str) -> Problem:
    return Problem(422, "request", f"query.{name}: {message}",
                   [{"path": f"query.{name}", "message": message, "hint": hint, "category": "request"}])


class Decided:
    """One case decided: the answer's text and, when the service keeps a log, the record."""

    def __init__(self, book: Rulebook, data: dict[str, Any], as_of: dt.date | None,
                 proposals: tuple[Proposal, ...], fmt: str, lang: str, explain: bool, keep: bool) -> None:
        read: Case = book.read_case(data)
        decision = book.evaluate(read, as_of, proposals)
        if fmt == "json":
            self.text = decision.to_json(include=("trace",) if explain else ())
        else:
            self.text = decision.explain(format=fmt, lang=lang)
        self.record = records.make_record(book, read, decision) if keep else None


async def decide_one(request: Request, data: dict[str, Any], as_of: dt.date | None,
                     proposals: tuple[Proposal, ...], fmt: str, lang: str, explain: bool) -> str:
    """Decide a case on the worker's pool, within the time bound, and log it if the service logs."""
    service = service_of(request)
    log = service.log
    decided = await service.runner.run(service.settings.case_seconds, lambda: Decided(
        service.book, data, as_of, proposals, fmt, lang, explain, keep=log is not None))
    if log is not None and decided.record is not None:
        await log.append(decided.record)
    return decided.text


@router.post("/decisions", summary="Decide one case", openapi_extra=openapi.body("Case"),
             responses=openapi.responses(openapi.decision_content(), 400, 406, 413, 422, 503, 504))
async def decide(request: Request, as_of: str | None = AS_OF, proposals: list[str] = WITH,
                 explain: bool = EXPLAIN, lang: Lang = LANG) -> Response:
    """A case (JSON) → its decision: `paragraf/decision@2` JSON, or with `Accept: text/html` or
    `text/markdown` the report, as `paragraf eval --format html|markdown` writes it."""
    service = service_of(request)
    fmt = report_format(request.headers.get("accept"))
    day, switched = query_options(service.book, as_of, proposals)
    data = bodies.parse_object(await bodies.read(request, service.settings.max_body_bytes))
    text = await decide_one(request, data, day, switched, fmt, lang, explain)
    return Response(text, media_type=MEDIA[fmt])


@router.post("/decisions/batch", summary="Decide many cases (JSON lines)", openapi_extra=openapi.lines_body(),
             responses=openapi.responses(openapi.batch_content(), 413, 422))
async def decide_batch(request: Request, as_of: str | None = AS_OF, proposals: list[str] = WITH,
                       explain: bool = EXPLAIN) -> Response:
    """One case per line in, one decision per line out, in order, streamed as each is decided.
    A line that cannot be decided is answered on its own line: `{"line": N, "error": <problem>}`."""
    service = service_of(request)
    day, switched = query_options(service.book, as_of, proposals)
    # read whole (bounded) before answering: a streaming answer shares the request's receive
    # channel with Starlette's disconnect watch, so the body cannot be read while it streams
    raw = await bodies.read(request, service.settings.max_batch_bytes)

    async def answers() -> AsyncIterator[str]:
        for number, line in enumerate(raw.split(b"\n"), start=1):
            if line.strip():
                answer = await _batch_line(request, line, number, day, switched, explain)
                yield answer if answer.endswith("\n") else answer + "\n"  # a decision's JSON ends its line
    return StreamingResponse(answers(), media_type="application/x-ndjson")


async def _batch_line(request: Request, raw: bytes, number: int, day: dt.date | None,
                      proposals: tuple[Proposal, ...], explain: bool) -> str:
    try:
        data = bodies.parse_object(raw, f"line {number}")
        return await decide_one(request, data, day, proposals, "json", "da", explain)
    except Problem as exc:
        return _error_line(number, exc)
    except EngineError as exc:
        return _error_line(number, from_engine_error(exc))
    except Exception:  # a bug in paragraf: this line's problem; the batch goes on
        logger.exception("internal error on line %d of a batch", number)
        return _error_line(number, internal())


def _error_line(number: int, problem: Problem) -> str:
    return json.dumps({"line": number, "error": problem.body()}, ensure_ascii=False, sort_keys=True)


@router.post("/decisions/compare", summary="What a proposal would change for a case",
             openapi_extra=openapi.body("Comparison request"), responses=openapi.responses(openapi.comparison_content(), 400, 413, 422, 503, 504))
async def compare(request: Request, as_of: str | None = AS_OF, proposals: list[str] = WITH) -> Response:
    """`{"case": <case>, "proposal": "NAME"}` → every obligation whose status or exempting rule
    changes when the proposal is switched on (on top of the `with` proposals), as
    `paragraf eval CASE --compare-with NAME --format json` writes it."""
    service = service_of(request)
    day, base = query_options(service.book, as_of, proposals)
    body = bodies.parse_object(await bodies.read(request, service.settings.max_body_bytes))
    case, proposal = _comparison_request(service.book, body)
    try:
        comparison = await service.runner.run(service.settings.case_seconds,
                                              lambda: comparing.compare(service.book, case, proposal, day, base))
    except EngineError as exc:
        raise from_engine_error(exc, prefix="case.") from None
    return Response(json.dumps(comparison.to_dict(), sort_keys=True, ensure_ascii=False), media_type="application/json")


def _comparison_request(book: Rulebook, body: dict[str, Any]) -> tuple[dict[str, Any], Proposal]:
    extra = sorted(set(body) - {"case", "proposal"})
    if extra:
        raise _body_problem(extra[0], "unknown field", "send only 'case' and 'proposal'")
    case, proposal = body.get("case"), body.get("proposal")
    if not isinstance(case, dict):
        raise _body_problem("case", "expected the case, a JSON object", 'write "case": {"case": "<id>", ...}')
    if not isinstance(proposal, str):
        raise _body_problem("proposal", "expected a proposal's name (text)", 'write "proposal": "NAME"')
    try:
        return case, book.proposals([proposal])[0]
    except CaseError as exc:
        raise _body_problem("proposal", str(exc), "name a proposal of the rulebook") from None


def _body_problem(path: str, message: str, hint: str) -> Problem:
    return Problem(422, "request", f"{path}: {message}",
                   [{"path": path, "message": message, "hint": hint, "category": "request"}])
