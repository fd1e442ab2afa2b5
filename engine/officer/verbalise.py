"""Conditions in words, in Danish or English, for readers who do not read the rule language.

`verbalise(node, checked, lang)` names inputs by their titles, codes by their titles (`a_dagpenge`
becomes "arbejdsløshedsdagpenge"), comparisons by words ("er en af", "is at least"), and keeps
the structure of `and`/`or`/`not` with parentheses. What it has no words for (arithmetic, step
tables, most functions) is shown as the rule language writes it, between backticks.
"""
from __future__ import annotations

from functools import singledispatch
from typing import Any

from engine.lang import ast

WORDS = {
    "da": {"==": "er", "!=": "er ikke", "<": "er mindre end", "<=": "er højst", ">": "er større end",
           ">=": "er mindst", "in": "er en af", "not in": "er ikke en af", "and": "og", "or": "eller",
           "not": "ikke", "age": "alderen (efter {0}) {1}", "as_of": "på afgørelsesdagen",
           "on": "den {0}", "true": "ja", "false": "nej", "if": "hvis {0}: {1}, ellers {2}"},
    "en": {"==": "is", "!=": "is not", "<": "is less than", "<=": "is at most", ">": "is greater than",
           ">=": "is at least", "in": "is one of", "not in": "is not one of", "and": "and", "or": "or",
           "not": "not", "age": "the age (from {0}) {1}", "as_of": "on the decision date",
           "on": "on {0}", "true": "yes", "false": "no", "if": "if {0}: {1}, otherwise {2}"},
}


class _Words:
    def __init__(self, checked: Any, lang: str) -> None:
        self.checked, self.lang, self.w = checked, lang, WORDS[lang]
        self.codes = {code: title for rule in checked.inputs.values() if rule.input is not None
                      for code, title in rule.input.value_titles.items()}


def verbalise(node: ast.Expr, checked: Any, lang: str = "da") -> str:
    """The expression in words (Danish `da` or English `en`)."""
    return _condition(node, _Words(checked, lang))


def _condition(node: ast.Expr, words: _Words) -> str:
    """A yes/no fact standing alone as a condition reads "fact: yes" (or "fact: no" under `not`)."""
    negated = isinstance(node, ast.Unary) and node.op == "not"
    inner = node.operand if isinstance(node, ast.Unary) and negated else node
    if isinstance(inner, ast.Name) and words.checked.types.get(inner.dotted) == "bool":
        return f"{_say(inner, words)}: {words.w['false' if negated else 'true']}"
    return _say(node, words)


@singledispatch
def _say(node: Any, words: _Words) -> str:
    return f"`{ast.to_source(node)}`"


@_say.register
def _(node: ast.Name, words: _Words) -> str:
    dotted = node.dotted
    if dotted == "as_of":
        return words.w["as_of"]
    if dotted in words.checked.inputs:
        return str(words.checked.inputs[dotted].title.get(words.lang, dotted))
    definitions = words.checked.values.get(dotted, ())
    if len(definitions) == 1:
        return str(definitions[0].title.get(words.lang, dotted))
    if definitions:
        return f"`{dotted}`"
    return _code(dotted, words)


def _code(code: str, words: _Words) -> str:
    """A code by its title; a numeric code (a municipality) keeps its number."""
    title = words.codes.get(code)
    if title is None:
        return code
    return f"{title} ({code})" if code.isdigit() else title


@_say.register
def _(node: ast.Literal, words: _Words) -> str:
    if isinstance(node.value, bool):
        return words.w["true" if node.value else "false"]
    if isinstance(node.value, str):
        return _code(node.value, words)
    return ast.to_source(node)


@_say.register
def _(node: ast.SetLit, words: _Words) -> str:
    return "{" + ", ".join(_say(item, words) for item in node.items) + "}"


@_say.register
def _(node: ast.Compare, words: _Words) -> str:
    return f"{_say(node.left, words)} {words.w[node.op]} {_say(node.right, words)}"


@_say.register
def _(node: ast.Logic, words: _Words) -> str:
    return f" {words.w[node.op]} ".join(_grouped(o, words) for o in node.operands)


def _grouped(node: ast.Expr, words: _Words) -> str:
    text = _condition(node, words)
    return f"({text})" if isinstance(node, (ast.Logic, ast.If)) else text


@_say.register
def _(node: ast.Unary, words: _Words) -> str:
    if node.op != "not":
        return f"`{ast.to_source(node)}`"
    return f"{words.w['not']} ({_say(node.operand, words)})"


@_say.register
def _(node: ast.If, words: _Words) -> str:
    return words.w["if"].format(*(_say(n, words) for n in (node.condition, node.then, node.otherwise)))


@_say.register
def _(node: ast.Call, words: _Words) -> str:
    if node.function == "age" and len(node.args) == 2:
        born, on = node.args
        day = _say(on, words) if isinstance(on, ast.Name) and on.dotted == "as_of" else words.w["on"].format(_say(on, words))
        return words.w["age"].format(_say(born, words), day)
    return f"`{ast.to_source(node)}`"
