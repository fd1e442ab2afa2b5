"""The law catalogue: one page per act of `legal_refs/`, paragraph by paragraph, with the rules
implementing each paragraph, and a page of the paragraphs no rule covers.

Called by `catalogue_gen.generate` on every build. Which rules implement which paragraph, and
which scenarios of `tests/scenarios/` exercised each rule, come from the engine
(`engine.officer.act_index`), which the web service's law pages use too.
"""
from __future__ import annotations

from pathlib import Path

import engine
from engine.lang import ast
from engine.lang.citations import Number
from engine.law.legal_refs import Act, Numbering, Version
from engine.law.model import Rule
from engine.officer.act_index import (acts_of, citing_rules, implements, nearest_first, numberings,
                                      paragraphs_of, scenarios_by_rule, slug)
from engine.officer.verbalise import verbalise

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "tests" / "scenarios"
SHOWN_SCENARIOS = 6


def act_pages(book: engine.Rulebook, esc) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """`act-<name>.md` for every act, and `uncovered.md`."""
    exercised = scenarios_by_rule(book, SCENARIOS, REPO)
    acts = acts_of(book)
    rules = citing_rules(book)
    pages = {f"act-{slug(act.name)}.md": act_page(act, rules, book, exercised, esc) for act in acts}
    pages["uncovered.md"] = uncovered_page(acts, rules, book, esc)
    return pages


def act_page(act: Act, rules: list[Rule], book: engine.Rulebook, exercised: dict[str, tuple[str, ...]], esc) -> str:  # type: ignore[no-untyped-def]
    lines = [f"# {esc(act.name)}", "", f"*{esc(act.title.get('da', ''))}* / {esc(act.title.get('en', ''))}", "",
             "Generated from `legal_refs/` and `rules/` when the documentation was built.", "",
             "| version | in force | ELI |", "|---|---|---|"]
    lines += [f"| {esc(v.designation)} | {v.start} to {v.end or 'today'} | <{v.eli}> |" for v in act.versions]
    for numbering, versions in numberings(act):
        shown = ", ".join(esc(v.short) for v in versions)
        lines += ["", f"## Paragraphs as numbered in {shown}", ""]
        for number in paragraphs_of(numbering, act, rules, book):
            lines += paragraph_section(number, numbering, versions, act, rules, book, exercised, esc)
    return "\n".join(lines) + "\n"


def paragraph_section(number: Number, numbering: Numbering, versions: list[Version], act: Act, rules: list[Rule],
                      book: engine.Rulebook, exercised: dict[str, tuple[str, ...]], esc) -> list[str]:  # type: ignore[no-untyped-def]
    paragraph = numbering.paragraphs.get(number)
    title = f" {esc(paragraph.title.get('da', ''))} / {esc(paragraph.title.get('en', ''))}" if paragraph else ""
    repealed = " (repealed)" if paragraph is not None and paragraph.repealed is not None else ""
    lines = [f"### § {number}{repealed}", "", f"{title.strip() or '(no title in legal_refs)'}", "",
             "ELI: " + ", ".join(f"<{v.eli}>" for v in versions), ""]
    implementing = [r for r in rules if implements(r, number, act, versions, book)]
    if not implementing:
        return lines + ["No rule implements this paragraph.", ""]
    for rule in implementing:
        lines += rule_entry(rule, nearest_first(rule, exercised.get(rule.id, ())), esc, book)
    return lines


def rule_entry(rule: Rule, scenarios: tuple[str, ...], esc, book: engine.Rulebook) -> list[str]:  # type: ignore[no-untyped-def]
    window = f"{rule.valid_from or 'open'} to {rule.valid_to or 'open'}"
    cites = ", ".join(esc(c.text) for c in rule.refs)
    lines = [f"- {{ref}}`{rule.id} <rule-{rule.id}>` ({rule.kind}, cites {cites}, valid {window})",
             f"  - da: {esc(rule.title.get('da', ''))}", f"  - en: {esc(rule.title.get('en', ''))}"]
    for field, node in rule.expressions():
        lines.append(f"  - {field}: `{ast.to_source(node).replace('`', '')}`")
        if field in ("when", "fulfilled"):
            lines += [f"    - {lang}: {_words(verbalise(node, book.checked, lang), esc)}" for lang in ("da", "en")]
    if rule.kind == "input":
        return lines
    shown = [f"`{s.replace('`', '')}`" for s in scenarios[:SHOWN_SCENARIOS]]
    more = f" and {len(scenarios) - SHOWN_SCENARIOS} more" if len(scenarios) > SHOWN_SCENARIOS else ""
    lines.append(f"  - scenarios where it applied: {', '.join(shown) + more if shown else '**none**'}")
    return lines


def _words(text: str, esc) -> str:  # type: ignore[no-untyped-def]
    """Verbalised text: escaped for Markdown, except the `code` spans it keeps."""
    parts = text.split("`")
    return "".join(f"`{p}`" if i % 2 else esc(p) for i, p in enumerate(parts))


def uncovered_page(acts: list[Act], rules: list[Rule], book: engine.Rulebook, esc) -> str:  # type: ignore[no-untyped-def]
    lines = ["# Paragraphs no rule covers", "",
             "For each act and numbering, the paragraphs `legal_refs/` lists that no rule cites (directly, in a "
             "range, or through its chapter). Generated on every build.", ""]
    for act in acts:
        lines += [f"## {esc(act.name)}", ""]
        for numbering, versions in numberings(act):
            missing = [n for n in paragraphs_of(numbering, act, rules, book)
                       if not any(implements(r, n, act, versions, book) for r in rules)]
            total = len(paragraphs_of(numbering, act, rules, book))
            shown = ", ".join(esc(v.short) for v in versions)
            listed = ", ".join(f"§ {n}" for n in missing) or "none"
            lines += [f"- numbered as in {shown}: {len(missing)} of {total} paragraphs uncovered: {listed}"]
        lines.append("")
    return "\n".join(lines) + "\n"
