"""`missing` lists, in one round, every fact that can still change an undecided outcome; facts
only payments tell stay out of case decisions; an undecidable outcome is "unknown" everywhere."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import engine

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CITIZEN_CASES = ["aarhus-complex", "hillerod-complex", "sygedagpenge", "dagpenge-2023"]


def load(name: str) -> dict[str, Any]:
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, default=str))  # dates as ISO text, as a JSON case has them


def flatten(block: dict[str, Any], prefix: str = "citizen") -> dict[str, Any]:
    """Dotted fact id → value (`citizen.sickness.category`)."""
    out: dict[str, Any] = {}
    for key, value in block.items():
        if isinstance(value, dict):
            out.update(flatten(value, f"{prefix}.{key}"))
        else:
            out[f"{prefix}.{key}"] = value
    return out


def with_facts(case: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    case = copy.deepcopy(case)
    case["citizen"] = {}
    for dotted, value in facts.items():
        block = case["citizen"]
        *parents, leaf = dotted.split(".")[1:]
        for parent in parents:
            block = block.setdefault(parent, {})
        block[leaf] = value
    return case


@pytest.mark.parametrize("name", CITIZEN_CASES)
def test_one_round_of_answers_reveals_no_new_missing_fact(rulebook: engine.Rulebook, name: str) -> None:
    """Keep only the benefit; answer every fact `missing` lists (from the full case); nothing new
    may then be missing: the list did not grow as it was filled."""
    full = load(name)
    facts = flatten(full["citizen"])
    first = rulebook.evaluate(with_facts(full, {"citizen.benefit": facts["citizen.benefit"]}))
    answered = {k: v for k, v in facts.items() if k == "citizen.benefit" or k in first.missing}
    second = rulebook.evaluate(with_facts(full, answered))
    assert set(second.missing) <= set(first.missing), f"new after one round: {set(second.missing) - set(first.missing)}"
    undecided = [o["rule"] for o in second.obligations if o["status"] == "unknown"]
    assert not undecided or set(second.missing) - set(answered), undecided


def test_refusion_only_facts_stay_out_of_case_decisions(rulebook: engine.Rulebook) -> None:
    decision = rulebook.evaluate(EXAMPLES / "aarhus-complex.yaml")
    assert "citizen.affected_week" not in decision.missing
    assert "finansiering.refusionssats" not in decision.unknown_values
    stated = rulebook.evaluate(EXAMPLES / "refusion-week.yaml")  # a case that states its affected week
    assert stated.values["finansiering.refusionssats"] == "0.30"


def undecided_exemption() -> dict[str, Any]:
    case = load("hillerod-complex")
    del case["citizen"]["complex_case"]
    return case


@pytest.mark.parametrize("lang, word", [("en", "unknown"), ("da", "ukendt")])
def test_an_undecidable_exemption_is_unknown_in_trace_values_and_text(rulebook: engine.Rulebook,
                                                                      lang: str, word: str) -> None:
    decision = rulebook.evaluate(undecided_exemption())
    text = decision.explain("lab.kontaktforloeb.fire_samtaler", format="text", lang=lang)
    assert f"frikommune.en_plan.2020: {word}   (" in text
    assert "frikommune.en_plan.2020: none" not in text and "ingen   (" not in text
    assert decision.obligation("lab.kontaktforloeb.fire_samtaler")["status"] == "unknown"
    whole = decision.explain(format="text", lang=lang)
    assert "cannot be decided" not in whole and "kan ikke afgøres" not in whole
    assert ("Unknown whether the exemption holds" if lang == "en" else "Ukendt, om fritagelsen gælder") in text
