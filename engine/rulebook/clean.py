"""The clean part of a rulebook with problems, so that `paragraf check` can run the static analysis
on it in the same run that reports the problems.

A file with a problem is left out whole, and so is every file whose rules stop resolving once it
is gone (they read a value or name it defined), until what is left resolves without problems.
Entry point: `clean_part`.
"""
from __future__ import annotations

from typing import Any

import attrs

from engine.lang.compiler import Program, compile_ruleset
from engine.lang.errors import Diagnostic
from engine.law import resolver
from engine.law.model import RuleSet

MAX_ROUNDS = 10


@attrs.frozen
class CleanPart:
    checked: Any                 # a CheckedRuleSet without problems
    program: Program
    left_out: tuple[str, ...]    # files with problems, or depending on them


def clean_part(ruleset: RuleSet, diagnostics: list[Diagnostic]) -> CleanPart | None:
    """The files that resolve without problems once those with problems are left out; None if none do."""
    bad = _paths(diagnostics)
    for _ in range(MAX_ROUNDS):
        rules = tuple(r for r in ruleset.rules if r.path not in bad)
        if not rules:
            return None
        checked, problems = resolver.resolve(attrs.evolve(ruleset, rules=rules))
        if not problems:
            return CleanPart(checked, compile_ruleset(checked), tuple(sorted(bad)))
        more = _paths(problems)
        if more <= bad:  # problems without a file to blame: nothing more to leave out
            return None
        bad |= more
    return None


def _paths(diagnostics: list[Diagnostic]) -> set[str]:
    return {span.path for d in diagnostics for span in d.spans}
