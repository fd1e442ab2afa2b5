"""Weekly series in the rule language: what `paragraf check` accepts and what it reports."""
from __future__ import annotations

from pathlib import Path


import engine

HEADER = "act: finansieringsloven\ntitle: {da: t, en: t}\nrules:\n"


def rule(rule_id: str, expr: str, *, per: str | None = "week", extra: str = "") -> str:
    lines = [f"  - id: {rule_id}", "    kind: value", "    ref: § 5", "    title: {da: t, en: t}", f"    expr: \"{expr}\""]
    if per:
        lines.append(f"    per: {per}")
    return "\n".join(lines) + ("\n" + extra if extra else "") + "\n"


def check(rulebook_copy: Path, *rules: str) -> list[str]:
    (rulebook_copy / "rules" / "finansieringsloven" / "planted.yaml").write_text(HEADER + "".join(rules), encoding="utf-8")
    return [f"{d.category}: {d.message}" for d in engine.load(rulebook_copy).check()]


def test_a_series_may_read_itself_last_week(rulebook_copy: Path) -> None:
    assert check(rulebook_copy, rule("t.weeks", "previous(t.weeks, 0) + 1")) == []


def test_a_same_week_cycle_is_still_a_cycle(rulebook_copy: Path) -> None:
    found = check(rulebook_copy, rule("t.a", "t.b + 1"), rule("t.b", "t.a + previous(t.b, 0)"))
    assert any(f.startswith("cycle:") and "t.a" in f and "t.b" in f for f in found), found


def test_the_default_must_have_the_series_type(rulebook_copy: Path) -> None:
    found = check(rulebook_copy, rule("t.weeks", "previous(t.weeks, 0 kr) + 1"))
    assert any("type" in f for f in found), found


def test_week_facts_need_per_week(rulebook_copy: Path) -> None:
    found = check(rulebook_copy, rule("t.monday", "week.monday", per=None))
    assert found == ["series: 'week.monday' is weekly and can only be read by a rule with 'per: week'"]


def test_lagged_builtins_name_a_series(rulebook_copy: Path) -> None:
    found = check(rulebook_copy, rule("t.plain", "1", per=None), rule("t.count", "count_weeks(t.plain, 156)"))
    assert any("must name a weekly series" in f for f in found), found


def test_count_weeks_counts_a_bool_series(rulebook_copy: Path) -> None:
    found = check(rulebook_copy, rule("t.n", "1"), rule("t.count", "count_weeks(t.n, 156)"))
    assert any("argument 1 must be a bool" in f for f in found), found


def test_supplies_must_name_an_input_of_the_same_type(rulebook_copy: Path) -> None:
    found = check(rulebook_copy, rule("t.d", "week.monday", extra="    supplies: citizen.affected_week"),
                  rule("t.x", "1", extra="    supplies: citizen.no_such_input"))
    assert "series: 't.d' is a date but supplies citizen.affected_week, a number" in found
    assert "series: 'supplies: citizen.no_such_input' names no input" in found


def test_per_takes_only_week(rulebook_copy: Path) -> None:
    assert any("per must be one of week" in f for f in check(rulebook_copy, rule("t.m", "1", per="month")))


def test_the_bundled_weekly_rules_plan(rulebook: engine.Rulebook) -> None:
    from engine.law import series

    plan = series.plan(rulebook.program.checked)
    assert plan.recurrent == {"finansiering.uge.genoptjent", "finansiering.uge.trin_foer",
                              "finansiering.uge.trin", "finansiering.uge.foerste_uge"}
    assert plan.supplied == {"citizen.affected_week": "finansiering.uge.trin"}


def test_per_case_evaluation_ignores_weekly_rules(rulebook: engine.Rulebook) -> None:
    decision = rulebook.evaluate(str(Path(__file__).resolve().parents[2] / "examples" / "refusion-week.yaml"))
    assert decision.values["finansiering.refusionssats"] == "0.30"
    assert not any(name.startswith("finansiering.uge.") for name in decision.values)
