"""Batch values: NumPy data of one weekly value over persons (and weeks), with its no-value mask.

Numbers are whole (int64), dates day numbers, sets of codes bit masks; money is int64 in units
of øre / 10**scale and a rate a fraction × 10**scale, so a rate times an amount is exact. "No
value" is a boolean mask beside the data (None: a value everywhere), with the per-person
evaluator's rules for it: arithmetic has none where an operand has none, a comparison with
none is false (true for != and not in), a condition with none is not true.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable, Protocol

import attrs
import numpy as np

from engine.lang import ast, values
from engine.lang.errors import Diagnostic, EvaluationError


@attrs.frozen
class Arr:
    """A batch value: data, where it has no value (or None: everywhere a value), its type, its scale."""

    data: Any
    none: Any
    kind: str
    scale: int = 0


Fn = Callable[[Any], Arr]  # a compiled node: frame -> value


def truth(value: Arr) -> Any:
    """Where a condition is true: no value counts as not true."""
    return value.data if value.none is None else value.data & ~value.none


def none_of(*args: Arr) -> Any:
    masks = [a.none for a in args if a.none is not None]
    if not masks:
        return None
    out = masks[0]
    for mask in masks[1:]:
        out = out | mask
    return out


def align(a: Arr, b: Arr) -> tuple[Any, Any, int]:
    """Both data at one scale (no copy when they already share it)."""
    if a.scale == b.scale:
        return a.data, b.data, a.scale
    scale = max(a.scale, b.scale)
    return a.data * 10 ** (scale - a.scale), b.data * 10 ** (scale - b.scale), scale


def nothing(kind: str, scale: int = 0) -> Arr:
    return Arr(np.int64(0), np.bool_(True), kind, scale)


def is_zero(value: Arr) -> bool:
    return value.none is None and np.ndim(value.data) == 0 and value.data == 0


def is_nothing(value: Arr) -> bool:
    return np.ndim(value.data) == 0 and value.none is not None and np.ndim(value.none) == 0 and bool(value.none)


def where(condition: Any, then: Arr, otherwise: Arr) -> Arr:
    if is_nothing(otherwise) and then.kind != "bool":  # no branch: multiply by the condition
        none = ~condition if then.none is None else (~condition | then.none)
        return Arr(then.data * condition, none, then.kind, then.scale)
    a, b, scale = align(then, otherwise)
    inverse = ~condition
    if then.kind == "bool":
        data = (condition & a) | (inverse & b)
    elif np.ndim(b) == 0 and b == 0:
        data = a * condition
    elif np.ndim(a) == 0 and a == 0:
        data = b * inverse
    else:
        data = np.where(condition, a, b)
    return Arr(data, blend(condition, inverse, then.none, otherwise.none), then.kind if then.kind != "any" else otherwise.kind, scale)


def blend(condition: Any, inverse: Any, then: Any, otherwise: Any) -> Any:
    """The no-value mask of a choice, with boolean operations (far cheaper than np.where)."""
    if then is None and otherwise is None:
        return None
    if then is None:
        return inverse & otherwise
    if otherwise is None:
        return condition & then
    return (condition & then) | (inverse & otherwise)


def to_python(value: Arr, shape: tuple[int, int], codes: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The data and no-value mask of a result, broadcast to weeks × persons."""
    data = np.broadcast_to(value.data, shape)
    none = np.zeros(shape, bool) if value.none is None else np.broadcast_to(value.none, shape)
    return data, none


def scalar(value: Arr, data: Any, none: bool, codes: tuple[str, ...]) -> Any:
    """One cell as the per-person evaluator would give it."""
    if none:
        return None
    kind, number = value.kind, int(data) if value.kind != "bool" else bool(data)
    if kind == "bool":
        return number
    if kind == "money":
        return values.Money(Decimal(number) / (Decimal(100) * 10 ** value.scale))
    if kind == "percent":
        return values.Rate(Decimal(number) / 10 ** value.scale)
    if kind == "date":
        return dt.date(1970, 1, 1) + dt.timedelta(days=number)
    if kind.startswith("set"):
        return frozenset(code for bit, code in enumerate(codes) if number >> bit & 1)
    return Decimal(number)



def unsupported(node: ast.Expr, what: str) -> EvaluationError:
    return EvaluationError([Diagnostic("evaluation", f"the batch evaluator cannot compute {what}", (node.span,),
                                       "use the per-person evaluator for this rule")])


def scaled(amount: Decimal) -> tuple[int, int]:
    """An exact decimal as (integer, scale)."""
    scale = max(0, -amount.normalize().as_tuple().exponent)  # type: ignore[operator]
    return int(amount * 10 ** scale), scale


class ProgramView(Protocol):
    """What compiling a node needs of `engine.refusion.batch.BatchProgram`."""

    checked: Any
    code_bit: dict[str, int]

    def function(self, node: ast.Expr) -> Fn: ...


class FrameView(Protocol):
    """What a compiled node reads of `engine.refusion.batch.Frame`: all weeks or one week of a slice."""

    week: int | None
    run: Any  # the slice's run: its weeks, Mondays, facts and stepped values

    def monday(self) -> Arr: ...
    def benefits(self) -> Arr: ...
    def input(self, input_id: str) -> Arr: ...
    def value(self, name: str) -> Arr: ...
