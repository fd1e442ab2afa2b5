"""Static types of expressions. Reports every mismatch; `any` stops one error cascading.

Types are strings: bool, number, money, percent, date, duration, string, code, events,
set[T], none (no value) and any (unknown after an earlier error).
"""
from __future__ import annotations

import datetime as dt
import difflib
from decimal import Decimal
from functools import singledispatchmethod
from typing import Protocol

from engine.lang import ast, builtins, values
from engine.lang.errors import Diagnostic

ARITHMETIC: dict[tuple[str, str, str], str] = {
    ("+", "number", "number"): "number", ("-", "number", "number"): "number",
    ("+", "money", "money"): "money", ("-", "money", "money"): "money",
    ("+", "percent", "percent"): "percent", ("-", "percent", "percent"): "percent",
    ("+", "date", "duration"): "date", ("+", "duration", "date"): "date", ("-", "date", "duration"): "date",
    ("+", "duration", "duration"): "duration", ("-", "duration", "duration"): "duration",
    ("*", "number", "number"): "number", ("*", "money", "number"): "money", ("*", "number", "money"): "money",
    ("*", "money", "percent"): "money", ("*", "percent", "money"): "money",
    ("*", "percent", "number"): "percent", ("*", "number", "percent"): "percent",
    ("*", "percent", "percent"): "percent",
    ("*", "number", "duration"): "duration", ("*", "duration", "number"): "duration",
    ("/", "number", "number"): "number", ("/", "money", "number"): "money", ("/", "money", "money"): "number",
    ("/", "percent", "number"): "percent",
}
ORDERED = {"number", "money", "percent", "date"}
HINTS = {
    ("date", "number"): "add a duration instead, such as 8 weeks or 30 days",
    ("number", "date"): "add a duration instead, such as 8 weeks or 30 days",
    ("money", "number"): "write the number as an amount, such as 100 kr",
    ("number", "money"): "write the number as an amount, such as 100 kr",
}


EXAMPLES = {"number": "30", "money": "100 kr", "percent": "80%", "date": "2021-01-04", "duration": "8 weeks"}


def _operands_hint(op: str) -> str:
    return (f"'{op}' works on numbers, amounts, rates, and dates with durations; "
            "check both sides, and convert one with a built-in if needed")


class Namespace(Protocol):
    """What the type checker asks the resolver about names."""

    def type_of(self, name: ast.Name) -> str | None: ...
    def allowed_codes(self, name: ast.Name) -> tuple[str, ...]: ...
    def is_code(self, name: ast.Name) -> bool: ...
    def suggest(self, dotted: str) -> str | None: ...


def literal_type(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    return {Decimal: "number", values.Money: "money", values.Rate: "percent", dt.date: "date",
            values.Duration: "duration", str: "string"}.get(type(value), "any")


class TypeChecker:
    """Infers types; `lookup` gives the type and resolution of a dotted name or None."""

    def __init__(self, names: Namespace, diagnostics: list[Diagnostic], rule: str | None) -> None:
        self.names, self.diagnostics, self.rule = names, diagnostics, rule

    def fail(self, category: str, message: str, node: ast.Expr, hint: str | None = None) -> str:
        if category == "type" and not hint:  # every type error says how to fix it
            hint = "check the types of both sides; the rule language reference lists each operator's types"
        self.diagnostics.append(Diagnostic(category, message, (node.span,), hint, self.rule))
        return "any"

    def expect(self, node: ast.Expr, wanted: str, what: str) -> str:
        got = self.infer(node)
        if got not in (wanted, "any"):
            self.fail("type", f"{what} must be a {wanted}, but '{ast.to_source(node)}' is a {got}", node,
                      f"write an expression that gives a {wanted} here, or compare '{ast.to_source(node)}' with one")
        return got

    @singledispatchmethod
    def infer(self, node: ast.Expr) -> str:
        raise NotImplementedError(type(node).__name__)

    @infer.register
    def _(self, node: ast.Literal) -> str:
        return literal_type(node.value)

    @infer.register
    def _(self, node: ast.Name) -> str:
        found = self.names.type_of(node)
        if found is None:
            self.fail("name", f"unknown name '{node.dotted}'", node, self.names.suggest(node.dotted))
            return "any"
        return found

    @infer.register
    def _(self, node: ast.SetLit) -> str:
        kinds = {self.infer(i) for i in node.items} - {"any"}
        kinds = {"code"} if kinds == {"code", "string"} else kinds
        if len(kinds) > 1:
            return self.fail("type", f"a set must hold values of one type, not {', '.join(sorted(kinds))}", node,
                             "split it into one set per type, or write every item the same way")
        return f"set[{kinds.pop() if kinds else 'any'}]"

    @infer.register
    def _(self, node: ast.Unary) -> str:
        if node.op == "not":
            return self.expect(node.operand, "bool", "the operand of 'not'") and "bool"
        kind = self.infer(node.operand)
        if kind not in {"number", "money", "percent", "duration", "any"}:
            return self.fail("type", f"cannot negate a {kind}", node,
                             "'-' negates numbers, amounts and rates; 'not' negates a yes/no condition")
        return kind

    @infer.register
    def _(self, node: ast.Binary) -> str:
        left, right = self.infer(node.left), self.infer(node.right)
        if "any" in (left, right):
            return "any"
        result = ARITHMETIC.get((node.op, left, right))
        if result is None:
            return self.fail("type", f"cannot apply '{node.op}' to a {left} and a {right}", node,
                             HINTS.get((left, right), _operands_hint(node.op)))
        return result

    @infer.register
    def _(self, node: ast.Compare) -> str:
        left, right = self.infer(node.left), self.infer(node.right)
        if node.op in ("in", "not in"):
            self._check_membership(node, left, right)
        elif "any" not in (left, right) and not _comparable(left, right):
            self.fail("type", f"cannot compare a {left} with a {right}", node,
                      f"compare the {left} with another {left}" + (f" (such as {EXAMPLES[left]})" if left in EXAMPLES else ""))
        elif node.op not in ("==", "!=") and left not in ORDERED | {"any"}:
            self.fail("type", f"'{node.op}' needs ordered values (numbers, amounts, rates, dates), not a {left}", node,
                      "use '==' or '!=' for codes, text and yes/no values, or 'in {…}' for several codes")
        self._check_codes(node)
        return "bool"

    def _check_membership(self, node: ast.Compare, left: str, right: str) -> None:
        if right == "any":
            return
        if not right.startswith("set["):
            self.fail("type", f"the right side of '{node.op}' must be a set, not a {right}", node.right,
                      "write a set such as {a, b}")
        elif not (left == "any" or right == "set[any]" or _comparable(left, right[4:-1])):
            self.fail("type", f"a {left} can never be in a {right}", node, f"write a set of {left} values on the right")

    def _check_codes(self, node: ast.Compare) -> None:
        """A literal compared with a code input must be one of that input's allowed values."""
        for name, other in ((node.left, node.right), (node.right, node.left)):
            if not isinstance(name, ast.Name):
                continue
            allowed = self.names.allowed_codes(name)
            if not allowed:
                continue
            items = other.items if isinstance(other, ast.SetLit) else (other,)
            for item in items:
                code = self._code_text(item)
                if code is not None and code not in allowed:
                    close = difflib.get_close_matches(code, allowed, n=1)
                    self.fail("type", f"'{code}' is not an allowed value of {name.dotted}", item,
                              f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(allowed[:12])}")

    @infer.register
    def _(self, node: ast.Logic) -> str:
        for operand in node.operands:
            self.expect(operand, "bool", f"each side of '{node.op}'")
        return "bool"

    @infer.register
    def _(self, node: ast.If) -> str:
        self.expect(node.condition, "bool", "the condition of 'if'")
        return self._one_type([node.then, node.otherwise], node, "both branches of 'if'")

    @infer.register
    def _(self, node: ast.Call) -> str:
        builtin = builtins.REGISTRY.get(node.function)
        arg_types = [self.infer(a) for a in node.args]
        if builtin is None:
            close = difflib.get_close_matches(node.function, list(builtins.REGISTRY), n=1)
            return self.fail("name", f"unknown function '{node.function}'", node,
                             f"did you mean '{close[0]}'?" if close else f"functions: {', '.join(sorted(builtins.REGISTRY))}")
        try:
            return builtin.check(arg_types)
        except TypeError as exc:
            return self.fail("type", f"{node.function}() {exc}", node, builtin.signature)

    @infer.register
    def _(self, node: ast.Steps) -> str:
        subject = self.infer(node.subject)
        if subject not in ORDERED | {"any"}:
            self.fail("type", f"a step table needs an ordered value to look up, not a {subject}", node.subject,
                      "look up a number, amount, rate or date, such as a week number")
        for step in node.steps:
            for bound in (step.low, step.high):
                kind = literal_type(bound.value) if bound is not None else subject
                if subject != "any" and kind != subject:
                    self.fail("type", f"step bound {ast.to_source(bound)} is a {kind}, but the table looks up a {subject}", bound,  # type: ignore[arg-type]
                              f"write every bound as a {subject}")
        self._check_step_order(node)
        return self._one_type([s.result for s in node.steps], node, "the results of a step table")

    def _check_step_order(self, node: ast.Steps) -> None:
        previous: ast.Step | None = None
        for step in node.steps:
            if step.high is not None and step.high.value < step.low.value:  # type: ignore[operator]
                self.fail("type", f"step {ast.to_source(step.low)}..{ast.to_source(step.high)} runs backwards", step,  # type: ignore[arg-type]
                          "write the lower bound first")
            if previous is not None:
                if previous.high is None or step.low.value <= previous.high.value:  # type: ignore[operator]
                    self.fail("conflict", "step rows overlap", step, "each row must start after the previous one ends")  # type: ignore[arg-type]
                elif _is_gap(previous.high.value, step.low.value):
                    self.fail("type", f"the steps leave a gap between {ast.to_source(previous.high)} and {ast.to_source(step.low)}",
                              step, "make each row start right after the previous one")  # type: ignore[arg-type]
            previous = step

    def _code_text(self, node: ast.Expr) -> str | None:
        if isinstance(node, ast.Literal) and isinstance(node.value, str):
            return node.value
        return node.dotted if isinstance(node, ast.Name) and self.names.is_code(node) else None

    def _one_type(self, nodes: list[ast.Expr], at: ast.Expr, what: str) -> str:
        kinds = {self.infer(n) for n in nodes} - {"any"}
        kinds = {"code"} if kinds == {"code", "string"} else kinds
        if len(kinds) > 1:
            return self.fail("type", f"{what} must have one type, not {', '.join(sorted(kinds))}", at,
                             "make every branch give the same kind of value")
        return kinds.pop() if kinds else "any"


def _comparable(left: str, right: str) -> bool:
    return left == right or {left, right} == {"code", "string"} or "none" in (left, right)




def _is_gap(high: object, low: object) -> bool:
    if isinstance(high, Decimal) and isinstance(low, Decimal) and high == high.to_integral_value():
        return low > high + 1
    if isinstance(high, dt.date) and isinstance(low, dt.date):
        return (low - high).days > 1
    return False
