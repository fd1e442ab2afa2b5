"""The optional payment columns and codes refusion needs beyond benefit, amount and days:
eu_export (finansieringsloven § 3, stk. 2) in CSV, Parquet and JSON lines, and its bad values."""
from __future__ import annotations

import json
from pathlib import Path

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


def test_eu_export_gives_the_exported_code(codes) -> None:  # type: ignore[no-untyped-def]
    read = payments.from_records(ROWS, codes)
    assert read.bad == []
    assert benefits(read) == ["a_dagpenge_eu", "a_dagpenge", "kontantydelse"]


@pytest.mark.parametrize("kind", ["csv", "parquet", "jsonl"])
def test_eu_export_in_every_file_format(tmp_path: Path, codes, kind: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"payments.{kind}"
    if kind == "csv":
        names = list(ROWS[0])
        path.write_text("\n".join([",".join(names), *(",".join(r[n] for n in names) for r in ROWS)]) + "\n")
    elif kind == "parquet":
        table = pa.table({n: [r[n] for r in ROWS] for n in ROWS[0] if n != "eu_export"})
        pq.write_table(table.append_column("eu_export", pa.array([True, None, False])), path)
    else:
        records = [dict(r, eu_export={"true": True, "": None, "false": False}[r["eu_export"]]) for r in ROWS]
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
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
