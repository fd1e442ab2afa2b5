"""The decision contract: the issue's acceptance cases, determinism, ELIs, and the library API."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import engine

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CONTACT_COURSE = ("lab.kontaktforloeb.fire_samtaler", "lab.kontaktforloeb.foerste_samtale")


def statuses(decision: engine.Decision) -> dict[str, str]:
    return {o["rule"]: o["status"] for o in decision.obligations}


def test_hillerod_complex_2021_contact_course_exempted_by_en_plan(rulebook: engine.Rulebook) -> None:
    decision = rulebook.evaluate(EXAMPLES / "hillerod-complex.yaml")
    for rule_id in CONTACT_COURSE:
        obligation = decision.obligation(rule_id)
        assert obligation["status"] == "exempted"
        assert obligation["exempted_by"]["rule"] == "frikommune.en_plan.2020"
        basis = obligation["exempted_by"]["legal_basis"][0]
        assert basis["eli"] == "https://www.retsinformation.dk/eli/lta/2019/1184"


def test_aarhus_same_case_contact_course_applies_with_due_dates(rulebook: engine.Rulebook) -> None:
    decision = rulebook.evaluate(EXAMPLES / "aarhus-complex.yaml")
    four_talks, first_talk = (decision.obligation(r) for r in CONTACT_COURSE)
    assert (four_talks["status"], four_talks["due"]) == ("applies", "2021-07-03")  # 2021-01-04 + 6 months - 1 day
    assert (first_talk["status"], first_talk["due"]) == ("applies", "2021-01-04")  # 2020-12-28 + 1 week
    assert decision.exemptions == ()


def test_hillerod_2024_contact_course_applies_and_cites_lbk_280_2024(rulebook: engine.Rulebook) -> None:
    decision = rulebook.evaluate(EXAMPLES / "hillerod-complex.yaml", as_of="2024-03-01")
    for rule_id in CONTACT_COURSE:
        obligation = decision.obligation(rule_id)
        assert obligation["status"] == "applies"
        assert obligation["legal_basis"][0]["eli"] == "https://www.retsinformation.dk/eli/lta/2024/280"


def test_every_obligation_legal_basis_carries_an_eli(rulebook: engine.Rulebook) -> None:
    for example in sorted(EXAMPLES.glob("*.yaml")):
        decision = rulebook.evaluate(example)
        for obligation in decision.obligations:
            assert obligation["legal_basis"], obligation["rule"]
            for basis in obligation["legal_basis"]:
                assert basis["eli"].startswith("https://www.retsinformation.dk/eli/lta/"), (example.name, basis)


def _json_in_fresh_process(case: Path, *extra: str, seed: str = "0") -> bytes:
    return subprocess.run([sys.executable, "-m", "engine", "eval", str(case), "--format", "json", *extra],
                          capture_output=True, check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout


@pytest.mark.parametrize("extra", [(), ("--explain",)], ids=["compact", "with-trace"])
def test_decision_json_is_byte_identical_across_processes(extra: tuple[str, ...]) -> None:
    case = EXAMPLES / "hillerod-complex.yaml"
    first, second = _json_in_fresh_process(case, *extra, seed="1"), _json_in_fresh_process(case, *extra, seed="2")
    assert first == second
    data = json.loads(first)
    assert data["schema"] == "paragraf/decision@2"
    assert ("explanation" in data) == bool(extra)
    assert data["rulebook"]["fingerprint"].startswith("sha256:")
    assert list(data) == sorted(data)


def test_unknown_fact_gives_unknown_status_and_is_listed_as_missing(rulebook: engine.Rulebook) -> None:
    case = {"case": "x", "as_of": "2021-03-01", "municipality": "751",
            "citizen": {"benefit": "kontanthjaelp", "readiness": "aktivitetsparat", "benefit_since": "2021-01-04"}}
    decision = rulebook.evaluate(case)
    assert decision.obligation("lab.kontaktforloeb.fire_samtaler")["status"] == "unknown"
    assert "citizen.birth_date" in decision.missing
    assert "lab.maalgruppe" in decision.unknown_values


def test_library_explain_renders_the_recorded_trace(rulebook: engine.Rulebook) -> None:
    decision = rulebook.evaluate(EXAMPLES / "aarhus-complex.yaml")
    text = decision.explain("lab.ret_og_pligt.unge", lang="en")
    assert "does not apply" in text and "lab.maalgruppe in {4, 5}" in text and "LAB § 6, nr. 3" in text
    assert json.loads(decision.explain("lab.ret_og_pligt.unge", format="json"))["value"] == "not_applicable"


def test_bundled_rulebook_is_clean(rulebook: engine.Rulebook) -> None:
    assert rulebook.check() == []


def test_conflicting_definitions_at_evaluation_name_both_rules(rulebook_copy: Path) -> None:
    path = rulebook_copy / "rules" / "lab" / "extra.yaml"
    path.write_text(
        "act: LAB\nrules:\n"
        "  - id: lab.maalgruppe.dobbelt\n    kind: value\n    defines: lab.maalgruppe\n    ref: § 6, nr. 3\n"
        "    valid_from: 2020-01-01\n    title: {da: x, en: x}\n"
        "    when: citizen.readiness == aktivitetsparat\n    expr: 3\n", encoding="utf-8")
    book = engine.load(rulebook_copy)
    assert book.check() == []  # the conditions differ, so only a case can show the overlap
    with pytest.raises(engine.EvaluationError) as caught:
        book.evaluate(EXAMPLES / "aarhus-complex.yaml")
    message = str(caught.value)
    assert "lab.maalgruppe.nr3" in message and "lab.maalgruppe.dobbelt" in message
