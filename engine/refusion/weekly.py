"""The per-person weekly evaluator: a person's history, week by week, through the compiled closures.

It is the reference semantics of weekly series (the batch evaluator must agree with it
exactly) and it keeps every week's values, which is what an explanation of a week reads.
In a week, the scope answers `week.*` from the person's payments, `as_of` with the week's
Monday (so non-weekly values take the definition in force that day), inputs from the
person's facts (an input a weekly series `supplies` from that series), and looks back through
the values already computed for earlier weeks.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable, Iterable

import attrs
import numpy as np


from engine.lang import values
from engine.lang.compiler import Program
from engine.law.model import Rule, highest_priority
from engine.law.series import Plan
from engine.refusion.payments import NO_DATE
from engine.refusion.weeks import Weeks, from_day_number

FACT_INPUTS = {"citizen.flexjob_visitation_date": "flexjob_visitation_date",
               "citizen.early_pension_granted": "early_pension_granted"}


@attrs.frozen
class PersonWeek:
    """The week facts of one person in one week."""

    monday: dt.date
    benefits: frozenset[str]
    amounts: dict[str, values.Money]
    month_tail: dict[str, values.Money]


@attrs.frozen
class History:
    """One person's weeks and facts, as the weekly evaluators see them."""

    weeks: tuple[PersonWeek, ...]
    facts: dict[str, Any]  # input id → value (None when not given)


def history_of(weeks: Weeks, local: int, codes: tuple[str, ...]) -> History:
    """The history of the person at position `local` of a slice of weeks."""
    rows = []
    first, last = weeks.person_start[local], weeks.person_start[local + 1]
    # the person's entries are sorted by week: where each week's begin
    starts = first + np.searchsorted(weeks.entry_week[first:last], np.arange(weeks.range.count + 1))
    for week in range(weeks.range.count):
        mine = range(starts[week], starts[week + 1])
        mask = int(weeks.benefits[week, local])
        rows.append(PersonWeek(
            monday=weeks.range.monday_of(week),
            benefits=frozenset(code for bit, code in enumerate(codes) if mask >> bit & 1),
            amounts={codes[weeks.entry_code[i]]: values.Money.from_ore(int(weeks.entry_ore[i])) for i in mine},
            month_tail={codes[weeks.entry_code[i]]: values.Money.from_ore(int(weeks.entry_tail[i])) for i in mine},
        ))
    facts = {}
    for input_id, column in FACT_INPUTS.items():
        day = int(weeks.facts[column][local])
        facts[input_id] = None if day == NO_DATE else from_day_number(day)
    return History(tuple(rows), facts)


def evaluate_person(program: Program, plan: Plan, history: History, proposals: Iterable[str] = (),
                    on_choice: Callable[[Rule], None] | None = None) -> list[dict[str, Any]]:
    """Every weekly value (and the non-weekly values they read) for every week of a history;
    `on_choice` hears each definition chosen (scenario coverage counts those rules as applied)."""
    done: list[dict[str, Any]] = []
    for week in history.weeks:
        scope = WeekScope(program, plan, history, week, done, frozenset(proposals), on_choice)
        done.append({name: scope.value(name) for name in plan.order})
    return done


class WeekScope:
    """The `Scope` of compiled closures for one week of one person."""

    def __init__(self, program: Program, plan: Plan, history: History, week: PersonWeek,
                 done: list[dict[str, Any]], proposals: frozenset[str],
                 on_choice: Callable[[Rule], None] | None = None) -> None:
        self.program, self.plan, self.history, self.this = program, plan, history, week
        self.done, self.proposals, self.as_of = done, proposals, week.monday
        self.on_choice = on_choice
        self.memo: dict[str, Any] = {}

    def week(self, name: str) -> Any:
        return {"week.monday": self.this.monday, "week.benefits": self.this.benefits,
                "week.amounts": self.this.amounts, "week.month_tail": self.this.month_tail}[name]

    def input(self, input_id: str) -> Any:
        if input_id in self.plan.supplied:
            return self.value(self.plan.supplied[input_id])
        return self.history.facts.get(input_id)

    def value(self, name: str) -> Any:
        if name not in self.memo:
            self.memo[name] = self._value(name)
        return self.memo[name]

    def lagged(self, function: str, series: str, *args: Any) -> Any:
        if function == "previous":
            return self.done[-1][series] if self.done else args[0]
        weeks, after = args[0], args[1] if len(args) > 1 else None
        if weeks is None or (len(args) > 1 and after is None):
            return None
        window = self.done[max(0, len(self.done) - int(weeks)):]
        first = len(self.done) - len(window)
        chosen = [row[series] for i, row in enumerate(window)
                  if after is None or self.history.weeks[first + i].monday > after]
        if function == "count_weeks":
            return Decimal(sum(1 for v in chosen if v is True))
        known = [v.amount if isinstance(v, values.Money) else v for v in chosen if v is not None]
        total = sum(known, Decimal(0))
        return values.Money(total) if self.program.checked.types.get(series) == "money" else total

    def _value(self, name: str) -> Any:
        chosen = choose(self.program, self, name, self.proposals)
        if chosen is None:
            return None
        if self.on_choice is not None:
            self.on_choice(chosen)
        return self.program.function(chosen.expr)(self)  # type: ignore[arg-type]


def choose(program: Program, scope: Any, name: str, proposals: frozenset[str]) -> Rule | None:
    """The definition of a value that applies in a week: in force on its Monday, its condition
    true, the highest priority; two at the same priority are a conflict."""
    applicable = [rule for rule in program.checked.values[name]
                  if rule.in_force(scope.as_of) and (rule.proposal is None or rule.proposal in proposals)
                  and (rule.when is None or program.function(rule.when)(scope) is True)]
    if not applicable:
        return None
    return highest_priority(name, applicable, f"in the week of {scope.as_of}")
