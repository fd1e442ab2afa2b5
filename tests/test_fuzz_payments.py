"""Fuzzing payment files (issue 12): CSV, Parquet and JSON lines with good rows among junk.

Every bad row is reported with its line, every good row is kept, and the good rows read the same
as a file holding only them (so the refusion output of the two is the same). The examples follow
`tests/test_fuzz_inputs.py`: PARAGRAF_FUZZ_SCALE multiplies them, PARAGRAF_FUZZ_SECONDS bounds one.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine.lang.errors import CaseError
from engine.refusion import payments
from tests.test_fuzz_inputs import NASTY_TEXT, examples, time_limit

COLUMNS = ("person", "municipality", "benefit", "amount", "from", "to")
GOOD_ROW = st.fixed_dictionaries({
    "person": st.sampled_from(["anna", "bo", "søren", "p 1"]), "municipality": st.sampled_from(["101", "147"]),
    "benefit": st.sampled_from(["kontanthjaelp", "sygedagpenge", "a_dagpenge"]),
    "amount": st.integers(0, 10 ** 7).map(lambda ore: f"{ore // 100}.{ore % 100:02d}"),
    "from": st.sampled_from(["2016-01-04", "2016-02-29", "2017-06-01"]),
    "to": st.sampled_from(["2017-06-30", "2018-01-01"]),
})
JUNK_VALUE = st.one_of(NASTY_TEXT, st.text(max_size=8))


@pytest.fixture(scope="module")
def codes() -> tuple[str, ...]:
    values: tuple[str, ...] = engine.load().checked.inputs["citizen.benefit"].input.values
    return values


def _row_content(read: payments.Payments) -> list[tuple[Any, ...]]:
    """The good rows as what the refusion sees of them, line numbers aside."""
    return list(zip([read.persons[i] for i in read.person], [read.municipalities[i] for i in read.municipality],
                    [read.codes[i] for i in read.benefit], read.ore.tolist(), read.start.tolist(), read.end.tolist()))


def _read(path: Path, codes: tuple[str, ...]) -> payments.Payments | None:
    with time_limit():
        try:
            return payments.read_payments(path, codes)
        except CaseError as exc:  # a file-level problem: one line, naming the file
            assert str(path) in str(exc) and "\n" not in str(exc).strip()
            return None


def _same_as_good_rows_alone(read: payments.Payments, good_only: payments.Payments | None) -> None:
    assert good_only is not None and not good_only.bad
    assert _row_content(good_only) == _row_content(read)


# --- CSV and JSON lines: one record a line ----------------------------------------------------------

def _csv_line(row: dict[str, str]) -> bytes:
    return ",".join(row[c] for c in COLUMNS).encode()


def _mutated(line: bytes, at: int, insert: bytes) -> bytes:
    at %= len(line) + 1
    return line[:at] + insert + line[at:]


JUNK_BYTES = st.one_of(st.sampled_from([b"", b'"', b"\xf8", b"\xff\xfe", b",", b"\r", b" ", b"\x00", b'""']),
                       st.binary(max_size=6), JUNK_VALUE.map(lambda t: t.encode("utf-8", "surrogatepass")))
CSV_LINE = st.one_of(
    GOOD_ROW.map(lambda r: ("good", _csv_line(r))),
    st.tuples(GOOD_ROW, st.integers(0, 80), JUNK_BYTES).map(lambda t: ("any", _mutated(_csv_line(t[0]), t[1], t[2]))),
    st.tuples(GOOD_ROW, st.sampled_from(COLUMNS), JUNK_VALUE).map(
        lambda t: ("any", _csv_line({**t[0], t[1]: t[2].replace("\n", " ").replace("\r", " ")}).replace(b"\n", b" ")
                   if "\ud800" not in t[2] else b"x")),
)


def _physical_lines(entries: list[bytes], csv: bool) -> list[list[bytes]]:
    """Each entry, written as a line, as the lines a reader counts: a CSV line ends at a line
    feed, a carriage return or both (as in Arrow's reader and in editors), a JSON line at a line feed."""
    written = [entry.replace(b"\n", b" ") + b"\n" for entry in entries]
    return [text.splitlines(keepends=True) if csv else [text] for text in written]


def _check_line_file(tmp: Path, name: str, header: bytes, lines: list[tuple[str, bytes]], codes: tuple[str, ...]) -> None:
    first = 2 if header else 1
    path = tmp / name
    per_entry = _physical_lines([text for _, text in lines], csv=bool(header))
    body = [line for entry in per_entry for line in entry]
    path.write_bytes(header + b"".join(body))
    read = _read(path, codes)
    assert read is not None
    bad = {b.line + k for b in read.bad for k in range(b.lines)}  # a record may run over lines
    assert len(bad) == sum(b.lines for b in read.bad), read.bad  # each line reported once
    starts = np.cumsum([first] + [len(entry) for entry in per_entry])
    assert not bad & {int(starts[i]) for i, (kind, _) in enumerate(lines) if kind == "good"}, read.bad
    assert sorted(read.line.tolist() + sorted(bad)) == list(range(first, first + len(body)))
    path.write_bytes(header + b"".join(line for number, line in enumerate(body, first) if number not in bad))
    _same_as_good_rows_alone(read, _read(path, codes))


@examples(150)
@given(lines=st.lists(CSV_LINE, max_size=12))
def test_a_fuzzed_csv_payment_file_keeps_every_good_row(tmp_path_factory: Any, codes: tuple[str, ...],
                                                        lines: list[tuple[str, bytes]]) -> None:
    _check_line_file(tmp_path_factory.mktemp("csv"), "p.csv", ",".join(COLUMNS).encode() + b"\n", lines, codes)


JSON_VALUE = st.one_of(JUNK_VALUE, st.integers(), st.floats(), st.none(), st.booleans(),
                       st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
JSON_LINE = st.one_of(
    GOOD_ROW.map(lambda r: ("good", json.dumps(r).encode())),
    st.tuples(GOOD_ROW, st.sampled_from(COLUMNS), JSON_VALUE).map(lambda t: ("any", json.dumps({**t[0], t[1]: t[2]}).encode())),
    st.tuples(GOOD_ROW, st.integers(0, 120), JUNK_BYTES).map(lambda t: ("any", _mutated(json.dumps(t[0]).encode(), t[1], t[2]))),
    st.sampled_from([b"[" * 5000, b'"\\ud800"', b"{}", b"null", b"\xff"]).map(lambda b: ("any", b)),
)


@examples(150)
@given(lines=st.lists(JSON_LINE, max_size=12))
def test_a_fuzzed_json_lines_payment_file_keeps_every_good_row(tmp_path_factory: Any, codes: tuple[str, ...],
                                                               lines: list[tuple[str, bytes]]) -> None:
    _check_line_file(tmp_path_factory.mktemp("jsonl"), "p.jsonl", b"", lines, codes)


# --- Parquet: typed columns -------------------------------------------------------------------------

AMOUNT_COLUMN = st.sampled_from(["string", "float64", "decimal128(20,5)", "decimal128(12,2)"])
FLOATS = st.one_of(st.floats(), st.integers(0, 10 ** 6).map(lambda ore: ore / 100), st.sampled_from([0.125, 0.1, 1e20]))


def _amounts(kind: str, texts: list[str], floats: list[float]) -> pa.Array:
    if kind == "string":
        return pa.array(texts, pa.string())
    if kind == "float64":
        return pa.array(floats, pa.float64())
    precision, scale = (int(n) for n in kind[len("decimal128("):-1].split(","))
    return pc_decimals(texts, pa.decimal128(precision, scale))


def pc_decimals(texts: list[str], kind: pa.DataType) -> pa.Array:
    from decimal import Decimal
    out = []
    for text in texts:
        try:  # text that is no decimal, or one past the context's exponents (1e999999999): no value
            value = Decimal(text)
            out.append(value if value.is_finite() and abs(value) < 10 ** (kind.precision - kind.scale) else None)
        except ArithmeticError:
            out.append(None)
    return pa.array([v.quantize(Decimal(1).scaleb(-kind.scale)) if v is not None else None for v in out], kind)


@examples(100)
@given(rows=st.lists(st.tuples(GOOD_ROW, st.sampled_from([None, *COLUMNS]), JUNK_VALUE, FLOATS), max_size=10),
       amount_kind=AMOUNT_COLUMN, binary_person=st.booleans())
def test_a_fuzzed_parquet_payment_file_keeps_every_good_row(tmp_path_factory: Any, codes: tuple[str, ...],
                                                            rows: list[Any], amount_kind: str, binary_person: bool) -> None:
    records = [{**good, column: junk.encode("utf-8", "surrogatepass").decode("utf-8", "replace")} if column else good
               for good, column, junk, _ in rows]
    columns: dict[str, pa.Array] = {c: pa.array([r[c] for r in records], pa.string()) for c in COLUMNS}
    columns["amount"] = _amounts(amount_kind, [r["amount"] for r in records], [f for *_, f in rows])
    if binary_person:
        columns["person"] = pa.array([r["person"].encode() + (b"\xff" if i % 3 == 2 else b"")
                                      for i, r in enumerate(records)], pa.binary())
    table = pa.table(columns)
    path = tmp_path_factory.mktemp("parquet") / "p.parquet"
    pq.write_table(table, path)
    read = _read(path, codes)
    assert read is not None
    bad = {b.line for b in read.bad}
    assert sorted(read.line.tolist() + sorted(bad)) == list(range(1, len(records) + 1))
    pq.write_table(table.filter(pa.array([i + 1 not in bad for i in range(len(records))], pa.bool_())), path)
    _same_as_good_rows_alone(read, _read(path, codes))
