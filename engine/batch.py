"""The batch weekly evaluator: the same checked rules, compiled to NumPy operations over persons.

Each expression node becomes a closure over a *frame*: either every week at once (arrays of
shape weeks × persons, or broadcastable to it) or one week (arrays over persons). The plan of
`engine.series` decides which: values that need last week's values of themselves (the count and
its reset) are stepped week by week; every other value is computed for all weeks in one go,
before the loop or after it. Results equal the per-person evaluator's exactly:

* numbers are whole (int64), dates are day numbers, sets of codes are bit masks;
* money is int64 in units of øre / 10**scale and a rate is a fraction × 10**scale, so a rate
  times an amount is exact, and `round_ore` rounds half up (away from zero) to whole øre;
* "no value" (a value with no applicable definition, a step table with no row, a fact not
  given) is a mask carried beside the data, with the per-person evaluator's rules for it.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from collections import Counter
from functools import singledispatch
from typing import Any, Callable, Iterable

import attrs
import numpy as np

from engine import ast, values
from engine.compiler import Program
from engine.errors import Diagnostic, EvaluationError
from engine.model import Rule
from engine.payments import NO_DATE
from engine.series import Plan
from engine.weekly import FACT_INPUTS
from engine.weeks import Weeks, day_number

FAR = np.int64(1 << 40)


@attrs.frozen
class Arr:
    """A batch value: data, where it has no value (or None: everywhere a value), its type, its scale."""

    data: Any
    none: Any
    kind: str
    scale: int = 0


Fn = Callable[["Frame"], Arr]


class BatchProgram:
    """The weekly rules compiled once into array operations."""

    def __init__(self, program: Program, plan: Plan, codes: tuple[str, ...], proposals: Iterable[str] = ()) -> None:
        self.program, self.plan, self.codes = program, plan, codes
        self.checked = program.checked
        self.code_bit = {code: i for i, code in enumerate(codes)}
        self.proposals = frozenset(proposals)
        self._compiled: dict[int, Fn] = {}
        # Temporaries die young (freed memory is reused without new page faults); only an
        # expression written in several places is kept for the frame.
        self.repeated = Counter(ast.to_source(part) for name in plan.order for rule in self.checked.values[name]
                                for _, node in rule.expressions() for part in ast.walk(node))
        self.windowed = {call.args[0].dotted for defs in self.checked.values.values() for rule in defs  # type: ignore[union-attr]
                         for _, node in rule.expressions() for call in ast.walk(node)
                         if isinstance(call, ast.Call) and call.function in ("count_weeks", "sum_weeks")}
        self.definitions = {name: sorted((r for r in self.checked.values[name]
                                          if r.proposal is None or r.proposal in self.proposals),
                                         key=lambda r: r.priority) for name in plan.order}

    def function(self, node: ast.Expr) -> Fn:
        """The closure of a node; one written more than once in the rules is computed once a frame."""
        if id(node) not in self._compiled:
            inner, key = _compile(node, self), ast.to_source(node)
            shared = self.repeated.get(key, 0) > 1 and not isinstance(node, (ast.Literal, ast.Name))
            self._compiled[id(node)] = (lambda frame: frame.cached(key, inner)) if shared else inner
        return self._compiled[id(node)]

    def run(self, weeks: Weeks, names: Iterable[str] | None = None) -> dict[str, Arr]:
        """Every weekly value for every week and person of a slice (arrays weeks × persons)."""
        return _Run(self, weeks).run(tuple(names or self.plan.outputs))


# -- the run: all weeks, then the stepped loop, then all weeks again --------------------------

class _Run:
    def __init__(self, batch: BatchProgram, weeks: Weeks) -> None:
        self.batch, self.weeks, self.plan = batch, weeks, batch.plan
        self.shape = (weeks.range.count, len(weeks.persons))
        self.full: dict[str, Arr] = {}
        self.cumulative: dict[str, np.ndarray] = {}
        self.in_force: dict[tuple[str, str], np.ndarray] = {}
        self.singles: dict[str, Rule | None] = {}
        self.columns = np.arange(len(weeks.persons))
        self.mondays = (weeks.range.first + 7 * np.arange(self.shape[0], dtype=np.int64))[:, None]
        self.facts = {input_id: _fact(weeks.facts[column]) for input_id, column in FACT_INPUTS.items()}

    def run(self, names: tuple[str, ...]) -> dict[str, Arr]:
        needed = self.plan.needed_for(names)
        order = [n for n in self.plan.unstepped_order() if n in needed]
        whole = Frame(self, None)
        for name in (n for n in order if n not in self.plan.after):
            self.full[name] = whole.value(name)
        self._step([n for n in self.plan.order if n in self.plan.stepped and n in needed])
        whole = Frame(self, None)
        for name in (n for n in order if n in self.plan.after):
            self.full[name] = whole.value(name)
        return {name: self.full[name] for name in names}

    def _step(self, stepped: list[str]) -> None:
        if not stepped:
            return
        store: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for week in range(self.shape[0]):
            frame = Frame(self, week)
            for name in stepped:
                value = frame.value(name)
                data, none = store.get(name) or self._allocate(name, value, store)
                data[week] = value.data
                none[week] = False if value.none is None else value.none
                self.full[name] = Arr(data, none, value.kind, value.scale)
                if name in self.cumulative:
                    counted = np.asarray(value.data, bool) & ~np.asarray(none[week], bool)
                    self.cumulative[name][week + 1] = self.cumulative[name][week] + counted

    def _allocate(self, name: str, value: Arr, store: dict[str, tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        dtype = bool if value.kind == "bool" else np.int64
        store[name] = (np.zeros(self.shape, dtype), np.zeros(self.shape, bool))
        if name in self.batch.windowed:
            self.cumulative[name] = np.zeros((self.shape[0] + 1, self.shape[1]), np.int64)
        return store[name]

    def single_definition(self, name: str) -> Rule | None:
        """The one unconditional definition of a value in force in every week of the run, if so."""
        if name not in self.singles:
            rules = self.batch.definitions[name]
            self.singles[name] = rules[0] if len(rules) == 1 and rules[0].when is None and \
                np.all(_in_force(Frame(self, None), rules[0])) else None
        return self.singles[name]

    def entry_bits(self) -> np.ndarray:
        """Each amount entry's benefit as a bit, computed once."""
        if not hasattr(self, "_bits"):
            self._bits: np.ndarray = np.left_shift(np.int64(1), self.weeks.entry_code)
        return self._bits

    def entry_groups(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each cell's run of amount entries starts, and the cell (week × persons + person)."""
        if not hasattr(self, "_groups"):
            cell = self.weeks.entry_week * self.shape[1] + self.weeks.entry_person
            starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]]) if len(cell) else np.zeros(0, np.int64)
            self._groups = (starts, cell[starts])
        return self._groups

    def cumsum(self, name: str) -> np.ndarray:
        """Running counts of a series over the weeks before each week (row w: weeks 0..w-1)."""
        if name not in self.cumulative:
            value = self.full[name]
            data = np.broadcast_to(value.data, self.shape)
            if value.none is not None:
                data = np.where(np.broadcast_to(value.none, self.shape), 0, data)
            counts = np.zeros((self.shape[0] + 1, self.shape[1]), np.int64)
            np.cumsum(data, axis=0, out=counts[1:])
            self.cumulative[name] = counts
        return self.cumulative[name]


def _fact(days: np.ndarray) -> Arr:
    missing = days == NO_DATE
    return Arr(days.astype(np.int64)[None, :], missing[None, :] if missing.any() else None, "date")


class Frame:
    """All weeks (week None) or one week of a slice; values are cached by their source text."""

    def __init__(self, run: _Run, week: int | None) -> None:
        self.run, self.week, self.batch = run, week, run.batch
        self.cache: dict[str, Arr] = {}

    def cached(self, key: str, function: Fn) -> Arr:
        if key not in self.cache:
            self.cache[key] = function(self)
        return self.cache[key]

    def at(self, data: Any) -> Any:
        """Data of a whole-weeks array in this frame."""
        if self.week is None or data is None or np.ndim(data) == 0:
            return data
        return data[self.week if data.shape[0] > 1 else 0]

    def monday(self) -> Arr:
        mondays = self.run.mondays
        return Arr(mondays if self.week is None else mondays[self.week, 0], None, "date")

    def benefits(self) -> Arr:
        return Arr(self.at(self.run.weeks.benefits), None, "set[code]")

    def input(self, input_id: str) -> Arr:
        if input_id in self.run.plan.supplied:
            return self.value(self.run.plan.supplied[input_id])
        fact = self.run.facts.get(input_id)
        if fact is None:
            return Arr(np.int64(0), np.bool_(True), self.batch.checked.types.get(input_id, "any"))
        return Arr(self.at(fact.data), self.at(fact.none), fact.kind)

    def value(self, name: str) -> Arr:
        if name in self.cache:
            return self.cache[name]
        if name in self.run.full and (self.week is None or name not in self.run.plan.stepped):
            stored = self.run.full[name]
            found = Arr(self.at(stored.data), self.at(stored.none), stored.kind, stored.scale)
        else:
            found = _define(self, name)
        self.cache[name] = found
        return found


# -- choosing among definitions ---------------------------------------------------------------

def _define(frame: Frame, name: str) -> Arr:
    """The value from the definitions in force and applicable, the highest priority winning."""
    single = frame.run.single_definition(name)
    if single is not None:
        return frame.batch.function(single.expr)(frame)  # type: ignore[arg-type]
    definitions = [(rule, mask) for rule in frame.batch.definitions[name] if np.any(mask := _in_force(frame, rule))]
    if len(definitions) == 1 and definitions[0][0].when is None and np.all(definitions[0][1]):
        return frame.batch.function(definitions[0][0].expr)(frame)
    result = _nothing(frame.batch.checked.types.get(name, "any"))
    taken: dict[int, Any] = {}
    for rule, in_force in definitions:  # ascending priority: a higher one overrides
        holds = in_force if rule.when is None else _truth(frame.batch.function(rule.when)(frame))
        if rule.when is not None and not np.all(in_force):
            holds = in_force & holds
        if not np.any(holds):
            continue
        if rule.priority in taken and np.any(taken[rule.priority][1] & holds):
            other = taken[rule.priority][0]
            raise EvaluationError([Diagnostic(
                "conflict", f"'{other.id}' and '{rule.id}' both define '{name}' in the same week",
                (other.span, rule.span), "make their conditions disjoint or give one a higher priority", rule.id)])
        taken[rule.priority] = (rule, holds | taken[rule.priority][1] if rule.priority in taken else holds)
        result = _where(holds, frame.batch.function(rule.expr)(frame), result)
    return result


def _in_force(frame: Frame, rule: Rule) -> Any:
    """Whether the rule is in force on each week's Monday (a scalar in a one-week frame)."""
    key = ("in force", rule.id)
    if key not in frame.run.in_force:
        start, end = rule.window
        low, high = day_number(max(start, dt.date(1900, 1, 1))), day_number(min(end, dt.date(9999, 1, 1)))
        frame.run.in_force[key] = (frame.run.mondays >= low) & (frame.run.mondays <= high)
    mask = frame.run.in_force[key]
    return mask if frame.week is None else mask[frame.week, 0]


# -- helpers on values ------------------------------------------------------------------------

def _truth(value: Arr) -> Any:
    """Where a condition is true: no value counts as not true."""
    return value.data if value.none is None else value.data & ~value.none


def _none_of(*args: Arr) -> Any:
    masks = [a.none for a in args if a.none is not None]
    if not masks:
        return None
    out = masks[0]
    for mask in masks[1:]:
        out = out | mask
    return out


def _align(a: Arr, b: Arr) -> tuple[Any, Any, int]:
    """Both data at one scale (no copy when they already share it)."""
    if a.scale == b.scale:
        return a.data, b.data, a.scale
    scale = max(a.scale, b.scale)
    return a.data * 10 ** (scale - a.scale), b.data * 10 ** (scale - b.scale), scale


def _nothing(kind: str, scale: int = 0) -> Arr:
    return Arr(np.int64(0), np.bool_(True), kind, scale)


def _is_zero(value: Arr) -> bool:
    return value.none is None and np.ndim(value.data) == 0 and value.data == 0


def _is_nothing(value: Arr) -> bool:
    return np.ndim(value.data) == 0 and value.none is not None and np.ndim(value.none) == 0 and bool(value.none)


def _where(condition: Any, then: Arr, otherwise: Arr) -> Arr:
    if _is_nothing(otherwise) and then.kind != "bool":  # no branch: multiply by the condition
        none = ~condition if then.none is None else (~condition | then.none)
        return Arr(then.data * condition, none, then.kind, then.scale)
    a, b, scale = _align(then, otherwise)
    inverse = ~condition
    if then.kind == "bool":
        data = (condition & a) | (inverse & b)
    elif np.ndim(b) == 0 and b == 0:
        data = a * condition
    elif np.ndim(a) == 0 and a == 0:
        data = b * inverse
    else:
        data = np.where(condition, a, b)
    return Arr(data, _blend(condition, inverse, then.none, otherwise.none), then.kind if then.kind != "any" else otherwise.kind, scale)


def _blend(condition: Any, inverse: Any, then: Any, otherwise: Any) -> Any:
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


# -- compiling nodes --------------------------------------------------------------------------

def unsupported(node: ast.Expr, what: str) -> EvaluationError:
    return EvaluationError([Diagnostic("evaluation", f"the batch evaluator cannot compute {what}", (node.span,),
                                       "use the per-person evaluator for this rule")])


def _scaled(amount: Decimal) -> tuple[int, int]:
    """An exact decimal as (integer, scale)."""
    scale = max(0, -amount.normalize().as_tuple().exponent)  # type: ignore[operator]
    return int(amount * 10 ** scale), scale


@singledispatch
def _compile(node: object, batch: BatchProgram) -> Fn:
    raise TypeError(f"cannot compile {node!r}")


@_compile.register
def _(node: ast.Literal, batch: BatchProgram) -> Fn:
    value = node.value
    if isinstance(value, bool):
        out = Arr(np.bool_(value), None, "bool")
    elif isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise unsupported(node, "a number with decimals")
        out = Arr(np.int64(int(value)), None, "number")
    elif isinstance(value, values.Money):
        data, scale = _scaled(value.amount * 100)
        out = Arr(np.int64(data), None, "money", scale)
    elif isinstance(value, values.Rate):
        data, scale = _scaled(value.fraction)
        out = Arr(np.int64(data), None, "percent", scale)
    elif isinstance(value, dt.date):
        out = Arr(np.int64(day_number(value)), None, "date")
    else:
        raise unsupported(node, f"the literal {ast.to_source(node)}")
    return lambda frame: out


@_compile.register
def _(node: ast.Name, batch: BatchProgram) -> Fn:
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


@_compile.register
def _(node: ast.SetLit, batch: BatchProgram) -> Fn:
    bits = 0
    for item in node.items:
        if not isinstance(item, ast.Name) or item.dotted not in batch.code_bit:
            raise unsupported(node, "a set of anything but benefit codes")
        bits |= 1 << batch.code_bit[item.dotted]
    out = Arr(np.int64(bits), None, "set[code]")
    return lambda frame: out


@_compile.register
def _(node: ast.Unary, batch: BatchProgram) -> Fn:
    operand = batch.function(node.operand)
    if node.op == "not":
        return lambda frame: _not(operand(frame))
    return lambda frame: _negate(operand(frame))


def _not(value: Arr) -> Arr:
    return Arr(~value.data, value.none, "bool")


def _negate(value: Arr) -> Arr:
    return Arr(-value.data, value.none, value.kind, value.scale)


ARITHMETIC = {"+": np.add, "-": np.subtract}


@_compile.register
def _(node: ast.Binary, batch: BatchProgram) -> Fn:
    terms = _amount_terms(node)
    if terms is not None and len(terms) > 1 and len({fact for fact, _, _ in terms}) == 1:
        return _amount_sum(node, terms, batch)
    left, right, op = batch.function(node.left), batch.function(node.right), node.op
    if op == "/":
        raise unsupported(node, "a division")

    def run(frame: Frame) -> Arr:
        a, b = left(frame), right(frame)
        if op == "*":
            kind = "money" if "money" in (a.kind, b.kind) else ("percent" if "percent" in (a.kind, b.kind) else a.kind)
            return Arr(a.data * b.data, _none_of(a, b), kind, a.scale + b.scale)
        if _is_zero(b) and b.scale <= a.scale:
            return a
        if op == "+" and _is_zero(a) and a.scale <= b.scale:
            return b
        x, y, scale = _align(a, b)
        kind = a.kind if a.kind != "date" or b.kind == "date" else "date"
        return Arr(ARITHMETIC[op](x, y), _none_of(a, b), kind if a.kind != "any" else b.kind, scale)
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


def _amount_sum(node: ast.Binary, terms: list[tuple[str, ast.Expr, ast.Expr | None]], batch: BatchProgram) -> Fn:
    """One pass over the payments for a sum of amounts over disjoint sets (else the plain sum)."""
    fact = terms[0][0]
    sets = [(batch.function(codes), batch.function(condition) if condition is not None else None)
            for _, codes, condition in terms]
    left, right = batch.function(node.left), batch.function(node.right)

    def run(frame: Frame) -> Arr:
        masks = []
        for codes, condition in sets:
            chosen = codes(frame)
            if chosen.none is not None and np.any(chosen.none):  # a set with no value: the plain sum says so
                return _add(left(frame), right(frame))
            masks.append(chosen.data if condition is None else np.where(_truth(condition(frame)), chosen.data, 0))
        union, overlap = masks[0], False
        for mask in masks[1:]:
            overlap = overlap or bool(np.any((union & mask) != 0))
            union = union | mask
        if overlap:
            return _add(left(frame), right(frame))
        return _amount(frame, Arr(fact, None, "amounts"), Arr(union, None, "set[code]"))
    return run


def _add(a: Arr, b: Arr) -> Arr:
    x, y, scale = _align(a, b)
    return Arr(x + y, _none_of(a, b), "money", scale)


@_compile.register
def _(node: ast.Compare, batch: BatchProgram) -> Fn:
    left, right, op = batch.function(node.left), batch.function(node.right), node.op
    when_none = op in ("!=", "not in")

    def run(frame: Frame) -> Arr:
        a, b = left(frame), right(frame)
        if op in ("in", "not in"):
            if a.kind != "code":
                raise unsupported(node, "membership of anything but a benefit code")
            found = ((b.data >> a.data) & 1).astype(bool)
            data = found if op == "in" else ~found
        else:
            x, y, _ = _align(a, b)
            data = COMPARE[op](x, y)
        none = _none_of(a, b)
        if none is not None:
            data = np.where(none, when_none, data)
        return Arr(data, None, "bool")
    return run


@_compile.register
def _(node: ast.Logic, batch: BatchProgram) -> Fn:
    combine = np.logical_or if node.op == "or" else np.logical_and
    members = _memberships(node) if node.op == "or" else None
    if members is not None:
        return _membership_or(node, members, batch)
    operands = [batch.function(o) for o in node.operands]

    def run(frame: Frame) -> Arr:
        out = _truth(operands[0](frame))
        for operand in operands[1:]:
            out = combine(out, _truth(operand(frame)))
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


def _membership_or(node: ast.Logic, members: list[Member | None], batch: BatchProgram) -> Fn:
    others = [batch.function(o) for o, m in zip(node.operands, members) if m is None]
    parts = [(batch.function(c) if c is not None else None, batch.function(e), code)
             for c, e, code in (m for m in members if m is not None)]

    def run(frame: Frame) -> Arr:
        union: Any = np.int64(0)
        for condition, item, code in parts:
            value = item(frame)
            bits = (np.int64(1) << value.data) if code is not None else value.data
            if value.none is not None:
                bits = np.where(value.none, 0, bits)
            if condition is not None:
                bits = np.where(_truth(condition(frame)), bits, 0)
            union = union | bits
        out = (frame.benefits().data & union) != 0
        for other in others:
            out = out | _truth(other(frame))
        return Arr(out, None, "bool")
    return run


@_compile.register
def _(node: ast.If, batch: BatchProgram) -> Fn:
    condition, then, otherwise = (batch.function(n) for n in (node.condition, node.then, node.otherwise))

    def run(frame: Frame) -> Arr:
        test = _truth(condition(frame))
        if np.size(test) < 4096:  # a condition on the week or the person alone: skip a branch no cell takes
            if not np.any(test):
                return otherwise(frame)
            if np.all(test):
                return then(frame)
        return _where(test, then(frame), otherwise(frame))
    return run


@_compile.register
def _(node: ast.Steps, batch: BatchProgram) -> Fn:
    subject = batch.function(node.subject)
    rows = []
    for step in node.steps:
        if not isinstance(step.low.value, Decimal):
            raise unsupported(node, "a step table over anything but whole numbers")
        high = step.high.value if step.high else None
        rows.append((int(step.low.value), None if high is None else int(high), batch.function(step.result)))  # type: ignore[arg-type]

    constant = all(isinstance(step.result, ast.Literal) for step in node.steps)

    def run(frame: Frame) -> Arr:
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
        out = _where(hit, result, out)
    return out


@_compile.register
def _(node: ast.Call, batch: BatchProgram) -> Fn:
    args = [batch.function(a) for a in node.args]
    if node.function in ("previous", "count_weeks", "sum_weeks"):
        series = node.args[0].dotted  # type: ignore[union-attr]
        rest = args[1:]
        return lambda frame: _lagged(frame, node.function, series, [a(frame) for a in rest])
    function = CALLS.get(node.function)
    if function is None:
        raise unsupported(node, f"{node.function}()")

    def run(frame: Frame) -> Arr:
        found = [a(frame) for a in args]
        result = function(frame, *found)
        none = _none_of(*found)
        return result if none is None else Arr(result.data, none, result.kind, result.scale)
    return run


def _round(frame: Frame, amount: Arr, step: int = 0) -> Arr:
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


def _amount(frame: Frame, which: Arr, codes: Arr) -> Arr:
    """The week's øre paid under a set of codes: one pass over the spread amounts (sorted by cell)."""
    weeks, run = frame.run.weeks, frame.run
    part = slice(None) if frame.week is None else slice(weeks.week_start[frame.week], weeks.week_start[frame.week + 1])
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
        x, y, scale = _align(out, item)
        out = Arr(function(x, y), None, out.kind, scale)
    return out


def _lagged(frame: Frame, function: str, series: str, args: list[Arr]) -> Arr:
    if function == "previous":
        return _previous(frame, series, args[0])
    return _window(frame, function, series, args)


def _previous(frame: Frame, series: str, default: Arr) -> Arr:
    run = frame.run
    if frame.week is not None:
        if frame.week == 0:
            return default
        stored, week = run.full[series], frame.week - 1
        return Arr(_row(stored.data, week), _row(stored.none, week), stored.kind, stored.scale)
    stored, shape = run.full[series], run.shape
    later, first, scale = _align(stored, default)
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


def _window(frame: Frame, function: str, series: str, args: list[Arr]) -> Arr:
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
    return Arr(found, _none_of(weeks, *([after] if after is not None else [])), kind, stored.scale if kind != "number" else 0)
