"""Counterfactuals (`paragraf whatif`, `Decision.counterfactuals`): every answer flips the status when
applied, which these tests check by evaluating the changed case again through `Rulebook.evaluate`;
threshold days are among the answers; no answer is claimed when none exists."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import engine
from engine.decide import evaluator
from engine.decide.counterfactuals import Counterfactual, apply_changes
from engine.interfaces.cli import main
from engine.officer.scenarios import read_scenarios

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))
SCENARIO_FILES = ["lab/ret_og_pligt_2015.yaml", "lab/kontaktforloeb_2019.yaml", "lab/maalgrupper_2019.yaml",
                  "sygedagpengeloven/visitation.yaml", "frikommune/en_plan.yaml", "styringsloven/jobcenter.yaml"]


def status_after(book: engine.Rulebook, data: dict[str, Any], as_of: str, proposals: tuple[str, ...], rule_id: str,
                 answer: Counterfactual) -> Any:
    """The rule's status once the answer's changes are applied, evaluated from scratch."""
    day = next((c.after for c in answer.changes if c.fact == "as_of"), as_of)
    facts = {c.fact: c.after for c in answer.changes if c.fact != "as_of" and not c.derived}
    changed = apply_changes(data, facts)
    derived = {c.fact: c.value for c in answer.changes if c.derived}
    if derived:  # a target group set directly: no case file can say that, so fix the value in the evaluator
        return evaluator.outcome(book.program, book.read_case(changed), engine_date(day), proposals, rule_id, derived)
    obligation = book.evaluate(changed, day, proposals).obligation(rule_id)
    return None if obligation is None else obligation["status"]


def engine_date(text: str) -> Any:
    import datetime as dt

    return dt.date.fromisoformat(text)


def check_every_answer(book: engine.Rulebook, data: dict[str, Any], as_of: str, proposals: tuple[str, ...],
                       rule_id: str) -> int:
    decision = book.evaluate(data, as_of, proposals)
    found = decision.counterfactuals(rule_id)
    before = decision.obligation(rule_id)
    assert found.outcome == (None if before is None else before["status"])
    for answer in found.answers:
        after = status_after(book, data, as_of, proposals, rule_id, answer)
        assert after == answer.outcome != found.outcome, (rule_id, answer)
    return len(found.answers)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_answer_for_every_bundled_example_flips_the_status(rulebook: engine.Rulebook, path: Path) -> None:
    data = rulebook.read_case(path).data
    decision = rulebook.evaluate(path)
    decided = [o["rule"] for o in decision.obligations if o["status"] != "not_applicable"]
    assert decided, "every bundled example has an obligation that applies, is exempted or is unknown"
    answers = sum(check_every_answer(rulebook, data, decision.as_of, (), rule_id) for rule_id in decided)
    assert answers > 0


def scenario_cases() -> list[Any]:
    cases = []
    for name in SCENARIO_FILES:
        for scenario in read_scenarios(REPO / "tests" / "scenarios" / name):
            rules = list(scenario.expect.get("obligations") or {})
            if rules and scenario.as_of and not scenario.expect.get("error"):
                cases.append(pytest.param(scenario, rules[0], id=f"{name}:{scenario.line}"))
    return cases


SCENARIOS = scenario_cases()


def test_at_least_thirty_scenario_cases_are_checked() -> None:
    assert len(SCENARIOS) >= 30


@pytest.mark.parametrize("scenario,rule_id", SCENARIOS)
def test_every_answer_for_a_scenario_case_flips_the_status(rulebook: engine.Rulebook, scenario: Any,
                                                           rule_id: str) -> None:
    check_every_answer(rulebook, scenario.case, scenario.as_of, scenario.proposals, rule_id)


DAGPENGE = {"case": "t", "municipality": "751", "citizen": {
    "benefit": "a_dagpenge", "benefit_since": "2018-01-08", "readiness": "jobparat", "vocational_education": True}}


def answers_of(book: engine.Rulebook, case: dict[str, Any], as_of: str, rule_id: str) -> list[list[tuple[str, Any]]]:
    found = book.evaluate(case, as_of).counterfactuals(rule_id)
    return [[(c.fact, c.after) for c in a.changes] for a in found.answers]


@pytest.mark.parametrize("born,turns_on,fact", [
    ("1988-03-02", "2018-03-02", "1988-03-01"),   # 29, turns 30 tomorrow
    ("1988-03-01", "2018-02-28", "1988-03-02"),   # 30 today: the day before, still 29
])
def test_the_day_the_citizen_turns_30_is_an_answer(rulebook: engine.Rulebook, born: str, turns_on: str,
                                                   fact: str) -> None:
    case = {**DAGPENGE, "citizen": {**DAGPENGE["citizen"], "birth_date": born}}
    answers = answers_of(rulebook, case, "2018-03-01", "lab2015.ret_og_pligt.dagpenge_under_30")
    assert [("as_of", turns_on)] in answers
    assert [("citizen.birth_date", fact)] in answers


def test_the_end_of_week_8_is_an_answer(rulebook: engine.Rulebook) -> None:
    case = {"case": "t", "municipality": "751", "citizen": {
        "birth_date": "1979-09-30", "benefit": "sygedagpenge", "benefit_since": "2025-01-01",
        "sickness": {"first_absence_day": "2024-12-02", "category": 1, "status": "loenmodtager"}, "talks": []}}
    rule = "sygedagpengeloven.visitation.kategori1_efter_uge8"
    at = answers_of(rulebook, case, "2025-01-27", rule)        # week 8 passed today: applies
    assert [("as_of", "2025-01-26")] in at
    below = answers_of(rulebook, case, "2025-01-26", rule)     # the day before: not yet
    assert [("as_of", "2025-01-27")] in below


def test_a_target_group_is_a_derived_answer(rulebook: engine.Rulebook) -> None:
    found = rulebook.evaluate(REPO / "examples/aarhus-complex.yaml").counterfactuals("lab.kontaktforloeb.fire_samtaler")
    derived = [a for a in found.answers if a.changes[0].derived]
    groups = [a.changes[0].after for a in derived if a.changes[0].fact == "lab.maalgruppe"]
    assert 1 in groups and 2 not in groups  # target group 2 is among those the rule names, like 3


def test_answers_are_ranked_by_how_few_facts_they_touch(rulebook: engine.Rulebook) -> None:
    found = rulebook.evaluate(REPO / "examples/hillerod-complex.yaml").counterfactuals("lab.kontaktforloeb.fire_samtaler")
    sizes = [len(a.changes) for a in found.answers]
    assert sizes == sorted(sizes)


def test_no_answer_is_said_plainly(rulebook: engine.Rulebook) -> None:
    """The early follow-up of a sickness needs a sick-listed person and their sickness's facts: more
    than two facts away from a kontanthjælp case."""
    rule = "sygedagpengeloven.opfoelgning.tidlig"
    found = rulebook.evaluate(REPO / "examples/aarhus-complex.yaml").counterfactuals(rule)
    assert found.outcome == "not_applicable" and found.answers == () and found.complete
    assert "No change of at most 2 facts" in found.render("en")
    assert "Ingen ændring af højst 2 oplysninger" in found.render("da")


def test_whatif_command_in_json_danish_and_english() -> None:
    runner = CliRunner()
    args = ["whatif", str(REPO / "examples/aarhus-complex.yaml"), "lab.kontaktforloeb.fire_samtaler"]
    data = json.loads(runner.invoke(main, [*args, "--format", "json"]).stdout)
    assert data["schema"] == "paragraf/whatif@1" and data["outcome"] == "applies"
    assert {"changes": [{"fact": "citizen.readiness", "before": "aktivitetsparat", "after": "uddannelsesparat"}],
            "outcome": "not_applicable"} in data["counterfactuals"]
    assert "if citizen.readiness were uddannelsesparat (not aktivitetsparat): does not apply" in \
        runner.invoke(main, [*args, "--lang", "en"]).output
    assert "hvis citizen.readiness var uddannelsesparat (i stedet for aktivitetsparat): gælder ikke" in \
        runner.invoke(main, args).output


def test_an_unknown_rule_is_a_one_line_error() -> None:
    result = CliRunner().invoke(main, ["whatif", str(REPO / "examples/aarhus-complex.yaml"), "lab.kontaktforloeb.fire"])
    assert result.exit_code == 2
    assert "no obligation or value 'lab.kontaktforloeb.fire'; did you mean" in result.output
    assert "Traceback" not in result.output


def test_the_events_that_would_fulfil_an_obligation_do_fulfil_it(rulebook: engine.Rulebook) -> None:
    """For every bundled example's obligation that applies and is not fulfilled, each proposed set of
    extra events, added to the case file, makes it fulfilled when evaluated again."""
    checked = 0
    for path in EXAMPLES:
        decision = rulebook.evaluate(path)
        data = rulebook.read_case(path).data
        for obligation in (o for o in decision.obligations if o["status"] == "applies" and o.get("fulfilled") is False):
            for missing in decision.counterfactuals(obligation["rule"]).to_fulfil:
                held = _dig(data, missing.events) or []
                changed = apply_changes(data, {missing.events: [*held, *missing.to_json()["add"]]})
                day = max(decision.as_of_date, missing.by)  # events after the decision's day are not part of it
                again = rulebook.evaluate(changed, day).obligation(obligation["rule"])
                assert again is not None and again["fulfilled"] is True, (path.stem, obligation["rule"], missing)
                checked += 1
    assert checked >= 3


def _dig(data: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        data = data.get(part) if isinstance(data, dict) else None  # type: ignore[assignment]
    return data


def test_two_more_job_talks_by_the_end_of_six_months(rulebook: engine.Rulebook) -> None:
    found = rulebook.evaluate(REPO / "examples/aarhus-complex.yaml").counterfactuals("lab.kontaktforloeb.fire_samtaler")
    assert [m.to_json() for m in found.to_fulfil] == [{
        "fact": "citizen.talks", "kind": "jobsamtale", "by": "2021-07-03",
        "add": [{"date": "2021-07-03", "kind": "jobsamtale"}] * 2}]
    assert "if 2 more event(s) of kind jobsamtale in citizen.talks had been held by 2021-07-03" in found.render("en")
