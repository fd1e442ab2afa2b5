"""Checked AST → closures. Each closure takes a `Scope` (one case on one date) and returns a value.

Unknown inputs propagate as `Unknown` (never as false or zero); `and`/`or` follow Kleene's
three-valued logic so a known side can still decide. A value with no applicable definition
is `None`: equal to nothing, in no set, and it makes arithmetic `None` too.
"""
from __future__ import annotations

import datetime as dt
import operator
import sys
from decimal import Decimal, DecimalException, InvalidOperation
from functools import singledispatch
from typing import Any, Callable, Iterable, Protocol

from engine.lang import ast, builtins, values
from engine.lang.errors import Diagnostic, EvaluationError
from engine.lang.values import Duration, Money, Rate, Unknown

Fn = Callable[["Scope"], Any]


class Scope(Protocol):
    as_of: dt.date

    def input(self, input_id: str) -> Any: ...
    def value(self, name: str) -> Any: ...


class Names(Protocol):
    inputs: dict[str, Any]
    values: dict[str, Any]


class Recorder(Protocol):
    """Told which way each condition went (see `engine.officer.scenario_coverage`); only for instrumented programs."""

    def saw(self, node: ast.Expr | ast.Step, outcome: Any) -> None: ...


class _Observed:
    """The names a program compiles against, plus the coverage recorder its closures report to."""

    def __init__(self, names: Names, recorder: Recorder) -> None:
        self.inputs, self.values, self.recorder = names.inputs, names.values, recorder


def _observed(node: ast.Expr, names: Names) -> Fn:
    """A sub-expression whose outcome a coverage recorder sees; the plain closure when none listens."""
    function = _compile(node, names)
    recorder = getattr(names, "recorder", None)
    if recorder is None:
        return function

    def run(scope: Scope) -> Any:
        result = function(scope)
        recorder.saw(node, result)
        return result
    return run


def _reached(step: ast.Step, function: Fn, names: Names) -> Fn:
    """A step table row that tells the coverage recorder when it is taken."""
    recorder = getattr(names, "recorder", None)
    if recorder is None:
        return function

    def run(scope: Scope) -> Any:
        recorder.saw(step, True)
        return function(scope)
    return run


def _unknown(*args: Any) -> Unknown | None:
    for arg in args:  # most often none is unknown: answered without building a list
        if arg.__class__ is Unknown:
            break
    else:
        return None
    found = [a for a in args if isinstance(a, Unknown)]
    return Unknown(frozenset().union(*(u.missing for u in found))) if found else None


def fail(message: str, node: ast.Expr | ast.Step) -> EvaluationError:
    return EvaluationError([Diagnostic("evaluation", message, (node.span,))])


@singledispatch
def _compile(node: object, names: Names) -> Fn:
    raise TypeError(f"cannot compile {node!r}")


@_compile.register
def _(node: ast.Literal, names: Names) -> Fn:
    value = node.value
    return lambda scope: value


@_compile.register
def _(node: ast.Name, names: Names) -> Fn:
    dotted = node.dotted
    if dotted == "as_of":
        return lambda scope: scope.as_of
    if dotted.startswith("week."):  # a fact of the current week, supplied by the weekly evaluator
        return lambda scope: scope.week(dotted)  # type: ignore[attr-defined]
    if dotted in names.inputs:
        return lambda scope: scope.input(dotted)
    if dotted in names.values:
        return lambda scope: scope.value(dotted)
    return lambda scope: dotted  # a code


@_compile.register
def _(node: ast.SetLit, names: Names) -> Fn:
    items = [_compile(i, names) for i in node.items]

    def run(scope: Scope) -> Any:
        found = [item(scope) for item in items]
        return _unknown(*found) or frozenset(found)
    return run


@_compile.register
def _(node: ast.Unary, names: Names) -> Fn:
    operand = _compile(node.operand, names)
    if node.op == "not":
        return lambda scope: _not(operand(scope))
    return lambda scope: _negate(operand(scope))


def _not(value: Any) -> Any:
    return value if isinstance(value, Unknown) or value is None else not value


def _negate(value: Any) -> Any:
    if isinstance(value, Unknown) or value is None:
        return value
    if isinstance(value, Money):
        return Money(-value.amount)
    if isinstance(value, Rate):
        return Rate(-value.fraction)
    if isinstance(value, Duration):
        return Duration(-value.count, value.unit)
    return -value


def _add_durations(a: Duration, b: Duration, sign: int) -> Duration:
    if a.unit != b.unit:
        raise ValueError(f"cannot combine {a} and {b}; add each to a date in turn")
    return Duration(a.count + sign * b.count, a.unit)


def _scale(duration: Duration, factor: Decimal) -> Duration:
    if factor != factor.to_integral_value():
        raise ValueError(f"cannot take {factor} times {duration}; use a whole number")
    return duration.scaled(int(factor))


ARITHMETIC: dict[tuple[str, type, type], Callable[[Any, Any], Any]] = {
    ("+", Decimal, Decimal): operator.add, ("-", Decimal, Decimal): operator.sub,
    ("*", Decimal, Decimal): operator.mul, ("/", Decimal, Decimal): operator.truediv,
    ("+", Money, Money): lambda a, b: Money(a.amount + b.amount),
    ("-", Money, Money): lambda a, b: Money(a.amount - b.amount),
    ("*", Money, Decimal): lambda a, b: Money(a.amount * b), ("*", Decimal, Money): lambda a, b: Money(a * b.amount),
    ("*", Money, Rate): lambda a, b: Money(a.amount * b.fraction), ("*", Rate, Money): lambda a, b: Money(a.fraction * b.amount),
    ("/", Money, Decimal): lambda a, b: Money(a.amount / b), ("/", Money, Money): lambda a, b: a.amount / b.amount,
    ("+", Rate, Rate): lambda a, b: Rate(a.fraction + b.fraction), ("-", Rate, Rate): lambda a, b: Rate(a.fraction - b.fraction),
    ("*", Rate, Decimal): lambda a, b: Rate(a.fraction * b), ("*", Decimal, Rate): lambda a, b: Rate(a * b.fraction),
    ("*", Rate, Rate): lambda a, b: Rate(a.fraction * b.fraction), ("/", Rate, Decimal): lambda a, b: Rate(a.fraction / b),
    ("+", dt.date, Duration): values.add_duration, ("+", Duration, dt.date): lambda a, b: values.add_duration(b, a),
    ("-", dt.date, Duration): lambda a, b: values.add_duration(a, b, -1),
    ("+", Duration, Duration): lambda a, b: _add_durations(a, b, 1),
    ("-", Duration, Duration): lambda a, b: _add_durations(a, b, -1),
    ("*", Decimal, Duration): lambda a, b: _scale(b, a), ("*", Duration, Decimal): _scale,
}


@_compile.register
def _(node: ast.Binary, names: Names) -> Fn:
    left, right, apply = _compile(node.left, names), _compile(node.right, names), binary(node)
    return lambda scope: apply(left(scope), right(scope))


def binary(node: ast.Binary) -> Callable[[Any, Any], Any]:
    """An arithmetic node's operation on its two operands' values."""
    op = node.op

    def apply(a: Any, b: Any) -> Any:
        missing = _unknown(a, b)
        if missing or a is None or b is None:
            return missing
        function = ARITHMETIC.get((op, type(a), type(b)))
        if function is None:
            raise fail(f"cannot apply '{op}' to {values.to_text(a)} and {values.to_text(b)}", node)
        try:
            result = function(a, b)
        except (DecimalException, ZeroDivisionError, ValueError, OverflowError) as exc:
            if isinstance(exc, ZeroDivisionError) or (isinstance(exc, InvalidOperation) and op == "/"):  # n/0, 0/0
                raise fail(f"division by zero in '{ast.to_source(node)}'", node) from None
            raise fail(f"'{ast.to_source(node)}' cannot be computed: {_reason(exc)}", node) from None
        if values.too_large(result):  # the check bounds this; a division by a tiny result can still get here
            raise fail(f"'{ast.to_source(node)}' gives a number of more than {values.MAX_DIGITS} digits", node)
        return result
    return apply


def _reason(exc: Exception) -> str:
    """Words for an arithmetic failure: Decimal's exceptions carry no message of their own."""
    if isinstance(exc, (DecimalException, OverflowError)):
        return "the result is too large (or a date falls outside the calendar)"
    return str(exc)


COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "in": lambda a, b: a in b, "not in": lambda a, b: a not in b,
}


@_compile.register
def _(node: ast.Compare, names: Names) -> Fn:
    left, right, compare = _compile(node.left, names), _compile(node.right, names), COMPARISONS[node.op]
    when_none = node.op in ("!=", "not in")

    def decide(a: Any, b: Any) -> Any:
        return when_none if a is None or b is None else compare(a, b)

    def run(scope: Scope) -> Any:
        a, b = left(scope), right(scope)
        if isinstance(a, Unknown) and isinstance(b, Unknown):
            return _unknown(a, b)
        if isinstance(a, Unknown) or isinstance(b, Unknown):
            return _decide_over_possible(a, b, decide)
        return decide(a, b)
    return run


def _decide_over_possible(a: Any, b: Any, decide: Callable[[Any, Any], Any]) -> Any:
    """One side unknown, the other known: decided if every possible value gives the same answer."""
    unknown = a if isinstance(a, Unknown) else b
    if unknown.possible is None:
        return Unknown(unknown.missing)
    answers = {decide(p, b) if unknown is a else decide(a, p) for p in unknown.possible}
    return answers.pop() if len(answers) == 1 else Unknown(unknown.missing)


@_compile.register
def _(node: ast.Logic, names: Names) -> Fn:
    operands = [_observed(o, names) for o in node.operands]
    decisive = node.op == "or"  # `or` is decided by a true operand, `and` by a false one

    def run(scope: Scope) -> Any:
        pending: list[Unknown] = []
        for operand in operands:
            value = operand(scope)
            if isinstance(value, Unknown):
                pending.append(value)
            elif bool(value) is decisive:
                return decisive
        return _unknown(*pending) or (not decisive)
    return run


@_compile.register
def _(node: ast.If, names: Names) -> Fn:
    condition = _observed(node.condition, names)
    then, otherwise = (_compile(n, names) for n in (node.then, node.otherwise))

    def run(scope: Scope) -> Any:
        test = condition(scope)
        if isinstance(test, Unknown):
            return _still_needed(test, scope, (then, otherwise))
        return then(scope) if test else otherwise(scope)
    return run


def _still_needed(undecided: Unknown, scope: Scope, outcomes: Iterable[Fn]) -> Unknown:
    """An undecided choice (an `if` test, a step table's subject) together with the facts that
    the outcomes it could still pick need: once the choice is known, those facts decide the
    result, so whoever asks what is missing hears all of it in one round."""
    missing = set(undecided.missing)
    for outcome in outcomes:
        try:
            value = outcome(scope)
        except EvaluationError:  # an outcome that cannot be computed here asks for no facts
            continue
        if isinstance(value, Unknown):
            missing |= value.missing
    return Unknown(frozenset(missing))


@_compile.register
def _(node: ast.Call, names: Names) -> Fn:
    builtin = builtins.REGISTRY[node.function]
    if builtin.lagged:
        return _compile_lagged(node, names)
    args, apply = [_compile(a, names) for a in node.args], call(node, names)
    return lambda scope: apply(*[arg(scope) for arg in args])


def call(node: ast.Call, names: Names) -> Callable[..., Any]:
    """A (not lagged) built-in's call on its arguments' values."""
    builtin = builtins.REGISTRY[node.function]
    # a built-in that cannot answer from the facts it was given names the inputs it read
    read = frozenset(a.dotted for a in node.args if isinstance(a, ast.Name) and a.dotted in names.inputs)

    def apply(*found: Any) -> Any:
        missing = _unknown(*found)
        if (missing or any(a is None for a in found)) and not builtin.takes_unknown:
            return missing
        try:
            result = builtin.call(*found)
        except (DecimalException, ValueError, OverflowError) as exc:
            raise fail(f"{node.function}(): {_reason(exc)}", node) from None
        return Unknown(read) if isinstance(result, Unknown) and not result.missing else result
    return apply


def _compile_lagged(node: ast.Call, names: Names) -> Fn:
    """previous/count_weeks/sum_weeks: the series is named, not evaluated; the weekly scope looks back."""
    function, series = node.function, node.args[0].dotted  # type: ignore[union-attr]
    rest = [_compile(a, names) for a in node.args[1:]]
    return lambda scope: scope.lagged(function, series, *(arg(scope) for arg in rest))  # type: ignore[attr-defined]


@_compile.register
def _(node: ast.Steps, names: Names) -> Fn:
    subject = _compile(node.subject, names)
    results = [_compile(step.result, names) for step in node.steps]
    rows = [(step.low.value, step.high.value if step.high else None, _reached(step, result, names))
            for step, result in zip(node.steps, results)]

    def run(scope: Scope) -> Any:
        key = subject(scope)
        if isinstance(key, Unknown):
            return _still_needed(key, scope, results)
        if key is None:
            return key
        for (low, high, result), following in zip(rows, [*rows[1:], None]):
            # a row reaches up to where the next one starts, so 4.5 falls in 1..4 when 5.. follows
            if low <= key and (key < following[0] if following else high is None or key <= high):
                return result(scope)
        return None
    return run


class Program:
    """A checked rule set whose rule expressions are compiled once (on first use), ready for many cases."""

    def __init__(self, checked: Any, recorder: Recorder | None = None) -> None:
        self.checked = checked
        self.names: Names = checked if recorder is None else _Observed(checked, recorder)
        self.recorder = recorder
        # by identity: structurally equal literals may differ in type (`false == 0` in Python)
        self._compiled: dict[int, tuple[ast.Expr, Fn]] = {}  # keeps each node alive, so its id stays its own
        self.closures: dict[int, Fn] = {}                     # the same functions, for the one lookup per call
        # each expression is compiled when first evaluated: one case needs only the rules taking
        # part in it, and writing and compiling every expression's source takes about 40 ms

    def function(self, node: ast.Expr) -> Fn:
        """The closure of an expression or of any sub-expression (compiled on first use)."""
        found = self.closures.get(id(node))
        if found is None:
            from engine.lang import pysource  # it builds on this module's functions

            # one Python function per expression runs faster than its tree of closures; the
            # closures stay where a coverage recorder listens to every condition
            found = (_observed(node, self.names) if self.recorder else
                     pysource.function(node, self.names, sys.modules[__name__]))
            self.closures[id(node)] = found
            self._compiled[id(node)] = (node, found)
        return found


def compile_ruleset(checked: Any, recorder: Recorder | None = None) -> Program:
    """Compile every rule; with a `recorder`, the closures report how each condition went."""
    return Program(checked, recorder)
