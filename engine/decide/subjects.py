"""Which kind of case a rule is about: a citizen, a municipality under supervision, a measurement.

Inputs are grouped in top-level blocks of a case (`citizen.*`, `tilsyn.*`, `maaling.*`). A rule
belongs to the blocks whose inputs it reads, directly or through the values it uses, and to
the block its own id starts with. It takes part in a case only when the case carries all of
those blocks, so a municipality case is not asked for citizen facts and a citizen case is not
asked for the municipality's ydelsesgrad. A case that carries no block is a citizen case.
"""
from __future__ import annotations

import weakref
from typing import Any

from engine.lang import ast
from engine.law.model import Rule

DEFAULT_BLOCK = "citizen"
_CACHE: weakref.WeakKeyDictionary[Any, dict[str, frozenset[str]]] = weakref.WeakKeyDictionary()


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


def _compute(checked: Any) -> dict[str, frozenset[str]]:
    blocks = known_blocks(checked)
    by_value: dict[str, frozenset[str]] = {}

    def of_value(name: str, seen: frozenset[str]) -> frozenset[str]:
        if name not in by_value:
            if name in seen:  # a cycle is reported by the resolver
                return frozenset()
            by_value[name] = frozenset().union(*(of_rule(r, seen | {name}) for r in checked.values[name]))
        return by_value[name]

    def of_rule(rule: Rule, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        found = {rule.id.split(".")[0]} & blocks
        for _, node in rule.expressions():
            for name in (n.dotted for n in ast.walk(node) if isinstance(n, ast.Name)):
                if name in checked.inputs and "." in name:
                    found.add(name.split(".")[0])
                elif name in checked.values:
                    found |= of_value(name, seen)
        return frozenset(found)

    return {rule.id: of_rule(rule) for rule in checked.ruleset.rules if rule.kind in ("value", "obligation", "exemption")}
