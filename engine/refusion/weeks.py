"""Payments spread over calendar weeks: the week facts both weekly evaluators read.

Each payment is spread evenly over its days; a week's amount per benefit is the exact sum of
its days' shares, rounded half up to whole øre once (BEK 879/2017 § 23, stk. 2; BEK 14/2026
§ 19, stk. 2; reading 10.2). The part of a week that lies in a month beginning during the week
(its *month tail*) is summed and rounded the same way, for monthly settlement.

`spread(payments, persons)` works on a slice of persons, so a whole caseload goes through in
chunks of bounded size.
"""
from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import attrs
import numpy as np

from engine.refusion.payments import Payments

EPOCH = dt.date(1970, 1, 1)
EPOCH_WEEKDAY = EPOCH.weekday()  # 1970-01-01 was a Thursday


def day_number(day: dt.date) -> int:
    return (day - EPOCH).days


def from_day_number(number: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(number))


def monday(days: Any) -> Any:
    """The day number of the Monday of each day's week."""
    return days - (days + EPOCH_WEEKDAY) % 7


@attrs.frozen
class WeekRange:
    """Calendar weeks from the Monday `first` (a day number), `count` of them."""

    first: int
    count: int

    def monday_of(self, week: int) -> dt.date:
        return from_day_number(self.first + 7 * week)

    def index_of(self, day: dt.date) -> int:
        return (day_number(day) - self.first) // 7


def week_range(payments: Payments) -> WeekRange:
    """From the week of the earliest payment to the week of the latest."""
    if payments.rows == 0:
        return WeekRange(int(monday(day_number(dt.date(2016, 1, 4)))), 0)
    first = int(monday(int(payments.start.min())))
    return WeekRange(first, (int(monday(int(payments.end.max()))) - first) // 7 + 1)


@attrs.frozen
class Weeks:
    """The week facts of a slice of persons.

    `benefits[w, p]` is a bit mask of the codes paid at least one day (bit i = codes[i]);
    the entries (person, week, code, øre, tail øre) are sorted by person, then week, then code,
    with `person_start[p]` the first entry of person p (the native kernel walks a person's weeks
    in one pass); `municipality[w, p]` is the municipality of the person's last payment record
    covering the week (-1: none).
    """

    range: WeekRange
    persons: np.ndarray             # global person indices of the slice
    benefits: np.ndarray            # (weeks, persons) int64 bit masks
    municipality: np.ndarray        # (weeks, persons) int32
    entry_week: np.ndarray
    entry_person: np.ndarray
    entry_code: np.ndarray
    entry_ore: np.ndarray
    entry_tail: np.ndarray
    person_start: np.ndarray        # (persons + 1,) offsets into the entries
    facts: dict[str, np.ndarray]    # per-person facts of the slice (day numbers)


def spread(payments: Payments, rows: np.ndarray, persons: np.ndarray, span: WeekRange) -> Weeks:
    """Spread the given payment rows (all belonging to `persons`) over the weeks of `span`."""
    row = _rows(payments, rows)
    start, end = row(payments.start).astype(np.int64), row(payments.end).astype(np.int64)
    local = np.searchsorted(persons, row(payments.person)).astype(np.int64)
    pair_row, week, days, tail = _pairs(start, end, span)
    def paired(column: np.ndarray) -> np.ndarray:
        return column if pair_row is None else column[pair_row]
    person, code, ore = paired(local), paired(row(payments.benefit)).astype(np.int64), paired(row(payments.ore))
    length = paired(end - start + 1)
    stride = max(span.count, 1)
    key = (person * stride + week) * 64 + code
    order = np.argsort(key, kind="stable")
    key, groups = key[order], _group_starts(key[order])
    length, ore = length[order], ore[order]
    # a payment whose days all lie in its week gives its whole amount to that week: exact sums
    total = np.add.reduceat(ore, groups) if days is None and len(groups) else \
        _round_sums(ore * (length if days is None else days[order]), length, groups)
    tail_sum = _round_sums(ore * tail[order], length, groups)
    first = key[groups]
    entry_code, entry_cell = first % 64, first // 64
    entry_person, entry_week = entry_cell // stride, entry_cell % stride
    shape = (span.count, len(persons))
    last_in_week = np.minimum(paired(end), span.first + 7 * week + 6)
    acting = (paired(row(payments.line)), paired(start), last_in_week)  # the acting municipality (below)
    return Weeks(
        range=span, persons=persons, benefits=_bit_masks(entry_week * len(persons) + entry_person, entry_code, shape),
        municipality=_municipalities(week, person, paired(row(payments.municipality)), acting, shape),
        entry_week=entry_week, entry_person=entry_person, entry_code=entry_code, entry_ore=total, entry_tail=tail_sum,
        person_start=np.searchsorted(entry_person, np.arange(len(persons) + 1)),
        facts={name: values[persons] for name, values in payments.facts.items()},
    )


def _rows(payments: Payments, rows: np.ndarray) -> Any:
    """How to take the given rows of a column: a view when they are one run (a file grouped by person)."""
    if len(rows) and int(rows[-1]) - int(rows[0]) + 1 == len(rows) and bool((np.diff(rows) == 1).all()):
        first, end = int(rows[0]), int(rows[-1]) + 1
        return lambda column: column[first:end]
    return lambda column: column[rows]


def _pairs(start: np.ndarray, end: np.ndarray, span: WeekRange) -> tuple[Any, np.ndarray, Any, np.ndarray]:
    """One (payment, week) pair per week a payment touches: its days in the week and in the month
    tail. Where every payment lies within one week, the pairs are the payments (row None) and
    every day of a payment is in its week (days None)."""
    first = (monday(start) - span.first) // 7
    count = (monday(end) - span.first) // 7 - first + 1
    if (count == 1).all():
        row, week, low, high, days = None, first, start, end, None
    else:
        row = np.repeat(np.arange(len(start)), count)
        offset = np.arange(len(row)) - np.repeat(np.cumsum(count) - count, count)
        week = first[row] + offset
        mon = span.first + 7 * week
        low, high = np.maximum(start[row], mon), np.minimum(end[row], mon + 6)
        days = high - low + 1
    boundary = _month_start_in_week(span.first + 7 * week)
    tail = np.where(boundary > 0, np.maximum(0, high - np.maximum(low, boundary) + 1), 0)
    return row, week, days, tail


def _month_start_in_week(mon: np.ndarray) -> np.ndarray:
    """The day number of the 1st of a month that falls Tuesday-Sunday in the week, or 0."""
    sunday_month = (mon + 6).astype("datetime64[D]").astype("datetime64[M]")
    first = sunday_month.astype("datetime64[D]").astype(np.int64)
    return np.where(first > mon, first, 0)


def _group_starts(sorted_key: np.ndarray) -> np.ndarray:
    if len(sorted_key) == 0:
        return np.zeros(0, np.int64)
    return np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])


def _round_sums(numerator: np.ndarray, denominator: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Round half up, per group, the exact sum of numerator/denominator fractions."""
    if len(groups) == 0:
        return np.zeros(0, np.int64)
    if denominator[0] == denominator[-1] and (denominator == denominator[0]).all() and \
            numerator.max(initial=0) <= (1 << 40) and numerator.min(initial=0) >= 0:
        single = int(denominator[0])  # one denominator (payments of whole weeks): no common multiple to find
        fast: np.ndarray = (2 * np.add.reduceat(numerator, groups) + single) // (2 * single)
        return fast
    common = np.lcm.reduceat(denominator, groups)
    sizes = np.diff(np.r_[groups, len(numerator)])
    risky = (common > (1 << 20)) | (np.maximum.reduceat(numerator, groups) > (1 << 40))  # int64 would not hold
    ratio = np.where(np.repeat(risky, sizes), 0, np.repeat(common, sizes) // denominator)
    total = np.add.reduceat(numerator * ratio, groups)
    out = (2 * total + common) // (2 * common)
    for group in np.flatnonzero(risky):  # the rare wide groups: exact fractions in Python
        lo, hi = groups[group], groups[group] + sizes[group]
        exact = sum((Fraction(int(n), int(d)) for n, d in zip(numerator[lo:hi], denominator[lo:hi])), Fraction(0))
        out[group] = int((exact * 2 + 1) // 2)
    rounded: np.ndarray = out
    return rounded


def _bit_masks(cell: np.ndarray, code: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Per cell (week × persons + person), the bits of its entries' codes (a cell's entries adjoin)."""
    masks = np.zeros(shape[0] * shape[1], np.int64)
    if len(cell):
        starts = _group_starts(cell)
        masks[cell[starts]] = np.bitwise_or.reduceat(np.left_shift(1, code), starts)
    return masks.reshape(shape)


def _municipalities(week: np.ndarray, person: np.ndarray, municipality: np.ndarray, keys: tuple[np.ndarray, ...],
                    shape: tuple[int, int]) -> np.ndarray:
    """Per week and person, the municipality acting at the week's end (finansieringsloven § 4): of
    the records in the week, the one whose days reach latest into it, then the one that began
    latest, then the one read last (`keys`, least significant first: line, start, last day in the
    week). A week in which the person moves goes whole to the new municipality, whatever the order
    of the rows in the file."""
    out = np.full(shape[0] * shape[1], -1, np.int32)
    cell = week * shape[1] + person
    order = np.lexsort((*keys, cell))
    out[cell[order]] = municipality[order]  # the last write per cell wins: the acting municipality
    return out.reshape(shape)
