"""Which paragraphs and chapters of each act version the rules cite, and which they do not.

`coverage(ruleset)` walks every act version in `legal_refs/` and every citation of every rule
(its `ref` and an exemption's `lifts`). A citation counts for a version when the rule's validity
window overlaps the version's in-force window (a pinned citation such as `BEK 1184/2019 § 23`
counts only for its own version). A paragraph range (`§§ 31-34`) cites every paragraph of the
version inside it; a chapter citation (`kap. 7`) cites the chapter. A chapter also counts as
cited when one of its paragraphs is. `render_text` and `to_json` present the result.
"""
from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import attrs

from engine.lang.citations import Citation, Number
from engine.law.legal_refs import FAR_FUTURE, LegalRefs, Numbering, Version
from engine.law.model import Rule, RuleSet

SCHEMA = "paragraf/coverage@1"


@attrs.frozen
class VersionCoverage:
    """One act version: each paragraph and chapter with the ids of the rules citing it."""

    act: str
    version: Version
    paragraphs: dict[Number, tuple[str, ...]]   # every paragraph of the version → citing rule ids
    chapters: dict[Number, tuple[str, ...]]     # every chapter of the version → citing rule ids

    def cited(self, table: dict[Number, tuple[str, ...]]) -> list[Number]:
        return [n for n, rules in table.items() if rules]

    def uncited(self, table: dict[Number, tuple[str, ...]]) -> list[Number]:
        return [n for n, rules in table.items() if not rules]


def coverage(ruleset: RuleSet) -> list[VersionCoverage]:
    """Per act version in `legal_refs/` (acts by name, versions by start date), what the rules cite."""
    refs = ruleset.legal_refs
    acts = sorted({act.name: act for act in refs.acts.values()}.values(), key=lambda a: a.name.lower())
    citations = list(_citations(ruleset.rules))
    return [_version_coverage(act.name, version, citations, refs)
            for act in acts for version in sorted(act.versions, key=lambda v: v.start)]


def _citations(rules: Iterable[Rule]) -> Iterable[tuple[Rule, Citation]]:
    for rule in rules:
        for citation in rule.refs:
            yield rule, citation
        for lift in rule.lifts:
            if lift.citation is not None:
                yield rule, lift.citation


def _version_coverage(act: str, version: Version, citations: list[tuple[Rule, Citation]],
                      refs: LegalRefs) -> VersionCoverage:
    numbering = version.numbering
    paragraphs: dict[Number, set[str]] = {n: set() for n in paragraphs_of(numbering)}
    chapters: dict[Number, set[str]] = {c.number: set() for c in numbering.chapters}
    for rule, citation in citations:
        if not _applies(rule, citation, version, refs):
            continue
        if citation.kind == "chapter":
            _mark(chapters, citation, rule.id)
            continue
        for number in _mark(paragraphs, citation, rule.id):
            chapter = numbering.chapter_of(number)
            if chapter is not None:
                chapters[chapter.number].add(rule.id)
    return VersionCoverage(act, version, _frozen(paragraphs), _frozen(chapters))


def _mark(table: dict[Number, set[str]], citation: Citation, rule_id: str) -> list[Number]:
    """Record the rule against every entry of the table inside the citation's range; return those entries."""
    inside = [number for number in table if citation.first <= number <= citation.last]
    for number in inside:
        table[number].add(rule_id)
    return inside


def _frozen(table: dict[Number, set[str]]) -> dict[Number, tuple[str, ...]]:
    return {n: tuple(sorted(table[n])) for n in sorted(table)}


def _applies(rule: Rule, citation: Citation, version: Version, refs: LegalRefs) -> bool:
    """Whether the citation names this act version during the rule's window."""
    if citation.pinned:
        return citation.pinned == version.short
    act = refs.act_of(citation)
    if act is None or act.name != version.act:
        return False
    start, end = rule.window
    return start <= (version.end or FAR_FUTURE) and version.start <= end


def paragraphs_of(numbering: Numbering) -> list[Number]:
    """The paragraphs a numbering knows: those listed, and every whole number inside a chapter's
    range with the chapter's lettered first and last paragraph (as `Numbering.has_paragraph`)."""
    found = set(numbering.paragraphs)
    for chapter in numbering.chapters:
        found |= {chapter.first, chapter.last}
        found |= {Number(n) for n in range(chapter.first.number + (1 if chapter.first.letter else 0),
                                            chapter.last.number + 1)}
    return sorted(n for n in found if numbering.has_paragraph(n))


# -- presentation ----------------------------------------------------------------------------

def _window(version: Version) -> str:
    return f"{version.start} to {version.end or 'today'}"


def _numbers(numbers: list[Number], prefix: str) -> str:
    return ", ".join(f"{prefix} {n}" for n in numbers) if numbers else "none"


def render_text(report: list[VersionCoverage]) -> str:
    """The report as text: per act version, the cited paragraphs with their rules, then the rest."""
    lines: list[str] = []
    for item in report:
        cited_p, cited_c = item.cited(item.paragraphs), item.cited(item.chapters)
        lines.append(f"{item.act}: {item.version.designation} ({_window(item.version)})")
        lines.append(f"  paragraphs cited: {len(cited_p)} of {len(item.paragraphs)}")
        lines += [f"    § {n}: {', '.join(item.paragraphs[n])}" for n in cited_p]
        lines.append(f"  paragraphs not cited: {_numbers(item.uncited(item.paragraphs), '§')}")
        lines.append(f"  chapters cited: {len(cited_c)} of {len(item.chapters)}: {_numbers(cited_c, 'kap.')}")
        lines.append(f"  chapters not cited: {_numbers(item.uncited(item.chapters), 'kap.')}")
        lines.append("")
    cited = sum(len(i.cited(i.paragraphs)) for i in report)
    total = sum(len(i.paragraphs) for i in report)
    lines.append(f"{len(report)} act versions; {cited} of {total} paragraph entries cited")
    return "\n".join(lines) + "\n"


def to_data(report: list[VersionCoverage]) -> dict[str, Any]:
    """The report as plain data (the `paragraf/coverage@1` JSON form)."""
    acts: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in report:
        acts[item.act].append({
            "designation": item.version.designation, "short": item.version.short, "eli": item.version.eli,
            "in_force_from": item.version.start.isoformat(),
            "in_force_to": item.version.end.isoformat() if item.version.end else None,
            "paragraphs": _section(item, item.paragraphs), "chapters": _section(item, item.chapters),
        })
    return {"schema": SCHEMA, "acts": [{"act": name, "versions": versions} for name, versions in acts.items()]}


def _section(item: VersionCoverage, table: dict[Number, tuple[str, ...]]) -> dict[str, Any]:
    return {"cited": {str(n): list(table[n]) for n in item.cited(table)},
            "not_cited": [str(n) for n in item.uncited(table)],
            "count": len(table), "cited_count": len(item.cited(table))}


def to_json(report: list[VersionCoverage]) -> str:
    return json.dumps(to_data(report), ensure_ascii=False, indent=2) + "\n"

