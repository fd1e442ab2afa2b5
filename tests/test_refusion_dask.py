"""`paragraf refusion PARTITIONS --dask ADDRESS`: payments partitioned by person, the same weeks as one file."""
from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from engine.interfaces.cli import main

HEADER = "person,municipality,benefit,amount,from,to"
PERSONS = {
    "p1": ["p1,101,kontanthjaelp,12000.00,2022-01-01,2022-01-31", "p1,101,kontanthjaelp,12000.00,2022-02-01,2022-02-28"],
    "p2": ["p2,751,sygedagpenge,4500.50,2022-01-03,2022-01-16"],
    "p3": ["p3,751,a_dagpenge,9000,2021-11-01,2022-03-31"],
}


def write(path: Path, persons: list[str], extra: tuple[str, ...] = ()) -> None:
    path.write_text("\n".join([HEADER, *(row for p in persons for row in PERSONS[p]), *extra]) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def scheduler() -> object:
    distributed = pytest.importorskip("distributed")
    # processes=False: in-process workers on inproc://; a real address string is tested through the CLI elsewhere
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address="127.0.0.1:0") as cluster:
        yield cluster


def run(scheduler: object, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, [*args, "--dask", scheduler.scheduler_address])  # type: ignore[attr-defined]
    return result.exit_code, result.stderr


def test_partitions_give_the_weeks_of_the_whole_file(scheduler: object, tmp_path: Path) -> None:
    write(tmp_path / "all.csv", ["p1", "p2", "p3"])
    parts = tmp_path / "parts"
    parts.mkdir()
    write(parts / "part-0.csv", ["p1", "p2"])
    write(parts / "part-1.csv", ["p3"], extra=("p4,751,kontanthjalp,1000,2022-01-01,2022-01-31",))
    single = CliRunner().invoke(main, ["refusion", str(tmp_path / "all.csv"), "--out", str(tmp_path / "one.parquet")])
    assert single.exit_code == 0, single.stderr
    code, err = run(scheduler, "refusion", str(parts), "--out", str(tmp_path / "dask.parquet"))
    assert code == 1
    assert err.splitlines()[1].startswith(f"{parts}/part-1.csv:3: ")
    one, dask = (pq.read_table(tmp_path / name).to_pylist() for name in ("one.parquet", "dask.parquet"))
    assert dask == one and {row["person"] for row in one} == {"p1", "p2", "p3"}


def test_a_person_in_two_partitions_stops_the_run(scheduler: object, tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    write(parts / "part-0.csv", ["p1"])
    write(parts / "part-1.csv", ["p1", "p2"])
    code, err = run(scheduler, "refusion", str(parts), "--out", str(tmp_path / "weeks.parquet"))
    assert code == 2
    assert f"person p1 has payments in {parts}/part-0.csv and in {parts}/part-1.csv" in err


def test_a_folder_without_dask_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["refusion", str(tmp_path)])
    assert result.exit_code == 2 and "add --dask ADDRESS" in result.stderr
