"""Proposal switches (`NAME[:CODES][@START]`), the with/without comparison, and its CLI forms."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import engine
from engine.officer import compare
from engine.interfaces.cli import main
from engine.lang.errors import CaseError
from engine.decide.proposals import Proposal, parse_switch

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AARHUS = EXAMPLES / "aarhus-complex.yaml"
NAME = "tvaergaaende-borgerforloeb"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    return result.exit_code, output


def stdout_of(*args: str) -> tuple[int, str]:
    """What the command writes to stdout only (the rulebook it used is named on stderr)."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout


class TestSwitchText:
    def test_bare_name(self) -> None:
        assert parse_switch(NAME) == Proposal(NAME)

    def test_codes_are_sorted_and_deduplicated(self) -> None:
        assert parse_switch(f"{NAME}:751,219,751").municipalities == ("219", "751")

    def test_start_day(self) -> None:
        assert parse_switch(f"{NAME}:219@2021-01-01") == Proposal(NAME, ("219",), dt.date(2021, 1, 1))

    def test_canonical_text_round_trips(self) -> None:
        proposal = Proposal(NAME, ("751", "219"), dt.date(2021, 1, 1))
        assert str(proposal) == f"{NAME}:219,751@2021-01-01"
        assert parse_switch(str(proposal)) == proposal

    @pytest.mark.parametrize("text, needle", [
        (f"{NAME}:", "is not NAME"), (f"{NAME}@01-01-2021", "is not a date"), ("Bad Name", "is not NAME"),
    ])
    def test_bad_switches_say_how_to_write_them(self, text: str, needle: str) -> None:
        with pytest.raises(CaseError, match=needle):
            parse_switch(text)


class TestEvaluate:
    def test_string_and_proposal_object_give_identical_json(self, rulebook: engine.Rulebook) -> None:
        by_text = rulebook.evaluate(AARHUS, proposals=[f"{NAME}:751,219@2021-01-01"]).to_json()
        by_object = rulebook.evaluate(AARHUS, proposals=[Proposal(NAME, ("219", "751"), dt.date(2021, 1, 1))]).to_json()
        assert by_text == by_object
        assert json.loads(by_text)["proposals"] == [f"{NAME}:219,751@2021-01-01"]

    def test_off_by_default(self, rulebook: engine.Rulebook) -> None:
        decision = rulebook.evaluate(AARHUS)
        assert decision.proposals == ()
        assert decision.obligation("lab.kontaktforloeb.fire_samtaler")["status"] == "applies"

    def test_the_same_proposal_twice_with_different_settings_is_refused(self, rulebook: engine.Rulebook) -> None:
        with pytest.raises(CaseError, match="switched on twice"):
            rulebook.evaluate(AARHUS, proposals=[NAME, f"{NAME}:219"])


class TestCompare:
    def test_lists_exactly_the_obligations_that_change(self, rulebook: engine.Rulebook) -> None:
        comparison = compare.compare(rulebook, AARHUS, NAME)
        without = rulebook.evaluate(AARHUS)
        with_ = rulebook.evaluate(AARHUS, proposals=[NAME])
        changed = sorted(o["rule"] for o in with_.obligations
                         if o["status"] != without.obligation(o["rule"])["status"])
        assert [c.rule for c in comparison.changes] == changed
        assert changed == ["lab.kontaktforloeb.fire_samtaler", "lab.kontaktforloeb.foerste_samtale",
                           "lab.koordinerende_sagsbehandler.aktivitetsparate",  # LAB § 36, in kap. 7
                           "lab.ret_og_pligt.seks_maaneder", "styringsloven.jobcenter.afgoerelser"]
        assert all(c.before == "applies" and c.after == "exempted" and c.lifted for c in comparison.changes)

    def test_other_municipality_named_changes_nothing(self, rulebook: engine.Rulebook) -> None:
        assert compare.compare(rulebook, AARHUS, f"{NAME}:219").changes == ()

    def test_an_unstated_target_fact_leaves_the_changes_unknown_and_is_named(self, rulebook: engine.Rulebook) -> None:
        comparison = compare.compare(rulebook, EXAMPLES / "sygedagpenge.yaml", NAME)
        assert comparison.missing == ("citizen.complex_case",)
        assert comparison.changes and {c.after for c in comparison.changes} == {"unknown"}
        assert not comparison.lifted

    def test_already_exempted_by_law_changes_nothing(self, rulebook: engine.Rulebook) -> None:
        hillerod = EXAMPLES / "hillerod-complex.yaml"
        assert rulebook.evaluate(hillerod, proposals=[NAME]).obligation(
            "lab.kontaktforloeb.fire_samtaler")["exempted_by"]["rule"] == "frikommune.en_plan.2020"
        assert compare.compare(rulebook, hillerod, NAME).changes == ()


class TestCli:
    def test_eval_with_and_without_differ(self) -> None:
        _, plain = run("eval", str(AARHUS), "--lang", "en")
        _, switched = run("eval", str(AARHUS), "--lang", "en", "--with", NAME)
        assert plain.count("[EXEMPTED]") == 0
        assert switched.count("[EXEMPTED]") == 5
        assert f"Proposals switched on: {NAME}" in switched

    def test_eval_compare_with(self) -> None:
        code, output = run("eval", str(AARHUS), "--compare-with", f"{NAME}:751", "--lang", "en")
        assert code == 0
        assert output.count("[LIFTED]") == 5
        assert "applies -> exempted (exempted by frikommune.forslag.tvaergaaende_borgerforloeb.2020)" in output

    def test_eval_compare_with_json(self) -> None:
        code, output = stdout_of("eval", str(AARHUS), "--compare-with", NAME, "--format", "json")
        assert code == 0
        data = json.loads(output)
        assert data["proposal"] == NAME and len(data["changes"]) == 5

    def test_batch_over_json_lines_keeps_good_rows_and_reports_bad_ones(self, tmp_path: Path) -> None:
        good = {"case": "a", "as_of": "2021-03-01", "municipality": "751",
                "citizen": {"benefit": "kontanthjaelp", "readiness": "jobparat", "birth_date": "1980-01-01",
                            "benefit_since": "2021-01-04", "first_contact": "2021-01-04", "complex_case": True}}
        lines = [json.dumps(good), "{not json", json.dumps({**good, "case": "b", "municipality": "461",
                                                            "citizen": {**good["citizen"], "benefit": "kontanthjalp"}}),
                 json.dumps({**good, "case": "c", "citizen": {**good["citizen"], "complex_case": False}})]
        path = tmp_path / "cases.jsonl"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = CliRunner().invoke(main, ["compare", str(path), "--with", NAME, "--lang", "en"])
        assert result.exit_code == 1  # the batch contract: bad rows on stderr, exit 1, every good row
        assert "cases.jsonl:2: not valid JSON" in result.stderr
        assert "cases.jsonl:3: citizen.benefit: unknown code 'kontanthjalp'" in result.stderr
        assert "not valid JSON" not in result.stdout
        assert "case a, as of 2021-03-01" in result.stdout and "case c, as of 2021-03-01" in result.stdout
        assert "lab.kontaktforloeb.fire_samtaler: 1" in result.stdout

    def test_batch_over_a_folder(self, tmp_path: Path) -> None:
        for name in ("aarhus-complex.yaml", "hillerod-complex.yaml"):
            (tmp_path / name).write_text((EXAMPLES / name).read_text(encoding="utf-8"), encoding="utf-8")
        code, output = stdout_of("compare", str(tmp_path), "--with", NAME, "--format", "json")
        assert code == 0
        data = json.loads(output)
        assert [c["case"] for c in data["cases"]] == ["example-aarhus-complex", "example-hillerod-complex"]
        assert data["lifted_counts"]["styringsloven.jobcenter.afgoerelser"] == 1
