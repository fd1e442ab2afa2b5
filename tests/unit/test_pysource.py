"""Rule expressions as generated Python functions (`engine.lang.pysource`) mean what the closures mean."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest

import engine
from engine.lang import ast, compiler, pysource
from engine.lang.source import Span
from engine.lang.values import Unknown

REPO = Path(__file__).resolve().parents[2]
AT = Span.point("<test>")


class Scope:
    """A case's facts and values; records what was read, in order, as the evaluator's scope does."""

    as_of = dt.date(2024, 3, 1)

    def __init__(self, facts: dict[str, Any], values: dict[str, Any] | None = None) -> None:
        self.facts, self.values, self.read = facts, values or {}, []

    def input(self, name: str) -> Any:
        self.read.append(name)
        return self.facts.get(name, Unknown(frozenset({name})))

    def value(self, name: str) -> Any:
        self.read.append(name)
        return self.values.get(name, Unknown(frozenset({name})))


class Names:
    inputs: ClassVar[dict[str, None]] = {"a": None, "b": None, "n": None}
    values: ClassVar[dict[str, None]] = {"v": None}


def name(text: str) -> ast.Name:
    return ast.Name(tuple(text.split(".")), AT)


def literal(value: Any) -> ast.Literal:
    return ast.Literal(value, AT)


def both(node: ast.Expr, facts: dict[str, Any], values: dict[str, Any] | None = None) -> tuple[Any, Any]:
    """The generated function's and the closure's result, after checking they read the same names in order."""
    generated, closure = Scope(facts, values), Scope(facts, values)
    results = pysource.function(node, Names, compiler)(generated), compiler._compile(node, Names)(closure)
    assert generated.read == closure.read
    return results


CONDITIONS = [
    ast.Logic("and", (ast.Compare("==", name("a"), literal("x"), AT), ast.Compare(">", name("n"), literal(Decimal(3)), AT)), AT),
    ast.Logic("or", (ast.Compare("in", name("a"), ast.SetLit((literal("x"), literal("y")), AT), AT),
                     ast.Unary("not", name("b"), AT)), AT),
    ast.If(name("b"), ast.Binary("+", name("n"), literal(Decimal(1)), AT), name("v"), AT),
    ast.Compare("!=", name("v"), name("a"), AT),
    ast.SetLit((), AT),
]
FACTS = [{}, {"a": "x"}, {"a": "y", "b": False}, {"a": "x", "n": Decimal(4), "b": True}, {"n": Decimal(2), "b": True},
         {"a": "z", "b": None}]


@pytest.mark.parametrize("node", CONDITIONS, ids=[ast.to_source(n) or "{}" for n in CONDITIONS])
@pytest.mark.parametrize("facts", FACTS, ids=[str(sorted(f)) for f in FACTS])
def test_kleene_logic_unknowns_and_none_as_the_closures_give_them(node: ast.Expr, facts: dict[str, Any]) -> None:
    for values in ({}, {"v": None}, {"v": "x"}, {"v": Unknown(frozenset({"a"}), frozenset({"x", "y"}))}):
        generated, closure = both(node, facts, values)
        assert generated == closure and type(generated) is type(closure)


def test_an_expression_nested_too_deep_keeps_its_closures() -> None:
    node: ast.Expr = name("b")
    for _ in range(pysource.MAX_DEPTH + 5):
        node = ast.Logic("and", (ast.Compare("==", name("a"), literal("x"), AT), node), AT)
    function = pysource.function(node, Names, compiler)
    assert function.__code__.co_filename == compiler.__file__  # the closure, not generated source
    assert both(node, {"a": "x", "b": True}) == (True, True)
    assert both(node, {"a": "x"})[0] == both(node, {"a": "x"})[1]


def test_every_rule_expression_gives_what_its_closure_gives_on_the_examples(rulebook: engine.Rulebook) -> None:
    from engine.decide import evaluator, plans

    program = rulebook.program
    checked = program.checked
    for path in sorted((REPO / "examples").glob("*.yaml"))[:6]:
        case = rulebook.read_case(path)
        taking_part = evaluator._Evaluation(program, case, case.as_of, {}, rulebook.lifting)
        taking_part.share(plans.plans_of(program))
        expressions = [node for rule in checked.ruleset.rules if rule.kind in ("value", "obligation", "exemption")
                       and taking_part.active(rule) for _, node in rule.expressions()]
        assert len(expressions) > 50
        for node in expressions:
            scopes = [evaluator._Evaluation(program, case, case.as_of, {}, rulebook.lifting) for _ in range(2)]
            for scope in scopes:
                scope.share(plans.plans_of(program))
            results = []
            for scope, function in zip(scopes, (pysource.function(node, checked, compiler), compiler._compile(node, checked))):
                try:
                    results.append(function(scope))
                except engine.EngineError as exc:
                    results.append(str(exc))
            assert results[0] == results[1], ast.to_source(node)
            assert scopes[0].missing == scopes[1].missing
