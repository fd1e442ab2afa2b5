"""Refusion over time: payment records → per-week refusion and co-financing for a caseload.

`evaluate_tables` reads nothing itself: it takes read payments, spreads a slice of persons at a
time over the weeks of that slice alone (bounded memory), runs the batch evaluator on the weekly
rules and yields one per-week table per slice. A person whose weeks lie far outside most
persons' (a typo year: 2106 for 2016) is sliced apart, so one outlying date widens the
weeks × persons arrays of its own slice only. `Summary` adds those tables up per municipality and month, a week
spanning two months split by its days (BEK 14/2026 § 23, stk. 2).
"""
from __future__ import annotations

import datetime as dt
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
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
MONEY = pa.decimal128(18, 2)  # kroner with øre
RATE = pa.decimal128(9, 4)    # a fraction: 0.8000 is 80 %
SCHEMA = pa.schema([("person", pa.string()), ("municipality", pa.string()), ("week", pa.date32()),
                    ("affected_week", pa.int32()), ("refusion_rate", RATE), ("refusion_amount", MONEY),
                    ("cofinancing_rate", RATE), ("cofinancing_amount", MONEY)])
CHUNK_PERSONS = 10_000  # weeks × persons arrays of a few MB: cache-friendly, reused by the allocator
# Most persons' days: from the first day of all but this share of persons that begin first to
# the last day of all but this share that end last. One who widens that more than twice is an outlier.
OUTLIER_SHARE = 0.01
EMPTY_WEEK = dt.date(2016, 1, 4)  # the week a file without a good row is evaluated in (as before)


def needed_series() -> tuple[str, ...]:
    split = [name for (totals, tail) in SPLIT.values() for name in (*totals, tail)]
    return (AFFECTED, *COLUMNS.values(), *split)


def slices(payments: Payments, chunk: int = CHUNK_PERSONS) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(payment rows, sorted person indices) for consecutive slices of at most `chunk` persons;
    outliers (`outliers`) and the others are never in one slice."""
    order = np.argsort(payments.person, kind="stable")
    people = payments.person[order]
    cuts = _cuts(outliers(payments), chunk)
    for first, last in zip(cuts[:-1], cuts[1:]):
        lo, hi = np.searchsorted(people, [first, last])
        yield order[lo:hi], np.arange(first, last)


def outliers(payments: Payments) -> np.ndarray:
    """Per person, whether their days more than double the span of most persons' (all but the
    `OUTLIER_SHARE` that begin first and that end last, and at least one of each): such a
    person's weeks × persons arrays are sized apart from the others'."""
    count = len(payments.persons)
    first = np.full(count, np.iinfo(np.int64).max, np.int64)
    last = np.full(count, np.iinfo(np.int64).min, np.int64)
    np.minimum.at(first, payments.person, payments.start.astype(np.int64))
    np.maximum.at(last, payments.person, payments.end.astype(np.int64))
    paid = first <= last  # a person all of whose rows were bad rows has none
    if paid.sum() < 3:
        return np.zeros(count, bool)
    skip = max(1, int(paid.sum() * OUTLIER_SHARE))
    low, high = sorted((np.sort(first[paid])[skip], np.sort(last[paid])[-1 - skip]))
    widened = np.maximum(last, high) - np.minimum(first, low) + 1
    apart: np.ndarray = paid & (widened > 2 * (high - low + 1))
    return apart


def _cuts(apart: np.ndarray, chunk: int) -> np.ndarray:
    """The first person of each slice (and the end): a new slice every `chunk` persons and
    wherever outliers and the others meet."""
    change = np.flatnonzero(apart[1:] != apart[:-1]) + 1
    runs = np.r_[0, change, len(apart)]
    cuts = [np.arange(lo, hi, chunk) for lo, hi in zip(runs[:-1], runs[1:])]
    return np.concatenate([*cuts, [len(apart)]]).astype(np.int64)


def week_range(payments: Payments, rows: np.ndarray) -> weeks.WeekRange:
    """The weeks of the given payment rows, from the first's week to the last's. Persons with no
    rows (all theirs were bad rows) get the first week of the file: a week of nothing, so that
    every evaluator has a week in which rules are in force."""
    if not len(rows):
        day = int(payments.start.min()) if payments.rows else weeks.day_number(EMPTY_WEEK)
        return weeks.WeekRange(int(weeks.monday(day)), 1)
    first = int(weeks.monday(int(payments.start[rows].min())))
    return weeks.WeekRange(first, (int(weeks.monday(int(payments.end[rows].max()))) - first) // 7 + 1)


@attrs.frozen
class WeekResult:
    """The weekly results of one slice: arrays weeks × persons, with the no-value masks."""

    weeks: weeks.Weeks
    data: dict[str, tuple[np.ndarray, np.ndarray]]
    kinds: dict[str, batch.Arr]


EVALUATORS = ("native", "numpy")


def evaluate_slices(program: Program, payments: Payments, proposals: Iterable[str] = (),
                    chunk: int = CHUNK_PERSONS, progress: Callable[[int], None] | None = None,
                    evaluator: str = "native", jobs: int = 1) -> Iterator[WeekResult]:
    """The weekly results slice by slice, in order, by the native kernel (the NumPy evaluator for
    what it cannot compile) or, with evaluator="numpy", by the NumPy evaluator alone."""
    for result, _ in evaluate_tables(program, payments, proposals, chunk, progress, evaluator, jobs, tables=False):
        yield result


def evaluate_tables(program: Program, payments: Payments, proposals: Iterable[str] = (),
                    chunk: int = CHUNK_PERSONS, progress: Callable[[int], None] | None = None,
                    evaluator: str = "native", jobs: int = 1, tables: bool = True,
                    compiled: batch.BatchProgram | native.NativeProgram | None = None,
                    ) -> Iterator[tuple[WeekResult, pa.Table | None]]:
    """Each slice's results and per-week table, in order. With jobs > 1, that many slices are
    spread and tabled at once in threads (NumPy, Arrow and the kernel release the GIL), and the
    kernel runs its persons on that many cores; at most jobs + 1 slices are held at a time.
    `compiled`: the program already compiled for these codes and proposals (`compile_program`)."""
    if compiled is None:
        compiled = compile_program(program, payments.codes, proposals, evaluator)
    kernel_lock = threading.Lock()  # one kernel call at a time: it already uses every thread

    def one(rows: np.ndarray, persons: np.ndarray) -> tuple[WeekResult, pa.Table | None]:
        span = week_range(payments, rows)  # this slice's own weeks: an outlier elsewhere costs it nothing
        spread = weeks.spread(payments, rows, persons, span)
        with kernel_lock:
            if evaluator == "native":
                native.threads(jobs)  # Numba's thread count is set per calling thread
            found = compiled.run(spread, needed_series())
        shape = (span.count, len(persons))
        result = WeekResult(spread, {n: batch.to_python(v, shape, payments.codes) for n, v in found.items()}, found)
        return result, table(result, payments) if tables else None

    with ThreadPoolExecutor(max(1, jobs)) as pool:
        waiting: deque[Future[tuple[WeekResult, pa.Table | None]]] = deque()
        for rows, persons in slices(payments, chunk):
            waiting.append(pool.submit(one, rows, persons))
            if len(waiting) > jobs:
                yield _done(waiting.popleft(), progress)
        while waiting:
            yield _done(waiting.popleft(), progress)


def compile_program(program: Program, codes: tuple[str, ...], proposals: Iterable[str] = (),
                    evaluator: str = "native") -> batch.BatchProgram | native.NativeProgram:
    """The weekly rules compiled for these benefit codes and proposals, by the chosen evaluator."""
    plan = series.plan(program.checked)
    if evaluator == "native":
        return native.NativeProgram(program, plan, codes, proposals)
    return batch.BatchProgram(program, plan, codes, proposals)


def _done(future: Future[tuple[WeekResult, pa.Table | None]],
          progress: Callable[[int], None] | None) -> tuple[WeekResult, pa.Table | None]:
    result = future.result()
    if progress is not None:
        progress(len(result[0].weeks.persons))
    return result


def table(result: WeekResult, payments: Payments) -> pa.Table:
    """The per-week table of a slice: one row per person and week with a payment or an amount."""
    spread = result.weeks
    # person by person, week by week: the nonzero cells of the transposed (persons × weeks) view
    local, week_index = np.nonzero(((spread.benefits != 0) | _any_amount(result)).T)
    cell = week_index * len(spread.persons) + local  # into the flat weeks × persons arrays
    affected, affected_none = result.data[AFFECTED]
    ordinal = affected.ravel().take(cell)
    columns = {
        "person": pc.take(payments.person_names(), pa.array(spread.persons.take(local))),
        "municipality": _municipality(spread, payments, cell),
        "week": pa.array((spread.range.first + 7 * week_index).astype("datetime64[D]"), pa.date32()),
        "affected_week": pa.array(ordinal.astype(np.int32), mask=(ordinal == 0) | affected_none.ravel().take(cell)),
    }
    for column, name in COLUMNS.items():
        data, none = result.data[name]
        columns[column] = _decimal(data.ravel().take(cell), none.ravel().take(cell), result.kinds[name],
                                   SCHEMA.field(column).type)
    return pa.table(columns, schema=SCHEMA)


def _any_amount(result: WeekResult) -> np.ndarray:
    out = np.zeros(result.weeks.benefits.shape, bool)
    for column in ("refusion_amount", "cofinancing_amount"):
        data, none = result.data[COLUMNS[column]]
        out |= (data != 0) & ~none
    return out


def _municipality(spread: weeks.Weeks, payments: Payments, cell: np.ndarray) -> pa.Array:
    index = spread.municipality.ravel().take(cell)
    if not len(index):
        return pa.array([], pa.string())
    known = np.where(index >= 0, index, 0)
    names = pa.array(payments.municipalities or [""], pa.string())
    return pc.if_else(pa.array(index >= 0), pc.take(names, pa.array(known)), pa.scalar(None, pa.string()))


def _decimal(data: np.ndarray, none: np.ndarray, value: batch.Arr, kind: pa.Decimal128Type) -> pa.Array:
    """Exact decimals straight from the integer data (money in øre, rates as fractions), built as
    Arrow's 128-bit little-endian integers without passing through text."""
    places = value.scale + (2 if value.kind == "money" else 0)  # digits after the decimal point
    if places > kind.scale:
        raise ValueError(f"a {value.kind} with {places} decimals does not fit {kind}")
    units = data.astype(np.int64) * 10 ** (kind.scale - places)
    words = np.empty((len(units), 2), np.int64)
    words[:, 0], words[:, 1] = units, units >> 63  # the high word extends the sign
    nulls = int(np.count_nonzero(none))
    bitmap = pa.array(~none.astype(bool)).buffers()[1] if nulls else None
    return pa.Array.from_buffers(kind, len(units), [bitmap, pa.py_buffer(words)], null_count=nulls)


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
