"""`paragraf refusion` on a Parquet or CSV file grouped by person, decided in units of whole
persons (`engine.refusion.stream`, `engine.refusion.csv_units`): the same table, bad rows and
summary as reading the whole file, and the same bytes with one process or two."""
from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from engine.audit import log as auditlog
from engine.interfaces.cli import main
from engine.refusion import payment_files, payments, stream, tables

CODES = ("kontanthjaelp", "a_dagpenge", "sygedagpenge", "su", "ledighedsydelse")


def grouped_file(path: Path, persons: int = 240, seed: int = 7) -> Path:
    """Payment records grouped by person, in several row groups, with bad rows among them: a
    negative amount, an unknown code, an impossible date, 'to' before 'from'."""
    pq.write_table(pa.Table.from_pylist(grouped_rows(persons, seed)), path, row_group_size=300)
    return path


def grouped_csv(path: Path, persons: int = 240, seed: int = 7) -> Path:
    """The records of `grouped_file` as CSV, one line each."""
    return write_csv(path, grouped_rows(persons, seed))


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """Records of text values as CSV, one line each (no value holds a comma or a quote)."""
    path.write_text("\n".join([",".join(rows[0]), *(",".join(row.values()) for row in rows)]) + "\n", encoding="utf-8")
    return path


def grouped_rows(persons: int, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    for number in range(persons):
        day = dt.date(2016, 1, 1) + dt.timedelta(days=rng.randrange(900))
        for _ in range(rng.randrange(1, 7)):
            length = rng.choice((7, 7, 14, 31, rng.randrange(1, 60)))
            rows.append({"person": f"p{number:04d}", "municipality": rng.choice(("101", "751")),
                         "benefit": rng.choice(CODES), "amount": f"{rng.randrange(0, 900000) / 100:.2f}",
                         "from": day.isoformat(), "to": (day + dt.timedelta(days=length - 1)).isoformat()})
            day += dt.timedelta(days=rng.randrange(0, 90))
    for where, field, value in ((5, "amount", "-12.00"), (333, "benefit", "kontanthjalp"),
                                (len(rows) // 2, "from", "2016-02-30"), (len(rows) - 3, "to", "2015-01-01")):
        rows[where][field] = value
    return rows


@pytest.fixture
def small_units(monkeypatch: pytest.MonkeyPatch) -> None:  # in this process (--jobs 1) only
    monkeypatch.setattr(stream, "MIN_UNIT_ROWS", 16)  # row groups cut in parts too
    monkeypatch.setattr(stream, "UNIT_ROWS", 100)  # CSV files in units of about 100 rows
    monkeypatch.setattr(payment_files, "BATCH_ROWS", 32)  # and read in several batches
    monkeypatch.setattr(payment_files, "PART_ROWS", 8)


def test_units_cover_the_file_and_cut_only_where_a_person_begins(tmp_path: Path, small_units: None) -> None:
    path = grouped_file(tmp_path / "p.parquet")
    units = stream.plan_units(path)
    assert units is not None and len(units) > 8
    person = pq.read_table(path, columns=["person"])["person"].to_pylist()
    assert units[0].first == 0 and units[-1].end == len(person)
    for before, after in zip(units[:-1], units[1:]):
        assert before.end == after.first and person[after.first] != person[after.first - 1]


def test_a_file_whose_persons_are_not_together_or_not_parquet_is_read_whole(tmp_path: Path) -> None:
    table = pa.table({"person": ["a", "b", "a"], "municipality": ["101"] * 3, "benefit": ["su"] * 3,
                      "amount": ["1.00"] * 3, "from": ["2016-01-04"] * 3, "to": ["2016-01-10"] * 3})
    pq.write_table(table, tmp_path / "p.parquet")
    assert stream.plan_units(tmp_path / "p.parquet") is None
    (tmp_path / "p.csv").write_text("person,municipality,benefit,amount,from,to\n", encoding="utf-8")
    assert stream.plan_units(tmp_path / "p.csv") is None
    (tmp_path / "p.jsonl").write_text('{"person": "a"}\n', encoding="utf-8")
    assert stream.plan_units(tmp_path / "p.jsonl") is None


def test_csv_units_cover_the_file_and_begin_where_a_person_does(tmp_path: Path, small_units: None) -> None:
    path = grouped_csv(tmp_path / "p.csv")
    units = stream.plan_units(path)
    assert units is not None and len(units) > 8
    data = path.read_bytes()
    assert units[0].start == data.index(b"\n") + 1 and units[-1].end == len(data) and units[0].first_line == 2
    lines = data.decode().splitlines()
    for before, after in zip(units[:-1], units[1:]):
        assert before.end == after.start and data[after.start - 1:after.start] == b"\n"
        assert after.first_line == before.first_line + data[before.start:before.end].count(b"\n")
        assert lines[after.first_line - 1].split(",")[0] != lines[after.first_line - 2].split(",")[0]


@pytest.mark.parametrize("change", ["quote", "carriage return", "blank line", "apart", "columns", "not UTF-8"])
def test_a_csv_file_with_odd_lines_is_read_whole_or_gives_the_same_in_units(
        tmp_path: Path, change: str, small_units: None, monkeypatch: pytest.MonkeyPatch) -> None:
    path = grouped_csv(tmp_path / "p.csv", persons=120)
    lines = path.read_text(encoding="utf-8").splitlines()
    if change == "quote":
        lines[5] = lines[5].replace("p0", '"p0', 1).replace(",", '",', 1)
    elif change == "carriage return":
        lines[5] += "\r"
    elif change == "blank line":
        lines.insert(6, "")
    elif change == "apart":
        lines.append(lines[1])
    elif change == "columns":
        lines[5] += ",extra"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if change == "not UTF-8":  # in a municipality: only that unit goes to the text path
        path.write_bytes(path.read_bytes().replace(b",101,", b",1\xe601,", 1))
    assert (stream.plan_units(path) is None) == (change not in ("blank line", "not UTF-8"))  # rows to Arrow too
    code, stderr = run(path, "--out", tmp_path / "units.csv")
    monkeypatch.setattr(stream, "plan_units", lambda path: None)
    assert run(path, "--out", tmp_path / "whole.csv") == (code, stderr) and code == 1
    assert (tmp_path / "units.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["refusion", *map(str, args)])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.stderr


def test_units_give_the_table_and_the_bad_rows_of_the_whole_file(tmp_path: Path, small_units: None, rulebook) -> None:  # type: ignore[no-untyped-def]
    path = grouped_file(tmp_path / "p.parquet")
    code, stderr = run(path, "--out", tmp_path / "units.parquet")
    codes = rulebook.checked.inputs["citizen.benefit"].input.values
    read = payments.read_payments(path, codes)
    whole = tables.refusion(rulebook.program, read)
    assert pq.read_table(tmp_path / "units.parquet").equals(whole.table)
    assert code == 1 and len(read.bad) == 4
    for bad in read.bad:  # each bad row with its row number and reason, once
        assert stderr.count(f"{path}:{bad.line}: {bad.reason}") == 1
    assert "2016-02-30" in stderr and f"{read.rows} good row(s) processed" in stderr


def test_csv_units_give_the_bytes_and_the_bad_rows_of_the_whole_file(tmp_path: Path, small_units: None,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = grouped_csv(tmp_path / "p.csv", persons=300)
    path.write_text(",".join(f'"{name}"' for name in payment_files.REQUIRED) + path.read_text()[path.read_text().index("\n"):])
    assert len(stream.plan_units(path) or ()) > 8  # the names in quotes, as Arrow writes them
    code, stderr = run(path, "--out", tmp_path / "units.csv")
    monkeypatch.setattr(stream, "plan_units", lambda path: None)  # the whole file at once
    whole_code, whole_stderr = run(path, "--out", tmp_path / "whole.csv")
    assert (tmp_path / "units.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert code == whole_code == 1 and stderr == whole_stderr and stderr.count(f"{path}:") == 4
    assert f"{path}:" in stderr and "2016-02-30" in stderr


def test_one_process_or_two_write_the_same_bytes_and_summary(tmp_path: Path, small_units: None,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path = grouped_file(tmp_path / "p.parquet", persons=400)
    run(path, "--out", tmp_path / "one.parquet", "--jobs", "1")
    run(path, "--out", tmp_path / "two.parquet", "--jobs", "2")
    assert (tmp_path / "one.parquet").read_bytes() == (tmp_path / "two.parquet").read_bytes()
    text = grouped_csv(tmp_path / "p.csv", persons=400)  # the workers read their own lines of a CSV file
    run(text, "--out", tmp_path / "csv-one.parquet", "--jobs", "1")
    run(text, "--out", tmp_path / "csv-two.parquet", "--jobs", "2")
    assert (tmp_path / "csv-two.parquet").read_bytes() == (tmp_path / "csv-one.parquet").read_bytes()
    assert pq.read_table(tmp_path / "csv-one.parquet").equals(pq.read_table(tmp_path / "one.parquet"))
    summaries = [CliRunner().invoke(main, ["refusion", str(path), "--summary", "--jobs", jobs]).stdout
                 for jobs in ("1", "2")]
    monkeypatch.setattr(stream, "plan_units", lambda path: None)  # the whole file at once
    whole = CliRunner().invoke(main, ["refusion", str(path), "--summary"]).stdout
    assert summaries == [whole, whole] and whole.count("\n") > 10


def test_units_log_the_entries_of_the_whole_file(tmp_path: Path, small_units: None, monkeypatch: pytest.MonkeyPatch) -> None:
    path = grouped_file(tmp_path / "p.parquet", persons=150)
    run(path, "--out", tmp_path / "units.csv", "--log", tmp_path / "units.db")
    monkeypatch.setattr(stream, "plan_units", lambda path: None)
    run(path, "--out", tmp_path / "whole.csv", "--log", tmp_path / "whole.db")
    records = [[entry.record for entry in auditlog.DecisionLog(tmp_path / name, create=False).entries()]
               for name in ("units.db", "whole.db")]
    assert records[0] == records[1] and len(records[0]) > 100
    assert (tmp_path / "units.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert auditlog.verify(tmp_path / "units.db").ok
