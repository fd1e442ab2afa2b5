"""Numbers, dates and shapes a case may not hold (issue 12, item 4): each is refused with its field
path, never a Python exception, a hang or a silently accepted value; a batch keeps its good cases."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import engine
from engine.interfaces.cli import main
from engine.lang import values

GOOD = {"case": "good", "as_of": "2022-06-01", "municipality": "101",
        "citizen": {"birth_date": "1990-04-01", "benefit": "kontanthjaelp", "benefit_since": "2021-12-06",
                    "readiness": "jobparat", "vocational_education": True, "affected_week": 27}}


@pytest.fixture(scope="module")
def book() -> engine.Rulebook:
    return engine.load()


def with_citizen(**facts: Any) -> dict[str, Any]:
    return {**GOOD, "citizen": {**GOOD["citizen"], **facts}}


def refused(book: engine.Rulebook, case: dict[str, Any], as_of: Any = None) -> str:
    with pytest.raises(engine.CaseError) as caught:
        book.evaluate(case, as_of=as_of)
    return str(caught.value)


@pytest.mark.parametrize("week", [float("nan"), "NaN", float("inf"), "Infinity", "-Infinity", "1e999999999",
                                  "9" * 16, "12abc", "1_000"])
def test_a_number_that_is_not_a_plain_bounded_decimal(book: engine.Rulebook, week: Any) -> None:
    assert "citizen.affected_week: expected a number" in refused(book, with_citizen(affected_week=week))


def test_the_number_bound_at_and_above(book: engine.Rulebook) -> None:
    assert book.evaluate(with_citizen(affected_week="9" * 15)).case == "good"
    assert "citizen.affected_week" in refused(book, with_citizen(affected_week="1" + "0" * 15))


def test_a_negative_count(book: engine.Rulebook) -> None:
    assert "citizen.affected_week: a count cannot be negative" in refused(book, with_citizen(affected_week=-1))
    assert book.evaluate(with_citizen(affected_week=0)).case == "good"


@pytest.mark.parametrize("rate", ["abc%", "NaN%", "Infinity%", "1e5%", "1000.1%"])
def test_a_percentage_that_is_not_a_bounded_number(book: engine.Rulebook, rate: str) -> None:
    case = {"case": "t", "as_of": "2022-06-01", "tilsyn": {"forbedring": rate}}
    assert "tilsyn.forbedring: " in refused(book, case)


def test_the_percentage_bound(book: engine.Rulebook) -> None:
    case = {"case": "t", "as_of": "2022-06-01", "tilsyn": {"forbedring": "1000%"}}
    assert book.evaluate(case).case == "t"


@pytest.mark.parametrize("day", ["19900401", "1990-W14-1", "1990-04-01T00:00", "0000-01-01", "1849-12-31", "2201-01-01"])
def test_dates_are_yyyy_mm_dd_within_bounds_on_every_python(book: engine.Rulebook, day: str) -> None:
    assert "citizen.birth_date: " in refused(book, with_citizen(birth_date=day))
    assert "as_of: " in refused(book, {**GOOD, "as_of": day})
    with pytest.raises(ValueError):
        values.parse_date(day)


def test_the_date_bounds_themselves_are_accepted() -> None:
    assert values.parse_date("1850-01-01") == values.FIRST_DATE
    assert values.parse_date("2200-12-31") == values.LAST_DATE


def test_as_of_of_the_wrong_type_in_the_library(book: engine.Rulebook) -> None:
    assert "as_of: expected a date" in refused(book, GOOD, as_of=20220601)
    assert "as_of: expected a date" in refused(book, GOOD, as_of="20220601")


def test_an_int_key_is_an_unknown_field(book: engine.Rulebook) -> None:
    assert "citizen.5: unknown field" in refused(book, {**GOOD, "citizen": {**GOOD["citizen"], 5: 3}})


def test_a_key_with_a_newline_is_named_on_one_line(book: engine.Rulebook) -> None:
    """Found by the long fuzz run: the message of an unknown field broke over two lines."""
    assert "'citizen.\\n': unknown field" in refused(book, {**GOOD, "citizen": {"\n": None}})


def test_a_birth_date_after_the_day_evaluated(book: engine.Rulebook) -> None:
    assert "citizen.birth_date: 2030-01-01 is after" in refused(book, with_citizen(birth_date="2030-01-01"))
    assert "citizen.birth_date: 2022-06-02 is after" in refused(book, with_citizen(birth_date="2022-06-02"))
    assert book.evaluate(with_citizen(birth_date="2022-06-01")).case == "good"
    assert "citizen.birth_date" in refused(book, with_citizen(birth_date="2022-01-01"), as_of=dt.date(2021, 1, 1))


@pytest.mark.parametrize("case_id", [[1, 2], {"a": 1}, "x" * 201])
def test_a_case_id_is_short_text(book: engine.Rulebook, case_id: Any) -> None:
    assert "case: expected a short id" in refused(book, {**GOOD, "case": case_id})


@pytest.mark.parametrize("payments, where", [
    ("junk", "payments: expected a list"), ({"a": 1}, "payments: expected a list"), ([1], "payments[0]: "),
    ([{"benefit": "kontanthjaelp", "colour": "red"}], "payments[0]: "), ([{"amount": [1, 2]}], "payments[0]: ")])
def test_junk_under_payments(book: engine.Rulebook, payments: Any, where: str) -> None:
    assert where in refused(book, {**GOOD, "payments": payments})


def test_well_formed_payments_are_accepted(book: engine.Rulebook) -> None:
    record = {"benefit": "kontanthjaelp", "amount": "700.00", "from": "2022-05-02", "to": "2022-05-08"}
    placement = {"benefit": "virksomhedspraktik", "amount": "0", "hours": "12.5", "from": "2022-05-02",
                 "to": "2022-05-08", "eu_export": "false", "flexjob_visitation_date": "2014-01-06"}
    assert book.evaluate({**GOOD, "payments": [record, placement]}).case == "good"


def test_a_case_payment_takes_the_columns_of_a_payment_file() -> None:
    from engine.decide import casefile
    from engine.refusion import payment_files

    assert casefile.PAYMENT_FIELDS == (*payment_files.REQUIRED, *payment_files.OPTIONAL)


def _batch(tmp_path: Path) -> Path:
    bad = [with_citizen(affected_week="NaN"), with_citizen(birth_date="2030-01-01"),
           with_citizen(affected_week="1e999999999"), {**GOOD, "case": [1]}]
    lines = [json.dumps({**GOOD, "case": "first"}), *(json.dumps(c) for c in bad),
             '{"case": "n", "citizen": {"affected_week": Infinity}}', json.dumps({**GOOD, "case": "last"})]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["report", "exemptions", "--format", "json"],
                                     ["compare", "--with", "tvaergaaende-borgerforloeb", "--format", "json"]])
def test_bad_cases_never_take_a_batch_down(tmp_path: Path, command: list[str]) -> None:
    path = _batch(tmp_path)
    result = CliRunner().invoke(main, [*command, str(path)])
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    for line in range(2, 7):
        assert f"{path}:{line}: " in result.stderr
    assert f"{path}:1:" not in result.stderr and f"{path}:7:" not in result.stderr
    if command[0] == "compare":
        assert {c["case"] for c in json.loads(result.stdout)["cases"]} == {"first", "last"}
