"""Renders decisions, traces and diagnostics. Reads recorded data only; computes nothing."""
from __future__ import annotations

import json
import os
from typing import Any

from engine.decision import Decision
from engine.errors import Diagnostic
from engine.source import SourceCache, Span
from engine.trace import TraceNode

WORDS: dict[str, dict[str, str]] = {
    "da": {
        "decision": "Afgørelse", "case": "sag", "as_of": "pr.", "municipality": "kommune", "rulebook": "Regelsæt",
        "obligations": "Forpligtelser", "applies": "gælder", "exempted": "fritaget", "not_applicable": "gælder ikke",
        "unknown": "ukendt", "due": "frist", "by": "af", "exempted_by": "fritaget efter", "exemptions": "Fritagelser i kraft",
        "values": "Værdier", "missing": "Manglende oplysninger", "basis": "Hjemmel", "failed": "Betingelsen er ikke opfyldt",
        "facts": "Oplysninger brugt", "depends": "Bygger på", "lifts": "løfter", "none": "ingen", "fulfilled": "opfyldt",
        "open": "ikke opfyldt", "fulfilment": "opfyldelse", "holds": "gælder", "value": "værdi", "note": "note",
        "confidence": "sikkerhed", "proposals": "Forslag slået til", "no_rule": "ingen regel", "at": "i",
        "lifted": "fritager for",
    },
    "en": {
        "decision": "Decision", "case": "case", "as_of": "as of", "municipality": "municipality", "rulebook": "Rulebook",
        "obligations": "Obligations", "applies": "applies", "exempted": "exempted", "not_applicable": "does not apply",
        "unknown": "unknown", "due": "due", "by": "by", "exempted_by": "exempted by", "exemptions": "Exemptions in force",
        "values": "Values", "missing": "Missing facts", "basis": "Legal basis", "failed": "The condition does not hold",
        "facts": "Facts used", "depends": "Depends on", "lifts": "lifts", "none": "none", "fulfilled": "fulfilled",
        "open": "not fulfilled", "fulfilment": "fulfilment", "holds": "holds", "value": "value", "note": "note",
        "confidence": "confidence", "proposals": "Proposals switched on", "no_rule": "no rule", "at": "at",
        "lifted": "lifted here",
    },
}
FORMATS = ("text", "json")


def render(decision: Decision, rule_id: str | None = None, format: str = "text", lang: str = "da") -> str:
    """The whole decision, or the part of it about one rule."""
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    if lang not in WORDS:
        raise ValueError(f"unknown language {lang!r}; use da or en")
    if rule_id is None:
        return decision.to_json() if format == "json" else _decision_text(decision, WORDS[lang], lang)
    node = decision.node(rule_id)
    if node is None:
        raise KeyError(rule_id)
    if format == "json":
        return json.dumps(node.to_json(), sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    return _explain_text(decision, node, WORDS[lang], lang)


def _cite(basis: dict[str, Any]) -> str:
    version = f" ({basis['version']})" if basis.get("version") else ""
    return f"{basis['cite']}{version} {basis.get('eli') or ''}".rstrip()


def _decision_text(decision: Decision, w: dict[str, str], lang: str) -> str:
    lines = [f"{w['decision']}: {w['case']} {decision.case}, {w['as_of']} {decision.as_of}, "
             f"{w['municipality']} {decision.municipality or '-'}",
             f"{w['rulebook']}: {decision.rulebook['fingerprint'][:19]}… (paragraf {decision.rulebook['engine_version']})"]
    if decision.proposals:
        lines.append(f"{w['proposals']}: {', '.join(decision.proposals)}")
    lines += ["", w["obligations"]]
    for obligation in decision.obligations:
        lines += _obligation_lines(obligation, w, lang)
    if decision.exemptions:
        lines += ["", w["exemptions"]]
        for exemption in decision.exemptions:
            lines.append(f"  {exemption['rule']}: {exemption['title'][lang]}")
            lines += [f"      {w['basis']}: {_cite(b)}" for b in exemption["legal_basis"]]
            lines.append(f"      {w['lifts']}: {', '.join(exemption['lifts'])}")
            lines.append(f"      {w['lifted']}: {', '.join(exemption['lifted_obligations']) or w['none']}")
    lines += ["", w["values"]]
    lines += [f"  {name} = {_show(value, w)}" for name, value in sorted(decision.values.items())]
    lines += [f"  {name} = {w['unknown']}" for name in decision.unknown_values]
    if decision.missing:
        lines += ["", w["missing"]] + [f"  {name}" for name in decision.missing]
    return "\n".join(lines) + "\n"


def _obligation_lines(obligation: dict[str, Any], w: dict[str, str], lang: str) -> list[str]:
    status = w[obligation["status"]].upper()
    lines = [f"  [{status}] {obligation['rule']}", f"      {obligation['title'][lang]}"]
    facts = [f"{obligation['actor']}"]
    if obligation.get("due"):
        facts.append(f"{w['due']} {obligation['due']}")
    if "fulfilled" in obligation and obligation["status"] == "applies":
        facts.append(f"{w['fulfilment']}: {_fulfilment(obligation['fulfilled'], w)}")
    lines.append("      " + " · ".join(facts))
    lines += [f"      {w['basis']}: {_cite(b)}" for b in obligation["legal_basis"]]
    if obligation["status"] == "exempted":
        exempted = obligation["exempted_by"]
        lines.append(f"      {w['exempted_by']} {exempted['rule']}: "
                     + "; ".join(_cite(b) for b in exempted["legal_basis"]))
    return lines


def _fulfilment(value: Any, w: dict[str, str]) -> str:
    return w["unknown"] if value is None else w["fulfilled"] if value else w["open"]


def _show(value: Any, w: dict[str, str]) -> str:
    if value is None:
        return w["none"]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list) and all(isinstance(e, dict) for e in value):  # recorded events, offers as date..end
        return ", ".join(" ".join(str(v) for v in (_dates(e), e.get("kind")) if v) for e in value) or "[]"
    if isinstance(value, list):  # a set of codes or numbers
        return "{" + ", ".join(_show(v, w) for v in value) + "}"
    return str(value)


def _dates(event: dict[str, Any]) -> str | None:
    return f"{event['date']}..{event['end']}" if event.get("end") else event.get("date")


def _explain_text(decision: Decision, node: TraceNode, w: dict[str, str], lang: str) -> str:
    lines = [f"{w['decision']}: {w['case']} {decision.case}, {w['as_of']} {decision.as_of}", ""]
    lines += _node_lines(node, w, lang, depth=0)
    obligation = decision.obligation(node.rule)
    if obligation and obligation["status"] in ("applies", "exempted", "unknown"):
        lines.append(f"{w['due']}: {obligation['due'] or w['unknown']}")
    if obligation and "fulfilled" in obligation:
        lines.append(f"{w['fulfilment']}: {_fulfilment(obligation['fulfilled'], w)}")
    if obligation and obligation["status"] == "exempted":
        exempted = obligation["exempted_by"]
        lines.append(f"{w['exempted_by']} {exempted['rule']}: {exempted['title'][lang]}")
        lines += [f"  {w['basis']}: {_cite(b)}" for b in exempted["legal_basis"]]
    return "\n".join(lines) + "\n"


def _node_lines(node: TraceNode, w: dict[str, str], lang: str, depth: int) -> list[str]:
    pad = "    " * depth
    value = w.get(node.value, node.value) if node.kind == "obligation" else _show(node.value, w)
    lines = [f"{pad}{node.rule}: {value}   ({node.at})", f"{pad}  {node.title.get(lang, '')}"]
    lines += [f"{pad}  {w['basis']}: {_cite(b)}" for b in node.cites]
    if node.note and depth == 0:
        lines.append(f"{pad}  {w['note']}: {node.note}")
    if node.confidence:
        lines.append(f"{pad}  {w['confidence']}: {node.confidence}")
    if node.failed:
        lines.append(f"{pad}  {w['failed']}:")
        for part in node.failed:
            lines.append(f"{pad}    ✗ {part.expr}   ({part.at})")
            lines += [f"{pad}        {name} = {_show(v, w)}" for name, v in part.facts.items()]
            lines += [f"{pad}        {w['basis']}: {_cite(b)}" for b in part.cites]
    if node.missing:
        lines.append(f"{pad}  {w['missing']}: {', '.join(node.missing)}")
    if node.inputs:
        lines.append(f"{pad}  {w['facts']}:")
        lines += [f"{pad}    {name} = {_show(v, w)}" for name, v in node.inputs.items()]
    if node.children:
        lines.append(f"{pad}  {w['depends']}:")
        for child in node.children:
            lines += _node_lines(child, w, lang, depth + 1)
    return lines


def render_diagnostic(diagnostic: Diagnostic, sources: SourceCache | None = None, root: str | None = None) -> str:
    """`path:line:col: error[category]: message`, the source line, a caret under the span, and the hint.

    `root` is the rulebook folder as the user named it; paths are shown below it.
    """
    sources = sources or SourceCache()
    span = diagnostic.span

    def shown(other: Span) -> str:
        return f"{os.path.normpath(os.path.join(root, other.path)) if root else other.path}:{other.line}:{other.col}"

    where = f"{shown(span)}: " if span else ""
    lines = [f"{where}{diagnostic.severity}[{diagnostic.category}]: {diagnostic.message}"]
    if span:
        text = sources.line(span.path, span.line)
        if text is not None:
            width = (span.end_col - span.col) if span.end_line == span.line else len(text) - span.col + 1
            gutter = " " * len(str(span.line))
            lines.append(f" {span.line} | {text}")
            lines.append(f" {gutter} | {' ' * (span.col - 1)}{'^' * max(1, width)}")
    lines += [f"   note: see also {shown(other)}" for other in diagnostic.spans[1:]]
    suffix = f"   (rule {diagnostic.rule})" if diagnostic.rule else ""
    if diagnostic.hint or suffix:
        lines.append(f"   hint: {diagnostic.hint or ''}{suffix}".rstrip())
    return "\n".join(lines)
