"""Payment records in: bad rows reported with line and reason, good rows kept, amounts exact."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from engine.refusion import payments, weeks
from engine.interfaces.cli import main
from engine.lang.errors import CaseError

HEADER = "person,municipality,benefit,amount,from,to,flexjob_visitation_date"
GOOD = "anna,101,kontanthjaelp,700.00,2016-01-04,2016-01-10,"
ROWS = [
    GOOD,
    "anna,101,kontanthjaelp,-5,2016-01-04,2016-01-10,",
    "anna,101,bogus,10,2016-01-04,2016-01-10,",
    "anna,101,sygedagpenge,10,2016-01-10,2016-01-04,",
    "anna,101,sygedagpenge,10,2016-02-30,2016-03-04,",
    "anna,101,sygedagpenge,10",
    "anna,101,sygedagpenge,1.234,2016-01-04,2016-01-10,",
    "bo,147,a_dagpenge,350,2016-01-11,2016-01-17,2013-05-01",
]


@pytest.fixture
def codes(rulebook) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return rulebook.checked.inputs["citizen.benefit"].input.values


def write_csv(tmp_path: Path) -> Path:
    path = tmp_path / "payments.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


def test_every_bad_row_is_reported_with_its_line_and_every_good_row_kept(tmp_path: Path, codes) -> None:  # type: ignore[no-untyped-def]
    read = payments.read_payments(write_csv(tmp_path), codes)
    assert [str(b) for b in read.bad] == [
        "line 3: negative amount -5",
        "line 4: unknown benefit code 'bogus'",
        "line 5: 'to' is before 'from'",
        "line 6: 'from' 2016-02-30 is not a date (write YYYY-MM-DD)",
        "line 7: expected 7 columns, found 4",
        "line 8: amount '1.234' is not kroner with up to 2 decimals",
    ]
    assert read.persons == ["anna", "bo"] and list(read.ore) == [70000, 35000] and list(read.line) == [2, 9]
    assert read.facts["flexjob_visitation_date"][1] == weeks.day_number(__import__("datetime").date(2013, 5, 1))


def test_parquet_and_json_lines_read_the_same(tmp_path: Path, codes) -> None:  # type: ignore[no-untyped-def]
    good = [dict(zip(HEADER.split(","), row.split(","))) for row in (ROWS[0], ROWS[-1])]
    pq.write_table(pa.Table.from_pylist(good), tmp_path / "p.parquet")
    (tmp_path / "p.jsonl").write_text("\n".join(json.dumps(r) for r in good) + "\n", encoding="utf-8")
    for name in ("p.parquet", "p.jsonl"):
        read = payments.read_payments(tmp_path / name, codes)
        assert not read.bad and list(read.ore) == [70000, 35000], name


def test_a_bad_json_line_is_one_bad_row(tmp_path: Path, codes) -> None:  # type: ignore[no-untyped-def]
    record = dict(zip(HEADER.split(","), ROWS[0].split(",")))
    (tmp_path / "p.jsonl").write_text(json.dumps(record) + "\n{not json\n" + json.dumps(record) + "\n", encoding="utf-8")
    read = payments.read_payments(tmp_path / "p.jsonl", codes)
    assert len(read.ore) == 2 and [b.line for b in read.bad] == [2]


def test_a_missing_column_makes_the_file_unusable(tmp_path: Path, codes) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "p.csv"
    path.write_text("person,benefit,amount,from,to\n", encoding="utf-8")
    with pytest.raises(CaseError, match="lacks the column"):
        payments.read_payments(path, codes)


def test_spreading_is_exact_and_rounds_each_week_once(codes) -> None:  # type: ignore[no-untyped-def]
    read = payments.from_records([
        {"person": "p", "municipality": "101", "benefit": "kontanthjaelp", "amount": "1000.00",
         "from": "2016-01-10", "to": "2016-01-12"},
        {"person": "p", "municipality": "101", "benefit": "kontanthjaelp", "amount": "0.01",
         "from": "2016-01-11", "to": "2016-01-12"}], codes)
    span = weeks.week_range(read)
    spread = weeks.spread(read, np.arange(read.rows), np.arange(1), span)
    # week 1: 100000/3 = 33333.33 øre -> 33333; week 2: 200000/3 + 1 = 66667.67 øre -> 66668 (one rounding)
    assert list(spread.entry_ore) == [33333, 66668]


def test_cli_refusion_reports_bad_rows_and_writes_the_good_ones(tmp_path: Path) -> None:
    out = tmp_path / "weeks.parquet"
    result = CliRunner().invoke(main, ["refusion", str(write_csv(tmp_path)), "--out", str(out)])
    assert result.exit_code == 1
    assert "payments.csv:3: negative amount -5" in result.stderr and "6 malformed row(s)" in result.stderr
    table = pq.read_table(out).to_pylist()
    assert [(r["person"], str(r["week"]), r["affected_week"], r["refusion_amount"], r["cofinancing_amount"])
            for r in table] == [("anna", "2016-01-04", 1, Decimal("560.00"), Decimal("0.00")),
                                ("bo", "2016-01-11", 1, Decimal("0.00"), Decimal("70.00"))]
    schema = pq.read_schema(out)  # money and rates as decimals, weeks as dates
    assert schema.field("refusion_amount").type == pa.decimal128(18, 2) and schema.field("week").type == pa.date32()
    assert schema.field("refusion_rate").type == pa.decimal128(9, 4) and table[0]["refusion_rate"] == Decimal("0.8")


def test_cli_summary_and_explain_week(tmp_path: Path) -> None:
    path = write_csv(tmp_path)
    summary = CliRunner().invoke(main, ["refusion", str(path), "--summary"])
    assert '"101","2016-01","560.00","0.00"' in summary.stdout and '"147","2016-01","0.00","70.00"' in summary.stdout
    explained = CliRunner().invoke(main, ["explain-week", str(path), "--person", "anna", "--week", "2016-01-07"])
    assert explained.exit_code == 0, explained.output
    assert "affected week 1 on the staircase" in explained.stdout and "finansieringsloven § 5, stk. 2" in explained.stdout
    unknown = CliRunner().invoke(main, ["explain-week", str(path), "--person", "nobody", "--week", "2016-01-07"])
    assert unknown.exit_code == 2 and "no good payment rows for person 'nobody'" in unknown.output


def test_cli_rejects_an_unknown_output_type(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["refusion", str(write_csv(tmp_path)), "--out", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 2 and "write .csv or .parquet" in result.output


def test_typed_parquet_is_taken_as_it_is_and_its_bad_rows_reported(tmp_path: Path, codes: tuple[str, ...]) -> None:
    day = pa.date32()
    table = pa.table({
        "person": ["anna", "anna", "bo", "bo"],
        "municipality": ["101", "101", "147", "147"],
        "benefit": pa.array(["kontanthjaelp", "kontanthjaelp", "a_dagpenge", "bogus"]).dictionary_encode(),
        "amount": pa.array(["700.05", "-5.00", "350.00", "1.00"]).cast(pa.decimal128(15, 2)),
        "from": pa.array(["2016-01-04", "2016-01-04", "2016-01-11", "2016-01-11"]).cast(day),
        "to": pa.array(["2016-01-10", "2016-01-10", "2016-01-10", "2016-01-17"]).cast(day),
    })
    path = tmp_path / "typed.parquet"
    pq.write_table(table, path)
    read = payments.read_payments(path, codes)
    assert [str(b) for b in read.bad] == ["line 2: negative amount -5.00", "line 3: 'to' is before 'from'",
                                          "line 4: unknown benefit code 'bogus'"]
    assert list(read.ore) == [70005] and list(read.start) == [16804]


def test_a_clean_csv_read_typed_equals_the_text_reading(tmp_path: Path, codes: tuple[str, ...]) -> None:
    path = tmp_path / "clean.csv"
    path.write_text("\n".join([HEADER, GOOD, ROWS[-1], "cy,101,sygedagpenge,0.5,2016-02-29,2016-03-04,"]) + "\n", encoding="utf-8")
    typed = payments.read_payments(path, codes)
    text = payments._read(path, codes, None, typed=False)
    assert not typed.bad and list(typed.ore) == list(text.ore) == [70000, 35000, 50]
    assert list(typed.start) == list(text.start) and typed.facts["flexjob_visitation_date"].tolist() == \
        text.facts["flexjob_visitation_date"].tolist()
