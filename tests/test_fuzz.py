"""Any text parses to an `engine.lang.ast` node or raises `RuleSyntaxError`, never anything else,
and every span of every node lies inside the text."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.lang import ast, parser
from engine.lang.errors import RuleSyntaxError
from engine.lang.source import Span

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

NAMES = st.sampled_from(["a", "x", "citizen.age", "citizen.benefit", "as_of", "æble", "_y", "a.b.c", "ifx", "notice"])
NUMBERS = st.sampled_from(["0", "1", "4", "12.5", "007", "1.", ".5", "99999999999999999999"])
KEYWORDS = st.sampled_from(["if", "then", "else", "and", "or", "not", "in", "not in", "true", "false", "steps"])
OPERATORS = st.sampled_from(["+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">=", "=", "..", "->", "%", "kr", ","])
PUNCTUATION = st.sampled_from(["(", ")", "{", "}", ",", "(", ")"])
LITERALS = st.sampled_from(["2024-01-31", "2023-02-30", "8 weeks", "3 uger", "1 år", "8.5 weeks", '"tekst"', '"', "100 kr",
                            "80%", "8 wekes", "#", "\n", "\t"])
CALLS = st.sampled_from(["age(", "min(", "max(", "count(", "days_between(", "monday(", "round_ore(", "round_kr(", "nosuch("])
TOKENS = st.one_of(NAMES, NUMBERS, KEYWORDS, OPERATORS, PUNCTUATION, LITERALS, CALLS)
TOKEN_TEXT = st.lists(TOKENS, max_size=25).map(" ".join)
DENSE_TEXT = st.lists(TOKENS, max_size=25).map("".join)


def _check(text: str) -> None:
    try:
        node = parser.parse_expression(text)
    except RuleSyntaxError as exc:
        assert exc.diagnostics and all(d.category == "syntax" for d in exc.diagnostics)
        for diagnostic in exc.diagnostics:
            assert diagnostic.spans, diagnostic
            for span in diagnostic.spans:
                _inside(span, text)
        return
    for found in _nodes(node):
        _inside(found.span, text)


def _nodes(node: ast.Expr) -> list[object]:
    """Every node, including step rows and their bounds, which `ast.walk` does not visit."""
    out: list[object] = []
    for found in ast.walk(node):
        out.append(found)
        if isinstance(found, ast.Steps):
            for step in found.steps:
                out.extend([step, step.low] + ([step.high] if step.high is not None else []))
    return out


def _inside(span: Span, text: str) -> None:
    """Lines are 1-based; a column may be one past the end of its line (an exclusive end)."""
    lines = (text + " ").split("\n")
    assert 1 <= span.line <= span.end_line <= len(lines), (span, text)
    assert 1 <= span.col <= len(lines[span.line - 1]) + 1, (span, text)
    assert 1 <= span.end_col <= len(lines[span.end_line - 1]) + 1, (span, text)
    assert (span.line, span.col) < (span.end_line, span.end_col), (span, text)


@SETTINGS
@given(st.text(max_size=80))
def test_any_text(text: str) -> None:
    _check(text)


@SETTINGS
@given(TOKEN_TEXT)
def test_token_soup(text: str) -> None:
    _check(text)


@SETTINGS
@given(DENSE_TEXT)
def test_token_soup_without_spaces(text: str) -> None:
    _check(text)


def _expressions() -> st.SearchStrategy[str]:
    """Mostly well-formed expressions, so the builder and the spans of deep trees are exercised."""
    leaves = st.one_of(NAMES, NUMBERS, st.sampled_from(["2024-01-31", "8 weeks", "100 kr", "80%", '"a"', "true"]))

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "==", "<", "and", "or", "in"]), inner).map(" ".join),
            inner.map(lambda e: f"not {e}"), inner.map(lambda e: f"-{e}"), inner.map(lambda e: f"({e})"),
            st.tuples(inner, inner, inner).map(lambda t: f"if {t[0]} then {t[1]} else {t[2]}"),
            st.lists(inner, max_size=3).map(lambda items: "{" + ", ".join(items) + "}"),
            st.tuples(CALLS, st.lists(inner, max_size=3)).map(lambda t: t[0] + ", ".join(t[1]) + ")"),
            st.tuples(inner, inner).map(lambda t: f"steps {t[0]} {{ 1..4 -> {t[1]}, 5.. -> {t[1]} }}"),
        )
    return st.recursive(leaves, extend, max_leaves=12)


@SETTINGS
@given(_expressions(), st.sampled_from(["", "\n", "  ", " # note"]))
def test_grammar_shaped_expressions(text: str, padding: str) -> None:
    _check(padding + text.replace(" and ", "\n  and ") + padding)


@SETTINGS
@given(_expressions())
def test_well_formed_expressions_round_trip(text: str) -> None:
    """`to_source` of a parsed tree parses again to the same tree."""
    try:
        node = parser.parse_expression(text)
    except RuleSyntaxError:
        return
    assert parser.parse_expression(ast.to_source(node)) == node
