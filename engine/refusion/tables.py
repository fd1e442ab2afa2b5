"""Refusion over time: payment records → per-week refusion and co-financing for a caseload.

`refusion_tables` reads nothing itself: it takes read payments, spreads a slice of persons at a
time over the weeks (bounded memory), runs the batch evaluator on the weekly rules and yields
one per-week table per slice. `Summary` adds those tables up per municipality and month, a week
spanning two months split by its days (BEK 14/2026 § 23, stk. 2).
"""
from __future__ import annotations

from typing import Callable, Iterable, Iterator

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


from engine.refusion import batch, native, weeks

from engine.law import series
from engine.lang.compiler import Program
from engine.refusion.payments import BadRow, Payments

# The weekly series behind each column of the per-week table (rules/finansieringsloven/).
AFFECTED = "finansiering.uge.nummer"
COLUMNS = {
    "refusion_rate": "finansiering.uge.refusionssats",
    "refusion_amount": "finansiering.uge.refusion",
    "cofinancing_rate": "finansiering.uge.medfinansieringssats",
    "cofinancing_amount": "finansiering.uge.medfinansiering",
}
# The week's settled expense and its part in a month that began during the week, for the split.
SPLIT = {
    "refusion_amount": (("finansiering.uge.afregnet_refusionsudgift", "finansiering.uge.gammel_ordning_udgift"),
                        "finansiering.uge.refusionsudgift_ny_maaned"),
    "cofinancing_amount": (("finansiering.uge.afregnet_medfinansieringsudgift",),
                           "finansiering.uge.medfinansieringsudgift_ny_maaned"),
}
SCHEMA = pa.schema([("person", pa.string()), ("municipality", pa.string()), ("week", pa.date32()),
                    ("affected_week", pa.int32()), ("refusion_rate", pa.string()), ("refusion_amount", pa.string()),
                    ("cofinancing_rate", pa.string()), ("cofinancing_amount", pa.string())])
CHUNK_PERSONS = 10_000  # weeks × persons arrays of a few MB: cache-friendly, reused by the allocator


def needed_series() -> tuple[str, ...]:
    split = [name for (totals, tail) in SPLIT.values() for name in (*totals, tail)]
    return (AFFECTED, *COLUMNS.values(), *split)


def slices(payments: Payments, chunk: int = CHUNK_PERSONS) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(payment rows, sorted person indices) for consecutive slices of persons."""
    order = np.argsort(payments.person, kind="stable")
    people = payments.person[order]
    for first in range(0, len(payments.persons), chunk):
        lo, hi = np.searchsorted(people, [first, first + chunk])
        yield order[lo:hi], np.arange(first, min(first + chunk, len(payments.persons)))


@attrs.frozen
class WeekResult:
    """The weekly results of one slice: arrays weeks × persons, with the no-value masks."""

    weeks: weeks.Weeks
    data: dict[str, tuple[np.ndarray, np.ndarray]]
    kinds: dict[str, batch.Arr]


EVALUATORS = ("native", "numpy")


def evaluate_slices(program: Program, payments: Payments, proposals: Iterable[str] = (),
                    chunk: int = CHUNK_PERSONS, progress: Callable[[int], None] | None = None,
                    evaluator: str = "native") -> Iterator[WeekResult]:
    """The weekly results slice by slice, by the native kernel (the NumPy evaluator for what it
    cannot compile) or, with evaluator="numpy", by the NumPy evaluator alone."""
    plan = series.plan(program.checked)
    compiled: batch.BatchProgram | native.NativeProgram = (
        native.NativeProgram(program, plan, payments.codes, proposals) if evaluator == "native"
        else batch.BatchProgram(program, plan, payments.codes, proposals))
    span = weeks.week_range(payments)
    for rows, persons in slices(payments, chunk):
        spread = weeks.spread(payments, rows, persons, span)
        found = compiled.run(spread, needed_series())
        shape = (span.count, len(persons))
        yield WeekResult(spread, {n: batch.to_python(v, shape, payments.codes) for n, v in found.items()}, found)
        if progress is not None:
            progress(len(persons))


def table(result: WeekResult, payments: Payments) -> pa.Table:
    """The per-week table of a slice: one row per person and week with a payment or an amount."""
    spread = result.weeks
    week_index, local = np.nonzero((spread.benefits != 0) | _any_amount(result))
    order = np.lexsort((week_index, local))
    week_index, local = week_index[order], local[order]
    affected, affected_none = result.data[AFFECTED]
    ordinal = affected[week_index, local]
    columns = {
        "person": pa.array(np.asarray(payments.persons, dtype=object)[spread.persons[local]], pa.string()),
        "municipality": _municipality(spread, payments, week_index, local),
        "week": pa.array((spread.range.first + 7 * week_index).astype("datetime64[D]"), pa.date32()),
        "affected_week": pa.array(ordinal.astype(np.int32), mask=(ordinal == 0) | affected_none[week_index, local]),
    }
    for column, name in COLUMNS.items():
        data, none = result.data[name]
        columns[column] = _decimal_text(data[week_index, local], none[week_index, local], result.kinds[name])
    return pa.table(columns, schema=SCHEMA)


def _any_amount(result: WeekResult) -> np.ndarray:
    out = np.zeros(result.weeks.benefits.shape, bool)
    for column in ("refusion_amount", "cofinancing_amount"):
        data, none = result.data[COLUMNS[column]]
        out |= (data != 0) & ~none
    return out


def _municipality(spread: weeks.Weeks, payments: Payments, week_index: np.ndarray, local: np.ndarray) -> pa.Array:
    index = spread.municipality[week_index, local]
    if not len(index):
        return pa.array([], pa.string())
    known = np.where(index >= 0, index, 0)
    names = pa.array(payments.municipalities or [""], pa.string())
    return pc.if_else(pa.array(index >= 0), pc.take(names, pa.array(known)), pa.scalar(None, pa.string()))


def _decimal_text(data: np.ndarray, none: np.ndarray, value: batch.Arr) -> pa.Array:
    """Rates as fractions ("0.80"), money as kroner ("123.45"): exact, from the integer data."""
    places = value.scale + (2 if value.kind == "money" else 0)  # digits after the decimal point
    units = data.astype(np.int64) * 10 ** max(0, 2 - places)
    places = max(places, 2)
    negative = units < 0
    magnitude = np.abs(units)
    whole = pc.cast(pa.array(magnitude // 10 ** places), pa.string())
    part = pc.utf8_lpad(pc.cast(pa.array(magnitude % 10 ** places), pa.string()), width=places, padding="0")
    text = pc.binary_join_element_wise(whole, part, ".")
    text = pc.if_else(pa.array(negative), pc.binary_join_element_wise("-", text, ""), text)
    return pc.if_else(pa.array(none), pa.scalar(None, pa.string()), text)


@attrs.define
class Summary:
    """Refusion and co-financing per municipality and month, in øre."""

    totals: dict[tuple[str, str], list[int]] = attrs.field(factory=dict)

    def add(self, result: WeekResult, payments: Payments) -> None:
        spread = result.weeks
        mondays = (spread.range.first + 7 * np.arange(spread.range.count)).astype("datetime64[D]")
        early_month = mondays.astype("datetime64[M]")
        late_month = (mondays + 6).astype("datetime64[M]")
        for slot, column in enumerate(("refusion_amount", "cofinancing_amount")):
            self._add_column(result, payments, column, slot, early_month, late_month)

    def _add_column(self, result: WeekResult, payments: Payments, column: str, slot: int,
                    early_month: np.ndarray, late_month: np.ndarray) -> None:
        amount, none = result.data[COLUMNS[column]]
        totals, tail_name = SPLIT[column]
        expense = np.sum([result.data[name][0].astype(np.int64) for name in totals], axis=0)
        tail = result.data[tail_name][0].astype(np.int64)
        week_index, local = np.nonzero((amount != 0) & ~none)
        if not len(week_index):
            return
        whole = amount[week_index, local].astype(np.int64)
        base, part = expense[week_index, local], tail[week_index, local]
        late = np.where(base > 0, (2 * whole * part + base) // np.maximum(2 * base, 1), 0)  # days in the new month
        municipality = result.weeks.municipality[week_index, local]
        for months, share in ((early_month, whole - late), (late_month, late)):
            some = share != 0
            self._accumulate(payments, municipality[some], months[week_index][some], share[some], slot)

    def _accumulate(self, payments: Payments, municipality: np.ndarray, month: np.ndarray, share: np.ndarray, slot: int) -> None:
        keys = municipality.astype(np.int64) * 100_000 + month.astype(np.int64)
        unique, inverse = np.unique(keys, return_inverse=True)
        sums = np.zeros(len(unique), np.int64)
        np.add.at(sums, inverse, share)
        for key, total in zip(unique.tolist(), sums.tolist()):
            who = payments.municipalities[key // 100_000] if key // 100_000 >= 0 else ""
            label = str(np.datetime64(key % 100_000, "M"))
            self.totals.setdefault((who, label), [0, 0])[slot] += total

    def to_table(self) -> pa.Table:
        keys = sorted(self.totals)
        def kroner(ore: int) -> str:
            return f"{'-' if ore < 0 else ''}{abs(ore) // 100}.{abs(ore) % 100:02d}"
        return pa.table({
            "municipality": [k[0] for k in keys], "month": [k[1] for k in keys],
            "refusion_amount": [kroner(self.totals[k][0]) for k in keys],
            "cofinancing_amount": [kroner(self.totals[k][1]) for k in keys],
        })


@attrs.frozen
class RefusionResult:
    """The per-week table of a whole caseload and the rows that could not be read."""

    table: pa.Table
    bad: tuple[BadRow, ...]

    def records(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = self.table.to_pylist()
        return rows


def refusion(program: Program, payments: Payments, proposals: Iterable[str] = ()) -> RefusionResult:
    """Every slice's table, joined (for a library caller; the command line streams instead)."""
    tables = [table(result, payments) for result in evaluate_slices(program, payments, proposals)]
    return RefusionResult(pa.concat_tables(tables) if tables else SCHEMA.empty_table(), tuple(payments.bad))
