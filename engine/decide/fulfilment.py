"""What would fulfil an obligation that applies and is not fulfilled: the events missing from a
`count(events, from, to, kind) >= N` condition, held by the window's last day.

For each such comparison in the obligation's `fulfilled` condition, the window and the count are
computed for the case, and the missing events (N minus those counted) are added on the last day
of the window; the change is an answer only when the obligation then comes out fulfilled on that
day (events after the decision's own day are not part of it, so a later day is evaluated then).
Entry point: `missing_events`.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Iterable

import attrs

from engine.decide import evaluator
from engine.decide.casefile import Case
from engine.lang import ast, values
from engine.lang.compiler import Program
from engine.lang.errors import EngineError


@attrs.frozen
class MissingEvents:
    """Add `count` events of `kind` to the input `events`, held on `by`; the obligation is then fulfilled."""

    events: str
    kind: str | None
    count: int
    by: dt.date

    def to_json(self) -> dict[str, Any]:
        added = {"date": self.by.isoformat(), **({"kind": self.kind} if self.kind else {})}
        return {"fact": self.events, "add": [added] * self.count, "by": self.by.isoformat(), "kind": self.kind}


def missing_events(program: Program, case: Case, as_of: dt.date, proposals: Iterable[Any],
                   rule_id: str) -> tuple[MissingEvents, ...]:
    """The verified ways to fulfil `rule_id` by holding more events, one per count in its condition."""
    rule = program.checked.rule(rule_id)
    proposals = tuple(proposals)
    if rule is None or rule.fulfilled is None or _fulfilled(program, case, as_of, proposals, rule_id) is not False:
        return ()
    found = []
    for call, wanted in _counts(rule.fulfilled):
        change = _missing(program, case, as_of, proposals, call, wanted)
        if change is not None and _fulfilled(program, _with_events(case, change), max(as_of, change.by), proposals,
                                             rule_id) is True:
            found.append(change)
    return tuple(found)


def _fulfilled(program: Program, case: Case, as_of: dt.date, proposals: tuple[Any, ...], rule_id: str) -> Any:
    try:
        return evaluator.outcome(program, case, as_of, proposals, rule_id, field="fulfilled")
    except EngineError:
        return None


def _counts(node: ast.Expr) -> list[tuple[ast.Call, int]]:
    """Each `count(...) >= N` (or `N <= count(...)`, or `> N - 1`) in the condition, with N."""
    found = []
    for compare in (n for n in ast.walk(node) if isinstance(n, ast.Compare)):
        for call, bound, ops in ((compare.left, compare.right, {">=": 0, ">": 1}),
                                 (compare.right, compare.left, {"<=": 0, "<": 1})):
            if (isinstance(call, ast.Call) and call.function == "count" and isinstance(call.args[0], ast.Name)
                    and isinstance(bound, ast.Literal) and isinstance(bound.value, Decimal) and compare.op in ops):
                found.append((call, int(bound.value) + ops[compare.op]))
    return found


def _missing(program: Program, case: Case, as_of: dt.date, proposals: tuple[Any, ...], call: ast.Call,
             wanted: int) -> MissingEvents | None:
    def value(node: ast.Expr) -> Any:
        try:
            return evaluator.expression(program, case, as_of, proposals, node)
        except EngineError:
            return None

    held, by, events = value(call), value(call.args[2]), call.args[0]
    kind = call.args[3].value if len(call.args) > 3 and isinstance(call.args[3], ast.Literal) else None
    if not (isinstance(events, ast.Name) and isinstance(held, Decimal) and isinstance(by, dt.date)) or held >= wanted:
        return None
    return MissingEvents(events.dotted, str(kind) if kind is not None else None, wanted - int(held), by)


def _with_events(case: Case, change: MissingEvents) -> Case:
    held = case.facts.get(change.events)
    events = tuple(held) if isinstance(held, tuple) else ()
    added = tuple(values.Event(change.by, change.kind) for _ in range(change.count))
    return attrs.evolve(case, facts={**case.facts, change.events: events + added})
