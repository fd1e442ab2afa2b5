"""The web page at `/`: server-rendered pages for caseworkers, legal officers and auditors.

`router` is a FastAPI `APIRouter`; the application includes it and sets `app.state.rulebook`
(an `engine.Rulebook`), `app.state.log` (the decision log's path, or None) and
`app.state.rules_label` (how the rulebook is named to the user). Every page works without
JavaScript: forms are plain GET or POST forms, and every page takes `?lang=da|en`.

    /                          the three ways in
    /case                      the caseworker's form (GET), the decision report (POST)
    /law, /law/acts/{act}      acts, then one act's versions and paragraphs with the rules citing each
    /law/rules/{rule}          a rule: formula, conditions in words, citations with ELI, scenarios
    /law/scenario?file=&line=  one scenario of tests/scenarios
    /audit, /audit/entries/{n} a logged decision; `?action=verify` checks the chain, `?action=replay` replays it

Bad input gets the page again with what is wrong, where, and how to fix it (400, 404 or 422);
never a traceback.
"""
from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException  # what Starlette raises for a form it cannot parse

from engine.audit.log import LogError
from engine.interfaces.service import auditview, caseform, lawbook, pages
from engine.interfaces.service.web_words import WEB_WORDS
from engine.lang.errors import EngineError

router = APIRouter(include_in_schema=False)
STYLESHEET = "web.css"
MAX_FORM_BYTES = 2_000_000  # a pasted case may be up to the case reader's 1 MB, with form encoding around it


def _address(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def _respond(request: Request, lang_given: str | None, build: Callable[[str], tuple[str, dict[str, Any]]],
             status: int = 200) -> HTMLResponse:
    """The page `build(lang)` names, or an error page saying what is wrong and how to fix it."""
    label = str(getattr(request.app.state, "rules_label", ""))
    try:
        lang = pages.language(lang_given)
    except pages.BadRequest as error:
        return _error(request, pages.DEFAULT_LANG, label, 400, error)
    try:
        template, context = build(lang)
    except pages.BadRequest as error:
        return _error(request, lang, label, 400, error)
    except pages.NotFound as error:
        return _error(request, lang, label, 404, error)
    except LogError as error:  # the service's own decision log cannot be read: not the reader's doing
        return _error(request, lang, label, 500, error)
    except EngineError as error:  # e.g. a scenario file of the rulebook that cannot be read
        return _error(request, lang, label, 422, error)
    status = context.pop("status", status)
    return HTMLResponse(pages.render(template, lang, _address(request), label, **context), status_code=status)


def _error(request: Request, lang: str, label: str, status: int, error: EngineError) -> HTMLResponse:
    page = pages.render("error.html.j2", lang, _address(request), label, status=status,
                        problems=pages.problems(error))
    return HTMLResponse(page, status_code=status)


def _book(request: Request) -> Any:
    return request.app.state.rulebook


@router.get("/static/" + STYLESHEET)
def stylesheet() -> Response:
    text = resources.files("engine.interfaces.service").joinpath("static", STYLESHEET).read_text(encoding="utf-8")
    return Response(text, media_type="text/css; charset=utf-8", headers={"Cache-Control": "max-age=3600"})


@router.get("/", response_class=HTMLResponse)
def home(request: Request, lang: str | None = None) -> HTMLResponse:
    return _respond(request, lang, lambda lang: ("home.html.j2", {}))


# -- the caseworker --------------------------------------------------------------------------

def _case_context(book: Any, lang: str, given: dict[str, str], chosen: list[str]) -> dict[str, Any]:
    words = WEB_WORDS[lang]
    proposals = [{"name": name, "title": rule.title.get(lang, name), "checked": name in chosen}
                 for name, rule in sorted(book.checked.proposals.items())]
    return {"fields": caseform.fields(book, lang, given, words), "proposals": proposals,
            "as_of": given.get("as_of", ""), "pasted": given.get("pasted", ""), "report": None, "problems": [],
            "switch_form": "case-form"}  # the language switch resubmits the form: the facts entered stay


@router.get("/case", response_class=HTMLResponse)
def case_form(request: Request, lang: str | None = None) -> HTMLResponse:
    return _respond(request, lang, lambda lang: ("case.html.j2", _case_context(_book(request), lang, {}, [])))


@router.post("/case", response_class=HTMLResponse)
async def case_decide(request: Request) -> HTMLResponse:
    try:
        form = await _read_form(request)
    except pages.BadRequest as error:
        return _respond(request, request.query_params.get("lang"), _failing(error))
    given, chosen = pages.form_values(form), [str(p) for p in form.getlist("proposal")]
    book = _book(request)
    switched = given.pop("switch_lang", None)  # the language switch: the same form, in the other language
    if switched is not None:
        given["lang"] = switched
    shown = given.pop("decided", None) is not None
    decide = switched is None or shown  # switching language decides only what was decided: a report shown is shown again

    def build(lang: str) -> tuple[str, dict[str, Any]]:
        context = _case_context(book, lang, given, chosen)
        if not decide:
            return "case.html.j2", context
        try:
            pasted = given.get("pasted", "").strip()
            case = caseform.case_from_text(pasted) if pasted else caseform.case_from_form(given)
            decision = book.evaluate(case, given.get("as_of", "").strip() or None, chosen)
        except EngineError as error:
            return "case.html.j2", {**context, "problems": pages.problems(error), "status": 422}
        return "case.html.j2", {**context, "report": pages.decision_report(decision, lang)}

    return _respond(request, given.get("lang"), build)


async def _read_form(request: Request) -> Any:
    """The submitted form, refused before it is read when it says it is too large (browsers
    always send its length) and when it cannot be parsed."""
    length = request.headers.get("content-length", "")
    if not length.isdigit():
        raise pages.BadRequest("the form was sent without its length (Content-Length); send it from the page's form")
    if int(length) > MAX_FORM_BYTES:
        raise pages.BadRequest(f"the form is {length} bytes, more than {MAX_FORM_BYTES}; "
                               "a case file is at most 1 MB: paste a smaller case")
    try:
        return await request.form()
    except HTTPException as error:
        raise pages.BadRequest(f"the form cannot be read ({error.detail}); send it from the page's form") from None


# -- the legal officer -----------------------------------------------------------------------

@router.get("/law", response_class=HTMLResponse)
def acts(request: Request, lang: str | None = None) -> HTMLResponse:
    return _respond(request, lang, lambda lang: ("acts.html.j2", {"acts": lawbook.acts(_book(request), lang)}))


@router.get("/law/acts/{name}", response_class=HTMLResponse)
def act(request: Request, name: str, lang: str | None = None) -> HTMLResponse:
    return _respond(request, lang, lambda lang: ("act.html.j2", {"act": lawbook.act(_book(request), name, lang)}))


@router.get("/law/rules/{rule_id}", response_class=HTMLResponse)
def rule(request: Request, rule_id: str, lang: str | None = None) -> HTMLResponse:
    return _respond(request, lang, lambda lang: ("rule.html.j2", {"rule": lawbook.rule(_book(request), rule_id, lang)}))


@router.get("/law/scenario", response_class=HTMLResponse)
def scenario(request: Request, file: str = "", line: str = "", lang: str | None = None) -> HTMLResponse:
    def build(lang: str) -> tuple[str, dict[str, Any]]:
        if not line.strip().isdigit():
            raise pages.BadRequest(f"line: {line!r} is not a line number; follow a scenario link from a rule's page")
        return "scenario.html.j2", {"scenario": lawbook.scenario(_book(request), file, int(line))}

    return _respond(request, lang, build)


# -- the auditor -----------------------------------------------------------------------------

def _log(request: Request) -> Path | None:
    log = getattr(request.app.state, "log", None)
    return Path(log) if log is not None else None


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request, seq: str | None = None, lang: str | None = None) -> Response:
    if seq is not None:
        try:
            number = auditview.sequence_number(seq)
        except pages.BadRequest as error:
            return _respond(request, lang, _failing(error))
        suffix = f"?lang={lang}" if lang else ""
        return RedirectResponse(f"/audit/entries/{number}{suffix}", status_code=303)
    return _respond(request, lang, lambda lang: ("audit.html.j2", {"log": _log(request)}))


def _failing(error: Exception) -> Callable[[str], tuple[str, dict[str, Any]]]:
    """A page builder that fails with `error`, so it is shown like any other page's error."""
    def build(lang: str) -> tuple[str, dict[str, Any]]:
        raise error
    return build


@router.get("/audit/entries/{seq}", response_class=HTMLResponse)
def audit_entry(request: Request, seq: str, action: str = "", lang: str | None = None) -> HTMLResponse:
    def build(lang: str) -> tuple[str, dict[str, Any]]:
        log = _log(request)
        if log is None:
            raise pages.NotFound("this service keeps no decision log; start it with --log DB")
        if action not in ("", "verify", "replay"):
            raise pages.BadRequest(f"action: unknown action {action!r}; use verify or replay")
        found = auditview.entry(log, auditview.sequence_number(seq))
        context: dict[str, Any] = {"entry": found, "action": action, "verification": None, "replay": None,
                                   "problems": [], "shown": auditview.shown,
                                   "report": pages.decision_report(found["record"]["decision"], lang)}
        if action == "verify":
            context["verification"] = auditview.verification(log)
        if action == "replay":
            try:
                context["replay"] = auditview.replayed(found["record"], _book(request))
            except EngineError as error:
                context.update(problems=pages.problems(error), status=422)
        return "entry.html.j2", context

    return _respond(request, lang, build)
