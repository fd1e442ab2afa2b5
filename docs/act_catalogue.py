"""The law catalogue: one page per act of `legal_refs/`, paragraph by paragraph, with the rules
implementing each paragraph, and a page of the paragraphs no rule covers.

Called by `catalogue_gen.generate` on every build. Which scenarios exercise a rule comes from
running `tests/scenarios/` through the coverage recorder (`engine.officer.scenario_coverage`) at build time: a
scenario is listed under a rule when the rule applied in that scenario's decision.
"""
from __future__ import annotations

from pathlib import Path

import engine
from engine.lang import ast
from engine.officer import scenarios as testing
from engine.lang.citations import Citation, Number
from engine.officer.scenario_coverage import Coverage
from engine.law.legal_refs import FAR_FUTURE, Act, Numbering, Version
from engine.law.model import Rule
from engine.officer.verbalise import verbalise

REPO = Path(__file__).resolve().parent.parent
SCENARIOS = REPO / "tests" / "scenarios"
SHOWN_SCENARIOS = 6


def act_pages(book: engine.Rulebook, esc) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """`act-<name>.md` for every act, and `uncovered.md`."""
    exercised = scenarios_by_rule(book)
    acts = sorted({id(a): a for a in book.checked.legal_refs.acts.values()}.values(), key=lambda a: a.name.lower())
    rules = [r for r in book.checked.ruleset.rules if r.refs]
    pages = {f"act-{slug(act.name)}.md": act_page(act, rules, book, exercised, esc) for act in acts}
    pages["uncovered.md"] = uncovered_page(acts, rules, book, esc)
    return pages


def slug(name: str) -> str:
    """A file name for an act: lower case ASCII (`finansieringsbekendtgørelsen` -> `...goerelsen`)."""
    text = name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return "".join(c if c.isascii() and c.isalnum() else "-" for c in text)


def scenarios_by_rule(book: engine.Rulebook) -> dict[str, tuple[str, ...]]:
    """Rule id -> the scenarios (file:line name) in which the rule applied."""
    recorder = Coverage()
    testing.run_paths(book, [SCENARIOS], recorder)  # failures are the test suite's business
    return {rule: tuple(sorted(_relative(label) for label in labels)) for rule, labels in recorder.applied.items()}


def _relative(label: str) -> str:
    return label.replace(str(REPO) + "/", "")


def numberings(act: Act) -> list[tuple[Numbering, list[Version]]]:
    """Each numbering of the act with the versions that use it, in order of first use."""
    groups: dict[str, tuple[Numbering, list[Version]]] = {}
    for version in act.versions:
        groups.setdefault(version.numbering.name, (version.numbering, []))[1].append(version)
    return list(groups.values())


def implements(rule: Rule, paragraph: Number, act: Act, versions: list[Version], book: engine.Rulebook) -> bool:
    """The rule cites the paragraph (directly, in a range, or through its chapter) while a version is in force."""
    refs = book.checked.legal_refs
    start, end = rule.window
    live = [v for v in versions if v.start <= end and (v.end or FAR_FUTURE) >= start]
    return any(refs.act_of(c) is act and _covers(c, paragraph, v.numbering) for c in rule.refs for v in live)


def _covers(citation: Citation, paragraph: Number, numbering: Numbering) -> bool:
    if citation.kind == "paragraph":
        return citation.first <= paragraph <= citation.last
    chapter = numbering.chapter_of(paragraph)
    return chapter is not None and citation.first <= chapter.number <= citation.last


def paragraphs_of(numbering: Numbering, act: Act, rules: list[Rule], book: engine.Rulebook) -> list[Number]:
    """The paragraphs legal_refs lists, and any a rule cites that it does not list (chapter ranges)."""
    refs = book.checked.legal_refs
    cited = {c.first for r in rules for c in r.refs
             if c.kind == "paragraph" and refs.act_of(c) is act and numbering.has_paragraph(c.first)}
    return sorted(set(numbering.paragraphs) | cited)


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
        lines += rule_entry(rule, _nearest_first(rule, exercised.get(rule.id, ())), esc, book)
    return lines


def _nearest_first(rule: Rule, scenarios: tuple[str, ...]) -> tuple[str, ...]:
    """Scenarios from the file mirroring the rule's file (tests/scenarios/lab/x.yaml for rules/lab/x.yaml) first."""
    mirror = "scenarios/" + rule.path.split("rules/", 1)[-1]
    return tuple(sorted(scenarios, key=lambda s: (mirror not in s, s)))


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
