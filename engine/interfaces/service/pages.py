"""Rendering the web page's templates: the Jinja environment, the language of a request, the
decision report laid into a page, and engine errors as lists of problems.

The decision report is the one `engine.report.render` makes (the same sentences as the text
and Markdown reports); the page takes its style sheet and its body and shows them inside its
own frame, so there is one report, not a second one for the web.
"""
from __future__ import annotations

import functools
import re
import types
from typing import Any, Mapping

import attrs
import jinja2
from markupsafe import Markup

from engine import report
from engine.interfaces.service.web_words import WEB_WORDS
from engine.lang.errors import EngineError

LANGUAGES = tuple(WEB_WORDS)
DEFAULT_LANG = "da"
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_BODY = re.compile(r"<body>(.*)</body>", re.S)
HIDDEN_PATH = "<case>"  # a case given as data: its positions are in JSON text the user never saw


class BadRequest(EngineError):
    """Input the page cannot use (a language, a sequence number); the message says how to fix it."""

    category = "request"


class NotFound(EngineError):
    """An act, rule, scenario or log entry that does not exist; the message names the nearest ones."""

    category = "not_found"


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.PackageLoader("engine.interfaces.service", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    env.filters["words"] = code_spans
    return env


def code_spans(text: str) -> Markup:
    """Verbalised text, escaped, with the parts it keeps in the rule language (`between backticks`) as code."""
    parts = str(text).split("`")
    return Markup("").join(Markup("<code>{}</code>").format(p) if i % 2 else Markup.escape(p)
                           for i, p in enumerate(parts))


def language(given: str | None) -> str:
    if given in (None, ""):
        return DEFAULT_LANG
    if given not in LANGUAGES:
        raise BadRequest(f"lang: unknown language {given!r}; use {' or '.join(LANGUAGES)}")
    return given


def render(template: str, lang: str, path: str, rules_label: str, **context: Any) -> str:
    """A page of the site in `lang`; `path` is the page's own address, for the language switch
    (a link to it in the other language, or with `switch_form` in the context a button that
    resubmits that form of the page in the other language)."""
    other = next(code for code in LANGUAGES if code != lang)
    words = types.SimpleNamespace(**WEB_WORDS[lang])
    return environment().get_template(template).render(
        lang=lang, w=words, path=path, other=other, switch=_with_lang(path, other), rules_label=rules_label,
        **{"switch_form": None, **context})


def _with_lang(path: str, lang: str) -> str:
    base, _, query = path.partition("?")
    kept = [part for part in query.split("&") if part and not part.startswith("lang=")]
    return base + "?" + "&".join(kept + [f"lang={lang}"])


@attrs.frozen
class Report:
    style: str
    body: str


def decision_report(decision: Any, lang: str) -> Report:
    """The HTML decision report's style sheet and body, to show inside a page (marked safe:
    the report escapes its own text)."""
    page = report.render(decision, format="html", lang=lang)
    style, body = _STYLE.search(page), _BODY.search(page)
    assert style is not None and body is not None, "the HTML report has a <style> and a <body>"
    return Report(Markup(style.group(1)), Markup(body.group(1)))


@attrs.frozen
class Problem:
    message: str
    hint: str | None = None
    where: str | None = None


def problems(error: EngineError) -> list[Problem]:
    """Every diagnostic of an engine error, with its position when the user can find it."""
    return [Problem(d.message, d.hint, _where(d)) for d in error.diagnostics]


def _where(diagnostic: Any) -> str | None:
    span = diagnostic.span
    if span is None or span.path == HIDDEN_PATH:
        return None
    return f"{span.path}:{span.line}:{span.col}"


def form_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The single-valued fields of a submitted form, as text."""
    return {key: value for key, value in form.items() if isinstance(value, str)}
