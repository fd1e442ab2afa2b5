"""Markdown layout of a report: tables for the summary, folded `<details>` for the trace."""
from __future__ import annotations

from engine.report.sentences import Cite, Obligation, Report, Step


def escape(text: str) -> str:
    """Text safe inside a Markdown table cell or list item."""
    for char in "\\|*`[]<>":  # not _: GitHub-flavoured Markdown leaves intraword underscores alone
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " ")


def code(text: str) -> str:
    """A code span; fenced with two backticks when the text holds one."""
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}"


def link(cite: Cite) -> str:
    label = escape(cite.full)
    return f"[{label}]({cite.eli})" if cite.eli else label


def decision(report: Report) -> str:
    w = report.w
    lines = [f"# {w['decision']}: {w['case']} {escape(report.case)}", "",
             "| | |", "|---|---|",
             f"| {w['as_of']} | {report.as_of} |", f"| {w['municipality']} | {report.municipality or '-'} |",
             f"| {w['rulebook']} | `{report.fingerprint}` (paragraf {escape(report.engine_version)}) |",
             f"| {w['case_digest']} | `{report.case_digest}` |"]
    if report.proposals:
        lines.append(f"| {w['proposals']} | {escape(', '.join(report.proposals))} |")
    if report.notices:
        lines += ["", f"## {w['notices']}", ""] + [f"- {escape(notice)}" for notice in report.notices]
    lines += ["", f"## {w['obligations']}", "",
              f"| {w['status']} | {w['rule']} | {w['reason']} | {w['due'].capitalize()} | {w['basis']} |", "|---|---|---|---|---|"]
    lines += [obligation_row(item) for item in report.obligations]
    lines += failed_sections(report)
    if report.exemptions:
        lines += ["", f"## {w['exemptions']}", ""]
        for exemption in report.exemptions:
            lines.append(f"- **`{exemption.rule}`**: {escape(exemption.sentence)} "
                         f"{w['basis']}: {', '.join(link(c) for c in exemption.cites)}")
    lines += ["", f"## {w['values']}", ""] + [f"- `{v.name}` = {escape(v.value)}" for v in report.values]
    if report.missing:
        lines += ["", f"## {w['missing']}", ""] + [f"- `{name}`" for name in report.missing]
    lines += ["", f"## {w['trace']}", ""]
    for node in report.steps:
        lines += step_lines(node, w)
    return "\n".join(lines) + "\n"


def obligation_row(item: Obligation) -> str:
    basis = ", ".join(link(c) for c in item.cites)
    return f"| {item.status_word} | `{item.rule}` | {escape(item.sentence)} | {item.due or ''} | {basis} |"


def failed_sections(report: Report) -> list[str]:
    """For obligations that do not apply: which condition failed, with the facts it read."""
    lines: list[str] = []
    for item in report.obligations:
        if not item.failed:
            continue
        lines += ["", f"**`{item.rule}`**: {report.w['failed']}", ""]
        for part in item.failed:
            facts = ", ".join(f"`{f.name}` = {escape(f.value)}" for f in part.facts)
            lines.append(f"- {code(part.expr)} ({escape(part.at)})" + (f": {facts}" if facts else ""))
    return lines


def step_lines(node: Step, w: dict[str, str]) -> list[str]:
    lines = ["<details>", f"<summary><code>{node.rule}</code>: {_html(node.outcome)}</summary>", "",
             f"{escape(node.sentence)} ({escape(node.at)})", ""]
    lines += [f"- {w['basis']}: {link(c)}" for c in node.cites]
    lines += [f"- ✗ {escape(p.sentence)} ({escape(p.at)})" for p in node.failed]
    if node.missing:
        lines.append(f"- {w['missing']}: {', '.join(f'`{m}`' for m in node.missing)}")
    lines += [f"- `{f.name}` = {escape(f.value)}" for f in node.facts]
    if node.confidence:
        lines.append(f"- {w['confidence']}: {node.confidence}")
    lines.append("")
    for child in node.children:
        lines += step_lines(child, w)
    return lines + ["</details>", ""]


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
