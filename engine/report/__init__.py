"""Decision reports: the same recorded decision as text, Markdown, HTML or JSON, in Danish or English.

`render` takes a `Decision` or its JSON form (a dict, e.g. from a stored record), builds the
report once in the sentence layer (`engine.report.sentences`) and lays it out; nothing is
evaluated again, so every format shows the same obligations, statuses, citations and dates.
Owns the sentence layer (`sentences`, with the Danish and English `words`) and one layout per
format (`text`, `markdown`, `html` with its `templates/`). It reads only the decision JSON
(decision@2, or decision@1 from old records), expanded to the inline form by `forms.expand`,
so it imports nothing else of paragraf; `decide` renders through it. Exports `render`.
"""
from __future__ import annotations

import json
from typing import Any

import attrs

from engine.report import forms, html, markdown, sentences, text
from engine.report.words import LANGUAGES, WORDS

FORMATS = ("text", "markdown", "html", "json")
_LAYOUTS = {"text": text.decision, "markdown": markdown.decision, "html": html.decision}


def render(decision: Any, rule_id: str | None = None, format: str = "text", lang: str = "da") -> str:
    """The whole decision, or the part of it about one rule (`rule_id`), in `format` and `lang`."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; use {' or '.join(LANGUAGES)}")
    given = decision if isinstance(decision, dict) else decision.to_dict(include=("trace",))
    if format == "json" and rule_id is None:  # the decision as given (a Decision: decision@2 with its trace)
        return json.dumps(given, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    data = forms.expand(given)
    if rule_id is not None:
        return _render_rule(data, rule_id, format, lang)
    return _LAYOUTS[format](sentences.build(data, lang))


def _render_rule(data: dict[str, Any], rule_id: str, format: str, lang: str) -> str:
    node = find(data.get("explanation", ()), rule_id)
    if node is None:
        raise KeyError(rule_id)
    if format == "json":
        return json.dumps(node, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    report = sentences.build({**data, "explanation": [node]}, lang)
    item = next((o for o in report.obligations if o.rule == node["rule"] and node["kind"] == "obligation"), None)
    if format == "text":
        return text.explain(report, report.steps[0], item)
    only = [o for o in report.obligations if item is not None and o.rule == item.rule]
    return _LAYOUTS[format](_only(report, only))


def _only(report: sentences.Report, obligations: list[sentences.Obligation]) -> sentences.Report:
    return attrs.evolve(report, obligations=tuple(obligations), exemptions=(), values=(), missing=())


def find(nodes: Any, rule_id: str) -> dict[str, Any] | None:
    """The first trace node (depth first) for a rule id or the value name it defines."""
    for node in nodes:
        if rule_id in (node["rule"], node.get("defines")):
            return node  # type: ignore[no-any-return]
        found = find(node.get("children", ()), rule_id)
        if found is not None:
            return found
    return None


__all__ = ["render", "FORMATS", "WORDS", "LANGUAGES"]
