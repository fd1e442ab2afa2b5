"""Weekly series in the rule language: the week facts, the checks, and the evaluation plan.

A value rule with `per: week` is a series: one value per calendar week of a person's history.
It may read the facts of the current week (`week.*`), other series of the same week, value
rules that are not weekly (evaluated on the week's Monday), and series of past weeks through
`previous`, `count_weeks` and `sum_weeks`. Reading a series in a past week is no dependency in
the same week, so `x = previous(x, 0) + 1` is allowed while `x = y, y = x` is still a cycle.

`plan(checked)` orders the series once for both weekly evaluators (per person and batch) and
splits them into the *recurrent* ones, which need last week's values and so are stepped week
by week, and the *stateless* ones, which can be computed for every week at once.
"""
from __future__ import annotations

import graphlib
from typing import Any, Iterable, Protocol

import attrs

from engine.lang import ast, builtins
from engine.lang.errors import Diagnostic
from engine.law.model import Rule

WEEK_FACTS: dict[str, str] = {
    "week.monday": "date",          # the Monday that names the week (reading 10.1)
    "week.benefits": "set[code]",   # benefits paid at least one day of the week
    "week.amounts": "amounts",      # whole øre per benefit code, the week's days summed (reading 10.2)
    "week.month_tail": "amounts",   # the part of week.amounts on days of a month that began during the week
}


class Names(Protocol):
    inputs: dict[str, Rule]
    values: Any
    value_types: dict[str, str]

    def type_of(self, name: ast.Name) -> str | None: ...


def lagged_names(node: ast.Expr) -> set[int]:
    """Identities of the Name nodes read in past weeks (the first argument of a lagged built-in)."""
    out = set()
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and call.args and _is_lagged(call.function) and isinstance(call.args[0], ast.Name):
            out.add(id(call.args[0]))
    return out


def _is_lagged(function: str) -> bool:
    builtin = builtins.REGISTRY.get(function)
    return builtin is not None and builtin.lagged


def is_weekly(rule: Rule) -> bool:
    return rule.per == "week"


def check_series(rules: tuple[Rule, ...], names: Names) -> list[Diagnostic]:
    """Weekly names only in weekly rules; lagged built-ins name a series; `supplies` fits its input."""
    weekly = {r.name for r in rules if is_weekly(r)}
    out: list[Diagnostic] = []
    for rule in rules:
        for _, node in rule.expressions():
            out += _check_node(rule, node, weekly, names)
        if rule.supplies is not None:
            out += _check_supplies(rule, names)
    return out


def _check_node(rule: Rule, node: ast.Expr, weekly: set[str], names: Names) -> list[Diagnostic]:
    out = []
    for part in ast.walk(node):
        if isinstance(part, ast.Name) and not is_weekly(rule) and (part.dotted in WEEK_FACTS or part.dotted in weekly):
            out.append(_problem(rule, part, f"'{part.dotted}' is weekly and can only be read by a rule with 'per: week'",
                                "add 'per: week' to this rule"))
        if isinstance(part, ast.Call) and _is_lagged(part.function):
            out += _check_lagged(rule, part, weekly, names)
    return out


def _check_lagged(rule: Rule, call: ast.Call, weekly: set[str], names: Names) -> list[Diagnostic]:
    if not is_weekly(rule):
        return [_problem(rule, call, f"{call.function}() looks at past weeks and needs a rule with 'per: week'",
                         "add 'per: week' to this rule")]
    first = call.args[0] if call.args else None
    if not isinstance(first, ast.Name) or first.dotted not in weekly:
        return [_problem(rule, first or call, f"the first argument of {call.function}() must name a weekly series",
                         "name a value rule that has 'per: week'")]
    if call.function == "previous" and len(call.args) == 2:
        series_type, default_type = names.value_types.get(first.dotted, "any"), _type_of(call.args[1], names)
        if "any" not in (series_type, default_type) and series_type != default_type:
            return [_problem(rule, call.args[1], f"the default of previous({first.dotted}, ...) must be a {series_type}, "
                             f"not a {default_type}")]
    return []


def _type_of(node: ast.Expr, names: Names) -> str:
    from engine.lang.typechecker import TypeChecker  # the checker already reported any error in this node
    return TypeChecker(names, [], None).infer(node)  # type: ignore[arg-type]


def _check_supplies(rule: Rule, names: Names) -> list[Diagnostic]:
    target = names.inputs.get(rule.supplies or "")
    if not is_weekly(rule):
        return [_problem(rule, None, "only a rule with 'per: week' can supply an input")]
    if target is None or target.input is None:
        return [_problem(rule, None, f"'supplies: {rule.supplies}' names no input", "name an input rule's id")]
    own = names.value_types.get(rule.name, "any")
    if own not in ("any", target.input.type):
        return [_problem(rule, None, f"'{rule.name}' is a {own} but supplies {rule.supplies}, a {target.input.type}")]
    return []


def _problem(rule: Rule, node: ast.Expr | None, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic("series", message, (node.span if node is not None else rule.span,), hint, rule.id)


@attrs.frozen
class Plan:
    """The weekly values in evaluation order, for one rule set.

    `order` holds every value a weekly evaluation computes: the series and the non-weekly values
    they read, dependencies first (same-week reads only). `stepped` are the values a batch
    evaluator computes week by week: the recurrent ones and those they read in the same week. `recurrent` are those on a loop through a past week (they are
    stepped week by week in batch); `after` are the others that depend on a recurrent one (computed
    for all weeks once the loop is done); the rest need no past at all. `supplied` maps an input
    to the series that answers it in weekly evaluation.
    """

    order: tuple[str, ...]
    recurrent: frozenset[str]
    after: frozenset[str]
    stepped: frozenset[str]
    supplied: dict[str, str]
    outputs: tuple[str, ...]
    reads: dict[str, frozenset[str]]       # same-week reads
    looks_back: dict[str, frozenset[str]]  # series read in past weeks

    def needed_for(self, names: Iterable[str]) -> set[str]:
        """The values that must be computed to give these (same-week and past reads)."""
        return _closure(set(names), {n: set(v) for n, v in self.reads.items()},
                        {n: set(v) for n, v in self.looks_back.items()})

    def unstepped_order(self) -> tuple[str, ...]:
        """The values computed for all weeks at once, ordered by every read (past weeks included)."""
        rest = [n for n in self.order if n not in self.stepped]
        graph = {n: (self.reads[n] | self.looks_back[n]) - self.stepped for n in rest}
        return tuple(n for n in graphlib.TopologicalSorter(graph).static_order() if n in graph)


def plan(checked: Any) -> Plan:
    """Order the weekly values of a checked rule set (whose same-week cycles are already excluded)."""
    rules = [r for defs in checked.values.values() for r in defs]
    supplied = {r.supplies: r.name for r in rules if r.supplies and is_weekly(r)}
    same, past = _graph(checked, supplied)
    needed = _closure({r.name for r in rules if is_weekly(r)}, same, past)
    order = tuple(graphlib.TopologicalSorter({n: same[n] & needed for n in needed}).static_order())
    both = {n: same[n] | past[n] for n in needed}
    reach = {n: _closure(both[n], both) for n in needed}  # reachable in one step or more
    within = {n: reach[n] | {n} for n in needed}
    recurrent = {n for n in needed for a in needed for b in past[a] if n in within[b] and a in within[n]}
    after = {n for n in needed if n not in recurrent and reach[n] & recurrent}
    stepped = recurrent | {n for n in after if any(n in reach[r] for r in recurrent)}
    outputs = tuple(sorted(r.name for r in rules if is_weekly(r)))
    return Plan(order, frozenset(recurrent), frozenset(after), frozenset(stepped), supplied, outputs,
                {n: frozenset(same[n]) for n in needed}, {n: frozenset(past[n]) for n in needed})


def _graph(checked: Any, supplied: dict[str, str]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """For each value: what it reads in the same week, and which series it reads in past weeks."""
    same: dict[str, set[str]] = {}
    past: dict[str, set[str]] = {}
    for name, definitions in checked.values.items():
        same[name], past[name] = set(), set()
        for rule in definitions:
            for _, node in rule.expressions():
                skip = lagged_names(node)
                for part in ast.walk(node):
                    if isinstance(part, ast.Name):
                        target = part.dotted if part.dotted in checked.values else supplied.get(part.dotted)
                        if target is not None:
                            (past if id(part) in skip else same)[name].add(target)
    return same, past


def _closure(start: set[str], *graphs: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    stack = list(start)
    while stack:
        name = stack.pop()
        if name not in seen:
            seen.add(name)
            for graph in graphs:
                stack.extend(graph.get(name, ()))
    return seen
