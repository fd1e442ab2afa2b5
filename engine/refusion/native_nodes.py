"""Expression nodes compiled to the statements of the native kernel (the native evaluator's half
of `engine.lang.compiler`).

Each node becomes lines of Python source that Numba compiles, working on one person in one
week: exact int64 data and a boolean no-value flag per value, with the per-person evaluator's
rules for no value (arithmetic has none where an operand has none, a comparison with none is
false, true for != and not in, a condition with none is not true). Money is in units of
øre / 10**scale and a rate a fraction × 10**scale, the scale fixed when compiling, so a rate
times an amount is exact. A node the kernel cannot compile raises `Unsupported`, and its rule
is left to the NumPy evaluator.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Callable

import attrs

from engine.lang import ast, values
from engine.refusion.arrays import scaled
from engine.refusion.weeks import day_number


class Unsupported(Exception):
    """A node the native kernel cannot compile."""

    def __init__(self, node: ast.Expr, what: str) -> None:
        super().__init__(what)
        self.node, self.what = node, what


@attrs.frozen
class Val:
    """A compiled value: source of its data (int64) and of its no-value flag, its type and scale."""

    data: str
    none: str  # "False" when the value is never missing
    kind: str
    scale: int = 0


@attrs.define
class Source:
    """Lines of kernel source at an indentation, and fresh names for temporaries."""

    lines: list[str] = attrs.field(factory=list)
    depth: int = 3
    counter: int = 0

    def emit(self, line: str) -> None:
        self.lines.append("    " * self.depth + line)

    def fresh(self) -> str:
        self.counter += 1
        return f"t{self.counter}"

    def block(self, header: str) -> "_Block":
        self.emit(header)
        return _Block(self)


class _Block:
    def __init__(self, source: Source) -> None:
        self.source = source

    def __enter__(self) -> None:
        self.source.depth += 1
        self.source.emit("pass")

    def __exit__(self, *args: object) -> None:
        self.source.depth -= 1


@attrs.define
class Context:
    """What compiling a node needs: the benefit codes, how to read a value, an input, a lag, and
    where the week's sum of payments under a set of codes comes from (`walk_amount` by default)."""

    code_bit: dict[str, int]
    value: Callable[[str], Val]
    input: Callable[[str], Val]
    lagged: Callable[[Source, ast.Call, list[Val]], Val]
    checked: object
    amount: Callable[[Source, Val, Val], Val] = attrs.field(factory=lambda: walk_amount)
    table: Callable[[tuple[int, ...]], str] | None = None  # a constant array of the kernel's module, by name


def truth(value: Val) -> str:
    """Source of whether a condition holds: no value counts as not true."""
    return f"({value.data} != 0)" if value.none == "False" else f"({value.data} != 0 and not {value.none})"


def either(*flags: str) -> str:
    """Source of 'any of these is missing'."""
    real = [f for f in flags if f != "False"]
    return "False" if not real else " or ".join(f"({f})" for f in real)


def at_scale(value: Val, scale: int) -> str:
    return value.data if scale == value.scale else f"({value.data} * {10 ** (scale - value.scale)})"


def assign(out: Source, value: Val) -> Val:
    """The value in fresh temporaries (so that a branch can set it)."""
    data = out.fresh()
    out.emit(f"{data} = {value.data}")
    if value.none == "False":  # known to have a value: the flag stays a constant of the source
        return Val(data, "False", value.kind, value.scale)
    none = out.fresh()
    out.emit(f"{none} = {value.none}")
    return Val(data, none, value.kind, value.scale)


def compile_expr(node: ast.Expr, out: Source, context: Context) -> Val:
    """Emit the statements computing a node; return where its value is."""
    for kind, compiler in COMPILERS:
        if isinstance(node, kind):
            return compiler(node, out, context)
    raise Unsupported(node, f"the expression {ast.to_source(node)}")


def _literal(node: ast.Literal, out: Source, context: Context) -> Val:
    value = node.value
    if isinstance(value, bool):
        return Val("1" if value else "0", "False", "bool")
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise Unsupported(node, "a number with decimals")
        return Val(str(int(value)), "False", "number")
    if isinstance(value, values.Money):
        data, scale = scaled(value.amount * 100)
        return Val(str(data), "False", "money", scale)
    if isinstance(value, values.Rate):
        data, scale = scaled(value.fraction)
        return Val(str(data), "False", "percent", scale)
    if isinstance(value, dt.date):
        return Val(str(day_number(value)), "False", "date")
    raise Unsupported(node, f"the literal {ast.to_source(node)}")


def _name(node: ast.Name, out: Source, context: Context) -> Val:
    dotted = node.dotted
    fixed = {"as_of": Val("monday", "False", "date"), "week.monday": Val("monday", "False", "date"),
             "week.benefits": Val("bits", "False", "set[code]"),
             "week.amounts": Val("entry_ore", "False", "amounts"),
             "week.month_tail": Val("entry_tail", "False", "amounts")}
    if dotted in fixed:
        return fixed[dotted]
    if dotted in context.checked.inputs:  # type: ignore[attr-defined]
        return context.input(dotted)
    if dotted in context.checked.values:  # type: ignore[attr-defined]
        return context.value(dotted)
    if dotted in context.code_bit:
        return Val(str(context.code_bit[dotted]), "False", "code")
    raise Unsupported(node, f"the name {dotted}")


def _set(node: ast.SetLit, out: Source, context: Context) -> Val:
    bits = 0
    for item in node.items:
        if not isinstance(item, ast.Name) or item.dotted not in context.code_bit:
            raise Unsupported(node, "a set of anything but benefit codes")
        bits |= 1 << context.code_bit[item.dotted]
    return Val(str(bits), "False", "set[code]")


def _unary(node: ast.Unary, out: Source, context: Context) -> Val:
    operand = compile_expr(node.operand, out, context)
    if node.op == "not":
        return assign(out, Val(f"(1 - {operand.data})", operand.none, "bool"))
    return assign(out, Val(f"(-{operand.data})", operand.none, operand.kind, operand.scale))


def _binary(node: ast.Binary, out: Source, context: Context) -> Val:
    if node.op not in ("+", "-", "*"):
        raise Unsupported(node, f"the operator {node.op}")
    a, b = compile_expr(node.left, out, context), compile_expr(node.right, out, context)
    none = either(a.none, b.none)
    if node.op == "*":
        kinds = (a.kind, b.kind)
        kind = "money" if "money" in kinds else ("percent" if "percent" in kinds else a.kind)
        return assign(out, Val(f"({a.data} * {b.data})", none, kind, a.scale + b.scale))
    scale = max(a.scale, b.scale)
    kind = a.kind if a.kind != "date" or b.kind == "date" else "date"
    return assign(out, Val(f"({at_scale(a, scale)} {node.op} {at_scale(b, scale)})", none,
                           kind if a.kind != "any" else b.kind, scale))


COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


def _compare(node: ast.Compare, out: Source, context: Context) -> Val:
    a, b = compile_expr(node.left, out, context), compile_expr(node.right, out, context)
    if node.op in ("in", "not in"):
        if a.kind != "code":
            raise Unsupported(node, "membership of anything but a benefit code")
        test = f"(({b.data} >> {a.data}) & 1) {'!=' if node.op == 'in' else '=='} 0"
    elif node.op in COMPARISONS:
        scale = max(a.scale, b.scale)
        test = f"{at_scale(a, scale)} {node.op} {at_scale(b, scale)}"
    else:
        raise Unsupported(node, f"the comparison {node.op}")
    none = either(a.none, b.none)
    if none == "False":
        return assign(out, Val(f"(1 if {test} else 0)", "False", "bool"))
    missing = "1" if node.op in ("!=", "not in") else "0"
    return assign(out, Val(f"({missing} if {none} else (1 if {test} else 0))", "False", "bool"))


def _logic(node: ast.Logic, out: Source, context: Context) -> Val:
    """`and`/`or` stop at the first operand that decides (no later operand is computed)."""
    result = out.fresh()
    out.emit(f"{result} = {1 if node.op == 'and' else 0}")
    _logic_rest(node.operands, node.op, result, out, context)
    return Val(result, "False", "bool")


def _logic_rest(operands: tuple[ast.Expr, ...] | list[ast.Expr], op: str, result: str, out: Source,
                context: Context) -> None:
    if not operands:
        return
    value = compile_expr(operands[0], out, context)
    holds = truth(value)
    with out.block(f"if {'not ' if op == 'and' else ''}{holds}:"):
        out.emit(f"{result} = {0 if op == 'and' else 1}")
    if len(operands) > 1:
        with out.block("else:"):
            _logic_rest(list(operands[1:]), op, result, out, context)


def _if(node: ast.If, out: Source, context: Context) -> Val:
    condition = compile_expr(node.condition, out, context)
    then_source, else_source = Source(depth=out.depth + 1, counter=out.counter), None
    then = compile_expr(node.then, then_source, context)
    else_source = Source(depth=out.depth + 1, counter=then_source.counter)
    otherwise = compile_expr(node.otherwise, else_source, context)
    out.counter = else_source.counter
    scale = max(then.scale, otherwise.scale)
    data = out.fresh()
    none = "False" if then.none == otherwise.none == "False" else out.fresh()
    out.emit(f"if {truth(condition)}:")
    out.lines += then_source.lines
    out.emit(f"    {data} = {at_scale(then, scale)}")
    if none != "False":
        out.emit(f"    {none} = {then.none}")
    out.emit("else:")
    out.lines += else_source.lines
    out.emit(f"    {data} = {at_scale(otherwise, scale)}")
    if none != "False":
        out.emit(f"    {none} = {otherwise.none}")
    return Val(data, none, then.kind if then.kind != "any" else otherwise.kind, scale)


def _steps(node: ast.Steps, out: Source, context: Context) -> Val:
    key = compile_expr(node.subject, out, context)
    rows = []
    for step in node.steps:
        if not isinstance(step.low.value, Decimal) or (step.high is not None and not isinstance(step.high.value, Decimal)):
            raise Unsupported(node, "a step table over anything but whole numbers")
        branch = Source(depth=out.depth + 1, counter=out.counter)
        result = compile_expr(step.result, branch, context)
        out.counter = branch.counter
        rows.append((int(step.low.value), None if step.high is None else int(step.high.value), branch, result))  # type: ignore[arg-type]
    scale = max(result.scale for *_, result in rows)
    looked_up = _step_lookup(rows, key, scale, out, context)
    if looked_up is not None:
        return looked_up
    data, none = out.fresh(), out.fresh()
    out.emit(f"{data} = 0")
    out.emit(f"{none} = True")
    word = "if"
    for low, high, branch, result in rows:
        test = f"{key.data} >= {low}" + ("" if high is None else f" and {key.data} <= {high}")
        out.emit(f"{word} not ({key.none}) and {test}:" if key.none != "False" else f"{word} {test}:")
        out.lines += branch.lines
        out.emit(f"    {data} = {at_scale(result, scale)}")
        out.emit(f"    {none} = {result.none}")
        word = "elif"
    return Val(data, none, rows[0][3].kind, scale)


TABLE_SPAN = 1024  # the most keys a step table is looked up in instead of tested row by row


def _step_lookup(rows: list[tuple[int, int | None, Source, Val]], key: Val, scale: int, out: Source,
                 context: Context) -> Val | None:
    """A step table whose results are all whole literals, over a short range of keys, as one
    look-up in constant arrays (no branch per row): index 0 holds the keys below the lowest
    bound, the last index the keys above the highest, each the first row that matches."""
    if context.table is None or any(branch.lines or result.none != "False" or not result.data.lstrip("-").isdigit()
                                    for *_, branch, result in rows):
        return None
    low = min(r[0] for r in rows)
    high = max(r[0] if r[1] is None else max(r[0], r[1]) for r in rows)
    if high - low > TABLE_SPAN:
        return None

    def first_row(k: int) -> tuple[int, int]:
        for row_low, row_high, _, result in rows:
            if k >= row_low and (row_high is None or k <= row_high):
                return int(result.data) * 10 ** (scale - result.scale), 0
        return 0, 1

    found = [first_row(k) for k in range(low - 1, high + 2)]  # low - 1: below every row; high + 1: above
    values, missing = context.table(tuple(v for v, _ in found)), context.table(tuple(m for _, m in found))
    index = out.fresh()
    out.emit(f"{index} = min(max({key.data} - {low - 1}, 0), {high - low + 2})")
    data = Val(f"{values}[{index}]", "False", rows[0][3].kind, scale)
    none = f"{missing}[{index}] != 0"
    if key.none != "False":
        data, none = Val(f"(0 if {key.none} else {data.data})", "False", data.kind, scale), f"({key.none}) or {none}"
    return assign(out, Val(data.data, none, data.kind, scale))


def _call(node: ast.Call, out: Source, context: Context) -> Val:
    if node.function in ("previous", "count_weeks", "sum_weeks"):
        rest = [compile_expr(a, out, context) for a in node.args[1:]]
        return context.lagged(out, node, rest)
    args = [compile_expr(a, out, context) for a in node.args]
    function = context.amount if node.function == "amount" else CALLS.get(node.function)
    if function is None:
        raise Unsupported(node, f"{node.function}()")
    found = function(out, *args)
    return assign(out, Val(found.data, either(found.none, *(a.none for a in args)), found.kind, found.scale))


def walk_amount(out: Source, which: Val, codes: Val) -> Val:
    """The week's øre paid under a set of codes: a pass of its own over the person's entries of
    the week (the kernel fuses the passes whose codes are known when the week starts)."""
    total, entry = out.fresh(), out.fresh()
    out.emit(f"{total} = 0")
    with out.block(f"for {entry} in range(lo, hi):"):
        with out.block(f"if ({codes.data} >> entry_code[{entry}]) & 1:"):
            out.emit(f"{total} += {which.data}[{entry}]")
    return Val(total, "False", "money")


def _round(out: Source, amount: Val, unit_kr: bool) -> Val:
    """Round half up (ties away from zero, as Decimal's ROUND_HALF_UP) to whole øre or kroner."""
    unit = 10 ** amount.scale * (100 if unit_kr else 1)
    if unit == 1:
        return Val(amount.data, "False", "money")
    magnitude = f"((abs({amount.data}) * 2 + {unit}) // {2 * unit})"
    rounded = f"({magnitude} if {amount.data} >= 0 else -{magnitude})"
    return Val(f"({rounded} * 100)" if unit_kr else rounded, "False", "money")


def _fold(word: str) -> Callable[..., Val]:
    def fold(out: Source, *items: Val) -> Val:
        scale = max(item.scale for item in items)
        return Val(f"{word}({', '.join(at_scale(i, scale) for i in items)})", "False", items[0].kind, scale)
    return fold


CALLS: dict[str, Callable[..., Val]] = {
    "overlaps": lambda out, a, b: Val(f"(1 if ({a.data} & {b.data}) != 0 else 0)", "False", "bool"),
    "amount": walk_amount,
    "round_ore": lambda out, m: _round(out, m, False),
    "round_kr": lambda out, m: _round(out, m, True),
    "min": _fold("min"),
    "max": _fold("max"),
    "monday": lambda out, d: Val(f"({d.data} - ({d.data} + 3) % 7)", "False", "date"),
    "days_between": lambda out, a, b: Val(f"({b.data} - {a.data})", "False", "number"),
}

COMPILERS: tuple[tuple[type, Callable[..., Val]], ...] = (
    (ast.Literal, _literal), (ast.Name, _name), (ast.SetLit, _set), (ast.Unary, _unary),
    (ast.Binary, _binary), (ast.Compare, _compare), (ast.Logic, _logic), (ast.If, _if),
    (ast.Steps, _steps), (ast.Call, _call),
)

