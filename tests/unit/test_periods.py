"""Periods that follow one another (cycle_start / cycle_end), period_end and last_event_end."""
from __future__ import annotations

import datetime as dt

import pytest

from engine.lang import builtins, values
from engine.lang.values import Duration, Event

D = dt.date


def months(n: int) -> Duration:
    return Duration(n, "months")


class TestPeriodEnd:
    def test_months_end_the_day_before_the_same_date(self) -> None:
        assert values.period_end(D(2021, 1, 4), months(6)) == D(2021, 7, 3)

    def test_a_missing_day_clamps_to_the_month_end(self) -> None:
        assert values.period_end(D(2021, 8, 31), months(6)) == D(2022, 2, 28)

    def test_weeks_end_on_the_day_before(self) -> None:
        # two weeks from Monday 2021-01-04 are 2021-01-04 .. Sunday 2021-01-17
        assert values.period_end(D(2021, 1, 4), Duration(2, "weeks")) == D(2021, 1, 17)

    def test_days_end_on_the_day_before(self) -> None:
        assert values.period_end(D(2021, 1, 31), Duration(1, "days")) == D(2021, 1, 31)


class TestCycles:
    @pytest.mark.parametrize("on, first, last", [
        (D(2018, 1, 3), D(2018, 1, 8), D(2019, 1, 7)),     # before the start: the first period
        (D(2018, 1, 8), D(2018, 1, 8), D(2019, 1, 7)),
        (D(2019, 1, 7), D(2018, 1, 8), D(2019, 1, 7)),
        (D(2019, 1, 8), D(2019, 1, 8), D(2020, 1, 7)),
        (D(2025, 6, 1), D(2025, 1, 8), D(2026, 1, 7)),
    ])
    def test_twelve_month_periods(self, on: dt.date, first: dt.date, last: dt.date) -> None:
        assert values.cycle_bounds(D(2018, 1, 8), months(12), on) == (first, last)

    def test_a_clamped_end_is_followed_by_the_next_day(self) -> None:
        assert values.cycle_bounds(D(2021, 8, 31), months(6), D(2022, 2, 28)) == (D(2021, 8, 31), D(2022, 2, 28))
        assert values.cycle_bounds(D(2021, 8, 31), months(6), D(2022, 3, 1)) == (D(2022, 3, 1), D(2022, 8, 30))

    @pytest.mark.parametrize("start", [D(2020, 1, 29), D(2020, 1, 31), D(2019, 8, 31), D(2020, 2, 29)])
    @pytest.mark.parametrize("length", [months(1), months(2), months(3), Duration(1, "years"),
                                        Duration(4, "weeks"), Duration(13, "days")])
    def test_periods_meet_without_gaps_or_overlaps(self, start: dt.date, length: Duration) -> None:
        previous = None
        day = start
        while day < D(2023, 1, 1):
            first, last = values.cycle_bounds(start, length, day)
            assert first <= day <= last
            if previous is not None and previous != (first, last):
                assert first == previous[1] + dt.timedelta(days=1)
            previous, day = (first, last), day + dt.timedelta(days=1)

    def test_a_zero_length_is_refused(self) -> None:
        with pytest.raises(ValueError, match="at least 1 month"):
            values.cycle_bounds(D(2021, 1, 1), months(0), D(2021, 5, 1))


class TestSignatures:
    def test_cycle_end_takes_a_date_a_duration_and_a_date(self) -> None:
        assert builtins.REGISTRY["cycle_end"].check(["date", "duration", "date"]) == "date"
        with pytest.raises(TypeError):
            builtins.REGISTRY["cycle_end"].check(["date", "number", "date"])

    def test_last_event_end_with_and_without_kind(self) -> None:
        assert builtins.REGISTRY["last_event_end"].check(["events", "date"]) == "date"
        assert builtins.REGISTRY["last_event_end"].check(["events", "date", "string"]) == "date"


def test_a_zero_length_period_in_a_rule_is_an_evaluation_error_not_a_traceback(rulebook_copy) -> None:  # type: ignore[no-untyped-def]
    import engine
    from engine.lang.errors import EngineError

    (rulebook_copy / "rules" / "zero.yaml").write_text(
        "act: LAB\nrules:\n"
        "  - id: lab.test.nul\n    kind: value\n    ref: § 31, stk. 1\n    valid_from: 2020-01-01\n"
        "    title: {da: Nul, en: Zero}\n    expr: cycle_end(citizen.benefit_since, 0 months, as_of)\n",
        encoding="utf-8")
    book = engine.load(rulebook_copy)
    case = {"case": "c", "as_of": "2021-03-01", "municipality": "751",
            "citizen": {"benefit": "ingen", "benefit_since": "2021-01-04"}}
    with pytest.raises(EngineError) as caught:
        book.evaluate(case)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.category == "evaluation"
    assert "cycle_end(): a period must be at least 1 month long" in diagnostic.message
    assert diagnostic.spans[0].path.endswith("zero.yaml")


class TestLastEventEnd:
    OFFERS = (Event(D(2021, 2, 1), "virksomhedspraktik", D(2021, 4, 25)), Event(D(2021, 6, 7), "loentilskud"))

    def test_the_last_day_of_the_latest_started(self) -> None:
        assert builtins.last_event_end(self.OFFERS, D(2021, 6, 6)) == D(2021, 4, 25)

    def test_unknown_when_the_latest_has_no_last_day(self) -> None:
        assert isinstance(builtins.last_event_end(self.OFFERS, D(2021, 6, 7)), values.Unknown)

    def test_none_before_any_event(self) -> None:
        assert builtins.last_event_end(self.OFFERS, D(2021, 1, 31)) is None

    def test_an_event_end_is_in_its_json_only_when_recorded(self) -> None:
        assert values.to_json(self.OFFERS[0]) == {"date": "2021-02-01", "kind": "virksomhedspraktik", "end": "2021-04-25"}
        assert values.to_json(self.OFFERS[1]) == {"date": "2021-06-07", "kind": "loentilskud"}
