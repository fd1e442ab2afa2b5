"""Counterfactuals: the smallest changes of a case that flip one obligation's status (or one value).

`counterfactuals(program, case, as_of, proposals, rule_id)` tries, for every input the rule's
condition reads (directly, through the values it uses, and through the exemptions that may lift
it), each value of the finite domain the static analysis uses (`engine.law.domains`): the codes
the conditions name, numbers and dates just below, at and just above each literal they are
compared with, birth dates that make the person just a threshold age. Target groups and other
values defined only by literals are tried as well, marked as derived (what the case would have
to come to). The day itself is tried at its thresholds: the day the citizen turns an age a
condition names, the day after a date a condition compares the day with, and the days rules
or act versions come into force (the nearest one before and after the day, for each reason; a
rule going out of force counts only ahead of the day).

Single changes are tried first, then pairs of changes of two facts that do not flip the
outcome alone, so every answer is minimal. Every answer is the result of evaluating the
changed case; answers are ranked by how few facts they touch. The search is bounded: at most
two facts, the finite domains above, and `MAX_TRIALS` evaluations. For an obligation that applies
and is not fulfilled, the events that would fulfil it are found as well (`engine.decide.fulfilment`).
"""
from __future__ import annotations

import datetime as dt
import difflib
import itertools
import json
from decimal import Decimal
from typing import Any, Iterable, Iterator

import attrs

from engine.lang import ast, values
from engine.lang.compiler import Program
from engine.lang.errors import EngineError
from engine.law import domains, resolver
from engine.law.analysis import segment_starts
from engine.law.lifting import LiftIndex
from engine.law.model import Rule
from engine.decide import evaluator
from engine.report.whatif import render_whatif
from engine.decide.casefile import Case
from engine.decide.fulfilment import MissingEvents, missing_events
from engine.decide.proposals import ProposalLike

MAX_FACTS = 2
MAX_TRIALS = 4000
SCHEMA = "paragraf/whatif@1"


@attrs.frozen
class Change:
    """One fact set to another value; `fact` is an input id, a derived value's name, or `as_of`."""

    fact: str
    before: Any          # JSON form; None when the case does not give it
    after: Any
    derived: bool = False
    reason: tuple[str, str] | None = None  # for as_of: (kind, detail), e.g. ("turns", "30")
    value: Any = attrs.field(default=None, eq=False, repr=False)  # `after` as a typed value

    def to_json(self) -> dict[str, Any]:
        data = {"fact": self.fact, "before": self.before, "after": self.after}
        if self.derived:
            data["derived"] = True
        if self.reason:
            data["reason"] = {"kind": self.reason[0], "detail": self.reason[1]}
        return data


@attrs.frozen
class Counterfactual:
    changes: tuple[Change, ...]
    outcome: Any         # the status (or value) the changed case comes to

    def key(self) -> tuple[Any, ...]:
        return (len(self.changes), any(c.derived for c in self.changes), [c.fact for c in self.changes],
                [(type(c.after).__name__, c.after) for c in self.changes])


@attrs.frozen
class WhatIf:
    """The answer to "what would have to be different?" for one rule and one case."""

    rule: str
    case: str
    as_of: str
    outcome: Any
    answers: tuple[Counterfactual, ...]
    tried: int
    not_tried: tuple[str, ...]   # inputs read that cannot be enumerated (events, free text)
    complete: bool               # False when MAX_TRIALS cut the search short
    to_fulfil: tuple[MissingEvents, ...] = ()  # for an obligation that applies and is not fulfilled

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA, "rule": self.rule, "case": self.case, "as_of": self.as_of, "outcome": self.outcome,
            "counterfactuals": [{"changes": [c.to_json() for c in a.changes], "outcome": a.outcome}
                                for a in self.answers],
            "bounds": {"max_facts": MAX_FACTS, "tried": self.tried, "complete": self.complete,
                       "not_tried": list(self.not_tried)},
            "to_fulfil": [m.to_json() for m in self.to_fulfil],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, indent=2) + "\n"

    def render(self, lang: str = "da") -> str:
        """In words, Danish or English."""
        return render_whatif(self.to_dict(), lang)


def counterfactuals(program: Program, case: Case, as_of: dt.date, proposals: Iterable[ProposalLike],
                    rule_id: str) -> WhatIf:
    """Every minimal change (of at most `MAX_FACTS` facts) that flips `rule_id`'s outcome, verified."""
    proposals = tuple(proposals)
    search = _Search(program, case, as_of, proposals, rule_id)
    answers = sorted(search.run(), key=Counterfactual.key)
    return WhatIf(rule_id, case.id, as_of.isoformat(), search.base, tuple(answers), search.tried,
                  tuple(search.not_tried), search.tried < MAX_TRIALS,
                  missing_events(program, case, as_of, proposals, rule_id))


class _Search:
    def __init__(self, program: Program, case: Case, as_of: dt.date, proposals: tuple[ProposalLike, ...],
                 rule_id: str) -> None:
        self.program, self.checked, self.case, self.as_of, self.proposals = program, program.checked, case, as_of, proposals
        self.rules = _rules_of(self.checked, rule_id)
        self.lifting = LiftIndex(self.checked)  # shared by every variant tried
        self.rule_id, self.tried = rule_id, 0
        conditions = [node for r in self.rules for _, node in r.expressions()]
        self.nodes = domains.nodes_read(conditions, self.checked)
        reads = domains.inputs_read(conditions, self.checked) | domains.literal_values(conditions, self.checked)
        self.not_tried = sorted(i for i in reads if i in self.checked.inputs and not domains.enumerable(self.checked.inputs[i]))
        self.reads = sorted(set(reads) - set(self.not_tried))
        self.base = self._outcome(case, as_of, {})

    def run(self) -> list[Counterfactual]:
        found = list(self._days())
        singles: dict[str, list[Change]] = {name: list(self._changes(name)) for name in self.reads}
        alone = set()
        for change in itertools.chain.from_iterable(singles.values()):
            result = self._try((change,))
            if result is not None:
                found.append(result)
                alone.add(change.fact)
        rest = [name for name in self.reads if name not in alone]
        for first, second in itertools.combinations(rest, 2):
            for pair in itertools.product(singles[first], singles[second]):
                if self.tried >= MAX_TRIALS:
                    return found
                result = self._try(pair)
                if result is not None:
                    found.append(result)
        return found

    def _changes(self, name: str) -> Iterator[Change]:
        derived = name not in self.checked.inputs
        before = None if derived else self.case.facts.get(name)
        if derived:
            before = self._outcome(self.case, self.as_of, {}, name)
        tried = domains.domain(name, self.nodes, self.checked, self.as_of)
        if not derived and self.checked.inputs[name].input.type == "date":
            tried = sorted(set(tried) | set(self._compared_days(name)))
        shown = before if derived else case_form(before)
        for value in tried:
            if value is not None and case_form(value) != shown:
                yield Change(name, shown, case_form(value), derived, value=value)

    def _try(self, changes: tuple[Change, ...]) -> Counterfactual | None:
        facts = {c.fact: c.value for c in changes if not c.derived}
        overrides = {c.fact: c.value for c in changes if c.derived}
        result = self._outcome(_changed_case(self.case, facts), self.as_of, overrides)
        return Counterfactual(changes, result) if self._flips(result) and result is not None else None

    def _flips(self, result: Any) -> bool:
        """A different outcome that is decided: an answer needing yet more facts is no answer."""
        return bool(result != self.base and result != "unknown")

    def _outcome(self, case: Case, day: dt.date, overrides: dict[str, Any], rule_id: str | None = None) -> Any:
        self.tried += 1
        try:
            return evaluator.outcome(self.program, case, day, self.proposals, rule_id or self.rule_id, overrides,
                                     lifting=self.lifting)
        except EngineError:  # a conflict or failure under a changed case is not an answer
            return self.base

    def _days(self) -> Iterator[Counterfactual]:
        """The nearest day before and after `as_of`, for each kind of threshold, on which the outcome flips."""
        for kind, candidates in self._thresholds().items():
            for direction in (sorted(d for d in candidates if d > self.as_of),
                              sorted((d for d in candidates if d < self.as_of), reverse=True)):
                for day in direction:
                    result = self._outcome(self.case, day, {})
                    if self._flips(result) and (result is not None or (kind == "in_force" and day > self.as_of)):
                        reason = (kind, candidates[day])
                        yield Counterfactual((Change("as_of", self.as_of.isoformat(), day.isoformat(), False, reason),), result)
                        break

    def _thresholds(self) -> dict[str, dict[dt.date, str]]:
        found: dict[str, dict[dt.date, str]] = {"turns": {}, "before_turning": {}, "date": {}, "in_force": {}}
        for node in (n for n in self.nodes if isinstance(n, ast.Compare)):
            for mine, other in ((node.left, node.right), (node.right, node.left)):
                self._age_days(mine, other, found)
        found["date"] = self._compared_days("as_of")
        for day in segment_starts(self.rules, self.nodes, self.checked):
            found["in_force"][day] = day.isoformat()
        return found

    def _age_days(self, call: ast.Expr, other: ast.Expr, out: dict[str, dict[dt.date, str]]) -> None:
        if not (isinstance(call, ast.Call) and call.function == "age" and len(call.args) == 2
                and isinstance(call.args[0], ast.Name) and isinstance(call.args[1], ast.Name)
                and call.args[1].dotted == "as_of"):
            return
        born = self.case.facts.get(call.args[0].dotted)
        if not isinstance(born, dt.date):
            return
        for literal in (i for i in _literals(other) if isinstance(i, Decimal)):
            turns = values.add_duration(born, values.Duration(int(literal), "years"))
            out["turns"][turns] = out["before_turning"][turns - dt.timedelta(days=1)] = str(int(literal))

    def _compared_days(self, name: str) -> dict[dt.date, str]:
        """Dates `name` (an input or `as_of`) is compared with, computed for this case: each one, the day
        before and the day after (`as_of >= citizen.sickness.first_absence_day + 8 weeks`)."""
        found: dict[dt.date, str] = {}
        for node in (n for n in self.nodes if isinstance(n, ast.Compare)):
            for mine, other in ((node.left, node.right), (node.right, node.left)):
                if not (isinstance(mine, ast.Name) and mine.dotted == name) or _reads(other, name):
                    continue
                day = self._value_of(other)
                if isinstance(day, dt.date):
                    for near in (day - dt.timedelta(days=1), day, day + dt.timedelta(days=1)):
                        found[near] = f"{ast.to_source(other)} = {day.isoformat()}"
        return found

    def _value_of(self, node: ast.Expr) -> Any:
        try:
            return evaluator.expression(self.program, self.case, self.as_of, self.proposals, node)
        except EngineError:
            return None


def _reads(node: ast.Expr, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.dotted == name for n in ast.walk(node))


def _literals(node: ast.Expr) -> list[Any]:
    if isinstance(node, ast.Literal):
        return [node.value]
    if isinstance(node, ast.SetLit):
        return [i.value for i in node.items if isinstance(i, ast.Literal)]
    return []


def _rules_of(checked: Any, rule_id: str) -> list[Rule]:
    """The rule's definitions and the exemptions that can lift it: what its outcome depends on."""
    rule = checked.rule(rule_id)
    if rule is not None and rule.kind == "obligation":
        lifting = [e for e in checked.exemptions if any(_may_lift(e, lift, rule, checked) for lift in e.lifts)]
        return [rule, *lifting]
    if rule_id in checked.values:
        return list(checked.values[rule_id])
    raise EngineError(f"no obligation or value '{rule_id}'" + _did_you_mean(checked, rule_id))


def _may_lift(exemption: Rule, lift: Any, rule: Rule, checked: Any) -> bool:
    start = max(exemption.window[0], rule.window[0])
    return start <= min(exemption.window[1], rule.window[1]) and resolver.lifts(exemption, lift, rule, checked.legal_refs, start)


def _did_you_mean(checked: Any, rule_id: str) -> str:
    names = [r.id for r in checked.obligations] + list(checked.values)
    close = difflib.get_close_matches(rule_id, names, n=1)
    return f"; did you mean '{close[0]}'?" if close else "; name an obligation's id or a value's name"


def case_form(value: Any) -> Any:
    """A fact as a case file writes it: JSON, with percentages as `40%`."""
    if isinstance(value, values.Rate):
        return values.format_decimal((value.fraction * 100).normalize(), 0) + "%"
    return values.to_json(value)


def apply_changes(data: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    """A case's data with some facts (by input id) set to other values (JSON forms)."""
    changed: dict[str, Any] = json.loads(json.dumps(data, default=str))
    for dotted, value in facts.items():
        *parents, leaf = dotted.split(".")
        target = changed
        for part in parents:
            target = target.setdefault(part, {})
        target[leaf] = value
    return changed


def _changed_case(case: Case, typed: dict[str, Any]) -> Case:
    """The case with typed facts replaced. Of the data, evaluation reads only which blocks the case
    has (`citizen`, `tilsyn`, …) and the municipality, so only those are kept in step."""
    data = dict(case.data)
    for name in typed:
        block = name.split(".")[0]
        if "." in name and not isinstance(data.get(block), dict):
            data[block] = {}
    municipality = typed.get("municipality", case.municipality)
    return attrs.evolve(case, facts={**case.facts, **typed}, data=data,
                        municipality=None if municipality is None else str(municipality))
