"""`paragraf check --coverage`: which paragraphs and chapters each act version's rules cite."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import engine
from engine.officer import citation_coverage as coverage
from engine.lang.citations import Number
from engine.interfaces.cli import main

ACT = """\
act: toyact
title: {da: Legetøjsloven, en: Toy act}
numberings:
  toy-1:
    chapters:
      - {number: "1", title: {da: Et, en: One}, paragraphs: "1-3"}
      - {number: "2", title: {da: To, en: Two}, paragraphs: "4-5 a"}
    paragraphs:
      "2 a": {title: {da: Indskudt, en: Inserted}}
  toy-2:
    chapters:
      - {number: "1", title: {da: Et, en: One}, paragraphs: "1-3"}
      - {number: "2", title: {da: To, en: Two}, paragraphs: "4-6"}
      - {number: "3", title: {da: Tre, en: Three}, paragraphs: "7-8"}
versions:
  - {designation: LOV nr 1 af 01/01/2016, short: LOV 1/2016, eli: "https://example.org/1",
     in_force_from: 2016-01-01, in_force_to: 2019-12-31, numbering: toy-1}
  - {designation: LOV nr 2 af 01/01/2020, short: LOV 2/2020, eli: "https://example.org/2",
     in_force_from: 2020-01-01, numbering: toy-2}
"""

RULES = """\
act: toyact
title: {da: Regler, en: Rules}
rules:
  - {id: toy.flag, kind: input, type: bool, title: {da: Flag, en: Flag}, description: {da: Et flag, en: A flag}}
  - id: toy.early
    kind: obligation
    ref: § 2 a
    valid_to: 2019-12-31
    actor: kommune
    title: {da: Tidlig, en: Early}
    when: toy.flag
  - id: toy.always
    kind: obligation
    ref: §§ 1-2
    actor: kommune
    title: {da: Altid, en: Always}
    when: toy.flag
  - id: toy.late
    kind: obligation
    ref: [§ 7, toyact kap. 2]
    valid_from: 2020-01-01
    actor: kommune
    title: {da: Sen, en: Late}
    when: toy.flag
  - id: toy.lift
    kind: exemption
    ref: § 6
    valid_from: 2020-01-01
    title: {da: Fritagelse, en: Exemption}
    when: toy.flag
    lifts: [§ 7]
"""


@pytest.fixture
def toy_book(tmp_path: Path) -> Path:
    (tmp_path / "rules").mkdir()
    (tmp_path / "legal_refs").mkdir()
    (tmp_path / "legal_refs" / "toyact.yaml").write_text(ACT, encoding="utf-8")
    (tmp_path / "rules" / "toy.yaml").write_text(RULES, encoding="utf-8")
    return tmp_path


def _report(path: Path) -> list[coverage.VersionCoverage]:
    book = engine.load(path)
    assert book.check() == []
    return coverage.coverage(book.checked.ruleset)


def _cited(table: dict[Number, tuple[str, ...]]) -> dict[str, list[str]]:
    return {str(n): list(rules) for n, rules in table.items() if rules}


class TestToyRulebook:
    def test_one_entry_per_version_in_date_order(self, toy_book: Path) -> None:
        report = _report(toy_book)
        assert [(r.act, r.version.short) for r in report] == [("toyact", "LOV 1/2016"), ("toyact", "LOV 2/2020")]

    def test_paragraphs_of_a_numbering_include_listed_and_range_members(self, toy_book: Path) -> None:
        first, second = _report(toy_book)
        assert [str(n) for n in first.paragraphs] == ["1", "2", "2 a", "3", "4", "5", "5 a"]
        assert [str(n) for n in second.paragraphs] == ["1", "2", "3", "4", "5", "6", "7", "8"]

    def test_citations_count_only_for_versions_overlapping_the_rule_window(self, toy_book: Path) -> None:
        first, second = _report(toy_book)
        # §§ 1-2 ends before § 2 a; toy.early ends before version 2 starts
        assert _cited(first.paragraphs) == {"1": ["toy.always"], "2": ["toy.always"], "2 a": ["toy.early"]}
        assert _cited(second.paragraphs) == {"1": ["toy.always"], "2": ["toy.always"],
                                            "6": ["toy.lift"], "7": ["toy.late", "toy.lift"]}

    def test_uncited_paragraphs(self, toy_book: Path) -> None:
        first, second = _report(toy_book)
        assert [str(n) for n in first.uncited(first.paragraphs)] == ["3", "4", "5", "5 a"]
        assert [str(n) for n in second.uncited(second.paragraphs)] == ["3", "4", "5", "8"]

    def test_chapters_cited_directly_or_through_a_paragraph(self, toy_book: Path) -> None:
        first, second = _report(toy_book)
        assert _cited(first.chapters) == {"1": ["toy.always", "toy.early"]}
        assert [str(n) for n in first.uncited(first.chapters)] == ["2"]
        assert _cited(second.chapters) == {"1": ["toy.always"], "2": ["toy.late", "toy.lift"],
                                          "3": ["toy.late", "toy.lift"]}

    def test_text_report(self, toy_book: Path) -> None:
        text = coverage.render_text(_report(toy_book))
        assert "toyact: LOV nr 1 af 01/01/2016 (2016-01-01 to 2019-12-31)" in text
        assert "  paragraphs cited: 3 of 7\n    § 1: toy.always\n" in text
        assert "  paragraphs not cited: § 3, § 4, § 5, § 5 a\n" in text
        assert "  chapters cited: 3 of 3: kap. 1, kap. 2, kap. 3\n  chapters not cited: none\n" in text
        assert text.endswith("2 act versions; 7 of 15 paragraph entries cited\n")

    def test_json_report(self, toy_book: Path) -> None:
        data = json.loads(coverage.to_json(_report(toy_book)))
        assert data["schema"] == "paragraf/coverage@1"
        late = data["acts"][0]["versions"][1]
        assert late["in_force_to"] is None
        assert late["paragraphs"]["cited"]["7"] == ["toy.late", "toy.lift"]
        assert late["paragraphs"]["not_cited"] == ["3", "4", "5", "8"]
        assert (late["paragraphs"]["count"], late["paragraphs"]["cited_count"]) == (8, 4)


class TestCommand:
    def test_check_coverage_text(self, toy_book: Path) -> None:
        result = CliRunner().invoke(main, ["check", "--rules", str(toy_book), "--coverage"])
        assert result.exit_code == 0, result.output
        assert "paragraphs not cited: § 3, § 4, § 5, § 8" in result.output

    def test_check_coverage_json(self, toy_book: Path) -> None:
        result = CliRunner().invoke(main, ["check", "--rules", str(toy_book), "--coverage", "--format", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["acts"][0]["act"] == "toyact"

    def test_rulebook_problems_come_first_and_exit_1(self, toy_book: Path) -> None:
        path = toy_book / "rules" / "toy.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("ref: § 6", "ref: § 66"), encoding="utf-8")
        result = CliRunner().invoke(main, ["check", "--rules", str(toy_book), "--coverage"])
        assert result.exit_code == 1
        assert "§ 66 does not exist" in result.output and "paragraphs cited" not in result.output

    def test_bundled_rulebook_lists_every_act_version(self) -> None:
        book = engine.load()
        report = coverage.coverage(book.checked.ruleset)
        versions = {(r.act, r.version.short) for r in report}
        assert ("sygedagpengeloven", "LBK 97/2025") in versions and ("styringsloven", "LBK 254/2024") in versions
        assert len(report) == sum(len(a.versions) for a in {a.name: a for a in book.checked.legal_refs.acts.values()}.values())
