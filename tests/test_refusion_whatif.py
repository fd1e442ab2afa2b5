"""Refusion what-ifs: `paragraf refusion PAYMENTS --compare-with PROPOSAL` and its library call.

The caseloads are generated here, seeded, over several municipalities. The expectations are
computed in the test from the payments and the weekly table's affected-week numbers, with the
law's and the proposal's staircases written out here, not taken from the engine.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pytest

import engine
from engine.lang.errors import CaseError
from engine.planning import earlier_into_work, proposal_rules, proposal_text, whatif
from engine.refusion import payments as payment_records, tables

MUNICIPALITIES = ("101", "461", "751")
SEED = 17
FIRST_MONDAY = dt.date(2016, 1, 4)
CO_FINANCED = "a_dagpenge"
REFUNDED = ("kontanthjaelp", "sygedagpenge", "ressourceforloebsydelse")


def weekly_caseload(path: Path, persons: int = 8) -> Path:
    """One payment per person and week, Monday to Sunday, leaving out weeks that span two months
    (so each week's amount belongs to one month); spells of up to 90 weeks, 2016-2019."""
    rng = np.random.default_rng(SEED)
    rows = ["person,municipality,benefit,amount,from,to"]
    for municipality in MUNICIPALITIES:
        for number in range(persons):
            benefit = CO_FINANCED if number % 3 == 0 else REFUNDED[number % len(REFUNDED)]
            start = int(rng.integers(0, 60))
            for week in range(start, start + int(rng.integers(20, 90))):
                monday = FIRST_MONDAY + dt.timedelta(weeks=week)
                sunday = monday + dt.timedelta(days=6)
                if monday.month != sunday.month:
                    continue
                amount = Decimal(int(rng.integers(150_000, 400_000))).scaleb(-2)
                rows.append(f"p{municipality}-{number},{municipality},{benefit},{amount},{monday},{sunday}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def monthly_caseload(path: Path, persons: int = 6) -> Path:
    """Monthly payments in unbroken spells of 2 to 20 months, all ended before the data ends
    (a person on SU in December 2019 carries the data to its end)."""
    rng = np.random.default_rng(SEED + 1)
    rows = ["person,municipality,benefit,amount,from,to", "su-only,101,su,6000.00,2019-12-01,2019-12-31"]
    for municipality in MUNICIPALITIES:
        for number in range(persons):
            benefit = CO_FINANCED if number % 2 == 0 else REFUNDED[number % len(REFUNDED)]
            month = 2016 * 12 + int(rng.integers(0, 24))
            for _ in range(2):  # two spells, a gap of 1 to 14 months between
                for _ in range(int(rng.integers(2, 20))):
                    first = dt.date(month // 12, month % 12 + 1, 1)
                    last = dt.date((month + 1) // 12, (month + 1) % 12 + 1, 1) - dt.timedelta(days=1)
                    amount = Decimal(int(rng.integers(800_000, 1_600_000))).scaleb(-2)
                    rows.append(f"p{municipality}-{number},{municipality},{benefit},{amount},{first},{last}")
                    month += 1
                month += int(rng.integers(1, 15))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _rate(ordinal: int, rates: tuple[int, ...], ends: tuple[int, ...]) -> Decimal:
    """The refusion rate (a fraction) of an affected week on a staircase, written out in the test."""
    for rate, end in zip(rates, ends):
        if ordinal <= end:
            return Decimal(rate) / 100
    return Decimal(rates[-1]) / 100


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


LAW = ((80, 40, 30, 20), (4, 26, 52))
PROPOSED = ((90, 50, 25, 10), (8, 30, 60))
PROPOSAL = "staircase:rates=90,50,25,10;weeks=8,30,60"


@pytest.fixture(scope="module")
def weekly_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return weekly_caseload(tmp_path_factory.mktemp("whatif") / "payments.csv")


@pytest.fixture(scope="module")
def monthly_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return monthly_caseload(tmp_path_factory.mktemp("whatif") / "payments.csv")


def _expected_by_month(weekly_file: Path, rulebook: engine.Rulebook) -> dict[tuple[str, str], dict[str, Decimal]]:
    """Per municipality and month, the refusion and co-financing under the law and the proposal,
    from each payment's amount (one per week) and the week's affected-week number."""
    amounts = {}
    for line in weekly_file.read_text(encoding="utf-8").splitlines()[1:]:
        person, municipality, benefit, amount, first, _ = line.split(",")
        amounts[(person, first)] = (municipality, benefit, Decimal(amount))
    table = rulebook.refusion(weekly_file).table.to_pylist()
    sums: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in table:
        municipality, benefit, amount = amounts[(row["person"], row["week"].isoformat())]
        ordinal = row["affected_week"]
        key = (municipality, row["week"].isoformat()[:7])
        for side, (rates, ends) in (("without", LAW), ("with", PROPOSED)):
            rate = _rate(ordinal, rates, ends)
            kind, share = ("cofinancing", 1 - rate) if benefit == CO_FINANCED else ("refusion", rate)
            sums[key][f"{kind}_{side}"] += _round(amount * share)
    return sums


@pytest.mark.parametrize("evaluator,jobs", [("native", 1), ("numpy", 1), ("native", 2)])
def test_rate_proposal_differences_equal_an_independent_computation(weekly_file: Path, rulebook: engine.Rulebook,
                                                                     evaluator: str, jobs: int) -> None:
    expected = _expected_by_month(weekly_file, rulebook)
    comparison = whatif.compare_refusion(rulebook, weekly_file, PROPOSAL, evaluator=evaluator, jobs=jobs)
    rows = {(r["municipality"], r["month"]): r for r in comparison.records()}
    assert set(rows) == set(expected)
    assert {m for m, _ in rows} == set(MUNICIPALITIES)
    for key, sums in expected.items():
        for kind in ("refusion", "cofinancing"):
            before, after = sums[f"{kind}_without"], sums[f"{kind}_with"]
            assert (rows[key][f"{kind}_without"], rows[key][f"{kind}_with"]) == (before, after), (key, kind)
            assert rows[key][f"{kind}_difference"] == after - before
    assert any(r["refusion_difference"] != 0 for r in rows.values())
    assert any(r["cofinancing_difference"] != 0 for r in rows.values())


def test_the_proposed_steps_apply_at_just_below_and_above_each_step_end(weekly_file: Path,
                                                                        rulebook: engine.Rulebook) -> None:
    staircase = proposal_text.parse(PROPOSAL, rulebook.checked.proposals)
    assert isinstance(staircase, proposal_text.Staircase)
    other = proposal_rules.rulebook_with(rulebook, staircase)
    weeks = other.refusion(weekly_file, [proposal_rules.NAME]).table.to_pylist()
    by_ordinal = {row["affected_week"]: row for row in weeks if row["affected_week"]}
    for end in PROPOSED[1]:
        for ordinal in (end - 1, end, end + 1):
            assert ordinal in by_ordinal, f"the caseload has no affected week {ordinal}"
            expected = _rate(ordinal, *PROPOSED)
            assert by_ordinal[ordinal]["refusion_rate"] == expected
            # the co-financing rate mirrors it (§ 5, stk. 3)
            assert by_ordinal[ordinal]["cofinancing_rate"] == 1 - expected


def test_cofinancing_follows_a_changed_refusion_rate(tmp_path: Path, rulebook: engine.Rulebook) -> None:
    path = tmp_path / "dagpenge.csv"
    path.write_text("person,municipality,benefit,amount,from,to\n"
                    "a,101,a_dagpenge,7000.00,2021-01-04,2021-01-10\n", encoding="utf-8")
    comparison = whatif.compare_refusion(rulebook, path, "staircase:rates=65,40,30,20")
    [row] = comparison.records()
    assert row["cofinancing_without"] == Decimal("1400.00")  # 20 % of 7000 in affected week 1
    assert row["cofinancing_with"] == Decimal("2450.00")     # 100 % - 65 %
    assert row["refusion_with"] == row["refusion_without"] == 0


def test_four_weeks_earlier_into_work_lowers_cofinancing_in_every_municipality(monthly_file: Path,
                                                                               rulebook: engine.Rulebook) -> None:
    comparison = whatif.compare_refusion(rulebook, monthly_file, "earlier-into-work:weeks=4")
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in comparison.records():
        for column in ("cofinancing_without", "cofinancing_with", "refusion_without", "refusion_with"):
            totals[str(row["municipality"])][column] += row[column]  # type: ignore[operator]
    assert set(totals) >= set(MUNICIPALITIES)
    for municipality in MUNICIPALITIES:
        assert totals[municipality]["cofinancing_with"] < totals[municipality]["cofinancing_without"], municipality
        assert totals[municipality]["refusion_with"] < totals[municipality]["refusion_without"], municipality


def _read(rulebook: engine.Rulebook, text: str, path: Path) -> payment_records.Payments:
    path.write_text("person,municipality,benefit,amount,from,to\n" + text, encoding="utf-8")
    return payment_records.read_payments(path, rulebook.checked.inputs["citizen.benefit"].input.values)  # type: ignore[union-attr]


def test_a_spell_ends_n_weeks_earlier_and_keeps_its_amount_per_day(tmp_path: Path, rulebook: engine.Rulebook) -> None:
    read = _read(rulebook, "a,101,kontanthjaelp,3100.00,2021-01-01,2021-01-31\n"
                           "a,101,kontanthjaelp,2800.00,2021-02-01,2021-02-28\n"
                           "a,101,su,1000.00,2021-02-01,2021-02-28\n"
                           "b,101,sygedagpenge,700.00,2021-01-04,2021-01-10\n"
                           "c,101,kontanthjaelp,100.00,2021-03-01,2021-03-31\n", tmp_path / "p.csv")
    shorter = earlier_into_work.shorten(read, 2, earlier_into_work.spell_codes(rulebook))
    kept = {(read.persons[p], read.codes[b]): (int(o), int(e) - int(s) + 1)
            for p, b, o, s, e in zip(shorter.person, shorter.benefit, shorter.ore, shorter.start, shorter.end)
            if read.codes[b] != "kontanthjaelp" or int(e) < 18700}
    # a's spell ends 14 days earlier: February keeps 14 of its 28 days, 2800 kr × 14 / 28
    february = [(int(o), int(e) - int(s) + 1) for p, b, o, s, e in zip(shorter.person, shorter.benefit, shorter.ore,
                shorter.start, shorter.end) if read.persons[p] == "a" and read.codes[b] == "kontanthjaelp"]
    assert february == [(310000, 31), (140000, 14)]
    assert kept[("a", "su")] == (100000, 28)          # other support is not cut
    assert ("b", "sygedagpenge") not in kept          # a one-week spell is gone
    c = [int(o) for p, o in zip(shorter.person, shorter.ore) if read.persons[p] == "c"]
    assert c == [10000]                               # still running in the data's last week: not cut


def test_a_cut_payment_is_rounded_half_up_to_whole_ore(tmp_path: Path, rulebook: engine.Rulebook) -> None:
    read = _read(rulebook, "a,101,kontanthjaelp,0.03,2021-01-04,2021-01-17\n"
                           "z,101,su,1.00,2021-06-01,2021-06-30\n", tmp_path / "p.csv")
    shorter = earlier_into_work.shorten(read, 1, earlier_into_work.spell_codes(rulebook))
    ore = {read.persons[p]: int(o) for p, o in zip(shorter.person, shorter.ore)}
    assert ore["a"] == 2  # 3 øre × 7 / 14 = 1.5 øre, half up


def test_the_old_scheme_takes_flexjob_benefits_off_the_staircase(tmp_path: Path, rulebook: engine.Rulebook) -> None:
    path = tmp_path / "flex.csv"
    path.write_text("person,municipality,benefit,amount,from,to\n"
                    "f,751,fleksloentilskud,10000.00,2021-01-04,2021-01-10\n", encoding="utf-8")
    [row] = whatif.compare_refusion(rulebook, path, "old-scheme").records()
    assert row["refusion_without"] == Decimal("8000.00")  # affected week 1: 80 %
    assert row["refusion_with"] == Decimal("3000.00")     # BEK 1770/2015 § 1: 30 %


BAD = [
    ("staircase:rates=80,40,x,20", 23, "not a refusion rate"),
    ("staircase:rates=80,40,130,20", 23, "from 0 to 100"),
    ("staircase:rates=80,40,30;weeks=4,26,52", 32, "3 rates need 2 step ends"),
    ("staircase:weeks=4,30,26", 22, "must rise"),
    ("staircase:rats=80", 11, "expected rates=... or weeks=..."),
    ("earlier-into-work:weeks=0", 25, "not a number of weeks"),
    ("earlier-into-work:weeks=four", 25, "not a number of weeks"),
    ("no-such-proposal", 1, "unknown proposal"),
]


@pytest.mark.parametrize("text,column,problem", BAD)
def test_bad_proposal_text_gets_a_located_error(rulebook: engine.Rulebook, text: str, column: int, problem: str) -> None:
    with pytest.raises(CaseError) as caught:
        proposal_text.parse(text, rulebook.checked.proposals)
    [diagnostic] = caught.value.diagnostics
    assert f"column {column}:" in diagnostic.message and problem in diagnostic.message
    caret_line = diagnostic.message.splitlines()[-1]
    assert caret_line.index("^") - 4 == column - 1  # the caret stands under the column named
    assert diagnostic.hint


def _paragraf(*args: str, seed: str = "0") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    return subprocess.run([sys.executable, "-m", "engine", *args], capture_output=True, text=True, env=env,
                          timeout=600)


def test_cli_reports_a_bad_proposal_with_its_column_and_no_traceback(weekly_file: Path) -> None:
    result = _paragraf("refusion", str(weekly_file), "--compare-with", "staircase:rates=80,40,x,20")
    assert result.returncode == 2
    assert result.stderr.startswith("rulebook: ")
    assert "column 23" in result.stderr and "^" in result.stderr and "Traceback" not in result.stderr


def test_cli_html_and_output_are_byte_identical_across_processes(tmp_path: Path, weekly_file: Path) -> None:
    outputs = []
    for seed in ("1", "2"):
        page = tmp_path / f"report-{seed}.html"
        result = _paragraf("refusion", str(weekly_file), "--compare-with", PROPOSAL, "--html", str(page),
                           "--lang", "en", seed=seed)
        assert result.returncode == 0, result.stderr
        stairs = _paragraf("explain-week", str(weekly_file), "--person", "p101-0", "--week", "2016-06-06",
                           "--format", "html", seed=seed)
        assert stairs.returncode == 0, stairs.stderr
        outputs.append((result.stdout, page.read_bytes(), stairs.stdout))
    assert outputs[0] == outputs[1]
    _, page, stairs = outputs[0]
    for document in (page.decode(), stairs):  # self-contained: nothing fetched, nothing run
        assert "<svg" in document and "<script" not in document and "<link" not in document
        assert not re.search(r"""(src|href)=["']?(https?:|//)|url\((?!#)""", document)


def test_cli_json_holds_the_library_table(weekly_file: Path, rulebook: engine.Rulebook) -> None:
    import json

    result = _paragraf("refusion", str(weekly_file), "--compare-with", PROPOSAL, "--format", "json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["schema"] == "paragraf/refusion-comparison@1"
    library = whatif.compare_refusion(rulebook, weekly_file, PROPOSAL).records()
    assert [{k: str(v) for k, v in row.items()} for row in library] == document["rows"]


def test_cli_keeps_good_rows_and_reports_bad_ones(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("person,municipality,benefit,amount,from,to\n"
                    "a,101,a_dagpenge,7000.00,2021-01-04,2021-01-10\n"
                    "b,101,a_dagpenge,7x,2021-01-04,2021-01-10\n", encoding="utf-8")
    result = _paragraf("refusion", str(path), "--compare-with", "staircase:rates=65,40,30,20")
    assert result.returncode == 1
    assert f"{path}:3:" in result.stderr
    assert "1,400.00" in result.stdout or "1.400,00" in result.stdout


def _weekly_rows(person: str, first: dt.date, weeks: int, benefit: str = "kontanthjaelp") -> str:
    return "".join(f"{person},101,{benefit},700.00,{first + dt.timedelta(weeks=w)},"
                   f"{first + dt.timedelta(weeks=w, days=6)}\n" for w in range(weeks))


@pytest.mark.parametrize("length,left", [(1, 0), (2, 0), (3, 1)])
def test_a_spell_of_n_weeks_or_less_is_left_out(tmp_path: Path, rulebook: engine.Rulebook, length: int,
                                                left: int) -> None:
    rows = _weekly_rows("a", FIRST_MONDAY, length) + "z,101,su,1.00,2017-01-02,2017-01-08\n"
    read = _read(rulebook, rows, tmp_path / "p.csv")
    shorter = earlier_into_work.shorten(read, 2, earlier_into_work.spell_codes(rulebook))
    assert sum(1 for p in shorter.person if read.persons[p] == "a") == left


@pytest.mark.parametrize("weeks,affected_week", [(2, 9), (3, 1), (4, 1)])
def test_weeks_cut_count_towards_the_reset(tmp_path: Path, rulebook: engine.Rulebook, weeks: int,
                                           affected_week: int) -> None:
    """A 10-week spell, 49 self-support weeks, then a new spell: cut by 3 weeks or more, the gap
    holds the 52 self-support weeks that start the count again (§ 6, stk. 1); cut by 2, 51 do not."""
    later = FIRST_MONDAY + dt.timedelta(weeks=10 + 49)
    read = _read(rulebook, _weekly_rows("a", FIRST_MONDAY, 10) + _weekly_rows("a", later, 2), tmp_path / "p.csv")
    before = {r["week"]: r["affected_week"] for r in tables.refusion(rulebook.program, read).records()}
    assert before[later] == 11
    shorter = earlier_into_work.shorten(read, weeks, earlier_into_work.spell_codes(rulebook))
    after = {r["week"]: r["affected_week"] for r in tables.refusion(rulebook.program, shorter).records()}
    assert after[later] == affected_week
    assert len([w for w in after if w < later]) == 10 - weeks  # the first spell lost its last weeks


BUNDLED = Path(__file__).resolve().parent.parent / "examples" / "caseload" / "payments.parquet"


def _totals(table: list[dict[str, object]]) -> dict[tuple[str, str], Decimal]:
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in table:
        for kind in ("refusion", "cofinancing"):
            sums[(str(row["municipality"]), kind)] += row[f"{kind}_amount"]  # type: ignore[operator]
    return sums


def test_on_the_bundled_caseload_a_rate_proposal_adds_up_to_its_weekly_tables(rulebook: engine.Rulebook) -> None:
    """Per municipality, the months of the comparison add up to the weekly tables of the law and of
    the proposed staircase, summed in the test. (The month-by-month equality with an independent
    computation is tested above on a caseload of whole weeks; here weeks spanning two months are
    split by their days, BEK 14/2026 § 23, stk. 2, which the totals do not depend on.)"""
    text = "staircase:rates=90,40,30,20"
    staircase = proposal_text.parse(text, rulebook.checked.proposals)
    assert isinstance(staircase, proposal_text.Staircase)
    without = _totals(rulebook.refusion(BUNDLED).table.to_pylist())
    other = proposal_rules.rulebook_with(rulebook, staircase)
    with_ = _totals(other.refusion(BUNDLED, [proposal_rules.NAME]).table.to_pylist())
    compared: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for row in whatif.compare_refusion(rulebook, BUNDLED, text).records():
        for kind in ("refusion", "cofinancing"):
            for side in ("without", "with", "difference"):
                compared[(str(row["municipality"]), kind)][side] += row[f"{kind}_{side}"]  # type: ignore[operator]
    assert set(compared) == set(without) and len(compared) == 6
    for key, sums in compared.items():
        assert (sums["without"], sums["with"]) == (without[key], with_[key]), key
        assert sums["difference"] == with_[key] - without[key]
    assert all(compared[(m, "refusion")]["difference"] > 0 for m, _ in compared)  # 90 % instead of 80 % in weeks 1-4


def test_on_the_bundled_caseload_four_weeks_earlier_into_work_lowers_cofinancing_everywhere(
        rulebook: engine.Rulebook) -> None:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in whatif.compare_refusion(rulebook, BUNDLED, "earlier-into-work:weeks=4").records():
        totals[str(row["municipality"])] += row["cofinancing_difference"]  # type: ignore[operator]
    assert len(totals) == 3 and all(difference < 0 for difference in totals.values()), totals
