"""Legal citations: how they are read, and when one citation falls under another."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from engine.law import legal_refs as legal

from engine.lang import parser
from engine.lang.citations import Citation, Number, parse_range
from engine.lang.errors import RuleSyntaxError

REPO = Path(__file__).resolve().parents[2]
IN_2024 = dt.date(2024, 6, 1)   # LAB 2019 numbering (LBK 280/2024): chapter 7 is §§ 27-39
IN_2018 = dt.date(2018, 6, 1)   # LAB 2015 numbering (LBK 1342/2016): chapter 7 is §§ 15-21 e


def cite(text: str, default_act: str | None = None) -> Citation:
    return parser.parse_citation(text, default_act=default_act)


class TestParse:
    def test_paragraph_with_stk(self) -> None:
        c = cite("LAB § 31, stk. 1")
        assert (c.act, c.kind, c.first, c.last, c.stk, c.nr, c.pkt) == ("LAB", "paragraph", Number(31), Number(31), 1, None, None)

    def test_lettered_paragraph(self) -> None:
        c = cite("LAB § 68 a")
        assert (c.first, c.last, c.stk) == (Number(68, "a"), Number(68, "a"), None)

    def test_paragraph_range(self) -> None:
        c = cite("LAB §§ 31-34")
        assert (c.kind, c.first, c.last) == ("paragraph", Number(31), Number(34))

    def test_lettered_range(self) -> None:
        c = cite("LAB §§ 68 a-68 c")
        assert (c.first, c.last) == (Number(68, "a"), Number(68, "c"))

    def test_lettered_chapter(self) -> None:
        c = cite("LAB kap. 12 a")
        assert (c.kind, c.first, c.last) == ("chapter", Number(12, "a"), Number(12, "a"))

    def test_chapter_range(self) -> None:
        c = cite("LAB kap. 7-9")
        assert (c.kind, c.first, c.last) == ("chapter", Number(7), Number(9))

    def test_stk_and_pkt(self) -> None:
        c = cite("styringsloven § 6, stk. 1, 1. pkt.")
        assert (c.act, c.first, c.stk, c.pkt) == ("styringsloven", Number(6), 1, 1)

    def test_stk_and_nr(self) -> None:
        c = cite("LAB § 31, stk. 1, nr. 2")
        assert (c.stk, c.nr) == (1, 2)

    def test_pinned_version(self) -> None:
        c = cite("BEK 1184/2019 §§ 22-30")
        assert (c.act, c.pinned, c.first, c.last) == (None, "BEK 1184/2019", Number(22), Number(30))

    def test_default_act(self) -> None:
        c = cite("§ 31, stk. 3", default_act="LAB")
        assert (c.act, c.text, c.first, c.stk) == ("LAB", "LAB § 31, stk. 3", Number(31), 3)

    def test_named_act_wins_over_the_default(self) -> None:
        assert cite("styringsloven § 6", default_act="LAB").act == "styringsloven"

    def test_no_act_and_no_default(self) -> None:
        assert cite("§ 31").act is None

    @pytest.mark.parametrize("text", ["LAB §", "LAB 31", "LAB § 31, stk.", "LAB §§ 31", "LAB kap.", "LAB § 31 stk. 1",
                                      "LAB § -1", "", "§", "LAB § 31, stk. 1, 1 pkt"])
    def test_malformed_citations(self, text: str) -> None:
        with pytest.raises(RuleSyntaxError) as caught:
            cite(text)
        diagnostic = caught.value.diagnostics[0]
        assert diagnostic.category == "syntax" and "citation" in diagnostic.message and diagnostic.hint

    def test_number_order_puts_letters_after_the_bare_number(self) -> None:
        assert Number(68) < Number(68, "a") < Number(68, "c") < Number(69)

    def test_parse_range(self) -> None:
        assert parse_range("15-21 e") == (Number(15), Number(21, "e"))
        assert parse_range("106") == (Number(106), Number(106))


@pytest.fixture(scope="module")
def refs() -> legal.LegalRefs:
    found, problems = legal.load_legal_refs(REPO / "legal_refs")
    assert problems == []
    return found


@pytest.mark.parametrize(("lift", "obligation", "day", "covered"), [
    ("LAB §§ 31-34", "LAB § 31, stk. 1", IN_2024, True),
    ("LAB §§ 31-34", "LAB § 34", IN_2024, True),
    ("LAB §§ 31-34", "LAB § 35", IN_2024, False),
    ("LAB §§ 31-34", "LAB § 30", IN_2024, False),
    ("LAB §§ 31-34", "LAB §§ 33-35", IN_2024, False),
    ("LAB §§ 31-34", "LAB §§ 32-33", IN_2024, True),
    ("LAB § 31", "LAB § 31, stk. 3", IN_2024, True),
    ("LAB § 31, stk. 1", "LAB § 31, stk. 1", IN_2024, True),
    ("LAB § 31, stk. 1", "LAB § 31, stk. 1, nr. 2", IN_2024, True),
    ("LAB § 31, stk. 1", "LAB § 31, stk. 3", IN_2024, False),
    ("LAB § 31, stk. 1", "LAB § 31", IN_2024, False),
    ("LAB § 31, stk. 1, nr. 1", "LAB § 31, stk. 1, nr. 2", IN_2024, False),
    ("LAB kap. 7", "LAB § 31", IN_2024, True),
    ("LAB kap. 7", "LAB § 27", IN_2024, True),
    ("LAB kap. 7", "LAB § 39, stk. 2", IN_2024, True),
    ("LAB kap. 7", "LAB § 26", IN_2024, False),
    ("LAB kap. 7", "LAB § 102", IN_2024, False),
    ("LAB kap. 7", "LAB § 31", IN_2018, False),
    ("LAB kap. 7", "LAB § 16", IN_2018, True),
    ("LAB kap. 7-9", "LAB kap. 8", IN_2024, True),
    ("LAB kap. 7", "LAB kap. 8", IN_2024, False),
    ("LAB § 31", "LAB kap. 7", IN_2024, False),
    ("beskæftigelsesloven § 31", "LAB § 31", IN_2024, True),
    ("LAB §§ 31-34", "styringsloven § 31", IN_2024, False),
    ("nosuchact § 31", "nosuchact § 31", IN_2024, False),
])
def test_covers(refs: legal.LegalRefs, lift: str, obligation: str, day: dt.date, covered: bool) -> None:
    assert refs.covers(cite(lift), cite(obligation), day) is covered


class TestLegalRefs:
    def test_version_on_a_date(self, refs: legal.LegalRefs) -> None:
        assert refs.version_on(cite("LAB § 31"), IN_2024).short == "LBK 280/2024"  # type: ignore[union-attr]
        assert refs.version_on(cite("LAB § 31"), dt.date(2020, 1, 1)).short == "LOV 548/2019"  # type: ignore[union-attr]
        assert refs.version_on(cite("LAB § 31"), dt.date(2019, 12, 31)).short == "LBK 1342/2016"  # type: ignore[union-attr]

    def test_a_pinned_version_ignores_the_date(self, refs: legal.LegalRefs) -> None:
        assert refs.version_on(cite("BEK 1184/2019 § 23"), IN_2018).short == "BEK 1184/2019"  # type: ignore[union-attr]

    def test_legal_basis_names_the_version_and_its_eli(self, refs: legal.LegalRefs) -> None:
        basis = refs.legal_basis(cite("LAB § 31, stk. 1"), dt.date(2021, 3, 1))
        assert basis == {"cite": "LAB § 31, stk. 1", "act": "LAB", "version": "LOV nr 548 af 07/05/2019",
                         "eli": "https://www.retsinformation.dk/eli/lta/2019/548"}

    def test_an_alias_finds_the_act(self, refs: legal.LegalRefs) -> None:
        assert refs.act_of(cite("beskæftigelsesloven § 31")) is refs.act_of(cite("LAB § 31"))

    def test_chapter_table(self, refs: legal.LegalRefs) -> None:
        numbering = refs.version_on(cite("LAB § 31"), IN_2024).numbering  # type: ignore[union-attr]
        assert numbering.chapter_of(Number(31)).number == Number(7)  # type: ignore[union-attr]
        assert numbering.has_chapter(Number(12)) and not numbering.has_chapter(Number(99))
