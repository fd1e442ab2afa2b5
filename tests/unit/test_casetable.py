"""The caseload reader for tables: CSV and Parquet rows with dotted columns read as the same cases as YAML."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

import engine
from engine.decide.casesource import is_caseload

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = ["aarhus-complex", "hillerod-complex", "dagpenge-2019", "dagpenge-2023", "sygedagpenge"]


def flat(mapping: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested case → one table row: dotted column names, event lists as JSON text."""
    row: dict[str, Any] = {}
    for key, value in mapping.items():
        if isinstance(value, dict):
            row.update(flat(value, f"{prefix}{key}."))
        elif isinstance(value, list):
            row[f"{prefix}{key}"] = json.dumps(value, default=str)
        else:
            row[f"{prefix}{key}"] = value
    return row


def example_rows() -> list[dict[str, Any]]:
    return [flat(yaml.safe_load((REPO / "examples" / f"{name}.yaml").read_text())) for name in EXAMPLES]


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    columns = sorted({key for row in rows for key in row})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: str(v).lower() if isinstance(v, bool) else v for k, v in row.items()})
    return path


def write_parquet(path: Path, rows: list[dict[str, Any]]) -> Path:
    columns = sorted({key for row in rows for key in row})
    pq.write_table(pa.Table.from_pylist([{key: row.get(key) for key in columns} for row in rows]), path)
    return path


@pytest.fixture(scope="module")
def yaml_decisions(rulebook: engine.Rulebook) -> dict[str, str]:
    decisions = (rulebook.evaluate(REPO / "examples" / f"{name}.yaml") for name in EXAMPLES)
    return {d.case: d.to_json() for d in decisions}


@pytest.mark.parametrize("write", [write_csv, write_parquet], ids=["csv", "parquet"])
def test_table_rows_decide_like_the_yaml_cases(rulebook: engine.Rulebook, yaml_decisions: dict[str, str],
                                               tmp_path: Path, write: Any) -> None:
    path = write(tmp_path / ("cases.csv" if write is write_csv else "cases.parquet"), example_rows())
    rows = list(rulebook.read_cases(path))
    assert [row.source for row in rows] == [f"{path} row {n}" for n in range(1, len(EXAMPLES) + 1)]
    assert all(not row.problems for row in rows), [row.problems for row in rows]
    decisions = {d.case: d.to_json() for d in rulebook.evaluate_many(row.case for row in rows)}
    if write is write_csv:  # CSV cells are text ("3", not 3): the same decision, over differently typed data
        decisions, yaml_decisions = without_digest(decisions), without_digest(yaml_decisions)
    assert decisions == yaml_decisions  # byte for byte


def without_digest(decisions: dict[str, str]) -> dict[str, str]:
    return {case: "\n".join(line for line in text.splitlines() if '"case_digest"' not in line)
            for case, text in decisions.items()}


def test_bad_rows_name_row_and_field_and_the_good_rows_still_come(rulebook: engine.Rulebook, tmp_path: Path) -> None:
    rows = example_rows()[:2]
    rows.insert(1, {**rows[0], "case": "bad-code", "citizen.benefit": "kontanthjalp"})
    rows.append({**rows[0], "case": "bad-json", "citizen.talks": "[{"})
    read = list(rulebook.read_cases(write_csv(tmp_path / "c.csv", rows)))
    assert [row.case.id if row.case else None for row in read] == ["example-aarhus-complex", None,
                                                                    "example-hillerod-complex", None]
    assert read[1].source.endswith("c.csv row 2")
    assert read[1].problems[0].message == "citizen.benefit: unknown code 'kontanthjalp'"
    assert read[1].problems[0].hint == "did you mean 'kontanthjaelp'?"
    assert read[3].problems[0].message.startswith("citizen.talks: not valid JSON")


def test_an_empty_cell_is_an_unknown_fact(rulebook: engine.Rulebook, tmp_path: Path) -> None:
    row = {**example_rows()[0], "citizen.complex_case": ""}
    (read,) = rulebook.read_cases(write_csv(tmp_path / "c.csv", [row]))
    assert read.case is not None and "citizen.complex_case" not in read.case.facts
    assert read.case.facts["citizen.vocational_education"] is False


def test_csv_yes_no_cells_are_read_by_the_input_type(rulebook: engine.Rulebook, tmp_path: Path) -> None:
    row = {**example_rows()[0], "citizen.complex_case": "TRUE"}
    (read,) = rulebook.read_cases(write_csv(tmp_path / "c.csv", [row]))
    assert read.case is not None and read.case.facts["citizen.complex_case"] is True


def test_parquet_floats_are_refused_naming_the_column(rulebook: engine.Rulebook, tmp_path: Path) -> None:
    row = {**example_rows()[4], "citizen.sickness.hours_8_weeks": 296.5}
    path = write_parquet(tmp_path / "c.parquet", [row])
    with pytest.raises(engine.CaseError, match=r"citizen\.sickness\.hours_8_weeks hold floating-point"):
        list(rulebook.read_cases(path))


def test_a_folder_of_parquet_partitions_is_read_file_by_file(rulebook: engine.Rulebook, tmp_path: Path) -> None:
    rows = example_rows()
    folder = tmp_path / "caseload"
    folder.mkdir()
    write_parquet(folder / "part-1.parquet", rows[2:])
    write_parquet(folder / "part-0.parquet", rows[:2])
    assert is_caseload(folder)
    read = list(rulebook.read_cases(folder))
    assert [row.case.id for row in read if row.case] == [row["case"] for row in rows]
    assert [r.source.rsplit("/", 1)[1] for r in read] == [
        "part-0.parquet row 1", "part-0.parquet row 2", "part-1.parquet row 1", "part-1.parquet row 2",
        "part-1.parquet row 3"]


def test_a_column_that_is_both_fact_and_group_is_a_bad_row(rulebook: engine.Rulebook, tmp_path: Path) -> None:
    row = {**example_rows()[0], "citizen.benefit.kind": "x"}
    (read,) = rulebook.read_cases(write_csv(tmp_path / "c.csv", [row]))
    assert read.case is None and "both a fact and a group" in read.problems[0].message
