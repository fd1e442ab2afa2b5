"""The parser: AST shapes and values, and spans that point into the .yaml file the text came from."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from rulebook_files import HEADER, input_rule, value_rule

import engine
from engine.lang import ast, parser, values


def parse(text: str) -> ast.Expr:
    return parser.parse_expression(text)


class TestShapes:
    def test_precedence_of_arithmetic(self) -> None:
        node = parse("1 + 2 * 3")
        assert isinstance(node, ast.Binary) and node.op == "+"
        assert isinstance(node.right, ast.Binary) and node.right.op == "*"

    def test_subtraction_is_left_associative(self) -> None:
        node = parse("10 - 2 - 3")
        assert isinstance(node, ast.Binary) and isinstance(node.left, ast.Binary)
        assert node.right == ast.Literal(Decimal(3), node.right.span)

    def test_and_binds_tighter_than_or(self) -> None:
        node = parse("a or b and c")
        assert isinstance(node, ast.Logic) and node.op == "or"
        assert isinstance(node.operands[1], ast.Logic) and node.operands[1].op == "and"

    def test_chains_of_and_are_flattened(self) -> None:
        node = parse("a and b and c and d")
        assert isinstance(node, ast.Logic) and [o.dotted for o in node.operands] == ["a", "b", "c", "d"]  # type: ignore[union-attr]

    def test_comparison_binds_tighter_than_not(self) -> None:
        node = parse("not a == b")
        assert isinstance(node, ast.Unary) and node.op == "not" and isinstance(node.operand, ast.Compare)

    def test_not_in(self) -> None:
        node = parse("x not in {a, b}")
        assert isinstance(node, ast.Compare) and node.op == "not in" and isinstance(node.right, ast.SetLit)
        assert len(node.right.items) == 2

    def test_dotted_name(self) -> None:
        assert parse("citizen.benefit_since").parts == ("citizen", "benefit_since")  # type: ignore[union-attr]

    def test_call_with_trailing_comma(self) -> None:
        node = parse("max(a, 1,)")
        assert isinstance(node, ast.Call) and node.function == "max" and len(node.args) == 2

    def test_call_without_arguments(self) -> None:
        node = parse("monday()")
        assert isinstance(node, ast.Call) and node.args == ()

    def test_step_table(self) -> None:
        node = parse("steps w { -3..-1 -> 1, 0..4 -> 2, 5.. -> 3 }")
        assert isinstance(node, ast.Steps) and len(node.steps) == 3
        first, _, last = node.steps
        assert (first.low.value, first.high.value) == (Decimal(-3), Decimal(-1))  # type: ignore[union-attr]
        assert last.high is None

    def test_parentheses_leave_no_node(self) -> None:
        assert parse("((a))") == parse("a")


class TestLiterals:
    @pytest.mark.parametrize(("text", "value"), [
        ("12.50", Decimal("12.50")),
        ("100 kr", values.Money(Decimal(100))),
        ("80%", values.Rate(Decimal("0.8"))),
        ("12.5%", values.Rate(Decimal("0.125"))),
        ("2024-02-29", dt.date(2024, 2, 29)),
        ('"æøå"', "æøå"),
        ("true", True),
        ("false", False),
        ("3 uger", values.Duration(3, "weeks")),
        ("1 år", values.Duration(1, "years")),
        ("2 måneder", values.Duration(2, "months")),
        ("1 dag", values.Duration(1, "days")),
    ])
    def test_literal_values(self, text: str, value: object) -> None:
        node = parse(text)
        assert isinstance(node, ast.Literal)
        assert type(node.value) is type(value) and node.value == value

    def test_bool_literals_are_not_numbers(self) -> None:
        assert type(parse("true").value) is bool  # type: ignore[union-attr]
        assert type(parse("1").value) is Decimal  # type: ignore[union-attr]

    @pytest.mark.parametrize("keyword", ["if", "then", "else", "and", "or", "not", "in", "steps", "kr"])
    def test_keywords_are_not_names(self, keyword: str) -> None:
        with pytest.raises(engine.RuleSyntaxError):
            parse(f"x == {keyword}")

    @pytest.mark.parametrize("name", ["android", "index", "notice", "ifx", "krone", "steps_taken", "truely", "x.in_education"])
    def test_names_that_start_with_a_keyword(self, name: str) -> None:
        node = parse(name)
        assert isinstance(node, ast.Name) and node.dotted == name


class TestSpansInText:
    def test_sub_expression_spans(self) -> None:
        node = parse("a + bb * 3")
        assert isinstance(node, ast.Binary) and isinstance(node.right, ast.Binary)
        bb = node.right.left
        assert (bb.span.line, bb.span.col, bb.span.end_col) == (1, 5, 7)
        assert (node.span.col, node.span.end_col) == (1, 11)

    def test_spans_on_later_lines(self) -> None:
        node = parse("a and\n  b and\n    ccc")
        assert isinstance(node, ast.Logic)
        ccc = node.operands[2]
        assert (ccc.span.line, ccc.span.col, ccc.span.end_col) == (3, 5, 8)

    @pytest.mark.parametrize("text", ["a + b", "not (a or b)", "(if a then 1 else 2) + 1", "-(a == b)",
                                      "(a and b) == c", "not not (if a then b else c)", "steps x { 1..2 -> a, 3.. -> b }"])
    def test_to_source_parses_back_to_the_same_tree(self, text: str) -> None:
        node = parse(text)
        assert parse(ast.to_source(node)) == node


# -- spans in a rule file ----------------------------------------------------------------------

RULE_FILE = HEADER + input_rule("ja", "bool") + value_rule("t.plain", "ja and xplain") \
    + value_rule("t.quoted", '"ja and xquoted"') \
    + value_rule("t.folded", ">-\n      ja and\n      ja or\n      ja and xfolded") \
    + value_rule("t.literal", "|\n      ja and\n\n      # a comment line\n      ja or xliteral") \
    + value_rule("t.more_indented", ">-\n      ja and\n        ja or xmore") \
    + value_rule("t.plain_lines", "ja and\n      ja or\n      xlines") \
    + value_rule("t.quoted_lines", '"ja and\n      ja or xqlines"') \
    + value_rule("t.escaped", r'"\"a\" == \"a\" and xescaped"') \
    + value_rule("t.single", "'\"it''s\" == \"a\" and xsingle'") \
    + value_rule("t.tab", "ja and\txtab  # a YAML comment")

MISSPELT = ["xplain", "xquoted", "xfolded", "xliteral", "xmore", "xlines", "xqlines", "xescaped", "xsingle", "xtab"]


def _position(text: str, word: str) -> tuple[int, int]:
    """1-based line and column of the only occurrence of `word` in `text`."""
    assert text.count(word) == 1, word
    before = text[:text.index(word)]
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


@pytest.fixture(scope="module")
def rule_file_diagnostics(tmp_path_factory: pytest.TempPathFactory) -> dict[str, engine.Diagnostic]:
    folder = tmp_path_factory.mktemp("spans")
    (folder / "rules").mkdir()
    (folder / "legal_refs").mkdir()
    (folder / "legal_refs" / "lab.yaml").write_text((Path(__file__).parents[2] / "legal_refs" / "lab.yaml").read_text("utf-8"), "utf-8")
    (folder / "rules" / "spans.yaml").write_text(RULE_FILE, encoding="utf-8")
    rulebook = engine.load(folder)
    return {d.message.split("'")[1]: d for d in rulebook.diagnostics if d.category == "name"}


@pytest.mark.parametrize("word", MISSPELT)
def test_misspelt_name_points_at_its_line_and_column_in_the_yaml_file(
        rule_file_diagnostics: dict[str, engine.Diagnostic], word: str) -> None:
    assert word in rule_file_diagnostics, sorted(rule_file_diagnostics)
    span = rule_file_diagnostics[word].span
    line, col = _position(RULE_FILE, word)
    assert span is not None and span.path.endswith("spans.yaml")
    assert (span.line, span.col, span.end_line, span.end_col) == (line, col, line, col + len(word))


def test_the_rule_file_has_only_the_planted_mistakes(rule_file_diagnostics: dict[str, engine.Diagnostic]) -> None:
    assert sorted(rule_file_diagnostics) == sorted(MISSPELT)
