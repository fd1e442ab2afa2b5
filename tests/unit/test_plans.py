"""Work shared across cases (`engine.decide.plans`): a decision is the same whether the rules taking
part were worked out for this case alone or taken from an earlier case of the same kind and days."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

import engine
from engine.decide import plans

REPO = Path(__file__).resolve().parents[2]
CASE = yaml.safe_load((REPO / "examples" / "hillerod-complex.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def book() -> engine.Rulebook:
    return engine.load()


def alone(book: engine.Rulebook, case: dict[str, Any], day: dt.date, proposals: tuple[str, ...] = ()) -> str:
    """The decision worked out from scratch: no context of an earlier case to take."""
    plans.plans_of(book.program).contexts.clear()
    return book.evaluate(case, day, proposals).to_json(include=("trace",))


def shared(book: engine.Rulebook, case: dict[str, Any], day: dt.date, proposals: tuple[str, ...] = ()) -> str:
    return book.evaluate(case, day, proposals).to_json(include=("trace",))


def boundary_days(book: engine.Rulebook) -> Iterator[dt.date]:
    """The days on which a rule or act version starts or the day after one ends, while the case's benefit runs."""
    start, end = dt.date(2021, 1, 4), dt.date(2026, 1, 8)
    return (day for day in plans.plans_of(book.program).boundaries if start < day <= end)


def test_every_boundary_starts_a_new_stretch(book: engine.Rulebook) -> None:
    shared_plans = plans.plans_of(book.program)
    for day in boundary_days(book):
        before = day - dt.timedelta(days=1)
        assert shared_plans.stretch(before) + 1 == shared_plans.stretch(day) == shared_plans.stretch(
            day + dt.timedelta(days=1)) - (day + dt.timedelta(days=1) in shared_plans.boundaries)


def test_decisions_around_each_boundary_equal_those_worked_out_alone(book: engine.Rulebook) -> None:
    """The day before, on and after each boundary, evaluated in a row so each may take the context
    the one before left: each decision, explanation included, equals the one worked out alone."""
    days = sorted({d + dt.timedelta(days=shift) for d in boundary_days(book) for shift in (-1, 0, 1)})
    assert len(days) > 10
    alone_decisions = [alone(book, CASE, day) for day in days]
    plans.plans_of(book.program).contexts.clear()
    assert [shared(book, CASE, day) for day in days] == alone_decisions


@pytest.mark.parametrize("municipality", ["219", "101", None])
def test_a_proposal_limited_to_municipalities_is_part_of_the_context(book: engine.Rulebook,
                                                                     municipality: str | None) -> None:
    """The same day and kind of case, in a municipality the proposal covers, one it does not, and none:
    each takes its own context, so each equals its decision worked out alone."""
    proposal = (f"{next(iter(book.checked.proposals))}:219",)
    cases = {code: {**CASE, "municipality": code} for code in ("219", "101")}
    cases[None] = {key: value for key, value in CASE.items() if key != "municipality"}
    day = dt.date(2021, 3, 1)
    expected = alone(book, cases[municipality], day, proposal)
    for other in cases.values():  # leave the contexts of the other municipalities behind first
        shared(book, other, day, proposal)
    assert shared(book, cases[municipality], day, proposal) == expected
    decision = book.evaluate(cases[municipality], day, proposal)
    assert ("municipality" in decision.missing) is (municipality is None)
