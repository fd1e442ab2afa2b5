"""What an editor asks of a rulebook: what is at a position, where a name is defined and used.

`Index(book)` reads a loaded `Rulebook` (with the editor's unsaved texts already in it) and
answers by file and 1-based line and column, like `engine.lang.source.Span`. Entry point: `Index`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import attrs

from engine.lang import ast
from engine.lang.citations import Citation
from engine.lang.source import Span
from engine.law.model import Rule
from engine.rulebook import Rulebook


@attrs.frozen
class Found:
    """What stands at a position: a name in an expression, a citation, or a rule's id."""

    kind: str            # "name", "citation" or "rule"
    text: str            # the dotted name, the citation's text or the rule id
    span: Span
    rule: Rule
    citation: Citation | None = None


def contains(span: Span, line: int, col: int) -> bool:
    if (line, col) < (span.line, span.col):
        return False
    return (line, col) < (span.end_line, span.end_col) or (line == span.end_line and col == span.end_col)


class Index:
    def __init__(self, book: Rulebook) -> None:
        self.book, self.checked = book, book.checked
        self.root = book.rules_dir.parent
        self.rules = book.checked.ruleset.rules

    def path_of(self, span: Span) -> Path:
        return self.root / span.path

    def at(self, path: str, line: int, col: int) -> Found | None:
        """The name, citation or rule id at a position of a file (`rules/lab/x.yaml`)."""
        for rule in (r for r in self.rules if r.path == path):
            found = self._in_rule(rule, line, col)
            if found is not None:
                return found
        return None

    def _in_rule(self, rule: Rule, line: int, col: int) -> Found | None:
        if contains(rule.span, line, col):
            return Found("rule", rule.id, rule.span, rule)
        citations = list(rule.refs) + [lift.citation for lift in rule.lifts if lift.citation is not None]
        for citation in citations:
            if citation.span is not None and contains(citation.span, line, col):
                return Found("citation", citation.text, citation.span, rule, citation)
        for lift in rule.lifts:
            if lift.rule_id and contains(lift.span, line, col):
                return Found("name", lift.rule_id, lift.span, rule)
        for name in self._names(rule):
            if contains(name.span, line, col):
                return Found("name", name.dotted, name.span, rule)
        return None

    @staticmethod
    def _names(rule: Rule) -> Iterator[ast.Name]:
        for _, node in rule.expressions():
            yield from (n for n in ast.walk(node) if isinstance(n, ast.Name))

    def definitions(self, name: str) -> list[Rule]:
        """The rules that define a name: an input, a value's definitions, or the rule with that id."""
        if name in self.checked.inputs:
            return [self.checked.inputs[name]]
        if name in self.checked.values:
            return list(self.checked.values[name])
        return [r for r in self.rules if r.id == name]

    def references(self, name: str) -> list[Span]:
        """Every place an expression reads the name, and every exemption lifting a rule of that id."""
        found = [n.span for rule in self.rules for n in self._names(rule) if n.dotted == name]
        found += [lift.span for rule in self.rules for lift in rule.lifts if lift.rule_id == name]
        return found

    def codes(self, input_id: str) -> tuple[str, ...]:
        rule = self.checked.inputs.get(input_id)
        return rule.input.values if rule is not None and rule.input is not None else ()

    def names(self) -> dict[str, str]:
        """Every name an expression or a lift may use, with what it is: input, value or obligation."""
        out: dict[str, str] = {name: f"input ({r.input.type})" for name, r in self.checked.inputs.items()
                               if r.input is not None}
        out.update((name, f"value ({self.checked.types.get(name, 'any')})") for name in self.checked.values)
        out.update((r.id, r.kind) for r in self.rules if r.kind in ("obligation", "exemption"))
        return out

    def act_of_file(self, path: str) -> Any:
        """The act the rules of a file cite by default (that of its first citation)."""
        for rule in (r for r in self.rules if r.path == path):
            for citation in rule.refs:
                act = self.checked.legal_refs.act_of(citation)
                if act is not None:
                    return act
        return None
