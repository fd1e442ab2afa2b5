"""Which rules, and which branches of their conditions, the scenario tests exercised.

A `Coverage` recorder is handed to `Rulebook.instrumented`; the compiled closures of that
rulebook tell it how each decision point went (`saw`), and `record` reads each scenario's
decision trace for the rules that applied. `report` lists what no scenario exercised.

Decision points: the `when` and `fulfilled` conditions of a rule, a yes/no value's own
expression, each operand of `and`/`or`, the condition of `if … then … else` (each wants
to be seen true and false), and each row of a step table (wants to be taken).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable, Iterator

import attrs

from engine.lang import ast
from engine.law.model import Rule
from engine.decide.trace import TraceNode
from engine.lang.values import Unknown

COVERED_KINDS = ("value", "obligation", "exemption")
NO_DEFINITION = "no definition applies"


@attrs.frozen
class Point:
    """One decision point of a rule and the outcomes it should be seen to take."""

    rule: Rule
    node: Any  # ast.Expr or ast.Step
    field: str
    wanted: tuple[str, ...]

    @property
    def text(self) -> str:
        if isinstance(self.node, ast.Step):
            high = ast.to_source(self.node.high) if self.node.high else ""
            return f"row {ast.to_source(self.node.low)}..{high} -> {ast.to_source(self.node.result)}"
        return ast.to_source(self.node)


@attrs.frozen
class Gap:
    point: Point
    missing: tuple[str, ...]

    def describe(self) -> str:
        where = self.point.node.span
        never = "never taken" if self.missing == ("taken",) else "never " + " nor ".join(self.missing)
        return f"{where}: {self.point.rule.id} {self.point.field}: {self.point.text}  [{never}]"


@attrs.frozen
class Report:
    rules: tuple[Rule, ...]
    applied: dict[str, tuple[str, ...]]     # rule id -> scenarios where it applied
    evaluated: frozenset[str]
    points: int
    outcomes_wanted: int
    gaps: tuple[Gap, ...]

    @property
    def outcomes_seen(self) -> int:
        return self.outcomes_wanted - sum(len(g.missing) for g in self.gaps)

    def never_evaluated(self) -> list[Rule]:
        return [r for r in self.rules if r.id not in self.evaluated]

    def never_applied(self) -> list[Rule]:
        return [r for r in self.rules if r.id in self.evaluated and r.id not in self.applied]

    def render(self) -> str:
        covered = sum(1 for r in self.rules if r.id in self.applied)
        lines = [f"rule coverage: {covered} of {len(self.rules)} rules applied in at least one scenario"]
        lines += [f"  never evaluated (not in force on any scenario's date, or never reached): "
                  f"{r.id}  ({r.span})" for r in self.never_evaluated()]
        lines += [f"  evaluated but never applied: {r.id}  ({r.span})" for r in self.never_applied()]
        lines.append(f"branch coverage: {self.outcomes_seen} of {self.outcomes_wanted} outcomes "
                     f"of {self.points} decision points seen")
        lines += [f"  {gap.describe()}" for gap in self.gaps]
        return "\n".join(lines) + "\n"


class Coverage:
    """Records outcomes of decision points and the rules each scenario's decision applied."""

    def __init__(self) -> None:
        self.outcomes: dict[int, set[str]] = defaultdict(set)
        self.applied: dict[str, list[str]] = defaultdict(list)
        self.evaluated: set[str] = set()

    def saw(self, node: Any, outcome: Any) -> None:
        """Called by instrumented closures (see `engine.lang.compiler._observed`)."""
        if isinstance(node, ast.Step):
            self.outcomes[id(node)].add("taken")
        elif isinstance(outcome, Unknown):
            self.outcomes[id(node)].add("unknown")
        elif isinstance(outcome, bool):
            self.outcomes[id(node)].add("true" if outcome else "false")

    def record(self, trace: Iterable[TraceNode], scenario: str) -> None:
        """Note which rules a scenario's decision evaluated and which of them applied."""
        applied = set()
        for node in _walk(trace):
            self.evaluated.add(node.rule)
            if _applied(node):
                applied.add(node.rule)
        for rule_id in sorted(applied):
            self.applied[rule_id].append(scenario)

    def record_applied(self, rule_ids: Iterable[str], scenario: str) -> None:
        """Note the rules a payment scenario's weekly evaluation chose: evaluated, and applied."""
        for rule_id in sorted(set(rule_ids)):
            self.evaluated.add(rule_id)
            self.applied[rule_id].append(scenario)

    def report(self, rules: Iterable[Rule], types: dict[str, str]) -> Report:
        covered = [r for r in rules if r.kind in COVERED_KINDS]
        points = [p for r in covered for p in decision_points(r, types)]
        gaps = tuple(sorted((Gap(p, missing) for p in points
                             if (missing := tuple(o for o in p.wanted if o not in self.outcomes.get(id(p.node), ())))),
                            key=lambda gap: (gap.point.node.span.path, gap.point.node.span.line, gap.point.node.span.col)))
        evaluated = self.evaluated | {p.rule.id for p in points if p.field == "when" and self.outcomes.get(id(p.node))}
        return Report(tuple(covered), {k: tuple(v) for k, v in self.applied.items()}, frozenset(evaluated),
                      len(points), sum(len(p.wanted) for p in points), gaps)


def _walk(trace: Iterable[TraceNode]) -> Iterator[TraceNode]:
    stack = list(trace)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.children)


def _applied(node: TraceNode) -> bool:
    if node.kind == "obligation":
        return node.value in ("applies", "exempted")
    if node.kind == "exemption":
        return node.value is True
    return node.note != NO_DEFINITION


def decision_points(rule: Rule, types: dict[str, str]) -> list[Point]:
    """Every decision point of a rule, each once, in source order."""
    yes_no = ("true", "false")
    roots = [(f, n) for f, n in rule.expressions()
             if f in ("when", "fulfilled") or (f == "expr" and types.get(rule.name) == "bool")]
    points, seen = [Point(rule, n, f, yes_no) for f, n in roots], {id(n) for _, n in roots}
    for field, root in rule.expressions():
        for node in ast.walk(root):
            for sub, wanted in _branches(node):
                if id(sub) not in seen:
                    seen.add(id(sub))
                    points.append(Point(rule, sub, field, wanted))
    return points


def _branches(node: Any) -> list[tuple[Any, tuple[str, ...]]]:
    if isinstance(node, ast.Logic):
        return [(o, ("true", "false")) for o in node.operands]
    if isinstance(node, ast.If):
        return [(node.condition, ("true", "false"))]
    if isinstance(node, ast.Steps):
        return [(s, ("taken",)) for s in node.steps]
    return []
