"""Which acts a case touches, so that a date an act's rules do not cover holds back only the
decisions that need that act.

An act is touched by a case when the case gives a fact that only that act's rules read (the
sickness facts for sygedagpengeloven), or when its benefit is a code the act's rules name
(`sygedagpenge`). An act whose rules read no fact of their own is touched by every case: there
is nothing to tell it apart by, so it is never left out. A 2015 dagpenge case is therefore not
held back by sygedagpengeloven, whose rules start in 2016, while a 2015 sygedagpenge case is.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import attrs

from engine.lang import ast
from engine.law.model import Rule
from engine.law.resolver import CheckedRuleSet

BENEFIT = "citizen.benefit"


@attrs.frozen
class ActFacts:
    """What tells that a case concerns an act."""

    own_inputs: frozenset[str]  # facts read by this act's rules and by no other act's
    codes: frozenset[str]       # the benefit codes this act's rules name

    def touched_by(self, facts: Mapping[str, Any]) -> bool:
        if not self.own_inputs:
            return True
        if any(_given(facts.get(name)) for name in self.own_inputs):
            return True
        return facts.get(BENEFIT) in self.codes


def act_facts(checked: CheckedRuleSet) -> dict[str, ActFacts]:
    """For each act cited by a rule: its own facts and the benefit codes its rules name."""
    benefit = checked.inputs.get(BENEFIT)
    benefit_codes = frozenset(benefit.input.values) if benefit is not None and benefit.input else frozenset()
    reads: dict[str, set[str]] = defaultdict(set)
    codes: dict[str, set[str]] = defaultdict(set)
    for rule in checked.ruleset.rules:
        if rule.kind == "input":
            continue
        names = _names(rule)
        for act in _acts(rule, checked):
            reads[act] |= {n for n in names if n in checked.inputs}
            codes[act] |= names & benefit_codes
    readers: dict[str, int] = defaultdict(int)
    for inputs in reads.values():
        for name in inputs:
            readers[name] += 1
    return {act: ActFacts(frozenset(n for n in reads[act] if readers[n] == 1), frozenset(codes[act]))
            for act in reads}


def _acts(rule: Rule, checked: CheckedRuleSet) -> set[str]:
    acts = set()
    for citation in rule.refs:
        act = checked.legal_refs.act_of(citation)
        if act is not None:
            acts.add(act.name)
    return acts


def _names(rule: Rule) -> set[str]:
    return {part.dotted for _, node in rule.expressions() for part in ast.walk(node) if isinstance(part, ast.Name)}


def _given(value: Any) -> bool:
    return value is not None and value != ()
