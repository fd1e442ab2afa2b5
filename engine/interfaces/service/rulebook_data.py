"""The rules and acts of a rulebook as plain data, for `/v1/rules` and `/v1/acts`.

Built from what the rest of paragraf already knows: the checked rules, `legal_refs/` (versions
and ELI), the citation coverage `paragraf check --coverage` reports (which rules cite each
paragraph) and `verbalise` (conditions in words). The scenarios in which a rule applied are
`lawbook.exercised_by`'s, the same the web page's rule page lists.
"""
from __future__ import annotations

import datetime as dt
import difflib
import functools
from typing import Any

from engine.lang.source import SourceCache, Span
from engine.law.legal_refs import Act, Version
from engine.law.model import Rule
from engine.officer import act_index, citation_coverage
from engine.officer.verbalise import verbalise
from engine.rulebook import Rulebook


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None and day != dt.date.min else None


def rule_summary(rule: Rule) -> dict[str, Any]:
    return {"id": rule.id, "kind": rule.kind, "title": dict(rule.title), "proposal": rule.proposal,
            "valid_from": _day(rule.valid_from), "valid_to": _day(rule.valid_to),
            "cites": [c.text for c in rule.refs]}


def rules(book: Rulebook, kind: str | None = None) -> list[dict[str, Any]]:
    return [rule_summary(r) for r in book.checked.ruleset.rules if kind is None or r.kind == kind]


def find_rule(book: Rulebook, rule_id: str) -> Rule | None:
    return next((r for r in book.checked.ruleset.rules if r.id == rule_id), None)


def close_rule(book: Rulebook, rule_id: str) -> str | None:
    close = difflib.get_close_matches(rule_id, [r.id for r in book.checked.ruleset.rules], n=1)
    return close[0] if close else None


def rule_detail(book: Rulebook, rule: Rule, scenarios: tuple[str, ...]) -> dict[str, Any]:
    """A rule: its formula (the rule language as written), conditions in words, citations with
    the act versions (and ELI) in force during its window, what it lifts, and `scenarios` (those
    in which it applied, `file:line name`)."""
    refs = book.checked.legal_refs
    detail = {**rule_summary(rule), "confidence": rule.confidence, "note": rule.note, "actor": rule.actor,
              "defines": rule.defines if rule.kind == "value" else None,
              "formula": {name: source_text(book.sources, node.span) for name, node in rule.expressions()},
              "in_words": {lang: verbalise(rule.when, book.checked, lang) for lang in ("da", "en")}
              if rule.when is not None else None,
              "citations": [{"cite": c.text, "versions": [version_data(v) for v in act_index.versions_for(rule, c, refs)]}
                            for c in rule.refs],
              "lifts": [lift.text for lift in rule.lifts],
              "input": _input(rule), "scenarios": list(scenarios)}
    return detail


def _input(rule: Rule) -> dict[str, Any] | None:
    spec = rule.input
    if spec is None:
        return None
    return {"type": spec.type, "values": list(spec.values), "value_titles": dict(spec.value_titles),
            "description": dict(spec.description)}


def source_text(sources: SourceCache, span: Span) -> str:
    """The text a span covers, as the rule file writes it."""
    lines = [sources.line(span.path, n) or "" for n in range(span.line, span.end_line + 1)]
    if len(lines) == 1:
        return lines[0][span.col - 1:span.end_col - 1]
    return "\n".join([lines[0][span.col - 1:], *lines[1:-1], lines[-1][:span.end_col - 1]])


def version_data(version: Version) -> dict[str, Any]:
    return {"act": version.act, "designation": version.designation, "short": version.short, "eli": version.eli,
            "in_force_from": version.start.isoformat(), "in_force_to": _day(version.end)}


def acts(book: Rulebook) -> list[dict[str, Any]]:
    return [{"act": a.name, "aliases": list(a.aliases), "title": dict(a.title),
             "versions": [version_data(v) for v in a.versions]} for a in act_index.acts_of(book)]


def find_act(book: Rulebook, name: str) -> Act | None:
    wanted = name.lower()
    return next((a for a in act_index.acts_of(book)
                 if wanted == a.name.lower() or wanted in (alias.lower() for alias in a.aliases)), None)


def close_act(book: Rulebook, name: str) -> str | None:
    close = difflib.get_close_matches(name, [a.name for a in act_index.acts_of(book)], n=1)
    return close[0] if close else None


@functools.lru_cache(maxsize=4)
def _coverage(book: Rulebook) -> list[citation_coverage.VersionCoverage]:
    return citation_coverage.coverage(book.checked.ruleset)


def act_detail(book: Rulebook, act: Act) -> dict[str, Any]:
    """An act: each version with its chapters and paragraphs, and which rules cite each."""
    versions = [item for item in _coverage(book) if item.act == act.name]
    return {"act": act.name, "aliases": list(act.aliases), "title": dict(act.title),
            "versions": [_version_detail(item) for item in versions]}


def _version_detail(item: citation_coverage.VersionCoverage) -> dict[str, Any]:
    numbering = item.version.numbering
    paragraphs = [{"paragraph": str(n), "title": dict(p.title) if (p := numbering.paragraphs.get(n)) else None,
                   "repealed": _day(p.repealed) if p else None, "rules": list(rules_)}
                  for n, rules_ in item.paragraphs.items()]
    chapters = [{"chapter": str(c.number), "title": dict(c.title), "first": str(c.first), "last": str(c.last),
                 "rules": list(item.chapters.get(c.number, ()))} for c in numbering.chapters]
    return {**version_data(item.version), "chapters": chapters, "paragraphs": paragraphs}
