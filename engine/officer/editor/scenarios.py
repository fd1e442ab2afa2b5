"""The code action "add the boundary scenarios for this threshold": for a rule whose condition
compares an input (or an age) with a number, three scenarios, just below, at and just above
the threshold, appended to the rule file's scenario file (`tests/scenarios/<same path>`). Their
expectations are what the rulebook decides now, for the legal officer to check against the law.
Entry point: `boundary_scenarios`.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import yaml

from engine.decide.counterfactuals import apply_changes
from engine.officer.editor.index import Index
from engine.lang import ast, values
from engine.lang.errors import EngineError
from engine.law.model import Rule

DEFAULT_DAY = dt.date(2021, 3, 1)


@attrs.frozen
class Action:
    title: str
    path: Path       # the scenario file
    create: bool     # it does not exist yet
    line: int        # 0-based line to insert at
    text: str


@attrs.frozen
class Threshold:
    input_id: str
    number: Decimal
    age: bool        # age(input, as_of) compared with the number


def boundary_scenarios(index: Index, path: str, line: int) -> Action | None:
    rule = _rule_at(index, path, line)
    threshold = _threshold(rule, index.checked.inputs) if rule is not None else None
    if rule is None or threshold is None:
        return None
    target = index.root / "tests" / "scenarios" / Path(path).relative_to("rules")
    exists = target.is_file()
    text = target.read_text(encoding="utf-8") if exists else ""
    defaults = (yaml.safe_load(text) or {}).get("defaults", {}) if exists else {}
    day = rule.valid_from or DEFAULT_DAY  # a day inside the rule's window
    cases = [_scenario(index, rule, threshold, defaults, day, offset) for offset in (-1, 0, 1)]
    body = ("" if exists else "scenarios:\n") + "".join(c for c in cases if c)
    title = f"Add boundary scenarios for {threshold.input_id} at {threshold.number} ({rule.id})"
    return Action(title, target, not exists, len(text.splitlines()), body)


def _rule_at(index: Index, path: str, line: int) -> Rule | None:
    rules = [r for r in index.rules if r.path == path and r.span.line <= line]
    return max(rules, key=lambda r: r.span.line, default=None)


def _threshold(rule: Rule, inputs: dict[str, Rule]) -> Threshold | None:
    """The first comparison of an input (or an age) with a number in the rule's condition."""
    for node in ast.walk(rule.when) if rule.when is not None else ():
        if not isinstance(node, ast.Compare) or node.op not in ("<", "<=", ">", ">="):
            continue
        for mine, other in ((node.left, node.right), (node.right, node.left)):
            if not (isinstance(other, ast.Literal) and isinstance(other.value, Decimal)):
                continue
            if isinstance(mine, ast.Name) and mine.dotted in inputs:
                return Threshold(mine.dotted, other.value, False)
            if isinstance(mine, ast.Call) and mine.function == "age" and isinstance(mine.args[0], ast.Name):
                return Threshold(mine.args[0].dotted, other.value, True)
    return None


def _scenario(index: Index, rule: Rule, threshold: Threshold, defaults: dict[str, Any], day: dt.date,
              offset: int) -> str:
    fact, said = _fact(threshold, day, offset)
    case = apply_changes({}, {threshold.input_id: fact})
    try:
        decision = index.book.evaluate({"case": "boundary", **apply_changes(defaults, {threshold.input_id: fact})}, day)
    except EngineError:
        return ""
    expect = _expectation(decision, rule)
    return (f"  - name: \"{rule.refs[0].text if rule.refs else rule.id}: {said}\"\n"
            f"    as_of: {day.isoformat()}\n    case: {json.dumps(case, ensure_ascii=False)}\n"
            f"    expect: {json.dumps(expect, ensure_ascii=False)}\n")


def _fact(threshold: Threshold, day: dt.date, offset: int) -> tuple[Any, str]:
    number = int(threshold.number)
    if not threshold.age:
        value = threshold.number + offset
        return values.to_json(value), f"{threshold.input_id} = {values.to_json(value)}"
    born = values.add_duration(day, values.Duration(number + max(offset, 0), "years"), -1)
    if offset < 0:
        born += dt.timedelta(days=1)
        return born.isoformat(), f"{number - 1} ({number} tomorrow)"
    return born.isoformat(), f"{number + offset} today"


def _expectation(decision: Any, rule: Rule) -> dict[str, Any]:
    if rule.kind == "obligation":
        found = decision.obligation(rule.id)
        return {"obligations": {rule.id: found["status"] if found else "not_in_force"}}
    return {"values": {rule.name: decision.values.get(rule.name)}}
