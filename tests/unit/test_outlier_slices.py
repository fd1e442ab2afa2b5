"""One outlying date sizes the weeks × persons work of its own slice only: a typo year (2106 for
2016) in one row once widened the week range, and so the arrays, of every person in the file."""
from __future__ import annotations

import datetime as dt
import tracemalloc
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

import engine
from bench import population
from engine.refusion import payments, tables

TYPO_YEARS = 85  # 2021 written as 2106


@pytest.fixture(scope="module")
def book() -> engine.Rulebook:
    return engine.load()


@pytest.fixture(scope="module")
def codes(book: engine.Rulebook) -> tuple[str, ...]:
    values: tuple[str, ...] = book.checked.inputs["citizen.benefit"].input.values  # type: ignore[union-attr]
    return values


def caseload(codes: tuple[str, ...], persons: int, outlier: bool) -> payments.Payments:
    """A generated caseload; with `outlier`, one more row: person 0's first row, 85 years later."""
    columns = population.generate(persons, seed=5)
    if outlier:
        columns = {name: np.r_[column, column[:1]] for name, column in columns.items()}
        for name in ("start", "end"):
            columns[name][-1] += (dt.date(2106, 3, 1) - dt.date(2021, 3, 1)).days
    return population.to_payments(columns, codes)


def peak_and_tables(book: engine.Rulebook, read: payments.Payments) -> tuple[int, list[pa.Table]]:
    """The largest memory traced while the per-week tables are made, and the tables."""
    tracemalloc.start()
    try:
        made = [table for _, table in tables.evaluate_tables(book.program, read, evaluator="numpy")]
        return tracemalloc.get_traced_memory()[1], made
    finally:
        tracemalloc.stop()


def test_one_outlier_row_does_not_size_the_work_of_the_others(book: engine.Rulebook, codes: tuple[str, ...]) -> None:
    clean, with_outlier = caseload(codes, 400, False), caseload(codes, 400, True)
    assert len(clean.persons) == len(with_outlier.persons)  # the outlier is a known person's row
    clean_peak, clean_tables = peak_and_tables(book, clean)
    outlier_peak, outlier_tables = peak_and_tables(book, with_outlier)
    weeks_then = (int(with_outlier.end.max()) - int(with_outlier.start.min())) // 7
    weeks_now = (int(clean.end.max()) - int(clean.start.min())) // 7
    assert weeks_then > 20 * weeks_now  # one shared week range would have made every array 20 times larger
    assert outlier_peak < 1.5 * clean_peak, (clean_peak, outlier_peak)
    clean_rows = pa.concat_tables(clean_tables).to_pylist()
    outlier_rows = pa.concat_tables(outlier_tables).to_pylist()
    person = clean.persons[0]
    assert [r for r in outlier_rows if r["person"] != person] == [r for r in clean_rows if r["person"] != person]
    assert any(r["person"] == person and r["week"].year == 2106 for r in outlier_rows)


def test_the_outlier_is_sliced_apart_and_the_others_keep_their_order(codes: tuple[str, ...]) -> None:
    read = caseload(codes, 50, True)
    apart = tables.outliers(read)
    assert apart.tolist() == [True] + [False] * 49
    sliced = list(tables.slices(read, chunk=20))
    assert [persons.tolist() for _, persons in sliced] == [[0], list(range(1, 21)), list(range(21, 41)), list(range(41, 50))]
    assert sorted(np.concatenate([rows for rows, _ in sliced]).tolist()) == list(range(read.rows))
    assert max(tables.week_range(read, rows).count for rows, _ in sliced[1:]) < tables.week_range(read, sliced[0][0]).count


def records(last_day: dt.date) -> list[dict[str, Any]]:
    """100 persons paid for 70 days from 2016-01-04, and one paid from then to `last_day`."""
    common = {"municipality": "101", "benefit": "kontanthjaelp", "amount": "100", "from": "2016-01-04"}
    most = [{**common, "person": f"p{i}", "to": "2016-03-13"} for i in range(100)]
    return [*most, {**common, "person": "wide", "to": str(last_day)}]


@pytest.mark.parametrize("last_day, apart", [(dt.date(2016, 5, 21), False),   # 139 days: below twice 70
                                             (dt.date(2016, 5, 22), False),   # 140 days: twice, not more
                                             (dt.date(2016, 5, 23), True)])   # 141 days: more than twice
def test_an_outlier_widens_the_span_of_most_persons_more_than_twice(codes: tuple[str, ...], last_day: dt.date,
                                                                    apart: bool) -> None:
    read = payments.from_records(records(last_day), codes)
    assert tables.outliers(read).tolist() == [False] * 100 + [apart]


def test_a_person_without_a_good_row_is_evaluated_in_one_week(book: engine.Rulebook, codes: tuple[str, ...]) -> None:
    """All of bo's rows are past the amount bound: bo is a person with no rows, and a slice of
    bo alone once had no week at all, which the NumPy evaluator could not compute."""
    big = {"person": "bo", "municipality": "101", "benefit": "kontanthjaelp", "amount": "20000000000",
           "from": "2030-01-07", "to": "2030-01-13"}
    read = payments.from_records([{**big, "person": "anna", "amount": "700"}, big], codes)
    assert read.persons == ["anna", "bo"] and read.rows == 1
    for evaluator in tables.EVALUATORS:
        made = [t.to_pylist() for _, t in tables.evaluate_tables(book.program, read, chunk=1, evaluator=evaluator)]
        assert [len(rows) for rows in made] == [1, 0] and made[0][0]["person"] == "anna"


def test_a_persons_weeks_do_not_depend_on_the_slice_around_them(book: engine.Rulebook, codes: tuple[str, ...]) -> None:
    """Slices of one person (each spanning that person's weeks alone) give the tables of one slice
    spanning every week of the file, on both evaluators; some persons are shifted by years so
    that their weeks differ much from the others'."""
    read = caseload(codes, 60, False)
    shifted = read.person % 4 == 0
    read.start = np.where(shifted, read.start + 7 * 150, read.start).astype(np.int32)
    read.end = np.where(shifted, read.end + 7 * 150, read.end).astype(np.int32)
    for evaluator in tables.EVALUATORS:
        one = [t.to_pylist() for _, t in tables.evaluate_tables(book.program, read, evaluator=evaluator)]
        each = [t.to_pylist() for _, t in tables.evaluate_tables(book.program, read, chunk=1, evaluator=evaluator)]
        assert len(one) == 1 and len(each) == 60 and sum(each, []) == one[0]
