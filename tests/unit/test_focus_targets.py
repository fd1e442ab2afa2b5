"""Focus targets counted from a generated batch of citizen cases, checked against a count written
here from the legal brief (section 7) without the rule files: BEK 1409/2019 for 2021 (225 hours,
every offer kind counts) and BEK 301/2023 for 2023 (100 hours, "øvrig vejledning og
opkvalificering" only for under-30s without vocational education on uddannelseshjælp)."""
from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

import engine
from engine.planning import focus_targets
from engine.interfaces.cli import main

SCOPE = ["a_dagpenge", "sygedagpenge", "integrationsydelse", "uddannelseshjaelp", "kontanthjaelp",
         "revalideringsydelse", "ressourceforloebsydelse", "ledighedsydelse"]
OUT_OF_SCOPE = ["folkepension", "su", "foertidspension"]
OFFERS = ["virksomhedspraktik", "loentilskud", "nytteindsats", "vejledning_og_opkvalificering",
          "oevrig_vejledning_og_opkvalificering", "mentor"]
TALKS = ["jobsamtale", "opfoelgning", "telefon"]


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def generate(year: int, count: int, seed: int) -> list[dict]:
    """Random citizens around every edge: spell start, hours limits, window ends, kinds counted."""
    rng = random.Random(seed)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    edges = [start - dt.timedelta(days=1), start, end, end + dt.timedelta(days=1)]
    cases = []
    for number in range(count):
        since = rng.choice([start - dt.timedelta(days=400), start, start + dt.timedelta(days=1), start + dt.timedelta(days=200)])
        young = rng.random() < 0.3
        events = lambda kinds, n: [{"date": str(rng.choice(edges + [start + dt.timedelta(days=rng.randrange(365))])),
                                    "kind": rng.choice(kinds)} for _ in range(n)]
        cases.append({
            "case": f"c{number:03d}", "as_of": f"{year}-12-31", "municipality": rng.choice(["751", "751", "461"]),
            "citizen": {
                "benefit": "uddannelseshjaelp" if young and rng.random() < 0.7 else rng.choice(SCOPE + OUT_OF_SCOPE),
                "benefit_since": str(since), "first_contact": str(since),
                "birth_date": f"{year - (22 if young else 45)}-06-15",
                "readiness": rng.choice(["jobparat", "aktivitetsparat", "uddannelsesparat"]),
                "vocational_education": not young and rng.random() < 0.5, "integration_programme": False,
                "complex_case": False, "ordinary_hours": rng.choice([0, 99, 100, 101, 224, 225, 226, 400]),
                "offers": events(OFFERS, rng.choice([0, 0, 1, 2])), "talks": events(TALKS, rng.choice([0, 2, 3, 4, 5, 6])),
                "affected_week": 60,
            },
        })
    return cases


def expected(cases: list[dict], municipality: str, year: int, bek_1409: bool) -> tuple[list[str], list[str], list[str]]:
    """The brief's counting rules, written out by hand."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    as_of = dt.date(year + 1, 4, 1)
    population, against_1, against_2 = [], [], []
    for case in cases:
        c = case["citizen"]
        if case["municipality"] != municipality or c["benefit"] not in SCOPE or day(c["benefit_since"]) > start:
            continue
        population.append(case["case"])
        age = as_of.year - day(c["birth_date"]).year - ((as_of.month, as_of.day) < (6, 15))
        young_group = (c["benefit"] == "uddannelseshjaelp" and age < 30 and not c["vocational_education"]
                       and c["readiness"] in ("uddannelsesparat", "aktivitetsparat"))
        counted = set(OFFERS[:4]) | ({OFFERS[4]} if bek_1409 or young_group else set())
        offers = sum(1 for o in c["offers"] if o["kind"] in counted and start <= day(o["date"]) <= end)
        talks = sum(1 for t in c["talks"] if t["kind"] in ("jobsamtale", "opfoelgning") and start <= day(t["date"]) <= end)
        if offers == 0 and c["ordinary_hours"] < (225 if bek_1409 else 100):
            against_1.append(case["case"])
        if talks < 4:
            against_2.append(case["case"])
    return population, against_1, against_2


@pytest.mark.parametrize("year, bek_1409, seed", [(2021, True, 7), (2023, False, 11)])
def test_counts_match_an_independent_count(rulebook: engine.Rulebook, tmp_path: Path, year: int, bek_1409: bool,
                                           seed: int) -> None:
    cases = generate(year, 70, seed)
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    result = focus_targets.measure(rulebook, path, "751", year)
    population, against_1, against_2 = expected(cases, "751", year, bek_1409)
    assert len(population) >= 10 and against_1 and against_2  # the batch exercises every branch
    assert [c.case for c in result.population] == population
    assert [c.case for c in result.against(1)] == against_1
    assert [c.case for c in result.against(2)] == against_2
    assert result.share(1) == Decimal(len(against_1)) / Decimal(len(population))
    assert result.share(2) == Decimal(len(against_2)) / Decimal(len(population))
    assert result.other_municipalities == sum(1 for c in cases if c["municipality"] != "751")
    assert not result.problems and not [c for c in result.citizens if c.undecided]


def test_the_oevrig_offer_is_what_differs_between_the_orders(rulebook: engine.Rulebook, tmp_path: Path) -> None:
    citizen = {"benefit": "kontanthjaelp", "benefit_since": "2019-01-01", "birth_date": "1970-01-01",
               "readiness": "aktivitetsparat", "vocational_education": True, "integration_programme": False,
               "ordinary_hours": 0, "talks": [], "offers": [{"date": "2021-05-01", "kind": "oevrig_vejledning_og_opkvalificering"},
                                                            {"date": "2023-05-01", "kind": "oevrig_vejledning_og_opkvalificering"}]}
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"case": "x", "municipality": "751", "citizen": citizen}) + "\n", encoding="utf-8")
    assert focus_targets.measure(rulebook, path, "751", 2021).against(1) == ()
    assert [c.case for c in focus_targets.measure(rulebook, path, "751", 2023).against(1)] == ["x"]


def test_missing_hours_leave_a_citizen_undecided(rulebook: engine.Rulebook, tmp_path: Path) -> None:
    citizen = {"benefit": "a_dagpenge", "benefit_since": "2019-01-01", "talks": [], "offers": []}
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"case": "x", "municipality": "751", "citizen": citizen}) + "\n", encoding="utf-8")
    result = focus_targets.measure(rulebook, path, "751", 2021)
    assert [c.case for c in result.citizens if c.undecided] == ["x"]
    assert result.population == () and result.share(1) is None


def test_cli_names_the_citizens_and_decides_supervision(tmp_path: Path) -> None:
    cases = generate(2021, 30, 3)
    path = tmp_path / "cases.jsonl"
    path.write_text("".join(json.dumps(c) + "\n" for c in cases) + "[1, 2]\n", encoding="utf-8")
    municipality = tmp_path / "kommune.yaml"
    municipality.write_text("case: k\nas_of: 2022-04-30\ntilsyn:\n  meddelt: 2022-04-30\n  faktisk_ydelsesgrad: 20%\n"
                            "  forventet_ydelsesgrad: 19%\n  under_tilsyn: false\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["tilsyn", "fokusmaal", str(path), "--municipality", "751", "--year", "2021",
                                       "--case", str(municipality), "--format", "json"])
    assert result.exit_code == 1, result.output  # the bad last row is reported, the good rows counted
    assert "cases.jsonl:31: a case must be a JSON object" in result.stderr
    data = json.loads(result.stdout)
    population, against_1, against_2 = expected(cases, "751", 2021, True)
    assert data["targets"]["1"]["against"] == against_1 and data["targets"]["2"]["against"] == against_2
    assert data["problems"][0]["source"].endswith("cases.jsonl:31")
    share_1 = Decimal(len(against_1)) / Decimal(len(population))
    values = data["decision"]["values"]
    assert values["tilsyn.fokusmaal_1_opfyldt"] is (share_1 < Decimal("0.20"))
    assert values["tilsyn.udfald"] == ("intet_tilsyn" if values["tilsyn.fokusmaal_opfyldt"] else "skaerpet_tilsyn")


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def fokusmaal(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["tilsyn", "fokusmaal", *args, "--municipality", "751", "--lang", "en"])
    return result.exit_code, result.stdout, result.stderr


def test_the_readme_command_on_the_bundled_caseload_gives_shares() -> None:
    code, out, err = fokusmaal(str(EXAMPLES / "tilsyn-caseload.jsonl"), "--year", "2021")
    assert code == 0, out + err
    assert "Long-term recipients (at least 12 months): 4" in out
    assert "Focus target 1: 2 count against it, share 50.0 %" in out
    assert "Focus target 2: 2 count against it, share 50.0 %" in out
    assert "  caseload-751-f: missing citizen.ordinary_hours" in out  # each undecided case, with its facts


def test_a_municipality_case_among_citizen_cases_is_not_counted() -> None:
    code, out, err = fokusmaal(str(EXAMPLES), "--year", "2021")
    assert code == 0, out + err
    assert "could not be read" not in out and "no value maaling.langvarig" not in out + err
    assert "1 cases without a citizen (not counted): example-tilsyn-aarhus-2020" in out


def test_a_municipality_case_for_another_year_is_refused() -> None:
    code, out, err = fokusmaal(str(EXAMPLES / "tilsyn-caseload.jsonl"), "--year", "2021",
                               "--case", str(EXAMPLES / "tilsyn-kommune.yaml"))
    assert code == 2
    assert "is the municipality case for 2020 (tilsyn.aar), but --year is 2021" in err
