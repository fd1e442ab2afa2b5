"""Bounding arithmetic at check time: how many digits can a value's number reach?

Decimal arithmetic fails beyond an exponent of a million, so a rule that squares a value again
and again passes the type checker and then fails when a case is evaluated. `check_magnitudes`
bounds, for every number, money or rate expression, the digits before the point from what it
reads: literals (their own digits, at most 28 as the parser allows), case facts (at most 15
digits, as cases allow; a percentage at most 2), other values (their own bound, in dependency
order).
`a * b` may have the digits of both, `a / b` those of `a` and as many more as a literal divisor
has zeros after the point (10, the most a number may have, for any other divisor), `a + b` one
more than the larger. A bound over MAX_DIGITS (100: far above any amount, count or rate of the
law, far below the overflow) is a `bound` error on the rule, with its position.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from engine.lang import ast, values
from engine.lang.errors import Diagnostic
from engine.law.model import Rule

MAX_DIGITS = values.MAX_DIGITS
FACT_DIGITS = {"number": 15, "money": 15, "percent": 2}
DIVISOR_DIGITS = 10
CALL_DIGITS = 6  # counts, days and ages a built-in gives


class Names(Protocol):
    inputs: dict[str, Rule]
    values: dict[str, list[Rule]]


def check_magnitudes(names: Names, order: list[str]) -> list[Diagnostic]:
    """One diagnostic per value definition whose number may exceed MAX_DIGITS digits."""
    bounds: dict[str, int] = {}
    out: list[Diagnostic] = []
    for name in order:
        for rule in names.values[name]:
            if rule.expr is None:
                continue
            try:
                digits = _Bound(names, bounds).of(rule.expr)
            except RecursionError:  # a tree too deep to walk here is refused by the parser anyway
                continue
            if digits > MAX_DIGITS:
                out.append(Diagnostic(
                    "bound", f"'{name}' may reach {digits} digits before the point, more than the {MAX_DIGITS} "
                    "a number may have", (rule.expr.span,), "round or cap the value (min(...)) before multiplying it again",
                    rule.id))
            bounds[name] = max(bounds.get(name, 0), min(digits, MAX_DIGITS + 1))
    return out


class _Bound:
    def __init__(self, names: Names, bounds: dict[str, int]) -> None:
        self.names, self.bounds = names, bounds

    def of(self, node: Any) -> int:
        if isinstance(node, ast.Literal):
            return _digits(node.value)
        if isinstance(node, ast.Name):
            rule = self.names.inputs.get(node.dotted)
            spec = rule.input if rule is not None else None
            return FACT_DIGITS.get(spec.type, 0) if spec is not None else self.bounds.get(node.dotted, 0)
        if isinstance(node, ast.Unary):
            return self.of(node.operand)
        if isinstance(node, ast.Binary):
            left, right = self.of(node.left), self.of(node.right)
            return {"*": left + right, "/": left + _divisor_digits(node.right)}.get(node.op, max(left, right) + 1)
        if isinstance(node, ast.If):
            return max(self.of(node.then), self.of(node.otherwise))
        if isinstance(node, ast.Steps):
            return max((self.of(step.result) for step in node.steps), default=0)
        if isinstance(node, ast.Call):
            return max([CALL_DIGITS, *(self.of(arg) for arg in node.args)])
        return 0


def _divisor_digits(node: Any) -> int:
    """How many digits dividing by `node` may add: 0.001 adds 3, 4 adds none."""
    if isinstance(node, ast.Literal) and isinstance(node.value, Decimal) and node.value != 0:
        return max(0, -node.value.adjusted())
    return DIVISOR_DIGITS


def _digits(value: Any) -> int:
    number = value.amount if isinstance(value, values.Money) else value.fraction if isinstance(value, values.Rate) else value
    if not isinstance(number, Decimal) or not number.is_finite() or number == 0:
        return 0
    return max(0, number.adjusted() + 1)
