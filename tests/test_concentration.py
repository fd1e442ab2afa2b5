"""Cost concentration, the marked caseload and the follow-up goals, checked against computations
written here independently (NumPy over the payment file as read by pyarrow, Fractions for exact
shares), on the bundled caseload and on caseloads generated in the tests."""
from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import re
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import engine
from engine.audit import exemption_report
from engine.interfaces.cli import main
from engine.planning import concentration as conc
from engine.refusion import payments as payment_records

REPO = Path(__file__).resolve().parent.parent
PAYMENTS = REPO / "examples" / "caseload" / "payments.parquet"
CASES = REPO / "examples" / "caseload" / "cases.parquet"


def codes(book: engine.Rulebook) -> tuple[str, ...]:
    return book.checked.inputs["citizen.benefit"].input.values  # type: ignore[union-attr,no-any-return]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def costs_by_person(path: Path) -> dict[str, int]:
    """Each person's gross cost in øre, straight from the Parquet file."""
    table = pq.read_table(path)
    ore = pc.cast(pc.multiply(table["amount"], 100), pa.int64()).to_numpy()
    persons, index = np.unique(table["person"].to_numpy(zero_copy_only=False).astype(str), return_inverse=True)
    sums = np.zeros(len(persons), np.int64)
    np.add.at(sums, index, ore)
    return dict(zip(persons.tolist(), sums.tolist()))


def ranked(costs: dict[str, int]) -> list[str]:
    return sorted(costs, key=lambda person: (-costs[person], person))


def top_share(costs: dict[str, int], percent: int) -> Fraction:
    order = ranked(costs)
    k = math.ceil(len(order) * percent / 100)
    return Fraction(sum(costs[p] for p in order[:k]), sum(costs.values()))


# -- the shares -------------------------------------------------------------------------------

def test_shares_on_the_bundled_caseload_equal_an_independent_numpy_computation() -> None:
    code, out, err = run("report", "concentration", str(PAYMENTS), "--format", "json")
    assert code == 0, err
    costs = costs_by_person(PAYMENTS)
    shown = json.loads(out)["groups"][0]
    assert shown["citizens"] == len(costs)
    assert shown["gross_cost"] == str(payment_kroner(sum(costs.values())))
    for segment in shown["top"]:
        expected = top_share(costs, segment["percent"])
        assert segment["share"] == f"{math.floor(expected * 10_000 + Fraction(1, 2)) / 10_000:.4f}"


def payment_kroner(ore: int) -> str:
    return f"{ore // 100}.{ore % 100:02d}"


def test_per_municipality_shares_count_each_municipalitys_own_payments(rulebook: engine.Rulebook) -> None:
    result = conc.measure(payment_records.read_payments(PAYMENTS, codes(rulebook)), by="municipality")
    table = pq.read_table(PAYMENTS)
    assert [g.name for g in result.groups] == ["all", "217", "615", "751"]
    for group in result.groups[1:]:
        rows = pc.equal(table["municipality"], group.name)
        own = table.filter(rows)
        costs: dict[str, int] = {}
        for person, amount in zip(own["person"].to_pylist(), own["amount"].to_pylist()):
            costs[person] = costs.get(person, 0) + int(amount * 100)
        assert [s.share for s in group.segments] == [top_share(costs, p) for p in (1, 3, 5)]


def shaped_caseload(path: Path, rng: np.random.Generator) -> None:
    """1000 citizens whose costs follow the application: 1 % carry 30 %, 3 % 50 %, 5 % two thirds.
    Each tier's citizens get a random part of its total; each citizen's cost is paid in months."""
    tiers = [(10, Fraction(30, 100)), (20, Fraction(20, 100)), (20, Fraction(50, 300)), (950, Fraction(1, 3))]
    total = 900_000_000_00  # 900 million kr, as Helsingør's
    with path.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["person", "municipality", "benefit", "amount", "from", "to"])
        number = 0
        for citizens, share in tiers:
            weights = rng.uniform(0.8, 1.2, citizens)
            ore = np.floor(weights / weights.sum() * int(total * share)).astype(np.int64)
            for amount in ore:
                number += 1
                months = int(rng.integers(1, 13))
                for m, part in enumerate(np.diff(np.linspace(0, amount, months + 1).astype(np.int64))):
                    first = dt.date(2018, m + 1, 1)
                    writer.writerow([f"p{number:04d}", "217", "kontanthjaelp", f"{part // 100}.{part % 100:02d}",
                                     first.isoformat(), (first + dt.timedelta(days=27)).isoformat()])


def test_a_caseload_of_the_applications_shape_reports_its_shares(tmp_path: Path) -> None:
    path = tmp_path / "shaped.csv"
    shaped_caseload(path, np.random.default_rng(30))
    code, out, err = run("report", "concentration", str(path), "--format", "json")
    assert code == 0, err
    shares = {s["percent"]: float(s["share"]) * 100 for s in json.loads(out)["groups"][0]["top"]}
    assert abs(shares[1] - 30) <= 1
    assert abs(shares[3] - 50) <= 1
    assert abs(shares[5] - 200 / 3) <= 1


def from_costs(rulebook: engine.Rulebook, costs: list[int]) -> payment_records.Payments:
    records = [{"person": f"p{i:03d}", "municipality": "615", "benefit": "a_dagpenge",
                "amount": f"{c // 100}.{c % 100:02d}", "from": "2018-01-01", "to": "2018-01-31"}
               for i, c in enumerate(costs)]
    return payment_records.from_records(records, codes(rulebook))


@pytest.mark.parametrize("n", [1, 2, 7, 100])
def test_gini_of_equal_costs_is_zero(rulebook: engine.Rulebook, n: int) -> None:
    assert conc.measure(from_costs(rulebook, [123_45] * n)).groups[0].gini == 0


@pytest.mark.parametrize("n", [2, 3, 10, 250])
def test_gini_when_one_citizen_has_all_is_n_minus_1_over_n(rulebook: engine.Rulebook, n: int) -> None:
    # the others draw a benefit with no cost (amount 0), so they are citizens of the caseload
    costs = [0] * (n - 1) + [5_000_00]
    assert conc.measure(from_costs(rulebook, costs)).groups[0].gini == Fraction(n - 1, n)


def test_gini_equals_one_minus_twice_the_area_under_the_lorenz_curve(rulebook: engine.Rulebook) -> None:
    costs = np.random.default_rng(7).integers(1, 10_000_000, 300)
    x = np.sort(costs)
    held = np.concatenate(([0], np.cumsum(x)))
    area = sum(Fraction(int(held[i] + held[i + 1]), 2 * len(x)) for i in range(len(x))) / int(x.sum())
    assert conc.measure(from_costs(rulebook, costs.tolist())).groups[0].gini == 1 - 2 * area


@pytest.mark.parametrize(("citizens", "percent", "top"), [
    (99, 1, 1), (100, 1, 1), (101, 1, 2),        # n * p / 100 just below, at and just above a whole number
    (199, 3, 6), (200, 3, 6), (201, 3, 7),
    (1, 5, 1), (19, 5, 1), (20, 5, 1), (21, 5, 2), (0, 5, 0),
])
def test_the_top_segment_is_the_first_ceil_n_p_over_100_citizens(rulebook: engine.Rulebook, citizens: int,
                                                                  percent: int, top: int) -> None:
    costs = list(range(1_00, (citizens + 1) * 1_00, 1_00))
    group = conc.measure(from_costs(rulebook, costs), percents=(percent,)).groups[0]
    assert group.segments[0].citizens == len(group.top(percent)) == top
    assert group.segments[0].ore == sum(sorted(costs, reverse=True)[:top])


def test_top_adds_its_segment_to_the_report() -> None:
    code, out, _ = run("report", "concentration", str(PAYMENTS), "--top", "10", "--format", "json")
    assert code == 0
    costs = costs_by_person(PAYMENTS)
    top = json.loads(out)["groups"][0]["top"]
    assert [s["percent"] for s in top] == [1, 3, 5, 10]
    assert top[-1]["citizens"] == math.ceil(len(costs) / 10)


def test_ties_at_the_segment_edge_go_by_person_id(rulebook: engine.Rulebook) -> None:
    # 100 citizens: the top 1 % is one citizen; p001 and p002 tie for the largest cost
    costs = [10_00] * 100
    costs[2] = costs[1] = 99_00
    group = conc.measure(from_costs(rulebook, costs)).groups[0]
    assert group.top(1) == ("p001",)
    assert group.segments[0].share == Fraction(99, 99 * 2 + 98 * 10)


def test_benefits_per_citizen_in_the_top_segment(rulebook: engine.Rulebook) -> None:
    records = [{"person": "many", "municipality": "615", "benefit": b, "amount": "5000.00",
                "from": "2018-01-01", "to": "2018-01-31"} for b in ("kontanthjaelp", "sygedagpenge", "loentilskud",
                                                                    "kontanthjaelp")]
    records += [{"person": f"one{i}", "municipality": "615", "benefit": "a_dagpenge", "amount": "100.00",
                 "from": "2018-01-01", "to": "2018-01-31"} for i in range(99)]
    group = conc.measure(payment_records.from_records(records, codes(rulebook))).groups[0]
    assert group.segments[0].benefits == (3,)
    assert group.segments[2].benefits == (3, 1, 1, 1, 1)


def test_bad_rows_are_reported_by_line_and_every_good_row_is_used(tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    shaped_caseload(good, np.random.default_rng(1))
    lines = good.read_text().splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines[:5] + ["p9999,217,kontanthjaelp,12.345,2018-01-01,2018-01-28"] + lines[5:]) + "\n")
    code, out, err = run("report", "concentration", str(bad), "--format", "json")
    assert code == 1
    assert f"{bad}:6: amount '12.345' is not kroner with up to 2 decimals" in err
    clean = json.loads(run("report", "concentration", str(good), "--format", "json")[1])
    assert (json.loads(out)["bad_rows"], clean["bad_rows"]) == (1, 0)
    assert json.loads(out)["groups"] == clean["groups"]


def test_the_text_report_names_the_shares_in_each_language() -> None:
    costs = costs_by_person(PAYMENTS)
    one = math.floor(top_share(costs, 1) * 1000 + Fraction(1, 2))
    for lang, point in (("en", "."), ("da", ",")):
        code, out, _ = run("report", "concentration", str(PAYMENTS), "--lang", lang)
        assert code == 0
        assert f"{one // 10}{point}{one % 10} %" in out


# -- the marked caseload --------------------------------------------------------------------------

def test_the_marked_caseload_marks_exactly_the_top_segment(tmp_path: Path) -> None:
    out = tmp_path / "marked.parquet"
    code, _, err = run("report", "concentration", str(PAYMENTS), "--mark-complex", str(out), "--cases", str(CASES),
                       "--top", "3", "--format", "json")
    assert code == 0, err
    costs = costs_by_person(PAYMENTS)
    top = set(ranked(costs)[:math.ceil(len(costs) * 3 / 100)])
    marked, original = pq.read_table(out), pq.read_table(CASES)
    assert marked.num_rows == original.num_rows
    assert marked.drop_columns(["citizen.complex_case"]).equals(original.drop_columns(["citizen.complex_case"]))
    for case, flag in zip(marked["case"].to_pylist(), marked["citizen.complex_case"].to_pylist()):
        assert flag == (case.split("/")[0] in top), case
    assert {c.split("/")[0] for c, f in zip(marked["case"].to_pylist(), marked["citizen.complex_case"].to_pylist())
            if f} == top & {c.split("/")[0] for c in original["case"].to_pylist()}


def test_marking_per_municipality_takes_each_municipalitys_top(tmp_path: Path) -> None:
    cases = tmp_path / "cases.jsonl"
    cases.write_text("".join(json.dumps({"case": f"{p}/2018", "as_of": "2018-06-01", "municipality": p[:3],
                                         "citizen": {"benefit": "kontanthjaelp"}}) + "\n"
                             for p in sorted(costs_by_person(PAYMENTS))) + "not json\n")
    out = tmp_path / "marked.jsonl"
    code, _, err = run("report", "concentration", str(PAYMENTS), "--by", "municipality", "--mark-complex", str(out),
                       "--cases", str(cases), "--top", "1")
    assert code == 0, err
    table = pq.read_table(PAYMENTS)
    expected = set()
    for municipality in ("217", "615", "751"):
        own = costs_by_person_in(table, municipality)
        expected |= set(ranked(own)[:math.ceil(len(own) / 100)])
    lines = out.read_text().splitlines()
    assert lines[-1] == "not json"  # an unreadable line is copied for the reading command to report
    assert {json.loads(line)["case"].split("/")[0] for line in lines[:-1]
            if json.loads(line)["citizen"]["complex_case"]} == expected


def costs_by_person_in(table: pa.Table, municipality: str) -> dict[str, int]:
    costs: dict[str, int] = {}
    own = table.filter(pc.equal(table["municipality"], municipality))
    for person, amount in zip(own["person"].to_pylist(), own["amount"].to_pylist()):
        costs[person] = costs.get(person, 0) + int(amount * 100)
    return costs


def marked_persons(path: Path) -> set[str]:
    table = pq.read_table(path, columns=["case", "citizen.complex_case"])
    return {case.split("/")[0] for case, flag in zip(table["case"].to_pylist(), table["citizen.complex_case"].to_pylist())
            if flag}


def test_the_trials_exemptions_apply_to_exactly_the_marked_citizens(tmp_path: Path, rulebook: engine.Rulebook) -> None:
    out = tmp_path / "marked.parquet"
    assert run("report", "concentration", str(PAYMENTS), "--mark-complex", str(out), "--cases", str(CASES))[0] == 0
    marked = marked_persons(out)
    usage = exemption_report.count_usage(rulebook, [out], "quarter", ["tvaergaaende-borgerforloeb"])
    trial = [u for rule, u in usage.usages.items() if rule.startswith("frikommune.forslag.tvaergaaende")]
    assert trial and all(u.cases for u in trial)
    assert {case.split("/")[0] for u in trial for case in u.case_ids} <= marked
    without = exemption_report.count_usage(rulebook, [CASES], "quarter", ["tvaergaaende-borgerforloeb"])
    assert not [rule for rule in without.usages if rule.startswith("frikommune.forslag.tvaergaaende")]


def test_marking_needs_both_options_and_a_matching_format(tmp_path: Path) -> None:
    code, _, err = run("report", "concentration", str(PAYMENTS), "--mark-complex", str(tmp_path / "x.parquet"))
    assert code == 2 and "--mark-complex OUT and --cases CASES go together" in err
    code, _, err = run("report", "concentration", str(PAYMENTS), "--mark-complex", str(tmp_path / "x.jsonl"),
                       "--cases", str(CASES))
    assert code == 2 and "write the marked caseload in the format of" in err


# -- the follow-up goals --------------------------------------------------------------------------

def costs_in_year(path: Path, persons: set[str], year: int) -> int:
    """The øre paid to `persons` in `year`: each record spread per day, its part rounded half up."""
    total = 0
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    for row in pq.read_table(path).to_pylist():
        if row["person"] not in persons:
            continue
        inside = (min(row["to"], last) - max(row["from"], first)).days + 1
        if inside > 0:
            part = Fraction(int(row["amount"] * 100) * inside, (row["to"] - row["from"]).days + 1)
            total += math.floor(part + Fraction(1, 2))
    return total


def test_goals_give_the_target_groups_costs_and_what_was_set_aside(tmp_path: Path) -> None:
    out = tmp_path / "marked.parquet"
    assert run("report", "concentration", str(PAYMENTS), "--mark-complex", str(out), "--cases", str(CASES))[0] == 0
    code, text, err = run("report", "goals", str(PAYMENTS), str(out), "--baseline", "2016", "--follow-up", "2019",
                          "--with", "tvaergaaende-borgerforloeb", "--format", "json")
    assert code == 0, err
    goals = json.loads(text)
    marked = marked_persons(out)
    assert goals["target_group"] == len(marked)
    spent = {year: costs_in_year(PAYMENTS, marked, year) for year in (2016, 2019)}
    for key, year in (("baseline", 2016), ("follow_up", 2019)):
        costs = goals[key]["goal_5_costs"]
        assert costs["target_gross_cost"] == payment_kroner(spent[year])
        assert costs["all_gross_cost"] == payment_kroner(costs_in_year(PAYMENTS, set(costs_by_person(PAYMENTS)), year))
    change = spent[2019] - spent[2016]
    assert goals["goal_5_change"] == ("-" if change < 0 else "") + payment_kroner(abs(change))
    # the trial's exemptions start 2017-07-01: nothing of the law was set aside in the baseline year
    assert goals["baseline"]["goal_10_set_aside"]["paragraphs"] == []
    assert goals["follow_up"]["goal_10_set_aside"]["paragraphs"]


# -- determinism ------------------------------------------------------------------------------------

def test_the_generator_is_seeded_and_matches_the_bundled_caseload(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        subprocess.run([sys.executable, str(REPO / "examples" / "make_caseload.py"), "--out", str(tmp_path / folder)],
                       check=True, capture_output=True)
    for name in ("payments.parquet", "cases.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert pq.read_table(tmp_path / "a" / name).equals(pq.read_table(REPO / "examples" / "caseload" / name))
    assert PAYMENTS.stat().st_size < 200_000


@pytest.mark.parametrize("command", [
    ["report", "concentration", str(PAYMENTS), "--by", "municipality", "--format", "html", "--lang", "da"],
    ["report", "concentration", str(PAYMENTS), "--format", "html", "--lang", "en"],
])
def test_html_is_byte_identical_across_processes_with_different_hash_seeds(command: list[str]) -> None:
    pages = [subprocess.run([sys.executable, "-m", "engine", *command], capture_output=True, check=True,
                            env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert pages[0] == pages[1] and b"<svg" in pages[0]


def test_html_of_exemptions_and_goals_is_byte_identical_across_processes(tmp_path: Path) -> None:
    marked = tmp_path / "marked.parquet"
    assert run("report", "concentration", str(PAYMENTS), "--mark-complex", str(marked), "--cases", str(CASES))[0] == 0
    for command in (["report", "exemptions", str(marked), "--with", "tvaergaaende-borgerforloeb", "--format", "html"],
                    ["report", "goals", str(PAYMENTS), str(marked), "--baseline", "2016", "--follow-up", "2019",
                     "--with", "tvaergaaende-borgerforloeb", "--format", "html", "--lang", "en"]):
        pages = [subprocess.run([sys.executable, "-m", "engine", *command], capture_output=True, check=True,
                                env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("3", "4")]
        assert pages[0] == pages[1] and pages[0].startswith(b"<!DOCTYPE html>")
        assert b"<script" not in pages[0] and b"<link" not in pages[0]
        assert not re.search(rb'(src|href)="(https?:)?//', pages[0]), "the page fetches something"


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_a_file_without_payments_gives_an_empty_report(tmp_path: Path, fmt: str) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("person,municipality,benefit,amount,from,to\n")
    code, out, err = run("report", "concentration", str(empty), "--format", fmt)
    assert code == 0, err
    assert out


def test_the_readme_and_the_planning_page_show_the_real_output() -> None:
    code, out, _ = run("report", "concentration", str(PAYMENTS), "--lang", "en")
    assert code == 0
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = readme.split("$ paragraf report concentration examples/caseload/payments.parquet --lang en\n", 1)[1]
    assert shown.split("```", 1)[0] == out
    assert out.rstrip() in (REPO / "docs" / "planning.md").read_text(encoding="utf-8")


def test_the_readme_shows_the_real_what_if_totals_of_the_bundled_caseload() -> None:
    code, out, _ = run("refusion", str(PAYMENTS), "--compare-with", "earlier-into-work:weeks=4", "--lang", "en")
    assert code == 0
    wanted = [line for line in out.splitlines() if line.startswith("Municipality") or " Total " in line]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    shown = readme.split('--lang en | grep -E "Municipality|Total"\n', 1)[1].split("```", 1)[0]
    assert shown.splitlines() == wanted


def test_hours_of_virksomhedspraktik_are_no_cost(rulebook: engine.Rulebook) -> None:
    """A virksomhedspraktik record holds hours where other records hold øre (BEK 1770/2015 § 2):
    it adds nothing to a citizen's cost, to the costs of a year, or to the kinds of benefit."""
    from engine.planning import goals

    rows = [{"person": "anna", "municipality": "217", "benefit": "ledighedsydelse", "amount": "700.00",
             "from": "2018-01-01", "to": "2018-01-07"},
            {"person": "anna", "municipality": "217", "benefit": "virksomhedspraktik", "amount": "0",
             "hours": "40", "from": "2018-01-01", "to": "2018-01-07"},
            {"person": "bo", "municipality": "217", "benefit": "virksomhedspraktik", "amount": "0",
             "hours": "12.5", "from": "2018-01-01", "to": "2018-01-07"},
            {"person": "bo", "municipality": "217", "benefit": "kontanthjaelp", "amount": "300.00",
             "from": "2018-01-01", "to": "2018-01-07"}]
    read = payment_records.from_records(rows, codes(rulebook))
    assert read.bad == [] and int(read.ore.sum()) == 70000 + 4000 + 1250 + 30000  # the hours are held in øre
    result = conc.measure(read, by="municipality")
    for group in result.groups:
        assert group.persons == ("anna", "bo") and group.ore.tolist() == [70000, 30000]
        assert group.benefits.tolist() == [1, 1]
    assert goals.in_year(read, 2018).tolist() == [70000, 0, 0, 30000]
