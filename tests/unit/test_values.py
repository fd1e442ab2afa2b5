"""Runtime values: exact money and rates, explicit rounding, JSON forms, and no floats anywhere."""
from __future__ import annotations

import ast as python_ast
import datetime as dt
import inspect
from decimal import Decimal

import pytest

from engine.lang import values
from engine.lang.values import Duration, Event, Money, Rate, Unknown, to_json


class TestToJson:
    @pytest.mark.parametrize(("value", "expected"), [
        (Decimal("3"), 3),
        (Decimal("3.0"), 3),
        (Decimal("-7"), -7),
        (Decimal("1E+2"), 100),
        (Decimal("3.50"), "3.5"),
        (Decimal("-0.5"), "-0.5"),
        (Decimal("1.23E-7"), "0.000000123"),
        (Money(Decimal("12.5")), "12.50"),
        (Money(Decimal("100")), "100.00"),
        (Money(Decimal("1E+3")), "1000.00"),
        (Money(Decimal("0.125")), "0.125"),
        (Money(Decimal("1.250")), "1.25"),
        (Money(Decimal("-50")), "-50.00"),
        (Rate(Decimal("0.8")), "0.80"),
        (Rate(Decimal("0.80")), "0.80"),
        (Rate(Decimal("0.125")), "0.125"),
        (Rate(Decimal("1")), "1.00"),
        (dt.date(2024, 2, 29), "2024-02-29"),
        (Duration(8, "weeks"), "8 weeks"),
        (Event(dt.date(2024, 1, 2), "jobsamtale"), {"date": "2024-01-02", "kind": "jobsamtale"}),
        (Event(dt.date(2024, 1, 2)), {"date": "2024-01-02", "kind": None}),
        (frozenset({Decimal(3), Decimal(1)}), [1, 3]),
        (frozenset({"b", "a"}), ["a", "b"]),
        ((Event(dt.date(2024, 1, 2)),), [{"date": "2024-01-02", "kind": None}]),
        (True, True),
        (False, False),
        ("tekst", "tekst"),
        (None, None),
        (Unknown(frozenset({"x"})), None),
    ])
    def test_json_forms(self, value: object, expected: object) -> None:
        got = to_json(value)
        assert type(got) is type(expected) and got == expected

    def test_no_exponent_in_any_text(self) -> None:
        for text in ("1E+30", "1E-12", "123456789012345678901234567.5"):
            assert "E" not in str(to_json(Decimal(text))) and "E" not in to_json(Money(Decimal(text)))

    def test_floats_have_no_json_form(self) -> None:
        with pytest.raises(TypeError):
            to_json(0.1)

    def test_bool_is_not_taken_for_a_number(self) -> None:
        assert to_json(True) is True and to_json(Decimal(1)) == 1 and type(to_json(Decimal(1))) is int


class TestMoney:
    def test_money_is_exact_where_floats_are_not(self) -> None:
        assert 0.1 * 3 != 0.3  # the float trap that Money avoids
        assert Money(Decimal("0.10")).amount * 3 == Decimal("0.30")

    def test_from_ore_and_back(self) -> None:
        assert Money.from_ore(1999) == Money(Decimal("19.99"))
        assert Money.from_ore(1999).ore == 1999
        assert Money(Decimal("-2.50")).ore == -250

    @pytest.mark.parametrize(("amount", "step", "expected"), [
        ("2.675", values.ORE, "2.68"),   # a float 2.675 is 2.67499999..., Decimal is exact
        ("2.665", values.ORE, "2.67"),   # half up, not half to even
        ("2.664", values.ORE, "2.66"),
        ("0.005", values.ORE, "0.01"),
        ("12.50", values.KRONE, "13"),
        ("13.50", values.KRONE, "14"),
        ("12.49", values.KRONE, "12"),
        ("12.499999", values.KRONE, "12"),
    ])
    def test_round_half_up(self, amount: str, step: Decimal, expected: str) -> None:
        assert Money(Decimal(amount)).round_half_up(step) == Money(Decimal(expected))

    def test_round_half_up_keeps_the_step_as_its_exponent(self) -> None:
        assert to_json(Money(Decimal("2.675")).round_half_up()) == "2.68"
        assert to_json(Money(Decimal("12.5")).round_half_up(values.KRONE)) == "13.00"

    def test_ordering_and_equality_ignore_trailing_zeros(self) -> None:
        assert Money(Decimal("1.5")) == Money(Decimal("1.50"))
        assert Money(Decimal("99.99")) < Money(Decimal("100"))

    def test_text(self) -> None:
        assert str(Money(Decimal("1234.5"))) == "1234.50 kr"
        assert str(Rate(Decimal("0.4"))) == "40 %"


class TestDates:
    @pytest.mark.parametrize(("day", "duration", "sign", "expected"), [
        (dt.date(2021, 1, 31), Duration(1, "months"), 1, dt.date(2021, 2, 28)),
        (dt.date(2024, 1, 31), Duration(1, "months"), 1, dt.date(2024, 2, 29)),
        (dt.date(2024, 2, 29), Duration(1, "years"), 1, dt.date(2025, 2, 28)),
        (dt.date(2024, 3, 1), Duration(1, "days"), -1, dt.date(2024, 2, 29)),
        (dt.date(2024, 1, 1), Duration(8, "weeks"), 1, dt.date(2024, 2, 26)),
        (dt.date(2024, 3, 31), Duration(1, "months"), -1, dt.date(2024, 2, 29)),
    ])
    def test_add_duration(self, day: dt.date, duration: Duration, sign: int, expected: dt.date) -> None:
        assert values.add_duration(day, duration, sign) == expected

    def test_monday_of(self) -> None:
        assert [values.monday_of(dt.date(2024, 6, d)) for d in range(3, 11)] == [dt.date(2024, 6, 3)] * 7 + [dt.date(2024, 6, 10)]

    def test_units_cover_danish_and_english(self) -> None:
        assert set(values.UNITS.values()) == {"days", "weeks", "months", "years"}
        for danish, english in (("dag", "days"), ("dage", "days"), ("uge", "weeks"), ("uger", "weeks"),
                                ("måned", "months"), ("måneder", "months"), ("år", "years")):
            assert values.UNITS[danish] == english


class TestUnknown:
    def test_union_keeps_every_missing_name(self) -> None:
        assert (Unknown(frozenset({"a"})) | Unknown(frozenset({"b"}))).missing == {"a", "b"}


def test_no_float_in_the_values_module() -> None:
    tree = python_ast.parse(inspect.getsource(values))
    floats = [n.lineno for n in python_ast.walk(tree) if isinstance(n, python_ast.Constant) and isinstance(n.value, float)]
    calls = [n.lineno for n in python_ast.walk(tree) if isinstance(n, python_ast.Name) and n.id == "float"]
    assert floats == [] and calls == []
