"""Which kind of case a rule is about: a citizen, a municipality under supervision, a measurement.

Inputs are grouped in top-level blocks of a case (`citizen.*`, `tilsyn.*`, `maaling.*`). A rule
belongs to the blocks whose inputs it reads, directly or through the values it uses, and to
the block its own id starts with. It takes part in a case only when the case carries all of
those blocks, so a municipality case is not asked for citizen facts and a citizen case is not
asked for the municipality's ydelsesgrad. A case that carries no block is a citizen case.

Likewise a rule that needs a fact a weekly series supplies (the affected week, worked out from
payments) takes part only when the case states that fact (`refusion_inputs_of`).
"""
from __future__ import annotations

import weakref
from typing import Any, Callable

from engine.lang import ast
from engine.law.model import Rule

DEFAULT_BLOCK = "citizen"
_CACHE: weakref.WeakKeyDictionary[Any, dict[str, frozenset[str]]] = weakref.WeakKeyDictionary()
_REFUSION_CACHE: weakref.WeakKeyDictionary[Any, dict[str, frozenset[str]]] = weakref.WeakKeyDictionary()


def blocks_of(program: Any) -> dict[str, frozenset[str]]:
    """Rule id → the case blocks it needs, computed once per compiled program (and freed with it)."""
    if program not in _CACHE:
        _CACHE[program] = _compute(program.checked)
    return _CACHE[program]


def case_blocks(data: dict[str, Any], known: frozenset[str]) -> frozenset[str]:
    """The blocks a case carries; a case without any is a citizen case."""
    present = frozenset(key for key, value in data.items() if key in known and isinstance(value, dict))
    return present or frozenset({DEFAULT_BLOCK})


def known_blocks(checked: Any) -> frozenset[str]:
    return frozenset(name.split(".")[0] for name in checked.inputs if "." in name)


def refusion_inputs_of(program: Any) -> dict[str, frozenset[str]]:
    """Rule id → the inputs it reads (directly or through values) that a weekly series supplies
    (`supplies:`, such as `citizen.affected_week`): facts the refusion evaluators work out from
    payments, which a case decision uses only when the case states them."""
    if program not in _REFUSION_CACHE:
        supplied = frozenset(r.supplies for r in program.checked.ruleset.rules if r.supplies)
        _REFUSION_CACHE[program] = _gather(program.checked, lambda rule: frozenset(),
                                           lambda name: frozenset({name}) & supplied)
    return _REFUSION_CACHE[program]


def _compute(checked: Any) -> dict[str, frozenset[str]]:
    blocks = known_blocks(checked)
    return _gather(checked, lambda rule: frozenset({rule.id.split(".")[0]}) & blocks,
                   lambda name: frozenset({name.split(".")[0]}) if "." in name else frozenset())


def _gather(checked: Any, own: Callable[[Rule], frozenset[str]],
            of_input: Callable[[str], frozenset[str]]) -> dict[str, frozenset[str]]:
    """Rule id → `own(rule)` and `of_input` of every input it reads, directly or through values."""
    by_value: dict[str, frozenset[str]] = {}

    def of_value(name: str, seen: frozenset[str]) -> frozenset[str]:
        if name not in by_value:
            if name in seen:  # a cycle is reported by the resolver
                return frozenset()
            by_value[name] = frozenset().union(*(of_rule(r, seen | {name}) for r in checked.values[name]))
        return by_value[name]

    def of_rule(rule: Rule, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        found = set(own(rule))
        for _, node in rule.expressions():
            for name in (n.dotted for n in ast.walk(node) if isinstance(n, ast.Name)):
                if name in checked.inputs:
                    found |= of_input(name)
                elif name in checked.values:
                    found |= of_value(name, seen)
        return frozenset(found)

    return {rule.id: of_rule(rule) for rule in checked.ruleset.rules if rule.kind in ("value", "obligation", "exemption")}
