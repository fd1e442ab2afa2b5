"""The acts in `legal_refs/`: versions, ELI, in-force windows, chapters and paragraphs.

`load_legal_refs` reads the folder; `LegalRefs.check_citation` tells whether a citation
resolves in every act version in force during a rule's window, and `legal_basis` gives
the version (with its ELI) in force on a given date.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable, Optional

import attrs

from engine.lang.citations import Citation, Number, parse_range
from engine.lang.errors import Diagnostic, EngineError
from engine.lang.source import SourceCache
from engine.lang.yamlsource import FieldReader, YNode, read_yaml

FAR_FUTURE = dt.date(9999, 12, 31)


@attrs.frozen
class Chapter:
    number: Number
    first: Number
    last: Number
    title: dict[str, str]

    def holds(self, paragraph: Number) -> bool:
        return self.first <= paragraph <= self.last


@attrs.frozen
class Paragraph:
    number: Number
    title: dict[str, str]
    stk: Optional[int] = None
    repealed: Optional[dt.date] = None  # repealed from this date (dt.date.min: in every version of the numbering)


@attrs.frozen
class Numbering:
    """How one line of versions numbers its chapters and paragraphs."""

    name: str
    chapters: tuple[Chapter, ...]
    paragraphs: dict[Number, Paragraph]

    def has_paragraph(self, number: Number) -> bool:
        if number in self.paragraphs:
            return True
        chapter = self.chapter_of(number)
        return chapter is not None and (not number.letter or number in (chapter.first, chapter.last))

    def chapter_of(self, paragraph: Number) -> Chapter | None:
        return next((c for c in self.chapters if c.holds(paragraph)), None)

    def has_chapter(self, number: Number) -> bool:
        return any(c.number == number for c in self.chapters)


@attrs.frozen
class Version:
    act: str
    designation: str
    short: str
    eli: str
    start: dt.date
    end: Optional[dt.date]
    numbering: Numbering
    note: Optional[str] = None
    confidence: Optional[str] = None

    def in_force(self, day: dt.date) -> bool:
        return self.start <= day <= (self.end or FAR_FUTURE)


@attrs.frozen
class Coverage:
    """The days an act's rules encode (`start` to `end`, `end` open), and since when the act
    itself is in force (`act_from`; None: since before any day a case asks about)."""

    start: dt.date
    end: Optional[dt.date] = None
    act_from: Optional[dt.date] = None

    def lacks(self, day: dt.date, act_to: Optional[dt.date]) -> bool:
        """Whether the act is in force on `day` but its rules do not encode that day."""
        in_force = (self.act_from or dt.date.min) <= day <= (act_to or FAR_FUTURE)
        return in_force and not self.start <= day <= (self.end or FAR_FUTURE)


@attrs.frozen
class Act:
    name: str
    aliases: tuple[str, ...]
    title: dict[str, str]
    versions: tuple[Version, ...]
    path: str
    coverage: Optional[Coverage] = None

    @property
    def repealed_after(self) -> dt.date | None:
        """The last day of the act's last version, when it has one (the act was repealed then)."""
        return self.versions[-1].end if self.versions else None

    def uncovered_on(self, day: dt.date) -> bool:
        return self.coverage is not None and self.coverage.lacks(day, self.repealed_after)

    def version_on(self, day: dt.date) -> Version | None:
        return next((v for v in self.versions if v.in_force(day)), None)

    def versions_between(self, start: dt.date, end: dt.date) -> list[Version]:
        return [v for v in self.versions if v.start <= end and (v.end or FAR_FUTURE) >= start]


@attrs.frozen
class LegalRefs:
    acts: dict[str, Act]          # by short name and by alias
    pinned: dict[str, Version]    # by a version's short designation ("BEK 1184/2019")

    def act_of(self, citation: Citation) -> Act | None:
        if citation.pinned:
            version = self.pinned.get(citation.pinned)
            return self.acts.get(version.act) if version else None
        return self.acts.get(citation.act or "")

    def version_on(self, citation: Citation, day: dt.date) -> Version | None:
        if citation.pinned:
            return self.pinned.get(citation.pinned)
        act = self.act_of(citation)
        return act.version_on(day) if act else None

    def not_covered(self, day: dt.date) -> list[Act]:
        """The acts in force on `day` whose rules do not encode it, by name."""
        unique = {act.name: act for act in self.acts.values()}
        return [unique[name] for name in sorted(unique) if unique[name].uncovered_on(day)]

    def legal_basis(self, citation: Citation, day: dt.date) -> dict[str, str | None]:
        """The citation as a decision shows it: the text, the act version in force and its ELI."""
        version = self.version_on(citation, day)
        act = self.act_of(citation)
        return {
            "cite": citation.text,
            "act": act.name if act else citation.act,
            "version": version.designation if version else None,
            "eli": version.eli if version else None,
        }

    def covers(self, lift: Citation, cite: Citation, day: dt.date) -> bool:
        """Whether the exemption citation `lift` takes in the obligation citation `cite` on `day`."""
        if self.act_of(lift) is None or self.act_of(lift) != self.act_of(cite):
            return False
        if lift.kind == "paragraph":
            return cite.kind == "paragraph" and all(
                lift.covers_paragraph(p, cite.stk, cite.nr) for p in (cite.first, cite.last))
        if cite.kind == "chapter":
            return lift.first <= cite.first and cite.last <= lift.last
        version = self.version_on(cite, day)
        if version is None:
            return False
        chapters = [version.numbering.chapter_of(p) for p in (cite.first, cite.last)]
        return all(c is not None and lift.first <= c.number <= lift.last for c in chapters)


def load_legal_refs(folder: Path, sources: SourceCache | None = None,
                    display: Callable[[Path], str] = str) -> tuple[LegalRefs, list[Diagnostic]]:
    """Read every `*.yaml` file of the folder; return the acts and all problems found."""
    diagnostics: list[Diagnostic] = []
    acts: dict[str, Act] = {}
    pinned: dict[str, Version] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            root = read_yaml(path, display(path), sources=sources)
        except EngineError as exc:
            diagnostics.extend(exc.diagnostics)
            continue
        act = _read_act(root, display(path), diagnostics)
        if act is None:
            continue
        taken = [name for name in (act.name, *act.aliases) if name in acts]
        if taken:  # the first file keeps the name; a second one never silently replaces it
            diagnostics.append(Diagnostic(
                "schema", f"act '{taken[0]}' is already described in {acts[taken[0]].path}", (root.span,),
                "describe each act (and alias) in one legal_refs file; put every version under its 'versions:'"))
            continue
        for name in (act.name, *act.aliases):
            acts[name] = act
        pinned.update((v.short, v) for v in act.versions)
    return LegalRefs(acts, pinned), diagnostics


def _read_act(root: YNode, display: str, diagnostics: list[Diagnostic]) -> Act | None:
    if root.kind != "map":
        diagnostics.append(Diagnostic("schema", "a legal reference file must be a mapping", (root.span,)))
        return None
    fields = FieldReader(root, "the act", diagnostics)
    fields.check_keys({"act", "aliases", "title", "numberings", "versions", "note", "coverage"})
    name = fields.text("act", required=True) or display
    numberings_node = fields.node_of("numberings", True)
    numberings = {}
    if numberings_node is not None and isinstance(numberings_node.value, dict):
        numberings = {key: _read_numbering(key, node, diagnostics) for key, node in numberings_node.value.items()}
    versions = tuple(v for v in (_read_version(name, n, numberings, diagnostics) for n in fields.items("versions", True)) if v)
    aliases = tuple(str(a.value) for a in fields.items("aliases"))
    coverage_node = fields.node_of("coverage")
    coverage = _read_coverage(coverage_node, name, diagnostics) if coverage_node is not None else None
    return Act(name, aliases, fields.texts("title"), versions, display, coverage)


def _read_coverage(node: YNode, act: str, diagnostics: list[Diagnostic]) -> Coverage | None:
    """`coverage: {from, to, act_in_force_from, note}`: the window the rules encode."""
    fields = FieldReader(node, f"the coverage of {act}", diagnostics)
    fields.check_keys({"from", "to", "act_in_force_from", "note"})
    start = fields.date("from", True)
    return Coverage(start, fields.date("to"), fields.date("act_in_force_from")) if start else None


def _read_numbering(name: str, node: YNode, diagnostics: list[Diagnostic]) -> Numbering:
    fields = FieldReader(node, f"numbering '{name}'", diagnostics)
    fields.check_keys({"chapters", "paragraphs", "note"})
    chapters = []
    for chapter_node in fields.items("chapters"):
        chapter = FieldReader(chapter_node, "a chapter", diagnostics)
        chapter.check_keys({"number", "title", "paragraphs", "note", "confidence"})
        try:
            first, last = parse_range(chapter.text("paragraphs", True) or "")
            chapters.append(Chapter(Number.parse(chapter.text("number", True) or ""), first, last, chapter.texts("title")))
        except ValueError as exc:
            chapter.problem(str(exc), chapter_node.span, "write chapter numbers like \"12 a\" and ranges like \"15-21 e\"")
    paragraphs = {}
    paragraphs_node = fields.node_of("paragraphs")
    for key, para_node in (paragraphs_node.value.items() if paragraphs_node and isinstance(paragraphs_node.value, dict) else []):
        para = FieldReader(para_node, f"§ {key}", diagnostics)
        para.check_keys({"title", "stk", "note", "confidence", "repealed"})
        try:
            number = Number.parse(key)
        except ValueError as exc:
            para.problem(str(exc), paragraphs_node.key_spans[key])  # type: ignore[union-attr]
            continue
        stk = para.text("stk")
        paragraphs[number] = Paragraph(number, para.texts("title"), int(stk) if stk and stk.isdigit() and len(stk) <= 6 else None,
                                       _repealed(para))
    return Numbering(name, tuple(chapters), paragraphs)


def _repealed(para: FieldReader) -> dt.date | None:
    """`repealed: true` (in every version using the numbering) or `repealed: YYYY-MM-DD` (from that day)."""
    node = para.node_of("repealed")
    if node is None or node.kind != "scalar":
        return None
    text = str(node.value).lower()
    if text in ("true", "false", "yes", "no"):
        return dt.date.min if text in ("true", "yes") else None
    return para.date("repealed")


def _read_version(act: str, node: YNode, numberings: dict[str, Numbering], diagnostics: list[Diagnostic]) -> Version | None:
    fields = FieldReader(node, f"a version of {act}", diagnostics)
    fields.check_keys({"designation", "short", "eli", "in_force_from", "in_force_to", "numbering", "note", "confidence"})
    numbering_name = fields.text("numbering", True)
    numbering = numberings.get(numbering_name or "")
    start = fields.date("in_force_from", True)
    if numbering is None and numbering_name:
        fields.problem(f"unknown numbering '{numbering_name}'", node.span, f"known: {', '.join(sorted(numberings))}")
    if numbering is None or start is None:
        return None
    return Version(
        act, fields.text("designation", True) or "", fields.text("short", True) or "", fields.text("eli", True) or "",
        start, fields.date("in_force_to"), numbering, fields.text("note"), fields.text("confidence"),
    )
