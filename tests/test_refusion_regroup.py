"""`paragraf refusion` on a file whose persons are not together (a ledger by date), regrouped on
disk into buckets of whole persons (`engine.refusion.regroup`): the same table, bad rows (lines
and reasons), summary and log as reading the whole file, in Parquet, CSV and JSON lines."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from engine.audit import log as auditlog
from engine.interfaces.cli import main
from engine.refusion import payment_files, regroup, stream
from test_refusion_stream import grouped_rows, write_csv


def ledger(path: Path, persons: int = 300) -> Path:
    """Payment records in shuffled order (bad rows among them), as Parquet, CSV or JSON lines by suffix."""
    rows = grouped_rows(persons, seed=11)
    random.Random(5).shuffle(rows)
    if path.suffix == ".parquet":
        pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=250)
    elif path.suffix == ".csv":
        write_csv(path, rows)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def small_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regroup, "REGROUP_ROWS", 1)  # every file is regrouped
    monkeypatch.setattr(regroup, "PERSONS_PER_BUCKET", 40)
    monkeypatch.setattr(regroup, "UNIT_ROWS", 300)  # about 2 buckets a unit
    monkeypatch.setattr(payment_files, "BATCH_ROWS", 128)  # read in several batches


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["refusion", *map(str, args)])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, result.stdout, result.stderr


def whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regroup, "worth_it", lambda path: False)


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".jsonl"])
def test_buckets_give_the_table_bad_rows_and_summary_of_the_whole_file(tmp_path: Path, suffix: str, small_buckets: None,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = ledger(tmp_path / f"p{suffix}")
    assert stream.plan_units(path) is None  # the persons are apart: not cut where one begins
    with regroup.buckets(path, ("su",)) as units:
        assert len({unit.first for unit in units}) == len(units) > 3 and sum(len(unit.files) for unit in units) == 8
    buckets = [run(path, "--out", tmp_path / "buckets.csv"), run(path, "--summary")]
    whole(monkeypatch)
    assert [run(path, "--out", tmp_path / "whole.csv"), run(path, "--summary")] == buckets
    assert (tmp_path / "buckets.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    code, _, stderr = buckets[0]
    assert code == 1 and stderr.count(f"{path}:") == 4 and "2016-02-30" in stderr


def test_a_bucket_holds_its_persons_in_the_order_they_first_appear(tmp_path: Path, small_buckets: None) -> None:
    path = ledger(tmp_path / "p.parquet")
    person = pq.read_table(path, columns=["person"])["person"].to_pylist()
    first_seen = list(dict.fromkeys(person))
    with regroup.buckets(path, ("kontanthjaelp",)) as units:
        read = [unit.read(path, ("kontanthjaelp", "a_dagpenge", "sygedagpenge", "su", "ledighedsydelse")) for unit in units]
    assert [name for payments in read for name in payments.persons] == first_seen
    for payments in read:  # each row keeps its line, and a person's rows their file order
        assert all(person[line - 1] == payments.persons[who] for who, line in zip(payments.person, payments.line))
        for who in range(len(payments.persons)):
            lines = payments.line[payments.person == who]
            assert (lines[1:] > lines[:-1]).all()


def test_one_process_or_two_write_the_same_bytes_and_log_the_same_entries(tmp_path: Path, small_buckets: None,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    path = ledger(tmp_path / "p.csv", persons=200)
    run(path, "--out", tmp_path / "one.parquet", "--jobs", "1", "--log", tmp_path / "one.db")
    run(path, "--out", tmp_path / "two.parquet", "--jobs", "2")
    assert (tmp_path / "one.parquet").read_bytes() == (tmp_path / "two.parquet").read_bytes()
    whole(monkeypatch)
    run(path, "--out", tmp_path / "whole.parquet", "--log", tmp_path / "whole.db")
    assert pq.read_table(tmp_path / "one.parquet").equals(pq.read_table(tmp_path / "whole.parquet"))
    records = [[entry.record for entry in auditlog.DecisionLog(tmp_path / name, create=False).entries()]
               for name in ("one.db", "whole.db")]
    assert records[0] == records[1] and len(records[0]) > 100


def test_no_room_for_the_buckets_is_said_plainly(tmp_path: Path, small_buckets: None, monkeypatch: pytest.MonkeyPatch) -> None:
    path = ledger(tmp_path / "p.csv", persons=120)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(pa.ipc, "new_file", full)
    result = CliRunner().invoke(main, ["refusion", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "cannot regroup its rows by person" in result.stderr and "No space left on device" in result.stderr
    assert "TMPDIR" in result.stderr
