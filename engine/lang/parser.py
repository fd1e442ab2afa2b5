"""Expression and citation text → typed AST. The only module that imports Lark.

Lark trees never leave this module: they are turned into `engine.lang.ast` nodes at once,
and Lark's exceptions into `RuleSyntaxError` with a friendly message from a table
of known mistakes (`SYNTAX_ERRORS`), never a raw "Expected one of" list.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import resources
from typing import Any, Callable

import lark
from lark import Token, Tree

from engine.lang import ast, citations, values
from engine.lang.errors import Diagnostic, RuleSyntaxError
from engine.lang.source import Span, TextOrigin

MAX_EXPRESSION_LENGTH = 4000
MAX_DEPTH = 60

# Friendly messages for common mistakes, matched against the parser state in which an
# example fails (Lark's `match_examples`). One test walks this table.
SYNTAX_ERRORS: list[tuple[str, str, list[str]]] = [
    ("missing 'then' after the condition of 'if'", "write: if CONDITION then A else B",
     ["if a > 1 2", "if a b", "if a > 1 else 2"]),
    ("missing 'else': every 'if' needs both 'then' and 'else'", "write: if CONDITION then A else B",
     ["if a then b", "if a > 1 then 2", "if a then 1 + 2"]),
    ("'=' is not a comparison", "use '==' to compare, as in: citizen.age == 30",
     ["a = 1", "citizen.age = 30", "a and b = c"]),
    ("'&&', '||' and '!' are not operators here", "write 'and', 'or' and 'not'",
     ["a && b", "a || b", "!a", "a & b"]),
    ("a parenthesis is opened but not closed", "add the missing ')'",
     ["(a + b", "f(a, b", "(a and (b or c)", "max(a"]),
    ("a set is opened but not closed", "add the missing '}'",
     ["{1, 2", "x in {a, b", "x in {"]),
    ("an operator is missing its right-hand side", "write a value after the operator",
     ["a +", "1 *", "a and", "a or", "x ==", "x in", "not", "a -", "a /"]),
    ("two values stand next to each other with no operator between them",
     "join them with an operator such as 'and', '+' or '=='",
     ["a b", "1 2", "citizen.age 30", "a.b c.d", "(a) b"]),
    ("unknown unit after a number",
     "units are days, weeks, months, years (or dage, uger, måneder, år), 'kr' and '%'",
     ["8 wekes", "30 dayz", "6 mnd", "80 pct"]),
    ("a step table row is written LOW..HIGH -> RESULT",
     "for example: steps x { 1..4 -> 80%, 5.. -> 40% }",
     ["steps x { 1-4 -> 80% }", "steps x { 1 -> 80% }", "steps x { 1..4 80% }", "steps x { 1..4: 80% }"]),
    ("comparisons cannot be chained", "join two comparisons with 'and': a < b and b < c",
     ["a < b < c", "1 <= x <= 3", "a == b == c", "x > 1 >= 2", "x in {1} == 2"]),
    ("a closing parenthesis has no opening one", "remove the ')' or add the matching '('",
     ["a)", "1 + 2)", "f(a))", "(a))"]),
    ("a string is not closed", "end the string with a double quote \"",
     ['"abc', 'x == "abc']),
    ("a character that the rule language does not use", "remove it; the language has no such operator",
     ["a ; b", "a $ b", "a @ b", "a ? b : c"]),
]

_GRAMMARS: dict[str, lark.Lark] = {}


def _grammar(name: str) -> lark.Lark:
    if name not in _GRAMMARS:
        text = resources.files("engine.lang.grammar").joinpath(f"{name}.lark").read_text(encoding="utf-8")
        _GRAMMARS[name] = lark.Lark(text, parser="lalr", propagate_positions=True, maybe_placeholders=True)
    return _GRAMMARS[name]


def parse_expression(text: str, origin: TextOrigin | None = None) -> ast.Expr:
    """Parse one expression; raise `RuleSyntaxError` with a span in the rule file."""
    origin = origin or TextOrigin.standalone(text)
    if not text.strip():
        raise _error("the expression is empty", "write an expression, for example: citizen.age >= 30", origin, 0, 1)
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise _error(f"the expression is longer than {MAX_EXPRESSION_LENGTH} characters",
                     "split it into named values", origin, 0, 1)
    try:
        tree = _grammar("expr").parse(text)
    except lark.exceptions.UnexpectedInput as exc:
        raise _friendly(exc, text, origin) from None
    _check_depth(tree, origin)
    return _Builder(origin).build(tree)


def _check_depth(tree: Tree[Any], origin: TextOrigin) -> None:
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            start = getattr(node.meta, "start_pos", 0) if isinstance(node, Tree) else 0
            raise _error(f"the expression is nested more than {MAX_DEPTH} levels deep",
                         "split it into named values", origin, start, start + 1)
        if isinstance(node, Tree):
            stack.extend((child, depth + 1) for child in node.children)


MAX_LITERAL_DIGITS = 28  # Decimal's precision: a literal is held exactly
MAX_DURATION_DIGITS = 5  # 99999 days is 273 years, past any date a case may hold


def _error(message: str, hint: str | None, origin: TextOrigin, start: int, end: int) -> RuleSyntaxError:
    return RuleSyntaxError([Diagnostic("syntax", message, (origin.span(start, end),), hint)])


def _friendly(exc: lark.exceptions.UnexpectedInput, text: str, origin: TextOrigin) -> RuleSyntaxError:
    position = _position(exc, text)
    label = _match_example(exc)
    message, hint = label if label is not None else _generic_message(exc)
    return _error(message, hint, origin, position, position + 1)


def _match_example(exc: lark.exceptions.UnexpectedInput) -> tuple[str, str] | None:
    """The table entry whose examples fail the same way: by character, else by parser state."""
    if isinstance(exc, lark.exceptions.UnexpectedCharacters):
        return _character_errors().get(exc.char)
    examples: dict[Any, list[str]] = {(message, hint): ex for message, hint, ex in SYNTAX_ERRORS}
    try:
        label: tuple[str, str] | None = exc.match_examples(_grammar("expr").parse, examples, use_accepts=True)
        return label
    except Exception:  # a malformed example must never turn a syntax error into a crash
        return None


_CHARACTER_ERRORS: dict[str, tuple[str, str]] = {}


def _character_errors() -> dict[str, tuple[str, str]]:
    """Which table entry each bad character belongs to, learned by parsing the examples."""
    if not _CHARACTER_ERRORS:
        for message, hint, examples in SYNTAX_ERRORS:
            for example in examples:
                try:
                    _grammar("expr").parse(example)
                except lark.exceptions.UnexpectedCharacters as exc:
                    _CHARACTER_ERRORS.setdefault(exc.char, (message, hint))
                except lark.exceptions.UnexpectedInput:
                    pass
    return _CHARACTER_ERRORS


def _position(exc: lark.exceptions.UnexpectedInput, text: str) -> int:
    token = getattr(exc, "token", None)
    if isinstance(exc, lark.exceptions.UnexpectedEOF) or token is not None and token.type == "$END":
        return max(0, len(text.rstrip()) - 1) if text.strip() else 0
    pos = getattr(exc, "pos_in_stream", None)
    return pos if isinstance(pos, int) else 0


_READABLE = {
    "NAME": "a name", "NUMBER": "a number", "DATE": "a date", "STRING": "a string",
    "RPAR": "')'", "LPAR": "'('", "RBRACE": "'}'", "LBRACE": "'{'", "COMMA": "','",
    "COMP_OP": "a comparison", "PLUS": "'+'", "MINUS": "'-'", "STAR": "'*'", "SLASH": "'/'",
    "$END": "the end of the expression", "UNIT": "a unit",
}


def _generic_message(exc: lark.exceptions.UnexpectedInput) -> tuple[str, str]:
    """A message and hint for a mistake the table does not know, in the rule author's words."""
    if isinstance(exc, lark.exceptions.UnexpectedCharacters):
        return f"unexpected character {exc.char!r}", "remove it; the rule language does not use it"
    token = getattr(exc, "token", None)
    message = "the expression ends too early" if token is None or token.type == "$END" else f"unexpected {str(token)!r}"
    expected = sorted({_READABLE.get(t, repr(t.lower())) for t in getattr(exc, "expected", ()) or ()},
                      key=lambda word: (not word.startswith("a "), word))  # names and numbers first
    return message, f"expected {', '.join(expected[:6])}" if expected else "check the expression here"


class _Builder:
    """Turns a Lark tree into `engine.lang.ast` nodes; dispatch on the tree's alias."""

    def __init__(self, origin: TextOrigin) -> None:
        self.origin = origin
        self.handlers: dict[str, Callable[[Tree[Any]], ast.Expr]] = {
            "number": self.number, "money": self.money, "percent": self.percent,
            "duration": self.duration, "date": self.date, "string": self.string,
            "true": lambda t: ast.Literal(True, self.span(t)),
            "false": lambda t: ast.Literal(False, self.span(t)),
            "name": self.name, "call": self.call, "set": self.set_,
            "steps": self.steps, "if_expr": self.if_expr,
            "or_op": self.logic, "and_op": self.logic, "not_op": self.not_op,
            "compare": self.compare, "in_op": self.compare, "not_in_op": self.compare,
            "binary": self.binary, "neg": self.neg, "negative_number": self.negative_number,
        }

    def build(self, node: Tree[Any] | Token) -> ast.Expr:
        if isinstance(node, Token):  # a bare NUMBER or NAME token inlined by `?atom`
            return self.build(Tree("number" if node.type == "NUMBER" else "name", [node], _meta(node)))
        return self.handlers[node.data](node)

    def span(self, node: Tree[Any] | Token) -> Span:
        meta = node if isinstance(node, Token) else node.meta
        return self.origin.span(meta.start_pos or 0, meta.end_pos or 0)

    def decimal(self, t: Tree[Any], token: Any) -> Decimal:
        """A number literal within the bounds a case's numbers have, so no literal overflows."""
        try:
            return values.parse_number(str(token), MAX_LITERAL_DIGITS)
        except ValueError:
            raise _error(f"a number in a rule has at most {MAX_LITERAL_DIGITS} digits before the point and 10 after it",
                         "write a smaller number", self.origin, t.meta.start_pos, t.meta.end_pos) from None

    def number(self, t: Tree[Any]) -> ast.Expr:
        return ast.Literal(self.decimal(t, t.children[0]), self.span(t))

    def negative_number(self, t: Tree[Any]) -> ast.Expr:
        return ast.Literal(-self.decimal(t, t.children[1]), self.span(t))

    def money(self, t: Tree[Any]) -> ast.Expr:
        return ast.Literal(values.Money(self.decimal(t, t.children[0])), self.span(t))

    def percent(self, t: Tree[Any]) -> ast.Expr:
        return ast.Literal(values.Rate(self.decimal(t, t.children[0]) / 100), self.span(t))

    def duration(self, t: Tree[Any]) -> ast.Expr:
        count, unit = t.children
        if "." in str(count):
            raise _error("a duration counts whole days, weeks, months or years", "write 8 weeks, not 8.5 weeks",
                         self.origin, t.meta.start_pos, t.meta.end_pos)
        if len(str(count)) > MAX_DURATION_DIGITS:
            raise _error(f"a duration counts at most {MAX_DURATION_DIGITS} digits of days, weeks, months or years",
                         "write a shorter duration", self.origin, t.meta.start_pos, t.meta.end_pos)
        return ast.Literal(values.Duration(int(str(count)), values.UNITS[str(unit)]), self.span(t))

    def date(self, t: Tree[Any]) -> ast.Expr:
        try:
            return ast.Literal(dt.date.fromisoformat(str(t.children[0])), self.span(t))
        except ValueError:
            raise _error(f"{t.children[0]} is not a calendar date", "write a real date as YYYY-MM-DD",
                         self.origin, t.meta.start_pos, t.meta.end_pos) from None

    def string(self, t: Tree[Any]) -> ast.Expr:
        return ast.Literal(str(t.children[0])[1:-1], self.span(t))

    def name(self, t: Tree[Any]) -> ast.Expr:
        return ast.Name(tuple(str(c) for c in t.children), self.span(t))

    def call(self, t: Tree[Any]) -> ast.Expr:
        function, *args = t.children
        return ast.Call(str(function), tuple(self.build(a) for a in args if a is not None), self.span(t))

    def set_(self, t: Tree[Any]) -> ast.Expr:
        return ast.SetLit(tuple(self.build(c) for c in t.children if c is not None), self.span(t))

    def steps(self, t: Tree[Any]) -> ast.Expr:
        subject, *rows = [c for c in t.children if c is not None]
        return ast.Steps(self.build(subject), tuple(self.step(r) for r in rows), self.span(t))

    def step(self, t: Tree[Any]) -> ast.Step:
        low, high, result = t.children
        built_high = self.build(high) if high is not None else None
        return ast.Step(self.build(low), built_high, self.build(result), self.span(t))  # type: ignore[arg-type]

    def if_expr(self, t: Tree[Any]) -> ast.Expr:
        condition, then, otherwise = (self.build(c) for c in t.children)
        return ast.If(condition, then, otherwise, self.span(t))

    def logic(self, t: Tree[Any]) -> ast.Expr:
        op = "or" if t.data == "or_op" else "and"
        return ast.Logic(op, tuple(self.build(c) for c in t.children), self.span(t))

    def not_op(self, t: Tree[Any]) -> ast.Expr:
        return ast.Unary("not", self.build(t.children[0]), self.span(t))

    def neg(self, t: Tree[Any]) -> ast.Expr:
        return ast.Unary("-", self.build(t.children[1]), self.span(t))

    def compare(self, t: Tree[Any]) -> ast.Expr:
        if t.data == "compare":
            left, op, right = t.children
            return ast.Compare(str(op), self.build(left), self.build(right), self.span(t))
        op = "in" if t.data == "in_op" else "not in"
        return ast.Compare(op, self.build(t.children[0]), self.build(t.children[1]), self.span(t))

    def binary(self, t: Tree[Any]) -> ast.Expr:
        left, op, right = t.children
        return ast.Binary(str(op), self.build(left), self.build(right), self.span(t))


def _meta(token: Token) -> Any:
    meta = lark.tree.Meta()  # type: ignore[no-untyped-call]
    meta.start_pos, meta.end_pos = token.start_pos or 0, token.end_pos or 0
    meta.empty = False
    return meta


def parse_citation(text: str, origin: TextOrigin | None = None, default_act: str | None = None) -> citations.Citation:
    """Parse one legal citation such as `LAB § 31, stk. 1` or `LAB kap. 12 a`."""
    origin = origin or TextOrigin.standalone(text)
    try:
        tree = _grammar("citation").parse(text.strip())
    except lark.exceptions.UnexpectedInput as exc:
        position = getattr(exc, "pos_in_stream", None) or 0
        raise RuleSyntaxError([Diagnostic(
            "syntax", f"cannot read the citation {text.strip()!r}", (origin.span(position, position + 1),),
            "write a citation like 'LAB § 31, stk. 1', 'LAB §§ 31-34' or 'LAB kap. 7'")]) from None
    return _citation_from_tree(tree, text.strip(), origin.span(0, len(text)), default_act)


def _citation_from_tree(tree: Tree[Any], text: str, span: Any, default_act: str | None) -> citations.Citation:
    act_tree, reference = tree.children
    act, pinned = default_act, None
    if act_tree is not None:
        if act_tree.data == "pinned_version":
            act, pinned = None, f"{act_tree.children[0]} {act_tree.children[1]}"
        else:
            act = str(act_tree.children[0])
    paras = [c for c in reference.children if isinstance(c, Tree) and c.data == "para"]
    extras = {c.data: int(str(c.children[0]).split(".")[0]) for c in reference.children
              if isinstance(c, Tree) and c.data in ("stk", "nr", "pkt")}
    kind = "chapter" if reference.data == "chapter" else "paragraph"
    first = _para(paras[0])
    last = _para(paras[1]) if len(paras) > 1 and paras[1] is not None else first
    if act_tree is None and default_act:
        text = f"{default_act} {text}"
    return citations.Citation(
        text=text, act=act, pinned=pinned, kind=kind, first=first, last=last,
        stk=extras.get("stk"), nr=extras.get("nr"), pkt=extras.get("pkt"), span=span,
    )


def _para(t: Tree[Any]) -> citations.Number:
    number, letter = t.children
    return citations.Number(int(str(number)), str(letter) if letter is not None else "")
