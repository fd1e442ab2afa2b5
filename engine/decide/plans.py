"""What every case of one kind on one stretch of days shares: which rules take part, in what order.

Whether a rule takes part in a case (`evaluator._Evaluation.active`) reads only the rule's days of
force, the case blocks the case carries, which facts a weekly series supplies the case states,
and whether the switched-on proposals cover the case's municipality on its day; the citations'
act versions, and so the legal basis shown and the exemptions that can lift an obligation, read
only the day. Between two consecutive "boundaries" (a day on which a rule or an act version
starts, or the day after one ends) none of these change. So a `Context`, keyed on exactly those
things (the stretch of days, the blocks, the supplied facts stated, the proposals' answers), is
worked out once and shared by every case with the same key: nothing in it comes from a case's
other facts.
"""
from __future__ import annotations

import bisect
import datetime as dt
import weakref
from typing import Any, Callable

from engine.decide import subjects
from engine.law.model import Rule

MAX_CONTEXTS = 4096  # a bound, never reached by real caseloads: a few kinds of case × the stretches of days


class Context:
    """The rules taking part, sorted as a decision lists them, and what their citations read on these days."""

    __slots__ = ("actives", "needs_municipality", "obligations", "value_names", "exemptions", "lifters", "bases", "cites",
                 "definitions", "not_applicable")

    def __init__(self, plans: Plans, active: Callable[[Rule], bool]) -> None:
        self.actives = {rule.id: active(rule) for rule in plans.rules}
        self.needs_municipality = False  # a proposal's rule would take part if the case named its municipality
        self.obligations = [r for r in plans.obligations if self.actives[r.id]]
        self.value_names = [name for name, rules in plans.values if any(self.actives[r.id] for r in rules)]
        self.exemptions = [r for r in plans.exemptions if self.actives[r.id]]
        self.lifters: dict[str, tuple[Rule, ...]] = {}
        self.bases: dict[int, dict[str, Any]] = {}  # by id() of the citation, as the evaluator keeps them
        self.cites: dict[int, tuple[dict[str, Any], ...]] = {}  # by id() of the rule: its citations' bases
        self.definitions: dict[str, list[Rule]] = {}  # by value name: its definitions taking part, in file order
        self.not_applicable: dict[str, dict[str, Any]] = {}  # by obligation id: its entry when it does not apply


class Plans:
    """The contexts of one rulebook, worked out as cases need them (see the module's docstring)."""

    def __init__(self, checked: Any) -> None:
        self.rules = [r for r in checked.ruleset.rules if r.kind in ("value", "obligation", "exemption")]
        self.obligations = sorted(checked.obligations, key=lambda r: r.id)
        self.values = sorted(checked.values.items())
        self.exemptions = sorted(checked.exemptions, key=lambda r: r.id)
        self.boundaries = _boundaries(checked)
        self.supplied = frozenset(r.supplies for r in checked.ruleset.rules if r.supplies)
        self.known_blocks = subjects.known_blocks(checked)
        self.contexts: dict[tuple[Any, ...], Context] = {}

    def stretch(self, day: dt.date) -> int:
        """Which stretch of days between two boundaries `day` lies in."""
        return bisect.bisect_right(self.boundaries, day)

    def context(self, key: tuple[Any, ...], build: Callable[[], Context]) -> Context:
        """The context of `key`, built (from the first case that asks for it) when first asked for."""
        found = self.contexts.get(key)
        if found is None:
            if len(self.contexts) >= MAX_CONTEXTS:
                self.contexts.clear()
            found = self.contexts[key] = build()
        return found


_PLANS: weakref.WeakKeyDictionary[Any, Plans] = weakref.WeakKeyDictionary()


def plans_of(program: Any) -> Plans:
    """The contexts of a compiled program, kept as long as the program lives."""
    found = _PLANS.get(program)
    if found is None:
        found = _PLANS[program] = Plans(program.checked)
    return found


def _boundaries(checked: Any) -> list[dt.date]:
    """Every day on which a rule or an act version starts, and every day after one ends."""
    days: set[dt.date] = set()
    for rule in checked.ruleset.rules:
        days.update(_edges(rule.valid_from, rule.valid_to))
    acts = checked.legal_refs.acts.values()
    for version in [v for act in acts for v in act.versions] + list(checked.legal_refs.pinned.values()):
        days.update(_edges(version.start, version.end))
    return sorted(days)


def _edges(start: dt.date | None, end: dt.date | None) -> list[dt.date]:
    edges = [start] if start is not None and start != dt.date.min else []
    if end is not None and end < dt.date.max:
        edges.append(end + dt.timedelta(days=1))
    return edges
