"""Acts paragraph by paragraph: which rules implement each paragraph, and which scenarios exercised each rule.

Shared by the generated law catalogue of the docs (`docs/act_catalogue.py`) and the legal
officer's pages of the web service (`engine.interfaces.service`), so both list the same rules under the
same paragraphs. A rule implements a paragraph when one of its citations names it (directly,
in a range, or through its chapter) while an act version using that numbering is in force
during the rule's window. Which scenarios exercised a rule comes from running a scenario folder
through the coverage recorder (`scenario_coverage`): a scenario is listed under a rule when the
rule applied in that scenario's decision.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.lang.citations import Citation, Number
from engine.law.legal_refs import FAR_FUTURE, Act, Numbering, Version
from engine.law.model import Rule
from engine.officer import scenarios as testing
from engine.officer.scenario_coverage import Coverage


def acts_of(book: Any) -> list[Act]:
    """Every act of the rulebook's legal references once, by name."""
    return sorted({id(a): a for a in book.checked.legal_refs.acts.values()}.values(), key=lambda a: a.name.lower())


def slug(name: str) -> str:
    """A file or URL name for an act: lower case ASCII (`finansieringsbekendtgørelsen` -> `...goerelsen`)."""
    text = name.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return "".join(c if c.isascii() and c.isalnum() else "-" for c in text)


def citing_rules(book: Any) -> list[Rule]:
    """The rules that cite law (inputs without a `ref` are left out)."""
    return [r for r in book.checked.ruleset.rules if r.refs]


def numberings(act: Act) -> list[tuple[Numbering, list[Version]]]:
    """Each numbering of the act with the versions that use it, in order of first use."""
    groups: dict[str, tuple[Numbering, list[Version]]] = {}
    for version in act.versions:
        groups.setdefault(version.numbering.name, (version.numbering, []))[1].append(version)
    return list(groups.values())


def implements(rule: Rule, paragraph: Number, act: Act, versions: list[Version], book: Any) -> bool:
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


def paragraphs_of(numbering: Numbering, act: Act, rules: list[Rule], book: Any) -> list[Number]:
    """The paragraphs legal_refs lists, and any a rule cites that it does not list (chapter ranges)."""
    refs = book.checked.legal_refs
    cited = {c.first for r in rules for c in r.refs
             if c.kind == "paragraph" and refs.act_of(c) is act and numbering.has_paragraph(c.first)}
    return sorted(set(numbering.paragraphs) | cited)


def versions_for(rule: Rule, citation: Citation, refs: Any) -> list[Version]:
    """The act versions a citation resolves against during the rule's window."""
    if citation.pinned:
        return [refs.pinned[citation.pinned]] if citation.pinned in refs.pinned else []
    act = refs.act_of(citation)
    return act.versions_between(*rule.window) if act else []


def scenarios_by_rule(book: Any, folder: Path, root: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Rule id -> the scenarios (`file:line name`, the file relative to `root`) in which the rule applied."""
    recorder = Coverage()
    testing.run_paths(book, [folder], recorder)  # failures are the test suite's business
    prefix = f"{root}/" if root is not None else ""
    return {rule: tuple(sorted(label.replace(prefix, "", 1) if prefix else label for label in labels))
            for rule, labels in recorder.applied.items()}


def nearest_first(rule: Rule, scenarios: tuple[str, ...]) -> tuple[str, ...]:
    """Scenarios from the file mirroring the rule's file (tests/scenarios/lab/x.yaml for rules/lab/x.yaml) first."""
    mirror = "scenarios/" + rule.path.split("rules/", 1)[-1]
    return tuple(sorted(scenarios, key=lambda s: (mirror not in s, s)))
