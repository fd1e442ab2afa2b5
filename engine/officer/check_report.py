"""`paragraf check --format json|sarif`: the checker's diagnostics as data.

JSON (`paragraf/check@1`) lists every problem with its category, severity, message, hint, rule
and spans; SARIF 2.1.0 lets CI systems and editors show the same problems inline (one
reporting rule per category; columns are 1-based and the end column exclusive in both, as in
`engine.lang.source.Span`). Entry points: `to_json`, `to_sarif`.
"""
from __future__ import annotations

import json
from typing import Any, Iterable

from engine.lang.errors import CATEGORIES, Diagnostic
from engine.lang.source import Span

SCHEMA = "paragraf/check@1"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
DOCS = "https://paragraf.readthedocs.io/en/latest/errors.html"
CATEGORY_TEXT = {
    "syntax": "An expression or citation does not parse", "schema": "A rule file or case has the wrong shape",
    "name": "An unknown or duplicate name", "type": "Operands or arguments of the wrong type",
    "citation": "A legal citation that does not resolve", "cycle": "Rules that depend on each other",
    "conflict": "Two definitions of one value that both apply",
    "exemption": "An exemption that lifts nothing, or can never apply",
    "overlap": "Two definitions of a value that apply to the same case on the same day",
    "gap": "A value declared total with no definition for some case on some day",
    "window": "A rule that ends while its act goes on, with nothing taking over",
    "case": "A case file that does not fit the inputs", "evaluation": "A failure while evaluating a case",
}


def _span(span: Span) -> dict[str, Any]:
    return {"path": span.path, "line": span.line, "col": span.col, "end_line": span.end_line, "end_col": span.end_col}


def diagnostic_json(diagnostic: Diagnostic) -> dict[str, Any]:
    return {"category": diagnostic.category, "severity": diagnostic.severity, "message": diagnostic.message,
            "hint": diagnostic.hint, "rule": diagnostic.rule, "spans": [_span(s) for s in diagnostic.spans]}


def to_json(diagnostics: Iterable[Diagnostic], summary: dict[str, Any]) -> str:
    """Every diagnostic, and the run's summary (rulebook, counts, what the static analysis covered)."""
    problems = [diagnostic_json(d) for d in diagnostics]
    return json.dumps({"schema": SCHEMA, **summary, "problems": problems},
                      sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def to_sarif(diagnostics: Iterable[Diagnostic], version: str, root: str | None = None) -> str:
    """A SARIF 2.1.0 log with one run of paragraf; paths relative to `root` (the rulebook folder)."""
    diagnostics = list(diagnostics)
    used = [c for c in CATEGORIES if any(d.category == c for d in diagnostics)]
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "paragraf", "version": version, "informationUri": DOCS,
                            "rules": [_rule(c) for c in used]}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, used.index(d.category)) for d in diagnostics],
    }
    if root:
        run["originalUriBaseIds"] = {"RULEBOOK": {"uri": _folder_uri(root)}}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def _rule(category: str) -> dict[str, Any]:
    return {"id": category, "name": category, "shortDescription": {"text": CATEGORY_TEXT.get(category, category)},
            "helpUri": f"{DOCS}#{category}"}


def _result(diagnostic: Diagnostic, index: int) -> dict[str, Any]:
    text = diagnostic.message + (f"\nhint: {diagnostic.hint}" if diagnostic.hint else "")
    result: dict[str, Any] = {
        "ruleId": diagnostic.category, "ruleIndex": index, "level": diagnostic.severity,
        "message": {"text": text},
        "locations": [_location(s) for s in diagnostic.spans[:1]],
        "properties": {"hint": diagnostic.hint or "", "rule": diagnostic.rule or ""},
    }
    if len(diagnostic.spans) > 1:
        result["relatedLocations"] = [{"id": i, **_location(s)} for i, s in enumerate(diagnostic.spans[1:], 1)]
    return result


def _location(span: Span) -> dict[str, Any]:
    return {"physicalLocation": {
        "artifactLocation": {"uri": span.path.replace("\\", "/"), "uriBaseId": "RULEBOOK"},
        "region": {"startLine": span.line, "startColumn": span.col, "endLine": span.end_line,
                   "endColumn": max(span.end_col, span.col + 1) if span.end_line == span.line else span.end_col},
    }}


def _folder_uri(root: str) -> str:
    from pathlib import Path

    return Path(root).resolve().as_uri() + "/"
