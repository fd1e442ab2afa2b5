"""Case files: facts are checked against the input rules; every problem names its field path."""
from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import pytest
from rulebook_files import HEADER, input_rule

import engine
from engine.decide import casefile
from engine.lang import values
from engine.lang.errors import CaseError, EngineError
from engine.law.model import Rule

INPUTS = HEADER + "".join([
    input_rule("citizen.birth_date", "date"),
    input_rule("citizen.benefit", "code", "values: [kontanthjaelp, uddannelseshjaelp, a_dagpenge]\n"),
    input_rule("citizen.complex_case", "bool"),
    input_rule("citizen.hours", "number"),
    input_rule("citizen.income", "money"),
    input_rule("citizen.rate", "percent"),
    input_rule("citizen.name", "string"),
    input_rule("citizen.talks", "events"),
    input_rule("municipality", "code", 'values: ["101", "147"]\n'),
])


@pytest.fixture
def inputs(write_rulebook: Callable[..., Path]) -> dict[str, Rule]:
    rulebook = engine.load(write_rulebook({"inputs.yaml": INPUTS}))
    assert rulebook.diagnostics == []
    return rulebook.checked.inputs


def read(inputs: dict[str, Rule], citizen: dict[str, Any], **top: Any) -> casefile.Case:
    return casefile.read_case({"case": "t", "as_of": "2024-06-01", "citizen": citizen, **top}, inputs)


def problems(inputs: dict[str, Rule], citizen: dict[str, Any], **top: Any) -> list[engine.Diagnostic]:
    with pytest.raises(CaseError) as caught:
        read(inputs, citizen, **top)
    assert all(d.category == "case" and d.spans for d in caught.value.diagnostics)
    return list(caught.value.diagnostics)


class TestFacts:
    def test_every_type_is_read(self, inputs: dict[str, Rule]) -> None:
        case = read(inputs, {
            "birth_date": "1990-03-01", "benefit": "kontanthjaelp", "complex_case": True, "hours": "37.5",
            "income": "12345.50", "rate": "40%", "name": "Ida",
            "talks": ["2024-02-01", {"date": "2024-01-10", "kind": "jobsamtale"}],
        }, municipality="101")
        assert case.facts == {
            "citizen.birth_date": dt.date(1990, 3, 1), "citizen.benefit": "kontanthjaelp", "citizen.complex_case": True,
            "citizen.hours": Decimal("37.5"), "citizen.income": values.Money(Decimal("12345.50")),
            "citizen.rate": values.Rate(Decimal("0.4")), "citizen.name": "Ida",
            "citizen.talks": (values.Event(dt.date(2024, 1, 10), "jobsamtale"), values.Event(dt.date(2024, 2, 1))),
            "municipality": "101",
        }
        assert (case.id, case.as_of) == ("t", dt.date(2024, 6, 1)) and case.digest.startswith("sha256:")

    def test_a_missing_fact_is_not_an_error(self, inputs: dict[str, Rule]) -> None:
        case = read(inputs, {"benefit": "kontanthjaelp"})
        assert case.facts == {"citizen.benefit": "kontanthjaelp"}

    def test_a_null_fact_is_missing(self, inputs: dict[str, Rule]) -> None:
        assert read(inputs, {"birth_date": None}).facts == {}

    def test_numbers_are_never_floats(self, inputs: dict[str, Rule]) -> None:
        case = read(inputs, {"hours": 0.1, "income": "0.10"})
        assert case.facts["citizen.hours"] == Decimal("0.1") and type(case.facts["citizen.hours"]) is Decimal

    def test_same_case_same_digest(self, inputs: dict[str, Rule]) -> None:
        assert read(inputs, {"hours": 1}).digest == read(inputs, {"hours": 1}).digest != read(inputs, {"hours": 2}).digest


class TestProblems:
    def test_unknown_field_with_suggestion(self, inputs: dict[str, Rule]) -> None:
        (d,) = problems(inputs, {"benfit": "kontanthjaelp"})
        assert d.message == "citizen.benfit: unknown field" and d.hint == "did you mean 'citizen.benefit'?"

    def test_unknown_top_level_field(self, inputs: dict[str, Rule]) -> None:
        (d,) = problems(inputs, {}, municipalty="101")
        assert d.message.startswith("municipalty:") and d.hint == "did you mean 'municipality'?"

    @pytest.mark.parametrize(("field", "value", "words"), [
        ("hours", "many", "expected a number"),
        ("hours", [1, 2], "expected a number"),
        ("complex_case", "yes", "expected true or false"),
        ("complex_case", 1, "expected true or false"),
        ("income", "12.345", "at most 2 decimals"),
        ("rate", "40", "percentage"),
        ("talks", "2024-01-01", "list of events"),
        ("talks", ["2024-13-01"], "expected a date"),
        ("name", {"first": "Ida"}, "expected text"),
    ])
    def test_wrong_type(self, inputs: dict[str, Rule], field: str, value: Any, words: str) -> None:
        (d,) = problems(inputs, {field: value})
        assert d.message.startswith(f"citizen.{field}: ") and words in d.message

    @pytest.mark.parametrize("bad", ["2024-02-30", "01-03-1990", "1990/03/01", "yesterday"])
    def test_bad_date(self, inputs: dict[str, Rule], bad: str) -> None:
        (d,) = problems(inputs, {"birth_date": bad})
        assert d.message == f"citizen.birth_date: expected a date YYYY-MM-DD, found {bad!r}" and d.hint

    def test_unknown_benefit_code(self, inputs: dict[str, Rule]) -> None:
        (d,) = problems(inputs, {"benefit": "kontanthjalp"})
        assert d.message == "citizen.benefit: unknown code 'kontanthjalp'" and d.hint == "did you mean 'kontanthjaelp'?"

    def test_unknown_code_without_a_close_match_lists_the_codes(self, inputs: dict[str, Rule]) -> None:
        (d,) = problems(inputs, {"benefit": "zzz"})
        assert d.hint is not None and "kontanthjaelp" in d.hint

    def test_bad_as_of(self, inputs: dict[str, Rule]) -> None:
        with pytest.raises(CaseError) as caught:
            casefile.read_case({"case": "t", "as_of": "2024-13-01"}, inputs)
        assert "as_of" in caught.value.diagnostics[0].message

    def test_every_problem_at_once(self, inputs: dict[str, Rule]) -> None:
        found = problems(inputs, {"benfit": "x", "hours": "many", "birth_date": "2024-02-30"})
        assert sorted(d.message.split(":")[0] for d in found) == ["citizen.benfit", "citizen.birth_date", "citizen.hours"]

    def test_positions_in_a_case_file(self, inputs: dict[str, Rule], tmp_path: Path) -> None:
        path = tmp_path / "case.yaml"
        path.write_text("case: t\nas_of: 2024-06-01\ncitizen:\n  hours: 37\n  benefit: kontanthjalp\n", encoding="utf-8")
        with pytest.raises(CaseError) as caught:
            casefile.read_case(path, inputs)
        span = caught.value.diagnostics[0].span
        assert span is not None and (span.path, span.line, span.col) == (str(path), 5, 12)

    def test_not_a_mapping(self, inputs: dict[str, Rule], tmp_path: Path) -> None:
        path = tmp_path / "case.yaml"
        path.write_text("- 1\n- 2\n", encoding="utf-8")
        with pytest.raises(CaseError):
            casefile.read_case(path, inputs)


def _from_json_text(case: dict[str, Any], inputs: dict[str, Rule]) -> Any:
    """What reading the case's JSON text gives: the case, or the problems with their places."""
    from engine.lang.yamlsource import read_yaml

    try:
        return casefile._read(read_yaml(Path("<case>"), "<case>", casefile._json_text(case)), inputs)
    except EngineError as exc:
        return exc.diagnostics


def _read_plain(case: dict[str, Any], inputs: dict[str, Rule]) -> Any:
    try:
        return casefile.read_case(case, inputs)
    except EngineError as exc:
        return exc.diagnostics


PLAIN = {"case": "p", "as_of": dt.date(2024, 6, 1), "municipality": "101", "citizen": {
    "birth_date": dt.date(1990, 1, 2), "benefit": "kontanthjaelp", "complex_case": True, "hours": 37,
    "income": Decimal("1234.50"), "rate": "40%", "name": "Ærø Kommune", "talks": [
        {"date": "2024-01-04", "kind": "jobsamtale"}, {"date": dt.date(2024, 2, 1), "kind": None}]}}


@pytest.mark.parametrize("change", [
    {}, {"citizen": {"hours": 0, "name": ""}}, {"citizen": {"talks": []}}, {"municipality": None},
])
def test_plain_data_is_read_as_its_json_text_is(inputs: dict[str, Rule], change: dict[str, Any]) -> None:
    from engine.lang.yamlsource import from_plain

    case = {**PLAIN, **{k: v for k, v in change.items() if k != "citizen"},
            "citizen": {**PLAIN["citizen"], **change.get("citizen", {})}}
    assert from_plain(case) is not None
    read = casefile.read_case(case, inputs)
    assert read == _from_json_text(case, inputs)
    assert read.facts["citizen.income"] == values.Money(Decimal("1234.50"))


@pytest.mark.parametrize("citizen", [
    {"hours": 37.5}, {"name": "two\nlines"}, {"name": "\U0001F600"}, {"talks": {"2024-01-04"}}, {7: "seven"},
    {"hours": 10 ** 5000}, {"deep": functools.reduce(lambda inner, _: {"x": inner}, range(3000), {})},
    {"name": "x" * 100_001}, {"talks": ["2024-01-04"] * 10_001}, {"name": "tab\there"},
])
def test_data_that_json_would_change_is_read_through_its_text(inputs: dict[str, Rule], citizen: dict[Any, Any]) -> None:
    from engine.decide import plaincase
    from engine.lang.yamlsource import from_plain

    case = {**PLAIN, "citizen": {**PLAIN["citizen"], **citizen}}
    assert from_plain(case) is None
    assert plaincase.read(case, inputs, casefile._groups(inputs)) is None
    assert _read_plain(case, inputs) == _from_json_text(case, inputs)


@pytest.mark.parametrize("citizen", [{"benefit": "kontanthjalp"}, {"hours": -1}, {"complex_case": "yes"}, {"nme": "x"}])
def test_a_problem_in_plain_data_is_reported_with_its_place_in_the_json_text(inputs: dict[str, Rule],
                                                                            citizen: dict[str, Any]) -> None:
    case = {**PLAIN, "citizen": {**PLAIN["citizen"], **citizen}}
    problems = _read_plain(case, inputs)
    assert isinstance(problems, (tuple, list)) and problems == _from_json_text(case, inputs)
    assert problems[0].spans[0].col > 1  # a place in the text, not the start every plain node sits at


def _through_nodes(case: dict[str, Any], inputs: dict[str, Rule]) -> Any:
    """What reading the case through its node tree gives (the path before the plain reader)."""
    from engine.lang.yamlsource import from_plain

    plain = from_plain(case)
    try:
        return casefile._read(plain, inputs) if plain is not None else _from_json_text(case, inputs)
    except EngineError:
        return _from_json_text(case, inputs)


PLAIN_ROW = {**PLAIN, "citizen": {**PLAIN["citizen"], "talks": [
    {"date": "2024-01-04", "kind": "jobsamtale"}, {"date": dt.date(2024, 2, 1), "end": "2024-02-03"}, "2023-12-01"]}}


def test_a_row_without_problems_is_read_straight_from_its_dict(inputs: dict[str, Rule]) -> None:
    from engine.decide import plaincase

    assert plaincase.read(PLAIN_ROW, inputs, casefile._groups(inputs)) is not None
    read = casefile.read_case(PLAIN_ROW, inputs)
    assert read == _through_nodes(PLAIN_ROW, inputs) == _from_json_text(PLAIN_ROW, inputs)
    assert list(read.facts) == list(_through_nodes(PLAIN_ROW, inputs).facts)  # the facts in the same order


@pytest.mark.parametrize("citizen", [
    {"hours": True}, {"hours": "7"}, {"hours": -1}, {"hours": "1e3"}, {"income": "12.345"}, {"income": 12},
    {"rate": "40"}, {"rate": 40}, {"rate": "2000%"}, {"complex_case": "true"}, {"complex_case": 1},
    {"benefit": "kontanthjalp"}, {"benefit": ["x"]}, {"birth_date": "2024-02-30"}, {"birth_date": 20240101},
    {"name": 7}, {"name": False}, {"name": {"a": 1}}, {"nme": "x"}, {"talks": "2024-01-01"},
    {"talks": [{"date": "2024-01-04", "kind": None}]}, {"talks": [{"date": "2024-01-04", "kind": 3}]},
    {"talks": [{"date": None}]}, {"talks": [{"kind": "x"}]}, {"talks": [{"date": "2024-01-04", "where": "x"}]},
    {"talks": [{"date": "2024-01-04", "end": "2024-01-01"}]}, {"talks": [{"date": "2024-01-04", "recorded": "2023-01-01"}]},
    {"talks": [{"date": "2024-01-04", "end": None, "recorded": "2024-02-01"}]}, {"talks": [None]}, {"talks": [7]},
])
def test_the_plain_reader_gives_what_the_node_path_gives(inputs: dict[str, Rule], citizen: dict[str, Any]) -> None:
    case = {**PLAIN_ROW, "citizen": {**PLAIN_ROW["citizen"], **citizen}}
    assert _read_plain(case, inputs) == _through_nodes(case, inputs)


@pytest.mark.parametrize("top", [
    {"case": 7}, {"case": True}, {"case": "x" * 201}, {"case": ["a"]}, {"case": None}, {"as_of": "2024-13-01"},
    {"as_of": None}, {"known_on": "2024-05-01"}, {"known_on": 5}, {"municipality": 101}, {"municipality": "999"},
    {"payments": []}, {"payments": [{"benefit": "x", "amount": "1", "from": "2024-01-01", "to": "2024-01-07"}]},
    {"citizen": None}, {"citizen": "x"}, {"extra": 1}, {"citizen": {}},
])
def test_the_plain_reader_gives_what_the_node_path_gives_at_the_top(inputs: dict[str, Rule], top: dict[str, Any]) -> None:
    case = {**PLAIN_ROW, **top}
    assert _read_plain(case, inputs) == _through_nodes(case, inputs)
