"""`GET /v1/rules`, `/v1/rules/{id}`, `/v1/acts`, `/v1/acts/{act}`, `/v1/schema/case`,
`/v1/schema/decision`, `/v1/health` and `/v1/version`: what the service knows, as JSON."""
from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from engine import rulebook
from engine.law import model
from engine.officer import act_index
from engine.officer.decision_schema import decision_schema
from engine.officer.schema import case_schema, dumps
from engine.interfaces.service import lawbook, openapi, rulebook_data
from engine.interfaces.service.state import service_of
from engine.interfaces.service.problems import Problem

router = APIRouter(tags=["rulebook"])
Kind = Literal[model.KINDS]  # type: ignore[valid-type]
LIST = openapi.json_content({"type": "array", "items": openapi.OBJECT})
OBJ = openapi.json_content(openapi.OBJECT)


def _json(data: Any) -> Response:
    return Response(json.dumps(data, ensure_ascii=False, sort_keys=True), media_type="application/json")


@router.get("/rules", summary="The rules", responses=openapi.responses(LIST, 422))
async def rules(request: Request, kind: Kind | None = Query(None, description="Only rules of this kind.")) -> Response:
    """Every rule: id, kind, titles, validity window and citations (filtered by `kind`)."""
    return _json(rulebook_data.rules(service_of(request).book, kind))


@router.get("/rules/{rule_id}", summary="One rule", responses=openapi.responses(OBJ, 404, 422))
async def rule(request: Request, rule_id: str) -> Response:
    """A rule: its formula, conditions in words (da, en), citations with the act versions and
    ELI in force during its window, what it lifts, and the scenarios in which it applied."""
    service = service_of(request)
    found = rulebook_data.find_rule(service.book, rule_id)
    if found is None:
        close = rulebook_data.close_rule(service.book, rule_id)
        raise _not_found("rule_id", f"no rule '{rule_id}'",
                         f"did you mean '{close}'?" if close else "list the rules with GET /v1/rules")
    # the scenarios as the web page's rule page lists them: those in which the rule applied (run
    # once per worker, on the first rule asked for), those of the rule's own file first
    applied = await service.runner.run(service.settings.refusion_seconds, lambda: lawbook.exercised_by(service.book),
                                       "the scenarios")
    return _json(rulebook_data.rule_detail(service.book, found, act_index.nearest_first(found, applied.get(found.id, ()))))


@router.get("/acts", summary="The acts", responses=openapi.responses(LIST))
async def acts(request: Request) -> Response:
    """Every act of `legal_refs/`: its titles, aliases and versions with their ELI."""
    return _json(rulebook_data.acts(service_of(request).book))


@router.get("/acts/{act}", summary="One act", responses=openapi.responses(OBJ, 404, 422))
async def act(request: Request, act: str) -> Response:
    """An act (by name or alias): each version with its chapters and paragraphs, and the rules citing each."""
    book = service_of(request).book
    found = rulebook_data.find_act(book, act)
    if found is None:
        close = rulebook_data.close_act(book, act)
        raise _not_found("act", f"no act '{act}'", f"did you mean '{close}'?" if close else "list the acts with GET /v1/acts")
    return _json(rulebook_data.act_detail(book, found))


def _not_found(name: str, message: str, hint: str) -> Problem:
    return Problem(404, "not-found", message, [{"path": f"path.{name}", "message": message, "hint": hint,
                                                "category": "not-found"}])


@router.get("/schema/case", summary="JSON Schema of a case", responses=openapi.responses(OBJ))
async def schema_case(request: Request) -> Response:
    """The case JSON Schema (draft 2020-12) of the served rulebook, as `paragraf schema` writes it."""
    return Response(dumps(case_schema(service_of(request).book.checked.inputs)), media_type="application/json")


@router.get("/schema/decision", summary="JSON Schema of a decision", responses=openapi.responses(OBJ))
async def schema_decision() -> Response:
    """The JSON Schema of `paragraf/decision@2`."""
    return Response(dumps(decision_schema()), media_type="application/json")


@router.get("/health", summary="Whether the service answers", responses=openapi.responses(OBJ))
async def health() -> Response:
    return _json({"status": "ok"})


@router.get("/version", summary="Engine version and rulebook", responses=openapi.responses(OBJ))
async def version(request: Request) -> Response:
    """The engine version, the rulebook's fingerprint (as decisions name it) and which rulebook it is."""
    book = service_of(request).book
    return _json({"engine_version": rulebook.engine_version(), "rulebook": {
        "fingerprint": book.fingerprint, "source": request.app.state.rules_label}})
