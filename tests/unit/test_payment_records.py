"""The optional payment columns and codes refusion needs beyond benefit, amount and days:
eu_export (finansieringsloven § 3, stk. 2) and hours (virksomhedspraktik, BEK 1770/2015 § 2) in
CSV, Parquet and JSON lines, and their bad values."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from engine.refusion import payments

ROWS = [
    {"person": "anna", "municipality": "101", "benefit": "a_dagpenge", "amount": "700.00",
     "from": "2016-01-04", "to": "2016-01-10", "eu_export": "true"},
    {"person": "anna", "municipality": "101", "benefit": "a_dagpenge", "amount": "700.00",
     "from": "2016-01-11", "to": "2016-01-17", "eu_export": ""},
    {"person": "bo", "municipality": "101", "benefit": "kontantydelse", "amount": "700.00",
     "from": "2016-01-04", "to": "2016-01-10", "eu_export": "false"},
]


@pytest.fixture
def codes(rulebook) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    return rulebook.checked.inputs["citizen.benefit"].input.values


def benefits(read: payments.Payments) -> list[str]:
    return [read.codes[i] for i in read.benefit]


def write_payments(path: Path, kind: str, rows: list[dict[str, str]], column: str, typed: list[Any]) -> None:
    """`rows` (text, as in CSV) written as `kind`; in Parquet and JSON lines, `column` holds the
    `typed` values instead of its text."""
    if kind == "csv":
        names = list(rows[0])
        path.write_text("\n".join([",".join(names), *(",".join(r[n] for n in names) for r in rows)]) + "\n")
    elif kind == "parquet":
        table = pa.table({n: [r[n] for r in rows] for n in rows[0] if n != column})
        pq.write_table(table.append_column(column, pa.array(typed)), path)
    else:
        records = [dict(r, **{column: value}) for r, value in zip(rows, typed)]
        path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_eu_export_gives_the_exported_code(codes) -> None:  # type: ignore[no-untyped-def]
    read = payments.from_records(ROWS, codes)
    assert read.bad == []
    assert benefits(read) == ["a_dagpenge_eu", "a_dagpenge", "kontantydelse"]


@pytest.mark.parametrize("kind", ["csv", "parquet", "jsonl"])
def test_eu_export_in_every_file_format(tmp_path: Path, codes, kind: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"payments.{kind}"
    write_payments(path, kind, ROWS, "eu_export", [True, None, False])
    read = payments.read_payments(path, codes)
    assert read.bad == []
    assert benefits(read) == ["a_dagpenge_eu", "a_dagpenge", "kontantydelse"]


def test_eu_export_bad_values_are_bad_rows(codes) -> None:  # type: ignore[no-untyped-def]
    rows = [dict(ROWS[0], eu_export="maybe"), dict(ROWS[0], benefit="kontanthjaelp"), ROWS[1]]
    read = payments.from_records(rows, codes)
    assert [bad.line for bad in read.bad] == [1, 2]
    assert "'eu_export' is 'maybe'" in read.bad[0].reason
    assert "no code for a benefit exported" in read.bad[1].reason
    assert benefits(read) == ["a_dagpenge"]


@pytest.mark.parametrize("code", ["kontanthjaelp_las27", "loentilskud_foertidspension", "a_dagpenge_fradrag"])
def test_new_codes_are_read(codes, code: str) -> None:  # type: ignore[no-untyped-def]
    read = payments.from_records([dict(ROWS[1], benefit=code, amount="0.00")], codes)
    assert read.bad == [] and benefits(read) == [code]


PLACEMENT = [
    {"person": "anna", "municipality": "101", "benefit": "ledighedsydelse", "amount": "700.00",
     "from": "2016-02-01", "to": "2016-02-07", "hours": ""},
    {"person": "anna", "municipality": "101", "benefit": "virksomhedspraktik", "amount": "0",
     "from": "2016-02-01", "to": "2016-02-07", "hours": "12.5"},
    {"person": "bo", "municipality": "101", "benefit": "virksomhedspraktik", "amount": "0.00",
     "from": "2016-02-01", "to": "2016-02-14", "hours": "20"},
]


def test_hours_take_the_place_of_the_amount(codes) -> None:  # type: ignore[no-untyped-def]
    read = payments.from_records(PLACEMENT, codes)
    assert read.bad == []
    assert benefits(read) == ["ledighedsydelse", "virksomhedspraktik", "virksomhedspraktik"]
    assert read.ore.tolist() == [70000, 1250, 2000]  # one hour is held as 100 (øre)


@pytest.mark.parametrize("kind", ["csv", "parquet", "jsonl"])
def test_hours_in_every_file_format(tmp_path: Path, codes, kind: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"payments.{kind}"
    write_payments(path, kind, PLACEMENT, "hours", [None, 12.5, 20])
    read = payments.read_payments(path, codes)
    assert read.bad == []
    assert read.ore.tolist() == [70000, 1250, 2000]


def test_a_file_without_hours_reports_the_placement_rows(tmp_path: Path, codes) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "payments.csv"
    write_payments(path, "csv", [{n: v for n, v in r.items() if n != "hours"} for r in PLACEMENT], "hours", [])
    read = payments.read_payments(path, codes)
    assert [bad.line for bad in read.bad] == [3, 4]
    assert "gives its hours in the column 'hours'" in read.bad[0].reason
    assert benefits(read) == ["ledighedsydelse"]


@pytest.mark.parametrize(("change", "reason"), [
    ({"hours": ""}, "a record of 'virksomhedspraktik' gives its hours in the column 'hours'"),
    ({"hours": "ten"}, "'hours' is 'ten'; write hours with up to 2 decimals"),
    ({"hours": "-1"}, "'hours' is '-1'; write hours with up to 2 decimals"),
    ({"hours": "10.005"}, "'hours' is '10.005'; write hours with up to 2 decimals"),
    ({"amount": "700.00"}, "a record of 'virksomhedspraktik' pays nothing: write amount 0 and its hours in 'hours'"),
    ({"benefit": "ledighedsydelse", "amount": "700.00"},
     "'hours' is given only for virksomhedspraktik; leave it empty for 'ledighedsydelse'"),
])
def test_bad_hours_are_bad_rows(codes, change: dict[str, str], reason: str) -> None:  # type: ignore[no-untyped-def]
    read = payments.from_records([dict(PLACEMENT[1], **change), PLACEMENT[0]], codes)
    assert [(bad.line, bad.reason) for bad in read.bad] == [(1, reason)]
    assert benefits(read) == ["ledighedsydelse"]


def test_explain_week_shows_hours_and_the_old_scheme_rate(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from engine.interfaces.cli import main

    path = tmp_path / "payments.csv"
    path.write_text("person,municipality,benefit,amount,from,to,flexjob_visitation_date,hours\n"
                    "anna,101,ledighedsydelse,1400.00,2016-02-01,2016-02-14,2013-01-01,\n"
                    "anna,101,virksomhedspraktik,0,2016-02-03,2016-02-14,,20\n")
    def explain(day: str) -> str:
        result = CliRunner().invoke(main, ["explain-week", str(path), "--person", "anna", "--week", day])
        assert result.exit_code == 0, result.output
        return result.stdout
    first, second = explain("2016-02-01"), explain("2016-02-08")
    assert "virksomhedspraktik 20.00 hours" in first and "8.33 hours (exactly 25/3 hours)" in first
    assert "Refusion: 210.00 kr" in first and "30 % (ledighedsydelsesbekendtgørelsen § 1) of 700.00 kr" in first
    assert "Refusion: 350.00 kr" in second and "50 % (ledighedsydelsesbekendtgørelsen § 2) of 700.00 kr" in second
    assert "virksomhedspraktik in the week: 11.67 hours" in second
