"""Typed, frozen AST nodes of the expression language. Every node carries its `Span`."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import singledispatch
from typing import Union

import attrs

from engine.lang import values
from engine.lang.source import Span


@attrs.frozen
class Literal:
    """A number, money amount, percentage, duration, date, string or boolean."""

    value: Union[Decimal, values.Money, values.Rate, values.Duration, dt.date, str, bool]
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Name:
    """A dotted name: an input (`citizen.birth_date`), a value (`lab.maalgruppe`) or a code."""

    parts: tuple[str, ...]
    span: Span = attrs.field(eq=False)

    @property
    def dotted(self) -> str:
        return ".".join(self.parts)


@attrs.frozen
class SetLit:
    items: tuple[Expr, ...]
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Unary:
    op: str  # "-" or "not"
    operand: Expr
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Binary:
    op: str  # + - * /
    left: Expr
    right: Expr
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Compare:
    op: str  # == != < <= > >= in "not in"
    left: Expr
    right: Expr
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Logic:
    """`a and b and c` or `a or b`, flattened so a failed condition can name its part."""

    op: str  # "and" or "or"
    operands: tuple[Expr, ...]
    span: Span = attrs.field(eq=False)


@attrs.frozen
class If:
    condition: Expr
    then: Expr
    otherwise: Expr
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Call:
    function: str
    args: tuple[Expr, ...]
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Step:
    """One row of a step table: `low..high -> result` (both bounds inclusive; high may be open)."""

    low: Literal
    high: Literal | None
    result: Expr
    span: Span = attrs.field(eq=False)


@attrs.frozen
class Steps:
    subject: Expr
    steps: tuple[Step, ...]
    span: Span = attrs.field(eq=False)


Expr = Union[Literal, Name, SetLit, Unary, Binary, Compare, Logic, If, Call, Steps]


def children(node: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of a node, in source order."""
    if isinstance(node, SetLit):
        return node.items
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, (Binary, Compare)):
        return (node.left, node.right)
    if isinstance(node, Logic):
        return node.operands
    if isinstance(node, If):
        return (node.condition, node.then, node.otherwise)
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Steps):
        return (node.subject, *(s.result for s in node.steps))
    return ()


def walk(node: Expr) -> list[Expr]:
    """Every node of a tree, the root first (iterative, so deep trees are safe)."""
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out


@singledispatch
def to_source(node: object) -> str:
    raise TypeError(f"not an expression node: {node!r}")


@to_source.register
def _(node: Literal) -> str:
    value = node.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, values.Rate):
        return f"{values.format_decimal((value.fraction * 100).normalize(), 0)}%"
    return values.to_text(value)


@to_source.register
def _(node: Name) -> str:
    return node.dotted


@to_source.register
def _(node: SetLit) -> str:
    return "{" + ", ".join(to_source(i) for i in node.items) + "}"


@to_source.register
def _(node: Unary) -> str:
    return f"not {_tight(node.operand)}" if node.op == "not" else f"-{_tight(node.operand)}"


@to_source.register
def _(node: Binary) -> str:
    return f"({_tight(node.left)} {node.op} {_tight(node.right)})"


@to_source.register
def _(node: Compare) -> str:
    return f"{_tight(node.left)} {node.op} {_tight(node.right)}"


@to_source.register
def _(node: Logic) -> str:
    return f" {node.op} ".join(_grouped(o) for o in node.operands)


def _grouped(node: Expr) -> str:
    return f"({to_source(node)})" if isinstance(node, (Logic, If)) else to_source(node)


def _tight(node: Expr) -> str:
    """An operand of an operator that binds tighter than `and`, `or`, `if` and comparisons."""
    loose = isinstance(node, (Logic, If, Compare)) or (isinstance(node, Unary) and node.op == "not")
    return f"({to_source(node)})" if loose else to_source(node)


@to_source.register
def _(node: If) -> str:
    return f"if {to_source(node.condition)} then {to_source(node.then)} else {to_source(node.otherwise)}"


@to_source.register
def _(node: Call) -> str:
    return f"{node.function}({', '.join(to_source(a) for a in node.args)})"


@to_source.register
def _(node: Steps) -> str:
    rows = ", ".join(
        f"{to_source(s.low)}..{to_source(s.high) if s.high else ''} -> {to_source(s.result)}"
        for s in node.steps
    )
    return f"steps {to_source(node.subject)} {{ {rows} }}"
