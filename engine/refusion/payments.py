"""Payment records → compact columns, with every malformed row reported and every good row kept.

The contract (docs/refusion.md): CSV, Parquet or JSON lines with the columns person, municipality,
benefit (a code of reading 10.11), amount (kroner, up to 2 decimals), from and to (first and last
day it covers), optional per-person columns flexjob_visitation_date and early_pension_granted, and
the optional per-row columns eu_export (true: the benefit was exported under the EU rules, and the
row takes the benefit's code with the suffix _eu) and hours (the hours of a record of a code in
HOURS_CODES, which pays nothing: its hours take the place of its amount, one hour as 100 øre, so
that they are spread over the weeks like money).
Files are read in batches and turned at once into integer columns (øre, day numbers, indices),
so the text of a large file is never held whole (reading the files: `engine.refusion.payment_files`).
Spreading the payments over weeks is in
`engine.refusion.weeks`.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable, Iterable

import attrs
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from engine.lang import filekind, values
from engine.refusion.payment_files import PERSON_FACTS, REQUIRED, AsText, as_strings, batches

NO_DATE = np.iinfo(np.int32).min
EU_SUFFIX = "_eu"  # eu_export: the benefit's code for payments exported under the EU rules
# Codes whose records give hours, not money (virksomhedspraktik: BEK 1770/2015 § 2).
HOURS_CODES = ("virksomhedspraktik",)
TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no", "")  # a per-person date that was not given
AMOUNT = r"^[0-9]{1,13}(\.[0-9]{1,2})?$"
# A person's amounts may sum to at most this (øre): summed by week and multiplied by a rate of up
# to six decimals, they stay far inside int64 in every evaluator.
PERSON_ORE_BOUND = 10 ** 12
COLUMNS = {"person": np.int32, "municipality": np.int32, "benefit": np.int8, "ore": np.int64,
           "start": np.int32, "end": np.int32, "line": np.int64}
# the dates a payment may name: those a case or rule may name (engine.lang.values.parse_date)
FIRST_DAY, LAST_DAY = ((day - dt.date(1970, 1, 1)).days for day in (values.FIRST_DATE, values.LAST_DATE))


@attrs.frozen
class BadRow:
    line: int
    reason: str
    lines: int = 1  # the lines the record runs over (a quote closed a few lines below: more than one)

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@attrs.define
class Payments:
    """Good payment rows as integer columns; persons and municipalities by index."""

    person: np.ndarray          # int32 index into persons
    municipality: np.ndarray    # int32 index into municipalities
    benefit: np.ndarray         # int8 index into codes
    ore: np.ndarray             # int64 amount in øre
    start: np.ndarray           # int32 day number (days since 1970-01-01) of `from`
    end: np.ndarray             # int32 day number of `to`
    line: np.ndarray            # int64 line (or row) of the record in its file
    persons: list[str]
    municipalities: list[str]
    codes: tuple[str, ...]
    facts: dict[str, np.ndarray]  # per person: day number or NO_DATE
    bad: list[BadRow]
    _names: pa.Array | None = attrs.field(default=None, init=False, repr=False, eq=False)

    @property
    def rows(self) -> int:
        return len(self.ore)

    def person_names(self) -> pa.Array:
        """The persons as an Arrow array (made once), to take the names of rows from."""
        if self._names is None:
            self._names = pa.array(self.persons, pa.string())
        return self._names


def money_rows(payments: Payments) -> np.ndarray:
    """Per row, whether its øre are money: the rows of a code in HOURS_CODES hold hours, which
    costs and sums of money leave out (the weekly rules name the codes they add up)."""
    hours = [i for i, code in enumerate(payments.codes) if code in HOURS_CODES]
    rows: np.ndarray = ~np.isin(payments.benefit, hours)
    return rows


def read_payments(path: Path, codes: tuple[str, ...], progress: Callable[[int], None] | None = None) -> Payments:
    """Read a payment file: CSV, Parquet or JSON lines, by its extension or else its content.

    A CSV file is first read with typed columns (dates, decimal kroner), which is fast; if a
    row does not convert or is malformed, it is read again as text, so that every bad row is
    reported with its line and reason exactly."""
    try:
        return _read(Path(path), codes, progress, typed=True)
    except AsText:
        return _read(Path(path), codes, progress, typed=False)


def _read(path: Path, codes: tuple[str, ...], progress: Callable[[int], None] | None, typed: bool) -> Payments:
    return from_batches(batches(path, typed), codes, progress, strict=typed and filekind.payment_kind(path) == "csv")


def from_batches(read: Iterable[tuple[pa.RecordBatch, int | np.ndarray]], codes: tuple[str, ...],
                 progress: Callable[[int], None] | None = None, strict: bool = False) -> Payments:
    """Payments from batches of a file's records, each with the line (or row) of its first, or
    with the line of each (`engine.refusion.regroup`: rows taken from all over a file)."""
    builder = _Builder(codes, strict=strict)
    for batch, first_line in read:
        builder.add(batch, first_line)
        if progress is not None:
            progress(batch.num_rows)
    return builder.finish()


def from_records(records: list[dict[str, object]], codes: tuple[str, ...]) -> Payments:
    """Payments from a list of mappings (a case's `payments`, a test), numbered from line 1."""
    builder = _Builder(codes)
    builder.add(as_strings(records), 1)
    return builder.finish()


# -- checking and converting a batch ---------------------------------------------------------

class _Builder:
    def __init__(self, codes: tuple[str, ...], strict: bool = False) -> None:
        self.codes, self.strict = codes, strict
        self.code_index = pa.array(codes)
        self.persons: dict[str, int] = {}
        self.municipalities: dict[str, int] = {}
        self.parts: list[dict[str, np.ndarray]] = []
        self.facts: dict[str, dict[int, int]] = {name: {} for name in PERSON_FACTS}
        self.bad: list[BadRow] = []

    def add(self, batch: pa.RecordBatch, first_line: int | np.ndarray) -> None:
        lines = first_line if isinstance(first_line, np.ndarray) else \
            np.arange(first_line, first_line + batch.num_rows, dtype=np.int64)
        columns = {name: batch.column(name) for name in batch.schema.names}
        reason, parsed = _check(columns, self.code_index)
        good = pc.is_null(reason).to_numpy(zero_copy_only=False)
        if self.strict and not good.all():
            raise AsText()
        span = _spans(columns.get("_span"), batch.num_rows)
        good &= span == 1
        for line, why, count in zip(lines[~good], pc.fill_null(reason, "").to_numpy(zero_copy_only=False)[~good], span[~good]):
            if count > 1:
                self.bad.append(BadRow(int(line), f"{why} (the record runs over lines {line}-{line + count - 1})", int(count)))
            elif count == 1:
                self.bad.append(BadRow(int(line), why))
        if good.any():
            self._keep(columns, parsed, good, lines)

    def _keep(self, columns: dict[str, pa.Array], parsed: dict[str, np.ndarray], good: np.ndarray, lines: np.ndarray) -> None:
        every = bool(good.all())  # the usual case: nothing to filter out
        person = _encode(columns["person"] if every else pc.filter(columns["person"], good), self.persons)
        part = parsed if every else {key: value[good] for key, value in parsed.items()}
        municipality = columns["municipality"] if every else pc.filter(columns["municipality"], good)
        part.update(person=person, line=lines if every else lines[good],
                    municipality=_encode(municipality, self.municipalities))
        for name in PERSON_FACTS:
            days = part.pop(name)
            for who, day in zip(person[days != NO_DATE], days[days != NO_DATE]):
                self.facts[name].setdefault(int(who), int(day))
        self.parts.append(part)

    def finish(self) -> Payments:
        def joined(key: str, dtype: type) -> np.ndarray:
            # one column at a time, each batch's part let go as it is joined: memory stays near one copy
            if not self.parts:
                return np.zeros(0, dtype)
            return np.concatenate([part.pop(key) for part in self.parts], dtype=dtype, casting="unsafe")
        facts = {}
        for name in PERSON_FACTS:
            column = np.full(len(self.persons), NO_DATE, np.int32)
            if self.facts[name]:
                who = np.fromiter(self.facts[name].keys(), np.int64)
                column[who] = np.fromiter(self.facts[name].values(), np.int64)
            facts[name] = column
        columns = {key: joined(key, dtype) for key, dtype in COLUMNS.items()}
        columns = self._within_bound(columns)
        return Payments(**columns, persons=list(self.persons), municipalities=list(self.municipalities),
                        codes=self.codes, facts=facts, bad=sorted(self.bad, key=lambda b: b.line))

    def _within_bound(self, columns: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Rows past PERSON_ORE_BOUND are bad rows: summed by week and multiplied by rates, larger
        sums would overflow the evaluators' int64 arithmetic. A row above it alone is bad by itself;
        the others add up per person in file order, and the rows from where the sum passes it are bad.
        A file of the good rows alone therefore keeps them all."""
        ore, person = columns["ore"], columns["person"]
        alone = ore > PERSON_ORE_BOUND
        if not alone.any() and int(ore.sum(dtype=np.float64)) <= PERSON_ORE_BOUND // 2:
            return columns  # all persons together stay below the bound: no running sums needed
        running = _running_sums(np.where(alone, 0, ore).astype(np.float64), person)  # exact below 2**53
        over = alone | (running > PERSON_ORE_BOUND)
        if not over.any():
            return columns
        bound, names = f"{PERSON_ORE_BOUND // 100:,} kr, the most paragraf adds up for a person", list(self.persons)
        for who, line, single in zip(person[over], columns["line"][over], alone[over]):
            self.bad.append(BadRow(int(line), f"the amount is more than {bound}" if single else
                                   f"with this row the amounts of person '{names[who]}' sum to more than {bound}"))
        return {key: column[~over] for key, column in columns.items()}


def _spans(column: pa.Array | None, rows: int) -> np.ndarray:
    """How many lines each record runs over (0: a line of the record before it)."""
    if column is None or column.null_count == len(column):
        return np.ones(rows, np.int64)
    return np.asarray(pc.fill_null(pc.cast(column, pa.int64()), 1).to_numpy(zero_copy_only=False))


def _running_sums(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Each row's sum of the values of its group up to and including it, in row order."""
    order = np.argsort(group, kind="stable")
    total = np.cumsum(values[order])
    starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]]) if len(order) else np.zeros(0, np.int64)
    before = total[starts] - values[order][starts]
    out = np.empty_like(total)
    out[order] = total - np.repeat(before, np.diff(np.r_[starts, len(order)]))
    return out


def check_strictly(batch: pa.RecordBatch, codes: tuple[str, ...]) -> None:
    """AsText when a row of the batch is bad, as a typed CSV batch is checked (`from_batches`, strict)."""
    reason, _ = _check({name: batch.column(name) for name in batch.schema.names}, pa.array(codes))
    if reason.null_count < len(reason):
        raise AsText()


def person_order(column: pa.Array, order: dict[str, int]) -> np.ndarray:
    """Each row's person numbered in the order persons first appear (`order` carries the numbers
    from batch to batch; a row without a person is numbered as the person '')."""
    return _encode(pc.fill_null(pc.cast(column, pa.string()), ""), order)


def _encode(column: pa.Array, index: dict[str, int]) -> np.ndarray:
    encoded = pc.dictionary_encode(column)
    mapping = np.array([index.setdefault(str(v), len(index)) for v in encoded.dictionary.to_pylist()], np.int32)
    return mapping[encoded.indices.to_numpy(zero_copy_only=False)] if len(mapping) else np.zeros(0, np.int32)


def _check(columns: dict[str, pa.Array], code_index: pa.Array) -> tuple[pa.Array, dict[str, np.ndarray]]:
    """For each row the first reason it is malformed (null when good), and the parsed columns."""
    rows = len(columns["person"])
    reasons: list[pa.Array] = []
    if "_bad" in columns:
        reasons.append(columns["_bad"])
    reasons.append(_missing(columns, rows))
    benefit = columns["benefit"]
    exported, export_reason = _eu_export(columns.get("eu_export"), rows)
    reasons.append(export_reason)
    qualified = pc.if_else(exported, pc.binary_join_element_wise(benefit, EU_SUFFIX, ""), benefit) \
        if pc.any(exported).as_py() else benefit
    code = pc.index_in(qualified, value_set=code_index)
    reasons.append(_where(pc.and_(pc.and_(pc.is_null(code), pc.is_valid(benefit)), exported),
                          lambda: pc.binary_join_element_wise(
                              "benefit '", benefit, "' has no code for a benefit exported under the EU rules "
                              "(eu_export: only the benefits of finansieringsloven § 3, stk. 2)", "")))
    reasons.append(_where(pc.and_(pc.is_null(code), pc.is_valid(benefit)),
                          lambda: pc.binary_join_element_wise("unknown benefit code '", benefit, "'", "")))
    ore, amount_reason = _ore(columns["amount"])
    reasons.append(amount_reason)
    ore, hours_reason = _hours(columns.get("hours"), qualified, ore)
    reasons.append(hours_reason)
    start, start_reason = _date(columns["from"], "from")
    end, end_reason = _date(columns["to"], "to")
    reasons += [start_reason, end_reason]
    reasons.append(_where(pc.less(end, start), pa.scalar("'to' is before 'from'")))
    parsed = {"benefit": _ints(code, 0), "ore": _ints(ore, 0), "start": _ints(start, 0), "end": _ints(end, 0)}
    for name in PERSON_FACTS:
        if name not in columns:  # not in the file: no date for anyone
            parsed[name] = np.full(rows, NO_DATE, np.int32)
            continue
        days, reason = _date(columns[name], name, optional=True)
        reasons.append(reason)
        parsed[name] = _ints(days, NO_DATE)
    some = [reason for reason in reasons if reason.null_count < len(reason)]  # a good batch: none
    return (pc.coalesce(*some) if some else pa.nulls(rows, pa.string())), parsed


def _eu_export(column: pa.Array | None, rows: int) -> tuple[pa.Array, pa.Array]:
    """The optional eu_export column (finansieringsloven § 3, stk. 2): true rows take the benefit
    code with the suffix _eu, which the rules keep off the staircase. Empty is false."""
    if column is None:
        return pa.array(np.zeros(rows, np.bool_)), pa.nulls(rows, pa.string())
    text = pc.utf8_lower(pc.utf8_trim_whitespace(pc.cast(column, pa.string())))
    exported = pc.fill_null(pc.is_in(text, value_set=pa.array(TRUE)), False)
    known = pc.fill_null(pc.is_in(text, value_set=pa.array((*TRUE, *FALSE))), True)
    reason = _where(pc.invert(known), lambda: pc.binary_join_element_wise(
        "'eu_export' is '", text, "'; write true or false (or leave it empty)", ""))
    return exported, reason


def _hours(column: pa.Array | None, benefit: pa.Array, ore: pa.Array) -> tuple[pa.Array, pa.Array]:
    """The optional hours column: a record of a code in HOURS_CODES pays nothing (amount 0) and
    gives its hours, which take the place of its øre (one hour: 100); no other record gives hours."""
    counted = pc.fill_null(pc.is_in(benefit, value_set=pa.array(HOURS_CODES)), False)
    lacking = lambda: pc.binary_join_element_wise(  # noqa: E731
        "a record of '", benefit, "' gives its hours in the column 'hours'", "")
    if column is None:
        return ore, _where(counted, lacking)
    given, hundredths, wrong = _hours_read(column)
    reasons = [
        _where(pc.and_(counted, pc.invert(given)), lacking),
        _where(pc.and_(counted, pc.is_valid(wrong)), lambda: pc.binary_join_element_wise(
            "'hours' is '", pc.cast(column, pa.string()), "'; write hours with up to 2 decimals", "")),
        _where(pc.and_(counted, pc.not_equal(ore, 0)), lambda: pc.binary_join_element_wise(
            "a record of '", benefit, "' pays nothing: write amount 0 and its hours in 'hours'", "")),
        _where(pc.and_(pc.invert(counted), given), lambda: pc.binary_join_element_wise(
            "'hours' is given only for ", ", ".join(HOURS_CODES), "; leave it empty for '", benefit, "'", "")),
    ]
    return pc.if_else(counted, hundredths, ore), pc.coalesce(*reasons)


def _hours_read(column: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Per row: whether hours are given, the hours in hundredths, and a reason when they are not
    hours with up to 2 decimals (read as amounts are)."""
    if pa.types.is_decimal(column.type):
        hundredths, wrong = _ore(column)
        return pc.is_valid(column), hundredths, wrong
    text = pc.utf8_trim_whitespace(pc.cast(column, pa.string()))
    given = pc.fill_null(pc.greater(pc.binary_length(text), 0), False)
    hundredths, wrong = _ore(pc.if_else(given, text, pa.scalar("0")))
    return given, hundredths, wrong


def _missing(columns: dict[str, pa.Array], rows: int) -> pa.Array:
    out = pa.nulls(rows, pa.string())
    empties = {}
    for name in REQUIRED:
        column = columns[name]
        empty = pc.is_null(column) if column.type != pa.string() else \
            pc.or_kleene(pc.is_null(column), pc.or_(pc.equal(pc.binary_length(column), 0), pc.utf8_is_space(column)))
        empties[name] = pc.fill_null(empty, True)
    for name in reversed([name for name, empty in empties.items() if pc.any(empty).as_py()]):
        out = pc.if_else(empties[name], pa.scalar(f"'{name}' is empty"), out)
    return out


def _where(condition: pa.Array, reason: pa.Scalar | pa.Array | Callable[[], pa.Array]) -> pa.Array:
    """The reason where the condition holds; a reason given as a function is only made (for every
    row) when some row needs it: good files never pay for the text of their errors."""
    holds = pc.fill_null(condition, False)
    if callable(reason):
        if not pc.any(holds).as_py():
            return pa.nulls(len(condition), pa.string())
        reason = reason()
    return pc.if_else(holds, reason, pa.scalar(None, pa.string()))


def _ore(amount: pa.Array) -> tuple[pa.Array, pa.Array]:
    if pa.types.is_decimal(amount.type):  # decimal kroner (at most two decimals): øre at once
        ore = _decimal_ore(amount)
        negative = pc.fill_null(pc.less(ore, 0), False)
        return ore, _where(negative, lambda: pc.binary_join_element_wise("negative amount ", pc.cast(amount, pa.string()), ""))
    text = pc.utf8_trim_whitespace(amount)
    ok = pc.fill_null(pc.match_substring_regex(text, AMOUNT), False)
    negative = pc.fill_null(pc.starts_with(text, "-"), False)
    reason = pc.if_else(negative, pc.binary_join_element_wise("negative amount ", text, ""),
                        pc.binary_join_element_wise("amount '", text, "' is not kroner with up to 2 decimals", ""))
    reason = pc.if_else(pc.or_(ok, pc.is_null(amount)), pa.scalar(None, pa.string()), reason)
    clean = pc.if_else(ok, text, pa.scalar("0"))
    dot = pc.find_substring(clean, ".")
    decimals = pc.if_else(pc.less(dot, 0), 0, pc.subtract(pc.subtract(pc.utf8_length(clean), dot), 1))
    digits = pc.cast(pc.replace_substring(clean, ".", ""), pa.int64())
    scale = pc.if_else(pc.equal(decimals, 0), 100, pc.if_else(pc.equal(decimals, 1), 10, 1))
    return pc.multiply(digits, pc.cast(scale, pa.int64())), reason


def _decimal_ore(amount: pa.Array) -> pa.Array:
    """Decimal kroner (scale at most 2, precision at most 15) as int64 øre: the decimal's own
    integer (the low word of its 128 bits, which holds it whole at this precision), scaled."""
    if not isinstance(amount, pa.Decimal128Array) or amount.type.precision > 15 or amount.type.scale > 2:
        return pc.cast(pc.multiply(amount, pa.scalar(100, pa.decimal128(3, 0))), pa.int64())
    words = np.frombuffer(amount.buffers()[1], np.int64, 2 * len(amount), 16 * amount.offset)
    units = words[0::2] * 10 ** (2 - amount.type.scale)
    return pa.array(units, pa.int64(), mask=amount.is_null().to_numpy(zero_copy_only=False) if amount.null_count else None)


def _date(text: pa.Array, name: str, optional: bool = False) -> tuple[pa.Array, pa.Array]:
    days, reason = _day_numbers(text, name, optional)
    outside = pc.or_(pc.less(days, FIRST_DAY), pc.greater(days, LAST_DAY))
    bound = f" is outside the dates paragraf accepts ({values.FIRST_DATE} to {values.LAST_DATE})"
    written = lambda: pc.binary_join_element_wise(f"'{name}' ", pc.cast(pc.cast(days, pa.date32()), pa.string()), bound, "")
    return days, pc.coalesce(reason, _where(outside, written))


def _day_numbers(text: pa.Array, name: str, optional: bool) -> tuple[pa.Array, pa.Array]:
    if text.type == pa.date32():
        return pc.cast(text, pa.int32()), pa.nulls(len(text), pa.string())
    clean = pc.utf8_trim_whitespace(text)
    if optional:
        clean = pc.if_else(pc.equal(clean, ""), pa.scalar(None, pa.string()), clean)
    try:  # Arrow's own parser takes only real dates (2016-02-30 fails): the whole batch at once
        return pc.cast(pc.cast(clean, pa.date32()), pa.int32()), pa.nulls(len(text), pa.string())
    except pa.ArrowInvalid:
        pass  # some row is no date: find which, row by row in Arrow
    stamps = pc.strptime(clean, format="%Y-%m-%d", unit="s", error_is_null=True)
    # strptime rolls 2016-02-30 over to 1 March: only a date that prints back as written is one
    exact = pc.equal(pc.strftime(stamps, format="%Y-%m-%d"), clean)
    stamps = pc.if_else(pc.fill_null(exact, False), stamps, pa.scalar(None, stamps.type))
    days = pc.cast(pc.cast(stamps, pa.date32()), pa.int32())
    wrong = pc.and_(pc.is_null(days), pc.is_valid(clean))
    reason = _where(wrong, pc.binary_join_element_wise(f"'{name}' ", clean, " is not a date (write YYYY-MM-DD)", ""))
    return days, reason


def _ints(column: pa.Array, fill: int) -> np.ndarray:
    out: np.ndarray = pc.fill_null(column, fill).to_numpy(zero_copy_only=False)
    return out
