"""The resolver: each diagnostic category, produced by a small planted rulebook."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest
from rulebook_files import HEADER, input_rule, value_rule

import engine
from engine.lang.errors import Diagnostic

INPUTS = input_rule("citizen.age", "number") + input_rule("citizen.talks", "events")

OBLIGATION = """\
  - id: t.samtaler
    kind: obligation
    ref: LAB § 31, stk. 1
    valid_from: 2020-01-01
    actor: jobcenter
    title: {da: x, en: x}
    when: citizen.age >= 30
    due: 2024-01-01 + 6 months
"""


def exemption(lifts: str, rule_id: str = "t.fritagelse") -> str:
    return f"""\
  - id: {rule_id}
    kind: exemption
    ref: LAB § 6
    valid_from: 2020-01-01
    title: {{da: x, en: x}}
    when: citizen.age > 60
    lifts: ["{lifts}"]
"""


Load = Callable[[str], tuple[list[Diagnostic], str]]


@pytest.fixture
def load(write_rulebook: Callable[..., Path]) -> Load:
    """Load one rule file (after the shared inputs); give back its diagnostics and its text."""
    def run(rules: str) -> tuple[list[Diagnostic], str]:
        text = HEADER + INPUTS + rules
        folder = write_rulebook({"t.yaml": text})
        return engine.load(folder).diagnostics, text
    return run


def line_of(text: str, fragment: str, occurrence: int = 0) -> int:
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(fragment, index + 1)
    return text[:index].count("\n") + 1


def only(diagnostics: list[Diagnostic], category: str) -> Diagnostic:
    assert [d.category for d in diagnostics] == [category], [(d.category, d.message) for d in diagnostics]
    return diagnostics[0]


def test_a_clean_rulebook_has_no_diagnostics(load: Load) -> None:
    diagnostics, _ = load(value_rule("t.v", "citizen.age + 1") + OBLIGATION + exemption("LAB §§ 31-34"))
    assert diagnostics == []


class TestName:
    def test_misspelt_input(self, load: Load) -> None:
        diagnostics, text = load(value_rule("t.v", "citizen.agee + 1"))
        d = only(diagnostics, "name")
        assert d.message == "unknown name 'citizen.agee'" and d.hint == "did you mean 'citizen.age'?"
        assert d.rule == "t.v" and (d.span.line, d.span.col) == (line_of(text, "citizen.agee"), 11)  # type: ignore[union-attr]

    def test_duplicate_ids_point_at_both(self, load: Load) -> None:
        diagnostics, text = load(value_rule("t.dup", "1") + OBLIGATION.replace("t.samtaler", "t.dup"))
        d = only(diagnostics, "name")
        assert "'t.dup' is already used" in d.message
        assert [s.line for s in d.spans] == [line_of(text, "id: t.dup", 1), line_of(text, "id: t.dup", 0)]

    def test_value_named_like_an_input(self, load: Load) -> None:
        diagnostics, _ = load(value_rule("citizen.age", "1"))
        assert {d.category for d in diagnostics} == {"name"}
        d = next(d for d in diagnostics if "both an input and a value" in d.message)
        assert len(d.spans) == 2

    def test_exemption_lifting_an_unknown_rule(self, load: Load) -> None:
        diagnostics, _ = load(OBLIGATION + exemption("t.samtalr"))
        categories = sorted(d.category for d in diagnostics)
        assert categories == ["exemption", "name"]
        assert next(d for d in diagnostics if d.category == "name").hint == "did you mean 't.samtaler'?"


class TestType:
    def test_mismatch(self, load: Load) -> None:
        d = only(load(value_rule("t.v", "citizen.age + 1 kr"))[0], "type")
        assert d.message == "cannot apply '+' to a number and a money" and d.hint

    def test_condition_must_be_bool(self, load: Load) -> None:
        d = only(load(value_rule("t.v", "1", "when: citizen.age\n"))[0], "type")
        assert "'when' must be a bool" in d.message

    def test_definitions_disagree(self, load: Load) -> None:
        rules = value_rule("t.a", "1", "defines: t.v\nwhen: citizen.age > 1\n") \
            + value_rule("t.b", "1 kr", "defines: t.v\nwhen: citizen.age <= 1\n")
        d = only(load(rules)[0], "type")
        assert "disagree" in d.message and len(d.spans) == 2

    def test_value_types_flow_into_their_users(self, load: Load) -> None:
        d = only(load(value_rule("t.a", "100 kr") + value_rule("t.b", "t.a + 1"))[0], "type")
        assert d.rule == "t.b" and "money and a number" in d.message


class TestCitation:
    def test_paragraph_that_does_not_exist(self, load: Load) -> None:
        diagnostics, text = load(value_rule("t.v", "1").replace("LAB § 6", "LAB § 999"))
        d = only(diagnostics, "citation")
        assert "§ 999 does not exist" in d.message and d.span.line == line_of(text, "LAB § 999")  # type: ignore[union-attr]

    def test_unknown_act(self, load: Load) -> None:
        d = only(load(value_rule("t.v", "1").replace("LAB § 6", "LABB § 6"))[0], "citation")
        assert "unknown act 'LABB'" in d.message and d.hint == "did you mean 'LAB'?"

    def test_no_version_in_the_window(self, load: Load) -> None:
        rule = value_rule("t.v", "1").replace("valid_from: 2020-01-01", "valid_from: 2001-01-01\n    valid_to: 2002-12-31")
        assert "no version of LAB" in only(load(rule)[0], "citation").message

    def test_a_paragraph_must_exist_in_every_version_of_the_window(self, load: Load) -> None:
        # the window 2019-2024 spans both numberings; chapter 31 exists only in the 2019 one
        rule = value_rule("t.v", "1").replace("LAB § 6", "LAB kap. 31").replace("valid_from: 2020-01-01", "valid_from: 2019-01-01")
        d = only(load(rule)[0], "citation")
        assert "chapter 31 does not exist" in d.message and "LBK nr 1342 af 21/11/2016" in d.message

    def test_malformed_citation_is_a_syntax_error(self, load: Load) -> None:
        d = only(load(value_rule("t.v", "1").replace("LAB § 6", "LAB paragraf 6"))[0], "syntax")
        assert "cannot read the citation" in d.message


class TestCycle:
    def test_two_values(self, load: Load) -> None:
        diagnostics, text = load(value_rule("t.x", "t.y + 1") + value_rule("t.y", "t.x + 1"))
        d = only(diagnostics, "cycle")
        assert "t.x" in d.message and "t.y" in d.message
        assert sorted(s.line for s in d.spans) == [line_of(text, "id: t.x"), line_of(text, "id: t.y")]

    def test_a_value_that_uses_itself(self, load: Load) -> None:
        assert "t.z -> t.z" in only(load(value_rule("t.z", "t.z + 1"))[0], "cycle").message


class TestConflict:
    def test_two_unconditional_definitions(self, load: Load) -> None:
        rules = value_rule("t.a", "1", "defines: t.v\n") + value_rule("t.b", "2", "defines: t.v\n")
        diagnostics, text = load(rules)
        d = only(diagnostics, "conflict")
        assert "'t.a' and 't.b' both define 't.v'" in d.message
        assert sorted(s.line for s in d.spans) == [line_of(text, "id: t.a"), line_of(text, "id: t.b")]

    @pytest.mark.parametrize("extra", ["priority: 1\n", "valid_from: 2022-01-01\n", "when: citizen.age > 1\n"])
    def test_windows_priorities_or_conditions_tell_them_apart(self, load: Load, extra: str) -> None:
        first = value_rule("t.a", "1", "defines: t.v\n" + ("valid_to: 2021-12-31\n" if "valid_from" in extra else ""))
        second = value_rule("t.b", "2", "defines: t.v\n" + extra)
        if "valid_from" in extra:
            second = second.replace("    valid_from: 2020-01-01\n", "")
        assert load(first + second)[0] == []

    def test_overlapping_step_rows(self, load: Load) -> None:
        assert "overlap" in only(load(value_rule("t.v", '"steps 3 { 1..4 -> 1, 4.. -> 2 }"'))[0], "conflict").message


class TestExemption:
    def test_lifting_nothing(self, load: Load) -> None:
        diagnostics, text = load(OBLIGATION + exemption("LAB § 102"))
        d = only(diagnostics, "exemption")
        assert "lifts no obligation" in d.message and d.span.line == line_of(text, "id: t.fritagelse")  # type: ignore[union-attr]

    @pytest.mark.parametrize("lifts", ["LAB §§ 31-34", "LAB § 31", "LAB kap. 7", "t.samtaler"])
    def test_lifting_the_obligation(self, load: Load, lifts: str) -> None:
        assert load(OBLIGATION + exemption(lifts))[0] == []

    def test_lifting_another_stk(self, load: Load) -> None:
        only(load(OBLIGATION + exemption("LAB § 31, stk. 3"))[0], "exemption")


class TestSchema:
    def test_unknown_key_with_suggestion(self, load: Load) -> None:
        diagnostics, text = load(value_rule("t.v", "1").replace("    expr: 1\n", "    expr: 1\n    exprr: 2\n"))
        d = only(diagnostics, "schema")
        assert d.message == "unknown key 'exprr' in rule 't.v'" and d.hint == "did you mean 'expr'?"
        assert (d.span.line, d.span.col) == (line_of(text, "exprr"), 5)  # type: ignore[union-attr]

    def test_missing_title(self, load: Load) -> None:
        assert "has no 'title'" in only(load(value_rule("t.v", "1").replace("    title: {da: x, en: x}\n", ""))[0], "schema").message

    def test_missing_expression(self, load: Load) -> None:
        assert "has no 'expr'" in only(load(value_rule("t.v", "1").replace("    expr: 1\n", ""))[0], "schema").message

    def test_unknown_kind(self, load: Load) -> None:
        d = only(load(value_rule("t.v", "1").replace("kind: value", "kind: valu"))[0], "schema")
        assert "unknown rule kind 'valu'" in d.message

    @pytest.mark.parametrize("bad_id", ["Bad.Id", "t..v", "1abc", "t-v"])
    def test_malformed_id(self, load: Load, bad_id: str) -> None:
        assert "malformed" in only(load(value_rule(bad_id, "1"))[0], "schema").message

    def test_window_backwards(self, load: Load) -> None:
        diagnostics, _ = load(value_rule("t.v", "1", "valid_to: 2019-12-31\n"))
        assert "schema" in {d.category for d in diagnostics}
        assert any("valid_to 2019-12-31 is before valid_from 2020-01-01" in d.message for d in diagnostics)

    def test_bad_date(self, load: Load) -> None:
        d = only(load(value_rule("t.v", "1").replace("2020-01-01", "2020-02-30"))[0], "schema")
        assert "not a date" in d.message and d.hint

    def test_unknown_input_type(self, load: Load) -> None:
        assert "unknown input type 'integer'" in only(load(input_rule("t.i", "integer"))[0], "schema").message

    def test_code_input_without_values(self, load: Load) -> None:
        assert "allowed 'values'" in only(load(input_rule("t.i", "code"))[0], "schema").message


def test_every_problem_is_reported_at_once(load: Load) -> None:
    rules = value_rule("t.a", "nosuch + 1") + value_rule("t.b", "1 + 1 kr") + value_rule("t.c", "1").replace("LAB § 6", "LAB § 999") \
        + value_rule("t.d", "1 +") + value_rule("t.e", "1", "exprr: 1\n")
    diagnostics, _ = load(rules)
    assert sorted(d.category for d in diagnostics) == ["citation", "name", "schema", "syntax", "type"]
    assert all(d.spans for d in diagnostics)
