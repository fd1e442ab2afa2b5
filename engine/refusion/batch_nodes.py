"""Expression nodes compiled to NumPy operations over persons (the batch evaluator's half of
`engine.lang.compiler`), with three rewrites that keep it close to hand-written NumPy: an `or` of
memberships in the week's benefits is one test against the union of the sets; a sum of amounts
over disjoint sets is one pass over the payments; a constant step table is one dense look-up.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import singledispatch
from typing import Any, Callable

import numpy as np

from engine.lang import ast, values
from engine.refusion.arrays import Arr, Fn, FrameView, ProgramView, align, is_zero, none_of, scaled, truth, unsupported, where
from engine.refusion.weeks import day_number


def compile_node(node: ast.Expr, batch: ProgramView) -> Fn:
    """The closure of one checked expression node (sub-nodes through `batch.function`)."""
    return _compile(node, batch)


@singledispatch
def _compile(node: object, batch: ProgramView) -> Fn:
    raise TypeError(f"cannot compile {node!r}")


@_compile.register(ast.Literal)
def _(node: ast.Literal, batch: ProgramView) -> Fn:
    value = node.value
    if isinstance(value, bool):
        out = Arr(np.bool_(value), None, "bool")
    elif isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise unsupported(node, "a number with decimals")
        out = Arr(np.int64(int(value)), None, "number")
    elif isinstance(value, values.Money):
        data, scale = scaled(value.amount * 100)
        out = Arr(np.int64(data), None, "money", scale)
    elif isinstance(value, values.Rate):
        data, scale = scaled(value.fraction)
        out = Arr(np.int64(data), None, "percent", scale)
    elif isinstance(value, dt.date):
        out = Arr(np.int64(day_number(value)), None, "date")
    else:
        raise unsupported(node, f"the literal {ast.to_source(node)}")
    return lambda frame: out


@_compile.register(ast.Name)
def _(node: ast.Name, batch: ProgramView) -> Fn:
    dotted = node.dotted
    if dotted in ("as_of", "week.monday"):
        return lambda frame: frame.monday()
    if dotted == "week.benefits":
        return lambda frame: frame.benefits()
    if dotted in ("week.amounts", "week.month_tail"):
        marker = Arr(dotted, None, "amounts")
        return lambda frame: marker
    if dotted in batch.checked.inputs:
        return lambda frame: frame.input(dotted)
    if dotted in batch.checked.values:
        return lambda frame: frame.value(dotted)
    if dotted in batch.code_bit:
        code = Arr(np.int64(batch.code_bit[dotted]), None, "code")
        return lambda frame: code
    raise unsupported(node, f"the name {dotted}")


@_compile.register(ast.SetLit)
def _(node: ast.SetLit, batch: ProgramView) -> Fn:
    bits = 0
    for item in node.items:
        if not isinstance(item, ast.Name) or item.dotted not in batch.code_bit:
            raise unsupported(node, "a set of anything but benefit codes")
        bits |= 1 << batch.code_bit[item.dotted]
    out = Arr(np.int64(bits), None, "set[code]")
    return lambda frame: out


@_compile.register(ast.Unary)
def _(node: ast.Unary, batch: ProgramView) -> Fn:
    operand = batch.function(node.operand)
    if node.op == "not":
        return lambda frame: _not(operand(frame))
    return lambda frame: _negate(operand(frame))


def _not(value: Arr) -> Arr:
    return Arr(~value.data, value.none, "bool")


def _negate(value: Arr) -> Arr:
    return Arr(-value.data, value.none, value.kind, value.scale)


ARITHMETIC = {"+": np.add, "-": np.subtract}


@_compile.register(ast.Binary)
def _(node: ast.Binary, batch: ProgramView) -> Fn:
    terms = _amount_terms(node)
    if terms is not None and len(terms) > 1 and len({fact for fact, _, _ in terms}) == 1:
        return _amount_sum(node, terms, batch)
    left, right, op = batch.function(node.left), batch.function(node.right), node.op
    if op == "/":
        raise unsupported(node, "a division")

    def run(frame: FrameView) -> Arr:
        a, b = left(frame), right(frame)
        if op == "*":
            kind = "money" if "money" in (a.kind, b.kind) else ("percent" if "percent" in (a.kind, b.kind) else a.kind)
            return Arr(a.data * b.data, none_of(a, b), kind, a.scale + b.scale)
        if is_zero(b) and b.scale <= a.scale:
            return a
        if op == "+" and is_zero(a) and a.scale <= b.scale:
            return b
        x, y, scale = align(a, b)
        kind = a.kind if a.kind != "date" or b.kind == "date" else "date"
        return Arr(ARITHMETIC[op](x, y), none_of(a, b), kind if a.kind != "any" else b.kind, scale)
    return run


COMPARE = {"==": np.equal, "!=": np.not_equal, "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}


def _amount_terms(node: ast.Expr) -> list[tuple[str, ast.Expr, ast.Expr | None]] | None:
    """`amount(f, A) + (if c then amount(f, B) else 0 kr) + ...` as (fact, set, condition) terms."""
    if isinstance(node, ast.Binary) and node.op == "+":
        left, right = _amount_terms(node.left), _amount_terms(node.right)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.Call) and node.function == "amount" and isinstance(node.args[0], ast.Name):
        return [(node.args[0].dotted, node.args[1], None)]
    if isinstance(node, ast.If) and isinstance(node.otherwise, ast.Literal) \
            and isinstance(node.otherwise.value, values.Money) and node.otherwise.value.amount == 0:
        inner = _amount_terms(node.then)
        if inner is not None and len(inner) == 1 and inner[0][2] is None:
            return [(inner[0][0], inner[0][1], node.condition)]
    return None


def _amount_sum(node: ast.Binary, terms: list[tuple[str, ast.Expr, ast.Expr | None]], batch: ProgramView) -> Fn:
    """One pass over the payments for a sum of amounts over disjoint sets (else the plain sum)."""
    fact = terms[0][0]
    sets = [(batch.function(codes), batch.function(condition) if condition is not None else None)
            for _, codes, condition in terms]
    left, right = batch.function(node.left), batch.function(node.right)

    def run(frame: FrameView) -> Arr:
        masks = []
        for codes, condition in sets:
            chosen = codes(frame)
            if chosen.none is not None and np.any(chosen.none):  # a set with no value: the plain sum says so
                return _add(left(frame), right(frame))
            masks.append(chosen.data if condition is None else np.where(truth(condition(frame)), chosen.data, 0))
        union, overlap = masks[0], False
        for mask in masks[1:]:
            overlap = overlap or bool(np.any((union & mask) != 0))
            union = union | mask
        if overlap:
            return _add(left(frame), right(frame))
        return _amount(frame, Arr(fact, None, "amounts"), Arr(union, None, "set[code]"))
    return run


def _add(a: Arr, b: Arr) -> Arr:
    x, y, scale = align(a, b)
    return Arr(x + y, none_of(a, b), "money", scale)


@_compile.register(ast.Compare)
def _(node: ast.Compare, batch: ProgramView) -> Fn:
    left, right, op = batch.function(node.left), batch.function(node.right), node.op
    when_none = op in ("!=", "not in")

    def run(frame: FrameView) -> Arr:
        a, b = left(frame), right(frame)
        if op in ("in", "not in"):
            if a.kind != "code":
                raise unsupported(node, "membership of anything but a benefit code")
            found = ((b.data >> a.data) & 1).astype(bool)
            data = found if op == "in" else ~found
        else:
            x, y, _ = align(a, b)
            data = COMPARE[op](x, y)
        none = none_of(a, b)
        if none is not None:
            data = np.where(none, when_none, data)
        return Arr(data, None, "bool")
    return run


@_compile.register(ast.Logic)
def _(node: ast.Logic, batch: ProgramView) -> Fn:
    combine = np.logical_or if node.op == "or" else np.logical_and
    members = _memberships(node) if node.op == "or" else None
    if members is not None:
        return _membership_or(node, members, batch)
    operands = [batch.function(o) for o in node.operands]

    def run(frame: FrameView) -> Arr:
        out = truth(operands[0](frame))
        for operand in operands[1:]:
            out = combine(out, truth(operand(frame)))
        return Arr(out, None, "bool")
    return run


Member = tuple["ast.Expr | None", ast.Expr, "int | None"]  # (condition, a set or a code, -1 for a code)


def _member(node: ast.Expr, fact: str) -> Member | None:
    """`overlaps(fact, S)`, `code in fact`, or `c and <one of those>`, as (condition, set, code)."""
    if isinstance(node, ast.Call) and node.function == "overlaps" and isinstance(node.args[0], ast.Name) \
            and node.args[0].dotted == fact:
        return (None, node.args[1], None)
    if isinstance(node, ast.Compare) and node.op == "in" and isinstance(node.right, ast.Name) \
            and node.right.dotted == fact and isinstance(node.left, ast.Name):
        return (None, node.left, -1)
    if isinstance(node, ast.Logic) and node.op == "and" and len(node.operands) == 2:
        inner = _member(node.operands[1], fact)
        return (node.operands[0], inner[1], inner[2]) if inner is not None and inner[0] is None else None
    return None


def _memberships(node: ast.Logic) -> list[Member | None] | None:
    """Two or more operands of an `or` that ask whether week.benefits meets a set: one test of the union."""
    found = [_member(o, "week.benefits") for o in node.operands]
    return found if sum(m is not None for m in found) >= 2 else None


def _membership_or(node: ast.Logic, members: list[Member | None], batch: ProgramView) -> Fn:
    others = [batch.function(o) for o, m in zip(node.operands, members) if m is None]
    parts = [(batch.function(c) if c is not None else None, batch.function(e), code)
             for c, e, code in (m for m in members if m is not None)]

    def run(frame: FrameView) -> Arr:
        union: Any = np.int64(0)
        for condition, item, code in parts:
            value = item(frame)
            bits = (np.int64(1) << value.data) if code is not None else value.data
            if value.none is not None:
                bits = np.where(value.none, 0, bits)
            if condition is not None:
                bits = np.where(truth(condition(frame)), bits, 0)
            union = union | bits
        out = (frame.benefits().data & union) != 0
        for other in others:
            out = out | truth(other(frame))
        return Arr(out, None, "bool")
    return run


@_compile.register(ast.If)
def _(node: ast.If, batch: ProgramView) -> Fn:
    condition, then, otherwise = (batch.function(n) for n in (node.condition, node.then, node.otherwise))

    def run(frame: FrameView) -> Arr:
        test = truth(condition(frame))
        if np.size(test) < 4096:  # a condition on the week or the person alone: skip a branch no cell takes
            if not np.any(test):
                return otherwise(frame)
            if np.all(test):
                return then(frame)
        return where(test, then(frame), otherwise(frame))
    return run


@_compile.register(ast.Steps)
def _(node: ast.Steps, batch: ProgramView) -> Fn:
    subject = batch.function(node.subject)
    rows = []
    for step in node.steps:
        if not isinstance(step.low.value, Decimal):
            raise unsupported(node, "a step table over anything but whole numbers")
        high = step.high.value if step.high else None
        rows.append((int(step.low.value), None if high is None else int(high), batch.function(step.result)))  # type: ignore[arg-type]

    constant = all(isinstance(step.result, ast.Literal) for step in node.steps)

    def run(frame: FrameView) -> Arr:
        key = subject(frame)
        results = [(low, high, result(frame)) for low, high, result in rows]
        out = _lookup(key, results) if constant else _chain(results, key)
        if key.none is not None:
            out = Arr(out.data, key.none | (True if out.none is None else out.none), out.kind, out.scale)
        return out
    return run


def _lookup(key: Arr, rows: list[tuple[int, int | None, Arr]]) -> Arr:
    """A step table of constants as one look-up in a dense table (rows are ordered, without gaps)."""
    scale = max(r.scale for _, _, r in rows)
    first, last = rows[0][0], rows[-1][1]
    top = rows[-1][0] if last is None else last + 1  # keys from `top` on: the open row, or no row
    if top - first > 4096:
        return _chain(rows, key)
    table = np.zeros(top - first + 2, np.int64)
    missing = np.ones(top - first + 2, bool)
    for low, high, result in rows:
        end = (high if high is not None else top) - first + 2
        table[low - first + 1:end] = int(result.data) * 10 ** (scale - result.scale)
        missing[low - first + 1:end] = False
    index = np.clip(key.data - (first - 1), 0, top - first + 1)
    return Arr(table[index], missing[index], rows[0][2].kind, scale)


def _chain(rows: list[tuple[int, int | None, Arr]], key: Arr) -> Arr:
    scale = max(r.scale for _, _, r in rows)
    out = Arr(np.int64(0), np.bool_(True), rows[0][2].kind, scale)
    for low, high, result in reversed(rows):
        hit = (key.data >= low) if high is None else (key.data >= low) & (key.data <= high)
        out = where(hit, result, out)
    return out


@_compile.register(ast.Call)
def _(node: ast.Call, batch: ProgramView) -> Fn:
    args = [batch.function(a) for a in node.args]
    if node.function in ("previous", "count_weeks", "sum_weeks"):
        series = node.args[0].dotted  # type: ignore[union-attr]
        rest = args[1:]
        return lambda frame: _lagged(frame, node.function, series, [a(frame) for a in rest])
    function = CALLS.get(node.function)
    if function is None:
        raise unsupported(node, f"{node.function}()")

    def run(frame: FrameView) -> Arr:
        found = [a(frame) for a in args]
        result = function(frame, *found)
        none = none_of(*found)
        return result if none is None else Arr(result.data, none, result.kind, result.scale)
    return run


def _round(frame: FrameView, amount: Arr, step: int = 0) -> Arr:
    """Round half up (ties away from zero, as Decimal's ROUND_HALF_UP) to whole øre or kroner."""
    unit = 10 ** amount.scale * (100 if step else 1)
    if unit == 1:
        return amount
    data = amount.data
    if np.ndim(data) == 0 or data.min(initial=0) >= 0:
        rounded = (data * 2 + unit) // (2 * unit)
    else:
        rounded = np.sign(data) * ((np.abs(data) * 2 + unit) // (2 * unit))
    return Arr(rounded * 100 if step else rounded, None, "money", 0)


def _amount(frame: FrameView, which: Arr, codes: Arr) -> Arr:
    """The week's øre paid under a set of codes: one pass over the spread amounts (sorted by cell)."""
    weeks, run = frame.run.weeks, frame.run
    part = slice(None) if frame.week is None else run.week_entries(frame.week)
    mask = _gather(codes.data, weeks.entry_week[part], weeks.entry_person[part], frame.week is None)
    chosen = (mask & run.entry_bits()[part]) != 0
    ore = (weeks.entry_ore if which.data == "week.amounts" else weeks.entry_tail)[part] * chosen
    size = run.shape[0] * run.shape[1] if frame.week is None else run.shape[1]
    out = np.zeros(size, np.int64)
    if frame.week is None:
        starts, cells = run.entry_groups()
        if len(starts):
            out[cells] = np.add.reduceat(ore, starts)
        return Arr(out.reshape(run.shape), None, "money", 0)
    np.add.at(out, weeks.entry_person[part], ore)
    return Arr(out, None, "money", 0)


def _gather(data: Any, week: np.ndarray, person: np.ndarray, whole: bool) -> Any:
    if np.ndim(data) == 0:
        return data
    if not whole:
        return data[person] if data.shape[0] > 1 else data[0]
    return data[week if data.shape[0] > 1 else 0, person if data.shape[1] > 1 else 0]


CALLS: dict[str, Callable[..., Arr]] = {
    "overlaps": lambda frame, a, b: Arr((a.data & b.data) != 0, None, "bool"),
    "amount": _amount,
    "round_ore": lambda frame, m: _round(frame, m),
    "round_kr": lambda frame, m: _round(frame, m, 1),
    "min": lambda frame, *xs: _fold(np.minimum, xs),
    "max": lambda frame, *xs: _fold(np.maximum, xs),
    "monday": lambda frame, d: Arr(d.data - (d.data + 3) % 7, None, "date"),
    "days_between": lambda frame, a, b: Arr(b.data - a.data, None, "number"),
}


def _fold(function: Any, items: tuple[Arr, ...]) -> Arr:
    out = items[0]
    for item in items[1:]:
        x, y, scale = align(out, item)
        out = Arr(function(x, y), None, out.kind, scale)
    return out


def _lagged(frame: FrameView, function: str, series: str, args: list[Arr]) -> Arr:
    if function == "previous":
        return _previous(frame, series, args[0])
    return _window(frame, function, series, args)


def _previous(frame: FrameView, series: str, default: Arr) -> Arr:
    run = frame.run
    if frame.week is not None:
        if frame.week == 0:
            return default
        stored, week = run.full[series], frame.week - 1
        return Arr(_row(stored.data, week), _row(stored.none, week), stored.kind, stored.scale)
    stored, shape = run.full[series], run.shape
    later, first, scale = align(stored, default)
    data = np.empty(shape, np.result_type(later, first))
    data[1:] = np.broadcast_to(later, shape)[:-1]
    data[0] = np.broadcast_to(first, shape)[0]
    none = None
    if stored.none is not None or default.none is not None:
        none = np.zeros(shape, bool)
        none[1:] = np.broadcast_to(False if stored.none is None else stored.none, shape)[:-1]
        none[0] = np.broadcast_to(False if default.none is None else default.none, shape)[0]
    return Arr(data, none, stored.kind, scale)


def _row(data: Any, week: int) -> Any:
    if data is None or np.ndim(data) == 0:
        return data
    return data[week if data.shape[0] > 1 else 0]


def _window(frame: FrameView, function: str, series: str, args: list[Arr]) -> Arr:
    run = frame.run
    counts = run.cumsum(series)
    weeks, after = args[0], args[1] if len(args) > 1 else None
    here = np.arange(run.shape[0])[:, None] if frame.week is None else frame.week
    low = np.maximum(here - weeks.data, 0)
    if after is not None:
        first_after = (after.data - run.weeks.range.first) // 7 + 1
        low = np.minimum(np.maximum(low, first_after), here)
    if frame.week is None:
        low = np.broadcast_to(low, run.shape)
        found = counts[:-1] - np.take_along_axis(counts, low, axis=0)
    else:
        found = counts[frame.week] - counts.ravel()[low * run.shape[1] + run.columns]
    stored = run.full[series]
    kind = "number" if function == "count_weeks" else stored.kind
    return Arr(found, none_of(weeks, *([after] if after is not None else [])), kind, stored.scale if kind != "number" else 0)
