"""Why a person's week is affected week N: the payments, the count and its last reset, the rates.

Everything shown is read from the per-person weekly evaluation (`engine.refusion.weekly`) of the
person's payments; nothing is recomputed here except each record's share of the week, which
is shown beside the week's amount it adds up to.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any, Iterable

import attrs

import numpy as np

from engine.lang import ast, values

from engine.law import series

from engine.refusion import weekly, weeks
from engine.lang.compiler import Program
from engine.refusion.payments import HOURS_CODES, Payments

SERIES = {
    "affected": "finansiering.uge.beroert", "ordinal": "finansiering.uge.nummer", "count": "finansiering.uge.trin",
    "reset": "finansiering.uge.genoptjent", "first": "finansiering.uge.foerste_uge",
    "self_support": "finansiering.uge.selvforsoergelse", "support": "finansiering.uge.offentlig_forsoergelse",
}
RATES = (("Refusion", "finansiering.uge.refusionssats", "finansiering.uge.afregnet_refusionsudgift",
          "finansiering.uge.refusion", "finansiering.refusionssats"),
         ("Co-financing", "finansiering.uge.medfinansieringssats", "finansiering.uge.afregnet_medfinansieringsudgift",
          "finansiering.uge.medfinansiering", "finansiering.medfinansieringssats"))
# The old scheme's part of the week's refusion (BEK 1770/2015): expense, rate, hours of work placement.
OLD_SCHEME = ("finansiering.uge.gammel_ordning_udgift", "finansiering.gammel_ordning_sats",
              "finansiering.uge.virksomhedspraktik_timer")
WINDOW = 156


class _Person:
    """One person's history and weekly values."""

    def __init__(self, program: Program, payments: Payments, person: str, proposals: Iterable[str]) -> None:
        self.program, self.payments, self.proposals = program, payments, frozenset(proposals)
        index = payments.persons.index(person)
        self.rows = np.flatnonzero(payments.person == index)
        self.span = weeks.week_range(payments)
        spread = weeks.spread(payments, self.rows, np.array([index]), self.span)
        self.plan = series.plan(program.checked)
        self.history = weekly.history_of(spread, 0, payments.codes)
        self.values = weekly.evaluate_person(program, self.plan, self.history, self.proposals)
        self.municipality = payments.municipalities[int(spread.municipality.max(axis=1)[0])] if spread.municipality.size else ""
        self.spread = spread

    def at(self, week: int, key: str) -> Any:
        return self.values[week][SERIES.get(key, key)]

    def in_scope(self, week: int, code: str) -> bool:
        """Whether this benefit alone would make the week affected (the rule, asked for one code)."""
        alone = weekly.PersonWeek(self.history.weeks[week].monday, frozenset({code}), {}, {})
        scope = weekly.WeekScope(self.program, self.plan, self.history, alone, self.values[:week], self.proposals)
        return scope.value(SERIES["affected"]) is True


@attrs.frozen
class StairWeek:
    """One week of a person's staircase: its place on it, whether the count started again before
    it, and its rates (None when the week has none)."""

    monday: dt.date
    ordinal: int
    reset: bool
    refusion_rate: Decimal | None
    cofinancing_rate: Decimal | None


def staircase(program: Program, payments: Payments, person: str, proposals: Iterable[str] = ()) -> list[StairWeek]:
    """Every week of the person's history on the staircase, read from the weekly evaluation."""
    who = _Person(program, payments, person, proposals)
    return [StairWeek(week.monday, int(who.at(i, "ordinal") or 0), who.at(i, "reset") is True,
                      _fraction(who.values[i].get(RATES[0][1])), _fraction(who.values[i].get(RATES[1][1])))
            for i, week in enumerate(who.history.weeks)]


def _fraction(rate: values.Rate | None) -> Decimal | None:
    return None if rate is None else rate.fraction


def explain_week(program: Program, payments: Payments, person: str, day: dt.date, proposals: Iterable[str] = ()) -> str:
    who = _Person(program, payments, person, proposals)
    week = who.span.index_of(day)
    monday = weeks.from_day_number(who.span.first + 7 * max(week, 0))
    if not 0 <= week < who.span.count:
        return f"{person}: the week of {monday} is outside the payments' weeks " \
               f"({who.span.monday_of(0)} to {who.span.monday_of(who.span.count - 1)})"
    municipality = who.spread.municipality[week, 0]
    lines = [f"Person {person}, week of {monday} ({monday} to {monday + dt.timedelta(days=6)})"
             + (f", municipality {payments.municipalities[municipality]}" if municipality >= 0 else ""), ""]
    lines += _payments(who, week) + [""] + _count(who, week) + [""] + _rates(who, week)
    return "\n".join(lines)


def _payments(who: _Person, week: int) -> list[str]:
    monday = weeks.day_number(who.history.weeks[week].monday)
    out = []
    for row in who.rows:
        start, end = int(who.payments.start[row]), int(who.payments.end[row])
        days = min(end, monday + 6) - max(start, monday) + 1
        if days <= 0:
            continue
        code = who.payments.codes[who.payments.benefit[row]]
        share = Fraction(int(who.payments.ore[row]) * days, end - start + 1)
        scope = "hours, no payment" if code in HOURS_CODES else "in scope" if who.in_scope(week, code) else "not in scope"
        out.append(f"  line {who.payments.line[row]}: {code} {_amount(code, values.Money.from_ore(int(who.payments.ore[row])))} "
                   f"for {weeks.from_day_number(start)} to {weeks.from_day_number(end)}: {days} day(s) in the week, "
                   f"{_share_text(code, share)} ({scope})")
    amounts = who.history.weeks[week].amounts
    total = ", ".join(f"{code} {_amount(code, amount)}" for code, amount in sorted(amounts.items()))
    head = ["Payments in the week:"] if out else ["No payment covers any day of the week."]
    tail = [f"  The week's amounts, each rounded half up to whole øre once (reading 10.2): {total}"] if amounts else []
    return head + out + tail


def _ore_text(share: Fraction) -> str:
    return f"{values.Money(Decimal(share.numerator) / Decimal(share.denominator) / 100).round_half_up()} (exactly {share} øre)"


def _amount(code: str, amount: values.Money) -> str:
    """Kroner, or hours for a code whose records give hours (one hour is held as 1 kr)."""
    return f"{values.format_decimal(amount.amount, 2)} hours" if code in HOURS_CODES else str(amount)


def _share_text(code: str, share: Fraction) -> str:
    if code not in HOURS_CODES:
        return _ore_text(share)
    rounded = values.Money(Decimal(share.numerator) / Decimal(share.denominator) / 100).round_half_up()
    return f"{_amount(code, rounded)} (exactly {share / 100} hours)"


def _count(who: _Person, week: int) -> list[str]:
    ordinal = int(who.at(week, "ordinal"))
    cites = _cites(who, SERIES["ordinal"], week)
    if ordinal:
        out = [f"The week is affected week {ordinal} on the staircase ({cites}): a benefit in scope was paid on "
               "at least one of its days; the count is shared by all benefits (reading 10.3)."]
    elif who.at(week, "support"):
        out = ["The week is not an affected week: only public support outside the staircase was paid; it is no "
               "self-support week either (reading 10.5)."]
    else:
        out = ["The week is not an affected week: no benefit in scope was paid."]
    count = int(who.at(week, "count"))
    if count:
        first = who.at(week, "first")
        out.append(f"The current count began with affected week 1 in the week of {first}.")
    out += _reset(who, week)
    return out


def _reset(who: _Person, week: int) -> list[str]:
    resets = [w for w in range(week + 1) if who.at(w, "reset") is True]
    cite = _cites(who, SERIES["reset"], week)
    if not resets:
        return [f"No reset so far: the count has not started again since the history began ({cite})."]
    reset = resets[-1]
    first = who.at(reset - 1, "first")
    counted = [w for w in range(max(0, reset - WINDOW), reset)
               if who.at(w, "self_support") is True and who.history.weeks[w].monday > first]
    return [f"The count last started again before the week of {who.history.weeks[reset].monday} ({cite}): "
            f"{len(counted)} self-support weeks among the {WINDOW} weeks before it, after the previous count's first "
            f"affected week ({first}), from the week of {who.history.weeks[counted[0]].monday} "
            f"to the week of {who.history.weeks[counted[-1]].monday}."]


def _rates(who: _Person, week: int) -> list[str]:
    out = []
    for label, rate_name, expense_name, amount_name, staircase in RATES:
        rate, expense, amount = (who.values[week].get(n) for n in (rate_name, expense_name, amount_name))
        if rate is None:
            out.append(f"{label}: no rate in this week" + (" (the staircase applies from 2016-01-04, § 29)"
                                                             if who.history.weeks[week].monday < dt.date(2016, 1, 4) else ""))
            continue
        old = _old_scheme(who, week) if label == "Refusion" else []
        if old and expense is not None and expense.amount == 0:  # the old scheme's alone: its rate is shown below
            out.append(f"{label}: {amount} (rounded half up to whole øre)")
        else:
            step = _step(who, staircase, int(who.at(week, "count")))
            out.append(f"{label}: {rate} ({_cites(who, rate_name, week)}{step}) of {expense} = {amount}"
                       " (rounded half up to whole øre)")
        out += old
    return out


def _old_scheme(who: _Person, week: int) -> list[str]:
    """The old scheme's part of the refusion, when the week has one: its expense, its rate and the
    hours of virksomhedspraktik that decide between 30 % and 50 %."""
    expense, rate, hours = (who.values[week].get(name) for name in OLD_SCHEME)
    if expense is None or rate is None or expense.amount == 0:
        return []
    placement = f"; virksomhedspraktik in the week: {_amount(HOURS_CODES[0], hours)}" if hours is not None else ""
    return [f"  the old scheme's part: {rate} ({_cites(who, OLD_SCHEME[1], week)}) of {expense}{placement}"]


def _step(who: _Person, name: str, count: int) -> str:
    rule = next(iter(who.program.checked.values.get(name, ())), None)
    if rule is None or not isinstance(rule.expr, ast.Steps):
        return ""
    for step in rule.expr.steps:
        high = step.high.value if step.high else None
        if step.low.value <= count and (high is None or count <= high):  # type: ignore[operator]
            return f"; affected weeks {ast.to_source(step.low)}..{ast.to_source(step.high) if step.high else ''}"
    return ""


def _cites(who: _Person, name: str, week: int) -> str:
    day = who.history.weeks[week].monday
    scope = weekly.WeekScope(who.program, who.plan, who.history, who.history.weeks[week], who.values[:week], who.proposals)
    rule = weekly.choose(who.program, scope, name, who.proposals)
    if rule is None:
        rule = who.program.checked.values[name][0]
    refs = who.program.checked.legal_refs
    return "; ".join(refs.legal_basis(c, max(day, dt.date(2016, 1, 4)))["cite"] for c in rule.refs)
