"""Plain-text layout of a report: the decision, or one rule's trace, for a terminal."""
from __future__ import annotations

from engine.report.sentences import Cite, Failed, Obligation, Report, Step


def cite_line(cite: Cite) -> str:
    return f"{cite.full} {cite.eli or ''}".rstrip()


def decision(report: Report) -> str:
    w = report.w
    lines = [f"{w['decision']}: {w['case']} {report.case}, {w['as_of']} {report.as_of}, "
             f"{w['municipality']} {report.municipality or '-'}",
             f"{w['rulebook']}: {report.fingerprint[:19]}… (paragraf {report.engine_version})"]
    if report.proposals:
        lines.append(f"{w['proposals']}: {', '.join(report.proposals)}")
    if report.notices:
        lines += ["", w["notices"]] + [f"  ! {notice}" for notice in report.notices]
    lines += ["", w["obligations"]]
    for item in report.obligations:
        lines += obligation_lines(item, report)
    if report.exemptions:
        lines += ["", w["exemptions"]]
        for exemption in report.exemptions:
            lines.append(f"  {exemption.rule}: {exemption.title}")
            lines += [f"      {w['basis']}: {cite_line(c)}" for c in exemption.cites]
            lines.append(f"      {w['lifts']}: {', '.join(exemption.lifts)}")
            lines.append(f"      {w['lifted']}: {', '.join(exemption.lifted) or w['none']}")
    lines += ["", w["values"]] + [f"  {v.name} = {v.value}" for v in report.values]
    if report.missing:
        lines += ["", w["missing"]] + [f"  {name}" for name in report.missing]
    return "\n".join(lines) + "\n"


def obligation_lines(item: Obligation, report: Report) -> list[str]:
    w = report.w
    lines = [f"  [{item.status_word.upper()}] {item.rule}", f"      {item.sentence}"]
    facts = [item.actor] + ([f"{w['due']} {item.due}"] if item.due else [])
    if item.fulfilled and item.status == "applies":
        facts.append(f"{w['fulfilment']}: {item.fulfilled}")
    lines.append("      " + " · ".join(facts))
    lines += [f"      {w['basis']}: {cite_line(c)}" for c in item.cites]
    if item.facts:
        lines.append(f"      {w['facts']}: " + "; ".join(f"{f.name} = {f.value}" for f in item.facts))
    if item.exempted_by:
        lines.append(f"      {w['exempted_by']} {item.exempted_by.rule}: "
                     + "; ".join(cite_line(c) for c in item.exempted_by.cites))
    for part in item.failed:
        lines += failed_lines(part, "      ")
    return lines


def failed_lines(part: Failed, pad: str) -> list[str]:
    lines = [f"{pad}✗ {part.sentence}   ({part.at})"]
    lines += [f"{pad}    {fact.name} = {fact.value}" for fact in part.facts]
    return lines


def explain(report: Report, node: Step, item: Obligation | None) -> str:
    """One rule's trace: its step and every step it built on, then its due date and exemption."""
    w = report.w
    lines = [f"{w['decision']}: {w['case']} {report.case}, {w['as_of']} {report.as_of}", ""]
    lines += step_lines(node, w, depth=0)
    if item and item.status in ("applies", "exempted", "unknown"):
        lines.append(f"{w['due']}: {item.due or w['unknown']}")
    if item and item.fulfilled:
        lines.append(f"{w['fulfilment']}: {item.fulfilled}")
    if item and item.exempted_by:
        lines.append(f"{w['exempted_by']} {item.exempted_by.rule}: {item.exempted_by.title}")
        lines += [f"  {w['basis']}: {cite_line(c)}" for c in item.exempted_by.cites]
    return "\n".join(lines) + "\n"


def step_lines(node: Step, w: dict[str, str], depth: int) -> list[str]:
    pad = "    " * depth
    lines = [f"{pad}{node.rule}: {node.outcome}   ({node.at})", f"{pad}  {node.sentence}"]
    lines += [f"{pad}  {w['basis']}: {cite_line(c)}" for c in node.cites]
    if node.note and depth == 0:
        lines.append(f"{pad}  {w['note']}: {node.note}")
    if node.confidence:
        lines.append(f"{pad}  {w['confidence']}: {node.confidence}")
    if node.failed:
        lines.append(f"{pad}  {w['failed']}:")
        for part in node.failed:
            lines += failed_lines(part, pad + "    ")
            lines += [f"{pad}        {w['basis']}: {cite_line(c)}" for c in part.cites]
    if node.missing:
        lines.append(f"{pad}  {w['missing']}: {', '.join(node.missing)}")
    if node.facts:
        lines.append(f"{pad}  {w['facts']}:")
        lines += [f"{pad}    {fact.name} = {fact.value}" for fact in node.facts]
    if node.children:
        lines.append(f"{pad}  {w['depends']}:")
        for child in node.children:
            lines += step_lines(child, w, depth + 1)
    return lines
