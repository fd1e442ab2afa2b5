"""Finite domains of the inputs a set of conditions reads, for the static analysis (`engine.law.analysis`).

* yes/no inputs: true and false;
* code inputs: each allowed code the conditions name, plus one code they do not name (all codes
  a condition does not mention behave alike, as conditions compare codes with named codes only);
* numbers, money and percentages: split at each literal they are compared with or that bounds a
  step table row on them: just below, at and just above it (`age >= 30` splits at 29/30/31);
* dates: split at the literal dates they are compared with, and for `age(date, ...)` compared
  with a number of years, the birth dates that make the person just that age or a day younger
  on the day analysed; otherwise the day itself and the day before.

Events and free text cannot be enumerated; a condition reading them is not analysed.
"""
from __future__ import annotations

import datetime as dt
import itertools
import math
from decimal import Decimal
from typing import Any, Iterable, Iterator

from engine.lang import ast, values
from engine.law.model import Rule

ENUMERABLE = ("bool", "code", "number", "money", "percent", "date")
STEP = {"number": Decimal(1), "money": Decimal("0.01"), "percent": Decimal("0.0001")}


def enumerable(rule: Rule) -> bool:
    return rule.input is not None and rule.input.type in ENUMERABLE


def nodes_read(conditions: Iterable[ast.Expr], checked: Any, opaque: frozenset[str] = frozenset()) -> list[ast.Expr]:
    """Every node of the conditions and of the definitions of the values they read, transitively
    (but not into the `opaque` values, which are enumerated themselves)."""
    out: list[ast.Expr] = []
    pending, seen = list(conditions), set(opaque)
    while pending:
        for node in ast.walk(pending.pop()):
            out.append(node)
            if isinstance(node, ast.Name) and node.dotted in checked.values and node.dotted not in seen:
                seen.add(node.dotted)
                pending += [n for r in checked.values[node.dotted] for _, n in r.expressions() if _ in ("when", "expr")]
    return out


def inputs_read(conditions: Iterable[ast.Expr], checked: Any, opaque: frozenset[str] = frozenset()) -> set[str]:
    """The inputs the conditions read, and the `opaque` values among what they read."""
    names = {n.dotted for n in nodes_read(conditions, checked, opaque) if isinstance(n, ast.Name)}
    return {n for n in names if n in checked.inputs or n in opaque}


def literal_values(conditions: Iterable[ast.Expr], checked: Any) -> frozenset[str]:
    """The values read (transitively) whose every definition is a literal, such as a target group,
    or that are yes/no values (such as a municipality's own trial group): each is tried as a fact
    of its own, with each value it can take."""
    names = {n.dotted for n in nodes_read(conditions, checked) if isinstance(n, ast.Name)}
    return frozenset(n for n in names if n in checked.values and (
        _is_bool(n, checked) or all(isinstance(r.expr, ast.Literal) for r in checked.values[n])))


def _is_bool(name: str, checked: Any) -> bool:
    return bool(checked.types.get(name) == "bool")


def size(reads: Iterable[str], nodes: list[ast.Expr], checked: Any, day: dt.date) -> int:
    return math.prod(len(domain(i, nodes, checked, day)) for i in reads)


def combinations(reads: Iterable[str], nodes: list[ast.Expr], checked: Any, day: dt.date) -> Iterator[dict[str, Any]]:
    """Every combination of the inputs' domains, as case facts."""
    names = sorted(reads)
    for combo in itertools.product(*(domain(n, nodes, checked, day) for n in names)):
        yield dict(zip(names, combo))


def domain(input_id: str, nodes: list[ast.Expr], checked: Any, day: dt.date) -> list[Any]:
    if input_id not in checked.inputs:  # an opaque value: each literal it can take, or none
        if _is_bool(input_id, checked):
            return [True, False, None]
        literals = {r.expr.value: r.expr.value for r in checked.values[input_id]}
        return [*literals.values(), None]
    spec = checked.inputs[input_id].input
    if spec.type == "bool":
        return [True, False]
    if spec.type == "code":
        return _codes(spec.values, nodes)
    if spec.type == "date":
        return _dates(input_id, nodes, day)
    return _numbers(spec.type, _literals(input_id, nodes))


def _codes(allowed: tuple[str, ...], nodes: list[ast.Expr]) -> list[str]:
    named = {n.dotted for n in nodes if isinstance(n, ast.Name)} | {
        n.value for n in nodes if isinstance(n, ast.Literal) and isinstance(n.value, str)}
    chosen = [code for code in allowed if code in named]
    other = next((code for code in allowed if code not in named), None)
    return chosen + ([other] if other is not None else [])


def _literals(input_id: str, nodes: list[ast.Expr]) -> list[Any]:
    """Literals compared with the input, and the bounds of step table rows on it."""
    found: list[Any] = []
    for node in nodes:
        if isinstance(node, ast.Compare):
            for mine, other in ((node.left, node.right), (node.right, node.left)):
                if _is(mine, input_id):
                    found += [i.value for i in _items(other)]
        elif isinstance(node, ast.Steps) and _is(node.subject, input_id):
            found += [b.value for s in node.steps for b in (s.low, s.high) if b is not None]
    return found


def _is(node: ast.Expr, input_id: str) -> bool:
    return isinstance(node, ast.Name) and node.dotted == input_id


def _items(node: ast.Expr) -> list[ast.Literal]:
    if isinstance(node, ast.Literal):
        return [node]
    if isinstance(node, ast.SetLit):
        return [i for i in node.items if isinstance(i, ast.Literal)]
    return []


def _numbers(kind: str, literals: list[Any]) -> list[Any]:
    raw = sorted({x for x in map(_raw, literals) if x is not None}) or [Decimal(0)]
    step = STEP[kind]
    split = sorted({x + d for x in raw for d in (-step, Decimal(0), step)})
    wrap = {"money": values.Money, "percent": values.Rate}.get(kind)
    return [wrap(x) for x in split] if wrap else split


def _raw(value: Any) -> Decimal | None:
    if isinstance(value, values.Money):
        return value.amount
    if isinstance(value, values.Rate):
        return value.fraction
    return value if isinstance(value, Decimal) else None


def _dates(input_id: str, nodes: list[ast.Expr], day: dt.date) -> list[dt.date]:
    found = {day, day - dt.timedelta(days=1)}
    for literal in _literals(input_id, nodes):
        if isinstance(literal, dt.date):
            found |= {literal - dt.timedelta(days=1), literal, literal + dt.timedelta(days=1)}
    for years in _ages(input_id, nodes):
        born = values.add_duration(day, values.Duration(int(years), "years"), -1)
        found |= {born, born + dt.timedelta(days=1)}
    return sorted(found)


def _ages(input_id: str, nodes: list[ast.Expr]) -> set[Decimal]:
    """The numbers of years `age(input, ...)` is compared with."""
    ages: set[Decimal] = set()
    for node in nodes:
        if not isinstance(node, ast.Compare):
            continue
        for mine, other in ((node.left, node.right), (node.right, node.left)):
            if isinstance(mine, ast.Call) and mine.function == "age" and mine.args and _is(mine.args[0], input_id):
                ages |= {i.value for i in _items(other) if isinstance(i.value, Decimal)}
    return ages
