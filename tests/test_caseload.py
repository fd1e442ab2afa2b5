"""Whole caseloads: `paragraf eval CASES --out OUT` on one core, several processes and a Dask cluster."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import engine
from engine.rulebook.caseload import dask as on_dask, run
from engine.interfaces.cli import main
from tests.unit.test_casetable import EXAMPLES, REPO, example_rows, write_csv, write_parquet


def paragraf(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def partitions(tmp_path: Path) -> Path:
    """The examples as a caseload in two Parquet partitions, with a bad row in the second."""
    rows = example_rows()
    folder = tmp_path / "caseload"
    folder.mkdir()
    write_parquet(folder / "part-0.parquet", rows[:3])
    write_parquet(folder / "part-1.parquet", rows[3:] + [{**rows[0], "case": "bad", "citizen.benefit": "x"}])
    return folder


def test_json_lines_out_holds_one_decision_per_good_case(rulebook: engine.Rulebook, tmp_path: Path) -> None:
    cases = write_csv(tmp_path / "cases.csv", example_rows())
    code, _, err = paragraf("eval", str(cases), "--out", str(tmp_path / "out.jsonl"))
    assert code == 0, err
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    expected = [rulebook.evaluate(REPO / "examples" / f"{name}.yaml").to_dict() for name in EXAMPLES]
    got = [json.loads(line) for line in lines]
    assert [d["obligations"] for d in got] == [d["obligations"] for d in expected]
    assert [d["case"] for d in got] == [d["case"] for d in expected]
    assert "5 case(s) decided, 0 bad row(s)" in err


def test_parquet_out_has_a_case_table_and_an_obligation_table(rulebook: engine.Rulebook, partitions: Path,
                                                              tmp_path: Path) -> None:
    code, _, err = paragraf("eval", str(partitions), "--out", str(tmp_path / "out"))
    assert code == 1
    assert err.splitlines()[1].startswith(
        f"{partitions}/part-1.parquet row 3: error[case]: citizen.benefit: unknown code 'x' (allowed: a_dagpenge, ")
    cases = pq.read_table(tmp_path / "out" / "cases.parquet").to_pylist()
    assert [c["case"] for c in cases] == [row["case"] for row in example_rows()]
    hillerod = rulebook.evaluate(REPO / "examples" / "hillerod-complex.yaml")
    obligations = [o for o in pq.read_table(tmp_path / "out" / "obligations.parquet").to_pylist()
                   if o["case"] == hillerod.case]
    assert [(o["rule"], o["status"], o["due"], o["actor"]) for o in obligations] == [
        (o["rule"], o["status"], o.get("due"), o["actor"]) for o in hillerod.obligations]
    assert obligations[0]["eli"] == [b["eli"] for b in hillerod.obligations[0]["legal_basis"]]
    row = next(c for c in cases if c["case"] == hillerod.case)
    assert row["exempted"] == sum(o["status"] == "exempted" for o in hillerod.obligations) > 0
    assert row["exemptions"] == [e["rule"] for e in hillerod.exemptions]


def test_two_processes_and_a_dask_cluster_write_the_same_bytes(partitions: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    outs = {name: tmp_path / name for name in ("one", "jobs", "dask")}
    assert paragraf("eval", str(partitions), "--out", str(outs["one"]))[0] == 1
    assert paragraf("eval", str(partitions), "--out", str(outs["jobs"]), "--jobs", "2")[0] == 1
    bad: list[str] = []
    # processes=False: the two workers talk in-process (inproc://), nothing listens on the network
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address="127.0.0.1:0") as cluster, distributed.Client(cluster) as client:
        summary = on_dask.evaluate(str(partitions), str(outs["dask"]), client, on_bad=lambda o: bad.append(o.source))
    assert summary == run.Summary(cases=5, bad=1)
    assert bad == [f"{partitions}/part-1.parquet row 3"]
    for table in ("cases.parquet", "obligations.parquet"):
        one = (outs["one"] / table).read_bytes()
        assert (outs["jobs"] / table).read_bytes() == one
        assert (outs["dask"] / table).read_bytes() == one


@pytest.mark.parametrize("gather", [1, 2, 1000])
def test_row_groups_hold_the_same_cases_however_the_run_is_batched(partitions: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch, gather: int) -> None:
    """Row groups of 2 cases over partitions of 3 and 2 good cases, gathered 1, 2 or all at a time:
    the groups straddle partitions and batches, and Dask still writes the one-core bytes."""
    distributed = pytest.importorskip("distributed")
    from engine.rulebook.caseload import batches, sinks

    monkeypatch.setattr(sinks, "ROW_GROUP_CASES", 2)
    monkeypatch.setattr(batches, "GATHER_CASES", gather)
    one, on_cluster = tmp_path / "one", tmp_path / "dask"
    assert paragraf("eval", str(partitions), "--out", str(one))[0] == 1
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address="127.0.0.1:0") as cluster, distributed.Client(cluster) as client:
        on_dask.evaluate(str(partitions), str(on_cluster), client)
    cases, obligations = pq.ParquetFile(one / "cases.parquet"), pq.ParquetFile(one / "obligations.parquet")
    assert cases.metadata.num_row_groups == obligations.metadata.num_row_groups == 3
    for group in range(3):
        in_cases = cases.read_row_group(group).column("case").to_pylist()
        assert len(in_cases) == (2 if group < 2 else 1)
        assert sorted(set(obligations.read_row_group(group).column("case").to_pylist())) == sorted(in_cases)
    for table in ("cases.parquet", "obligations.parquet"):
        assert (on_cluster / table).read_bytes() == (one / table).read_bytes()


def test_dask_writes_the_json_lines_of_one_core(partitions: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    assert paragraf("eval", str(partitions), "--out", str(tmp_path / "one.jsonl"))[0] == 1
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address="127.0.0.1:0") as cluster, distributed.Client(cluster) as client:
        summary = on_dask.evaluate(str(partitions), str(tmp_path / "dask.jsonl"), client)
    assert summary == run.Summary(cases=5, bad=1)
    one = (tmp_path / "one.jsonl").read_bytes()
    assert one.count(b"\n") == 5 and (tmp_path / "dask.jsonl").read_bytes() == one


def test_dask_refuses_a_caseload_that_is_not_parquet(tmp_path: Path) -> None:
    with pytest.raises(engine.CaseError, match="no .parquet/.pq files"):
        on_dask.partitions(str(tmp_path))


def test_evaluate_many_gives_what_evaluate_gives(rulebook: engine.Rulebook) -> None:
    paths = [REPO / "examples" / f"{name}.yaml" for name in EXAMPLES]
    many = [d.to_json() for d in rulebook.evaluate_many(paths, as_of="2024-01-01")]
    assert many == [rulebook.evaluate(p, as_of="2024-01-01").to_json() for p in paths]


def test_compare_reads_a_csv_caseload(tmp_path: Path) -> None:
    cases = write_csv(tmp_path / "cases.csv", example_rows()[:2])
    code, out, _ = paragraf("compare", str(cases), "--with", "tvaergaaende-borgerforloeb", "--format", "json")
    result = json.loads(out)
    assert code == 0 and [c["case"] for c in result["cases"]] == ["example-aarhus-complex", "example-hillerod-complex"]


def test_dask_refuses_a_csv_caseload(tmp_path: Path) -> None:
    cases = write_csv(tmp_path / "cases.csv", example_rows()[:1])
    code, _, err = paragraf("eval", str(cases), "--out", str(tmp_path / "out"), "--dask", "tcp://127.0.0.1:1")
    assert code == 2 and "not a .parquet/.pq file or a folder of them" in err


def test_one_case_options_are_refused_for_a_caseload(tmp_path: Path) -> None:
    cases = write_csv(tmp_path / "cases.csv", example_rows()[:1])
    code, _, err = paragraf("eval", str(cases), "--out", str(tmp_path / "o.jsonl"), "--log", str(tmp_path / "log.db"))
    assert code == 2 and "--log: for one case; a caseload's decisions go to --out" in err
    assert not (tmp_path / "o.jsonl").exists()


def test_report_exemptions_counts_a_parquet_caseload_like_its_case_files(tmp_path: Path) -> None:
    cases = write_parquet(tmp_path / "cases.parquet", example_rows())
    files = [str(REPO / "examples" / f"{name}.yaml") for name in EXAMPLES]
    from_table = paragraf("report", "exemptions", str(cases), "--format", "json")
    from_files = paragraf("report", "exemptions", *files, "--format", "json")
    assert from_table[0] == from_files[0] == 0
    assert from_table[1] == from_files[1]
    report = json.loads(from_table[1])
    assert report["cases"] == len(EXAMPLES) and report["exemptions"]  # Hillerød's "Én plan" lifts the contact course


def test_known_on_applies_to_every_case_of_a_caseload(tmp_path: Path) -> None:
    """The third talk of the recorded example was recorded on 2017-06-20: the six talks are
    fulfilled on the facts known on that day and not on those known the day before."""
    fulfilled = {}
    for known_on in ("2017-06-19", "2017-06-20"):
        out = tmp_path / f"{known_on}.jsonl"
        code, _, err = paragraf("eval", str(REPO / "examples"), "--out", str(out), "--known-on", known_on)
        assert code == 0, err
        decisions = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        recorded = next(d for d in decisions if d["case"] == "example-dagpenge-2017-recorded")
        assert recorded["known_on"] == known_on
        fulfilled[known_on] = next(o for o in recorded["obligations"]
                                   if o["rule"] == "lab2015.kontaktforloeb.dagpenge_seks_samtaler")["fulfilled"]
    assert fulfilled == {"2017-06-19": False, "2017-06-20": True}


def test_known_on_is_a_column_of_the_parquet_cases_table(tmp_path: Path) -> None:
    code, _, err = paragraf("eval", str(REPO / "examples"), "--out", str(tmp_path / "out"), "--known-on", "2017-06-19")
    assert code == 0, err
    assert set(pq.read_table(tmp_path / "out" / "cases.parquet").column("known_on").to_pylist()) == {"2017-06-19"}


def test_processes_reading_slices_of_row_groups_write_the_one_core_bytes(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A Parquet file of row groups of 3 rows read by 2 processes in slices of 2 rows: slices end
    inside and at the end of row groups, yet the rows keep their numbers and the tables their bytes."""
    rows = example_rows()
    rows = rows + [{**rows[0], "case": "bad", "citizen.benefit": "x"}] + rows[1:3]
    columns = sorted({key for row in rows for key in row})
    caseload = tmp_path / "cases.parquet"
    pq.write_table(pa.Table.from_pylist([{key: row.get(key) for key in columns} for row in rows]), caseload,
                   row_group_size=3)
    assert pq.ParquetFile(caseload).metadata.num_row_groups == 3
    monkeypatch.setattr(run, "SLICE_ROWS", 2)
    book = engine.load()
    outs = {jobs: tmp_path / f"jobs-{jobs}" for jobs in (1, 2)}
    bad: dict[int, list[str]] = {1: [], 2: []}
    for jobs, out in outs.items():
        settings = run.Settings.of(book, str(out))
        summary = run.evaluate_caseload(book, caseload, str(out), settings, jobs, on_bad=lambda o: bad[jobs].append(o.source))
        assert summary == run.Summary(cases=7, bad=1)
    assert bad[1] == bad[2] == [f"{caseload} row 6"]
    for table in ("cases.parquet", "obligations.parquet"):
        assert (outs[2] / table).read_bytes() == (outs[1] / table).read_bytes()
    assert [c["case"] for c in pq.read_table(outs[2] / "cases.parquet").to_pylist()] == [
        row["case"] for row in rows if row["case"] != "bad"]


def test_compact_tables_are_smaller_and_become_the_plain_tables_again(rulebook: engine.Rulebook) -> None:
    from engine.rulebook.caseload import batches, rows

    decisions = [rulebook.evaluate(REPO / "examples" / f"{name}.yaml") for name in EXAMPLES] * 20
    outcomes = [rows.outcome(d.case, d, "parquet") for d in decisions]
    plain = batches.gathered(outcomes, "parquet").batch
    compact = batches.gathered(outcomes, "parquet", compact=True).batch
    assert isinstance(plain, batches.Tables) and isinstance(compact, batches.Tables)
    assert tuple(plain.obligations.schema.names) == rows.OBLIGATION_COLUMNS
    assert compact.obligations.nbytes < plain.obligations.nbytes / 2
    assert compact.plain().obligations.equals(plain.obligations)
    assert compact.plain().cases.equals(plain.cases)
    mixed = compact.then(plain)  # a compact table followed by a plain one: both made plain
    assert mixed.obligations.equals(plain.then(plain).obligations)
