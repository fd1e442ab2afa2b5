"""Syntax errors: the friendly-message table, and spans that point at the offending character."""
from __future__ import annotations

import re

import pytest

from engine.lang import parser
from engine.lang.errors import RuleSyntaxError

TABLE = [(message, hint, example) for message, hint, examples in parser.SYNTAX_ERRORS for example in examples]
RAW_LARK_WORDS = ("Expected one of", "Token(", "RPAR", "LPAR", "$END", "__ANON", "UnexpectedToken", "UnexpectedCharacters")


def _error(text: str) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as caught:
        parser.parse_expression(text)
    assert len(caught.value.diagnostics) == 1
    return caught.value


def _terminal_names() -> set[str]:
    return {t.name for t in parser._grammar("expr").terminals}


@pytest.mark.parametrize(("message", "hint", "example"), TABLE, ids=[example for _, _, example in TABLE])
def test_every_table_example_gets_its_own_message(message: str, hint: str, example: str) -> None:
    diagnostic = _error(example).diagnostics[0]
    assert diagnostic.category == "syntax"
    assert diagnostic.message == message
    assert diagnostic.hint == hint and hint.strip()


def test_the_table_has_no_empty_entries() -> None:
    assert len(parser.SYNTAX_ERRORS) >= 10
    for message, hint, examples in parser.SYNTAX_ERRORS:
        assert message and hint and examples, message


# Each offending character is marked by a caret under it.
SPANS = [
    ("1 + * 2",
     "    ^"),
    ("a ; b",
     "  ^"),
    ("if a > 1 2",
     "         ^"),
    ("8 wekes",
     "  ^"),
    ("2023-02-30",
     "^"),
    ("8.5 weeks",
     "^"),
    ("a $ b",
     "  ^"),
    ('x == "abc',
     "     ^"),
    ("1 < 2 < 3",
     "      ^"),
    ("steps x { 1-4 -> 80% }",
     "           ^"),
    ("f(1,,2)",
     "    ^"),
    ("{1 2}",
     "   ^"),
    ("x == 1 2024-01-01",
     "       ^"),
    ("citizen.age = 30",
     "            ^"),
    ("!a",
     "^"),
    ("1 + 2 )",
     "      ^"),
    ("æøå ; b",
     "    ^"),
    ("a\t; b",
     "  ^"),
    ("a and or b",
     "      ^"),
    ("x == and",
     "     ^"),
    ("x in in",
     "     ^"),
    ("if then else",
     "   ^"),
    # at the end of the text, the span is the last character written
    ("  1 +  ",
     "    ^"),
    ("max(1, 2",
     "       ^"),
    ("a.b.",
     "   ^"),
]


@pytest.mark.parametrize(("text", "caret"), SPANS, ids=[t for t, _ in SPANS])
def test_span_points_at_the_offending_character(text: str, caret: str) -> None:
    span = _error(text).diagnostics[0].span
    assert (span.path, span.line, span.col) == ("<expr>", 1, caret.index("^") + 1), _error(text).diagnostics[0].message
    assert span.end_line == 1 and span.end_col > span.col


@pytest.mark.parametrize(("text", "line", "col"), [
    ("a +\n* b", 2, 1),
    ("x ==\n  1 2", 2, 5),
    ("if a\nthen b\nelse c d", 3, 8),
    ("(a\n +\n b", 3, 2),
])
def test_span_on_a_later_line(text: str, line: int, col: int) -> None:
    span = _error(text).diagnostics[0].span
    assert (span.line, span.col) == (line, col)


def test_bad_date_spans_the_whole_date() -> None:
    span = _error("x > 2023-02-30").diagnostics[0].span
    assert (span.col, span.end_col) == (5, 15)


BAD = [example for _, _, example in TABLE] + [t for t, _ in SPANS] + [
    ")", "(", "{", "}", ",", "..", "->", "%", "kr", "1 %%", "f(", "f(1,,)", "a..b", "steps", "steps x",
    "steps x {", "steps x { 1.. }", "if", "if a then", "a not b", "a in", "not", "1 kr kr", "x == ==",
    "{1: 2}", "a[0]", "a.b()", "lambda: 1", "1e5", "0x10", "'a'", "a -> b", "1 .. 2", "-", "--",
]


@pytest.mark.parametrize("text", BAD)
def test_no_message_shows_lark_internals(text: str) -> None:
    diagnostic = _error(text).diagnostics[0]
    words = set(re.findall(r"[A-Z_$][A-Z0-9_$]+", diagnostic.message))
    assert not words & _terminal_names(), diagnostic.message
    assert not any(raw in diagnostic.message for raw in RAW_LARK_WORDS), diagnostic.message
    assert diagnostic.span is not None and diagnostic.span.line >= 1


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_expression(text: str) -> None:
    diagnostic = _error(text).diagnostics[0]
    assert diagnostic.message == "the expression is empty" and diagnostic.hint


def test_too_long_and_too_deep_are_syntax_errors() -> None:
    assert "longer than" in _error("1 + " * (parser.MAX_EXPRESSION_LENGTH // 4) + "1").diagnostics[0].message
    assert "nested more than" in _error("not " * 200 + "true").diagnostics[0].message
    assert "nested more than" in _error("f(" * 100 + "1" + ")" * 100).diagnostics[0].message
    assert "nested more than" in _error("-" * 200 + "1").diagnostics[0].message
