"""Issue 12's payment findings, each as a reproducer: every bad row reported with its true line and
reason, every good row kept, and a file-level problem named once."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engine.lang.errors import CaseError
from engine.refusion import payments

HEADER = "person,municipality,benefit,amount,from,to"
GOOD = "anna,101,kontanthjaelp,700.00,2016-01-04,2016-01-10"
RECORD = dict(zip(HEADER.split(","), GOOD.split(",")))


@pytest.fixture
def codes(rulebook) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return rulebook.checked.inputs["citizen.benefit"].input.values


def read(path: Path, codes: tuple[str, ...]) -> tuple[list[str], list[int], list[int]]:
    got = payments.read_payments(path, codes)
    return [str(b) for b in got.bad], [int(o) for o in got.ore], [int(n) for n in got.line]


def parquet(tmp_path: Path, amount: pa.Array) -> Path:
    rows = len(amount)
    table = pa.table({"person": [f"p{i}" for i in range(rows)], "municipality": ["101"] * rows,
                      "benefit": ["kontanthjaelp"] * rows, "amount": amount,
                      "from": ["2016-01-04"] * rows, "to": ["2016-01-10"] * rows})
    pq.write_table(table, tmp_path / "p.parquet")
    return tmp_path / "p.parquet"


def test_parquet_floats_that_are_not_kroner_are_bad_rows(tmp_path: Path, codes: tuple[str, ...]) -> None:
    path = parquet(tmp_path, pa.array([1.5, float("nan"), float("inf"), 0.125, 0.1], pa.float64()))
    bad, ore, lines = read(path, codes)
    assert ore == [150, 10] and lines == [1, 5]
    assert [b.split(":")[0] for b in bad] == ["line 2", "line 3", "line 4"]
    assert "not kroner" in bad[2]


def test_a_decimal_column_of_any_scale_is_taken_when_the_value_has_two_decimals(tmp_path: Path, codes: tuple[str, ...]) -> None:
    column = pa.array([Decimal("12.50000"), Decimal("0.12500")], pa.decimal128(20, 5))
    bad, ore, lines = read(parquet(tmp_path, column), codes)
    assert ore == [1250] and lines == [1] and bad == ["line 2: amount '0.12500' is not kroner with up to 2 decimals"]


def test_a_utf8_bom_and_spaces_after_commas_in_the_header_are_read(tmp_path: Path, codes: tuple[str, ...]) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ", ".join(HEADER.split(",")).encode() + b"\n" + GOOD.encode() + b"\n")
    assert read(path, codes) == ([], [70000], [2])


def test_a_duplicated_column_is_named_once(tmp_path: Path, codes: tuple[str, ...]) -> None:
    path = tmp_path / "p.csv"
    path.write_text(HEADER + ",amount\n" + GOOD + ",3\n", encoding="utf-8")
    with pytest.raises(CaseError, match="line 1: the column 'amount' is given twice"):
        payments.read_payments(path, codes)


def test_a_latin1_byte_loses_only_its_row(tmp_path: Path, codes: tuple[str, ...]) -> None:
    path = tmp_path / "p.csv"
    rows = [GOOD.encode()] * 3
    rows[1] = b"s\xf8ren,101,kontanthjaelp,10,2016-01-04,2016-01-10"
    path.write_bytes(HEADER.encode() + b"\n" + b"\n".join(rows) + b"\n")
    bad, ore, lines = read(path, codes)
    assert ore == [70000, 70000] and lines == [2, 4] and bad == ["line 3: not UTF-8 text (byte 2); write the file as UTF-8"]


def test_a_blank_line_and_a_quoted_newline_keep_the_lines_true(tmp_path: Path, codes: tuple[str, ...]) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f'{HEADER}\n{GOOD}\n\n"an\nna",101,kontanthjaelp,1,2016-01-04,2016-01-10\n{GOOD}\n', encoding="utf-8")
    bad, ore, lines = read(path, codes)
    assert lines[0] == 2 and lines[-1] == 6 and 70000 in ore


def test_a_quote_closed_on_the_next_line_is_one_bad_record_over_both(tmp_path: Path, codes: tuple[str, ...]) -> None:
    """Found by the long fuzz run: Arrow's reader took two lines opening with a quote as one
    record, so the typed path kept it and every later line number was one too low."""
    path = tmp_path / "p.csv"
    path.write_text(f'{HEADER}\n{GOOD}\n"{GOOD}\n"{GOOD}\n{GOOD}\n', encoding="utf-8")
    got = payments.read_payments(path, codes)
    assert got.line.tolist() == [2, 5] and [(b.line, b.lines) for b in got.bad] == [(3, 2)]
    assert str(got.bad[0]).endswith("(the record runs over lines 3-4)")


def test_a_quoted_line_break_is_reported_once_at_its_first_line(tmp_path: Path, codes: tuple[str, ...]) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f'{HEADER}\n{GOOD}\n"an\n\nna",101,kontanthjaelp,1,2016-01-04,2016-01-10\n{GOOD}\n', encoding="utf-8")
    got = payments.read_payments(path, codes)
    assert got.line.tolist() == [2, 6] and [(b.line, b.lines) for b in got.bad] == [(3, 3)]
    assert "line break" in got.bad[0].reason


def test_a_good_line_is_never_taken_into_a_quoted_record(tmp_path: Path, codes: tuple[str, ...]) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f'{HEADER}\n"{GOOD}\n{GOOD}\n{GOOD}"\n', encoding="utf-8")
    bad, ore, lines = read(path, codes)
    assert lines == [3] and [b.split(":")[0] for b in bad] == ["line 2", "line 4"]


def test_a_lone_carriage_return_ends_a_line_on_both_paths(tmp_path: Path, codes: tuple[str, ...]) -> None:
    """Arrow ends a line at a lone carriage return and the text path did not: after one, every
    line number the text path gave was one too low."""
    path = tmp_path / "p.csv"
    path.write_bytes(f"{HEADER}\n{GOOD}\n{GOOD}\r{GOOD}\r\nanna,101\n{GOOD}\n".encode())
    bad, ore, lines = read(path, codes)
    assert lines == [2, 3, 4, 6] and [b.split(":")[0] for b in bad] == ["line 5"]


def test_a_file_with_carriage_returns_alone_for_line_ends(tmp_path: Path, codes: tuple[str, ...]) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(f"{HEADER}\r{GOOD}\r{GOOD}\r{GOOD}\r".encode())
    assert read(path, codes) == ([], [70000] * 3, [2, 3, 4])
    path.write_bytes(f"{HEADER}\r{GOOD}\ranna,101\r{GOOD}\r".encode())
    bad, ore, lines = read(path, codes)
    assert lines == [2, 4] and [b.split(":")[0] for b in bad] == ["line 3"]


def test_a_stray_quote_in_another_column_is_judged_alike_on_both_paths(tmp_path: Path, codes: tuple[str, ...]) -> None:
    """The typed path looked for stray quotes in two columns only, so a row was good in a clean
    file and bad beside a bad row: the good rows did not read the same as a file of them alone."""
    path = tmp_path / "p.csv"
    path.write_text(f'{HEADER},note\n{GOOD},a"b\n{GOOD},x\n', encoding="utf-8")
    bad, ore, lines = read(path, codes)
    assert lines == [3] and bad == ["line 2: a stray quote inside a value"]


def test_a_stray_quote_loses_only_its_row(tmp_path: Path, codes: tuple[str, ...]) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f'{HEADER}\n{GOOD}\nanna,101,"kontanthjaelp,1,2016-01-04,2016-01-10\n{GOOD}\n{GOOD}\n', encoding="utf-8")
    bad, ore, lines = read(path, codes)
    assert lines == [2, 4, 5] and [b.split(":")[0] for b in bad] == ["line 3"]


@pytest.mark.parametrize("line", [b'{"person": "\\ud800"}', b'\xff\xfe{"person": 1}',
                                  b"[" * 100_000 + b"]" * 100_000,
                                  b'{"person": {"id": 1}, "municipality": "101", "benefit": "kontanthjaelp", '
                                  b'"amount": "1", "from": "2016-01-04", "to": "2016-01-10"}'])
def test_a_bad_json_line_is_only_its_row(tmp_path: Path, codes: tuple[str, ...], line: bytes) -> None:
    path = tmp_path / "p.jsonl"
    good = json.dumps(RECORD).encode()
    path.write_bytes(good + b"\n" + line + b"\n" + good + b"\n")
    bad, ore, lines = read(path, codes)
    assert ore == [70000, 70000] and lines == [1, 3] and [b.split(":")[0] for b in bad] == ["line 2"]


@pytest.mark.parametrize("day, ok", [("1849-12-31", False), ("1850-01-01", True), ("0000-01-01", False),
                                     ("2200-12-31", True), ("2201-01-01", False)])
def test_dates_are_bounded(tmp_path: Path, codes: tuple[str, ...], day: str, ok: bool) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER}\nanna,101,kontanthjaelp,1,{day},{day}\n{GOOD}\n", encoding="utf-8")
    bad, ore, lines = read(path, codes)
    assert lines == ([2, 3] if ok else [3])
    assert ok or bad == [f"line 2: 'from' {day} is outside the dates paragraf accepts (1850-01-01 to 2200-12-31)"]


def parquet_person(tmp_path: Path, person: pa.Array) -> Path:
    table = pa.table({"person": person, "municipality": ["101"] * 2, "benefit": ["kontanthjaelp"] * 2,
                      "amount": ["1", "2"], "from": ["2016-01-04"] * 2, "to": ["2016-01-10"] * 2})
    pq.write_table(table, tmp_path / "p.parquet")
    return tmp_path / "p.parquet"


@pytest.mark.parametrize("person", [pa.array([{"id": 1}, {"id": 2}]), pa.array([[1], [2]])])
def test_a_parquet_person_that_is_a_struct_or_list_is_named_once(tmp_path: Path, codes: tuple[str, ...], person: pa.Array) -> None:
    with pytest.raises(CaseError, match="the column 'person' is of type"):
        payments.read_payments(parquet_person(tmp_path, person), codes)


def test_a_binary_parquet_person_that_is_no_text_loses_only_its_row(tmp_path: Path, codes: tuple[str, ...]) -> None:
    bad, ore, lines = read(parquet_person(tmp_path, pa.array([b"anna", b"\xff"], pa.binary())), codes)
    assert ore == [100] and lines == [1] and bad == ["line 2: 'person' is not UTF-8 text"]


def test_a_duplicated_parquet_column_is_named_once(tmp_path: Path, codes: tuple[str, ...]) -> None:
    table = pa.table([pa.array(["anna"])] * 7, names=[*HEADER.split(","), "amount"])
    pq.write_table(table, tmp_path / "p.parquet")
    with pytest.raises(CaseError, match="the column 'amount' is given twice"):
        payments.read_payments(tmp_path / "p.parquet", codes)


def test_a_person_whose_amounts_would_overflow_loses_only_their_rows(tmp_path: Path, codes: tuple[str, ...]) -> None:
    big = "bo,101,kontanthjaelp,9999999999999.99,2016-01-04,2016-01-10"
    path = tmp_path / "p.csv"
    path.write_text("\n".join([HEADER, GOOD, *[big] * 1200]) + "\n", encoding="utf-8")
    bad, ore, lines = read(path, codes)
    assert ore == [70000] and lines == [2] and len(bad) == 1200
    assert bad[0] == "line 3: the amount is more than 10,000,000,000 kr, the most paragraf adds up for a person"


def test_the_rows_from_where_a_persons_sum_passes_the_bound_are_bad(tmp_path: Path, codes: tuple[str, ...]) -> None:
    half = "bo,101,kontanthjaelp,6000000000.00,2016-01-04,2016-01-10"
    path = tmp_path / "p.csv"
    path.write_text("\n".join([HEADER, half, GOOD, "bo,101,kontanthjaelp,20000000000,2016-01-04,2016-01-10", half, half]) + "\n",
                    encoding="utf-8")
    bad, ore, lines = read(path, codes)
    assert lines == [2, 3] and bad == [
        "line 4: the amount is more than 10,000,000,000 kr, the most paragraf adds up for a person",
        "line 5: with this row the amounts of person 'bo' sum to more than 10,000,000,000 kr, the most paragraf adds up for a person",
        "line 6: with this row the amounts of person 'bo' sum to more than 10,000,000,000 kr, the most paragraf adds up for a person"]


@pytest.mark.parametrize("kroner, kept", [("9999999999.99", True), ("10000000000.00", True), ("10000000000.01", False)])
def test_the_sum_bound_at_below_and_above(tmp_path: Path, codes: tuple[str, ...], kroner: str, kept: bool) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER}\nbo,101,kontanthjaelp,{kroner},2016-01-04,2016-01-10\n", encoding="utf-8")
    assert (read(path, codes)[2] == [2]) is kept


def test_a_csv_read_error_never_aborts_the_process(tmp_path: Path) -> None:
    """`paragraf refusion` aborted now and then (SIGABRT, "terminate called without an active
    exception") after Arrow's CSV reader met a bad row: Arrow called the Python handler of invalid
    rows from its read-ahead thread. Without the handler it never did in 40 runs, with it in 2 of
    30 and 14 of 40; the reader now hands Arrow no Python callback. Several runs, as it was rare."""
    import subprocess
    import sys

    lines = [HEADER] + [f"p{i},101,kontanthjaelp,700.00,2016-01-04,2016-01-10" for i in range(3000)]
    lines[1500], lines[2000] = "s\xf8ren,101,kontanthjaelp,10,2016-01-04,2016-01-10", "p,101"
    path = tmp_path / "p.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))
    for _ in range(6):
        done = subprocess.run([sys.executable, "-m", "engine", "refusion", str(path), "--out", str(tmp_path / "o.csv")],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1 and "2 malformed row(s) skipped; 2998 good row(s)" in done.stderr, done.stderr


@pytest.mark.parametrize("kind", ["struct person", "duplicated column", "missing column"])
def test_a_file_level_problem_is_named_once_with_exit_2(tmp_path: Path, kind: str) -> None:
    from click.testing import CliRunner

    from engine.interfaces.cli import main

    if kind == "struct person":
        path = parquet_person(tmp_path, pa.array([{"id": 1}, {"id": 2}]))
    else:
        path = tmp_path / "p.csv"
        header = HEADER + ",amount" if kind == "duplicated column" else HEADER.replace(",benefit", "")
        path.write_text(f"{header}\n{GOOD}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["refusion", str(path), "--out", str(tmp_path / "o.csv")])
    problems = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith("rulebook: ")]
    assert result.exit_code == 2 and len(problems) == 1 and str(path) in problems[0], result.stderr
    assert "internal error" not in result.stderr and not (tmp_path / "o.csv").exists()


def test_a_record_over_several_lines_is_one_bad_row_on_the_command_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from engine.interfaces.cli import main

    path = tmp_path / "p.csv"
    path.write_text(f'{HEADER}\n{GOOD}\n"an\nna",101,kontanthjaelp,1,2016-01-04,2016-01-10\n{GOOD}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["refusion", str(path), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 1 and f"{path}:3: a quoted value holds a line break" in result.stderr
    assert "(the record runs over lines 3-4)" in result.stderr and "1 malformed row(s)" in result.stderr
