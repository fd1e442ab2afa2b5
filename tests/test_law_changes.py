"""Every bundled example, evaluated on the two sides of some law change, gets different
obligations citing different act versions (issue: the law over time)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import engine

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.yaml"))
# (last day of the old law, first day of the new), from the versions in legal_refs/
CHANGES = [("2016-06-22", "2016-06-23"), ("2016-11-20", "2016-11-21"), ("2019-12-31", "2020-01-01"),
           ("2020-02-01", "2020-02-02"), ("2023-12-31", "2024-01-01"), ("2024-02-29", "2024-03-01"),
           ("2025-01-28", "2025-01-29")]


def applying(decision: engine.Decision) -> dict[str, str]:
    return {o["rule"]: o["status"] for o in decision.obligations if o["status"] != "not_applicable"}


def versions(decision: engine.Decision) -> set[str]:
    return {b["version"] for o in decision.obligations if o["status"] != "not_applicable" for b in o["legal_basis"]}


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.stem for e in EXAMPLES])
def test_some_law_change_changes_the_obligations_and_their_act_versions(rulebook: engine.Rulebook, example: Path) -> None:
    case = rulebook.read_case(example)
    found = []
    for before, after in CHANGES:
        old, new = rulebook.evaluate(case, before), rulebook.evaluate(case, after)
        if applying(old) != applying(new) and versions(old) != versions(new):
            found.append((before, after))
    assert found, f"{example.name}: no law change in {CHANGES} changes its obligations and cited versions"
    # the explanation of a changed obligation names the act version in force on each side
    before, after = found[0]
    old, new = rulebook.evaluate(case, before), rulebook.evaluate(case, after)
    changed = sorted(set(applying(old).items()) ^ set(applying(new).items()))
    rule_id = changed[0][0]
    decision = new if rule_id in applying(new) else old
    assert any(v in decision.explain(rule_id, lang="en") for v in versions(decision))
    assert dt.date.fromisoformat(after) - dt.date.fromisoformat(before) == dt.timedelta(days=1)
