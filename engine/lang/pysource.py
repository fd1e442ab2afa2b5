"""A rule expression compiled to one Python function, instead of a tree of closures.

`engine.lang.compiler` turns every node into a closure, so a condition such as
`a == "x" and b > 3` costs a Python call per node (about 6 here) and the checks between them.
Here the same tree is written out as the statements of one function (the operands' values in
local variables, `and`/`or` as nested `if`s), which Python runs at a fraction of the cost. The
meaning is the compiler's, step for step: operands are evaluated in the same order (so the scope
records the same facts and values read), unknowns propagate the same way, and the parts that
are rare or hold their own logic (arithmetic, built-ins, sets, step tables, the undecided `if`)
call the compiler's own functions for them. Only constants (by reference, never as source text)
and the compiler's helpers are in the function's namespace; nothing of a rule file is ever
written into the source but numbers of local variables. Used only when no coverage recorder
listens (`Program` with a recorder keeps the closures, which report each condition).
"""
from __future__ import annotations

from typing import Any, Callable

from engine.lang import ast, builtins
from engine.lang.values import Unknown

MAX_DEPTH = 40  # nested blocks of one function; a deeper expression keeps its closures (the parser stops at 100)

_OPERATORS = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "in": "in", "not in": "not in"}


class _TooDeep(Exception):
    pass


class _Writer:
    """The statements of one function, its local variables and the objects its namespace holds."""

    def __init__(self, names: Any, compiler: Any) -> None:
        self.names, self.compiler = names, compiler
        self.lines: list[str] = []
        self.namespace: dict[str, Any] = {"U": Unknown, "unknown_of": compiler._unknown}
        self.count = 0

    def temp(self) -> str:
        self.count += 1
        return f"v{self.count}"

    def constant(self, value: Any) -> str:
        self.count += 1
        name = f"k{self.count}"
        self.namespace[name] = value
        return name

    def emit(self, depth: int, line: str) -> None:
        if depth > MAX_DEPTH:
            raise _TooDeep()
        self.lines.append("    " * depth + line)

    def value(self, node: ast.Expr, depth: int) -> str:
        """Statements computing `node` at `depth`; returns the local (or constant) holding its value."""
        writer = _WRITERS.get(type(node))
        if writer is None:
            return self.closure(node, depth)
        return writer(self, node, depth)

    def closure(self, node: ast.Expr, depth: int) -> str:
        """The compiler's closure of `node`, called."""
        function, result = self.constant(self.compiler._compile(node, self.names)), self.temp()
        self.emit(depth, f"{result} = {function}(scope)")
        return result


def _literal(w: _Writer, node: ast.Literal, depth: int) -> str:
    return w.constant(node.value)


def _name(w: _Writer, node: ast.Name, depth: int) -> str:
    dotted = node.dotted
    if dotted == "as_of":
        call = "scope.as_of"
    elif dotted.startswith("week."):
        call = f"scope.week({w.constant(dotted)})"
    elif dotted in w.names.inputs:
        call = f"scope.input({w.constant(dotted)})"
    elif dotted in w.names.values:
        call = f"scope.value({w.constant(dotted)})"
    else:
        return w.constant(dotted)  # a code
    result = w.temp()
    w.emit(depth, f"{result} = {call}")
    return result


def _may_be_unknown(node: ast.Expr) -> bool:
    return not isinstance(node, ast.Literal) and not (isinstance(node, ast.Name) and node.dotted == "as_of")


def _compare(w: _Writer, node: ast.Compare, depth: int) -> str:
    a, b = w.value(node.left, depth), w.value(node.right, depth)
    result, op = w.temp(), _OPERATORS[node.op]
    compare, when_none = w.compiler.COMPARISONS[node.op], node.op in ("!=", "not in")

    def decide(x: Any, y: Any) -> Any:
        return when_none if x is None or y is None else compare(x, y)

    def undecided(x: Any, y: Any) -> Any:  # as the compiler's Compare, when a side is unknown
        if isinstance(x, Unknown) and isinstance(y, Unknown):
            return w.compiler._unknown(x, y)
        return w.compiler._decide_over_possible(x, y, decide)

    sides = [side for side, node_ in ((a, node.left), (b, node.right)) if _may_be_unknown(node_)]
    test = "if"
    if sides:
        w.emit(depth, f"if {' or '.join(f'{s}.__class__ is U' for s in sides)}:")
        w.emit(depth + 1, f"{result} = {w.constant(undecided)}({a}, {b})")
        w.emit(depth, f"elif {' or '.join(f'{s} is None' for s in sides)}:")
        w.emit(depth + 1, f"{result} = {when_none}")
        test = "else"
    if test == "else":
        w.emit(depth, "else:")
        w.emit(depth + 1, f"{result} = {a} {op} {b}")
    else:
        w.emit(depth, f"{result} = {a} {op} {b}")
    return result


def _logic(w: _Writer, node: ast.Logic, depth: int) -> str:
    """Kleene's `and`/`or`: the first decisive operand decides and the rest are not evaluated;
    otherwise an unknown operand makes the whole unknown, else the other truth value."""
    decisive = node.op == "or"
    result, seen = w.temp(), []
    for operand in node.operands:
        found = w.value(operand, depth)
        seen.append(found)
        decides = found if decisive else f"not {found}"
        w.emit(depth, f"if {found}.__class__ is not U and {decides}:")
        w.emit(depth + 1, f"{result} = {decisive}")
        w.emit(depth, "else:")
        depth += 1
    w.emit(depth, f"if {' or '.join(f'{found}.__class__ is U' for found in seen)}:")
    w.emit(depth + 1, f"{result} = unknown_of({', '.join(seen)})")
    w.emit(depth, "else:")
    w.emit(depth + 1, f"{result} = {not decisive}")
    return result


def _unary(w: _Writer, node: ast.Unary, depth: int) -> str:
    operand, result = w.value(node.operand, depth), w.temp()
    if node.op == "not":
        w.emit(depth, f"{result} = {operand} if {operand}.__class__ is U or {operand} is None else not {operand}")
    else:
        w.emit(depth, f"{result} = {w.constant(w.compiler._negate)}({operand})")
    return result


def _if(w: _Writer, node: ast.If, depth: int) -> str:
    test, result = w.value(node.condition, depth), w.temp()
    outcomes = (w.compiler._compile(node.then, w.names), w.compiler._compile(node.otherwise, w.names))
    w.emit(depth, f"if {test}.__class__ is U:")
    w.emit(depth + 1, f"{result} = {w.constant(w.compiler._still_needed)}({test}, scope, {w.constant(outcomes)})")
    for keyword, branch in ((f"elif {test}:", node.then), ("else:", node.otherwise)):
        w.emit(depth, keyword)
        w.emit(depth + 1, f"{result} = {w.value(branch, depth + 1)}")
    return result


def _binary(w: _Writer, node: ast.Binary, depth: int) -> str:
    a, b = w.value(node.left, depth), w.value(node.right, depth)
    result = w.temp()
    w.emit(depth, f"{result} = {w.constant(w.compiler.binary(node))}({a}, {b})")
    return result


def _call(w: _Writer, node: ast.Call, depth: int) -> str:
    if builtins.REGISTRY[node.function].lagged:
        return w.closure(node, depth)
    found = [w.value(arg, depth) for arg in node.args]
    result = w.temp()
    w.emit(depth, f"{result} = {w.constant(w.compiler.call(node, w.names))}({', '.join(found)})")
    return result


def _set(w: _Writer, node: ast.SetLit, depth: int) -> str:
    literals = [item.value for item in node.items if isinstance(item, ast.Literal)]
    if len(literals) == len(node.items):  # a literal is never unknown: the set is built once
        return w.constant(frozenset(literals))
    found = [w.value(item, depth) for item in node.items]
    result = w.temp()
    items = "".join(f"{item}, " for item in found)
    w.emit(depth, f"{result} = unknown_of({items}) or {w.constant(frozenset)}(({items}))")
    return result


_WRITERS: dict[type, Callable[[_Writer, Any, int], str]] = {
    ast.Literal: _literal, ast.Name: _name, ast.Compare: _compare, ast.Logic: _logic, ast.Unary: _unary,
    ast.If: _if, ast.Binary: _binary, ast.Call: _call, ast.SetLit: _set,
}


def function(node: ast.Expr, names: Any, compiler: Any) -> Callable[[Any], Any]:
    """`node` as one Python function of a scope; the compiler's closure when it nests too deep.
    `compiler` is the module `engine.lang.compiler`, handed over by its `Program` (which imports
    this module: an import back would be a circle)."""
    writer = _Writer(names, compiler)
    try:
        result = writer.value(node, 1)
    except _TooDeep:
        return compiler._compile(node, names)  # type: ignore[no-any-return]
    source = "\n".join(["def run(scope):", *writer.lines, f"    return {result}"])
    exec(compile(source, f"<rule expression at {node.span}>", "exec"), writer.namespace)  # noqa: S102 - our own source
    return writer.namespace["run"]  # type: ignore[no-any-return]
