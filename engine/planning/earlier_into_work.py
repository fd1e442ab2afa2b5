""""N weeks earlier into work": each spell on benefits ends N weeks earlier (the Horsens question).

A spell is a run of consecutive calendar weeks in which the person was paid a benefit that one
leaves by getting into work: a benefit on the staircase (finansieringsloven § 3, stk. 1, as the
rule files list it in `SPELL_SETS`) other than a pension. Its last paid day moves back by 7 × N
days; payments of those benefits after the new last day are dropped, and a payment that
straddles it keeps its days up to it, with the same amount per day (its amount times the days
kept over its days, rounded half up to whole øre: the only rounding the cut adds; the weekly
amounts are then spread and rounded as always, reading 10.2). A spell of N weeks or less is
left out entirely. A spell still running in the last week of the payment data is not cut: its
end is not in the data.

Nothing else changes: other support (SU, folkepension, pensions) stays, the next spell starts
when it did, and the law is applied as always. The weeks cut become weeks without public
support, i.e. self-support weeks (§ 6, stk. 2), so they count towards the 52 that reset the
count (§ 6, stk. 1); a later spell can then start again at week 1 on the staircase (§ 5).
Entry point: `shorten`.
"""
from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from engine.lang import ast
from engine.refusion.payments import Payments
from engine.rulebook import Rulebook

SPELL_SETS = ("finansiering.refusionsydelser", "finansiering.medfinansieringsydelser",
              "finansiering.fleksjobydelser", "finansiering.ydelser_uden_betaling")
PENSIONS = frozenset({"foertidspension", "seniorpension"})  # one does not leave a pension for work
_PERSON_STRIDE = 1 << 22  # more weeks than the dates a payment may name (year 9999) span


def spell_codes(book: Rulebook) -> frozenset[str]:
    """The benefit codes a spell is made of: every code the rules list in `SPELL_SETS`, at any
    date, except the pensions."""
    codes = {node.dotted for name in SPELL_SETS for rule in book.checked.values.get(name, ())
             if rule.expr is not None for node in ast.walk(rule.expr) if isinstance(node, ast.Name)}
    return frozenset(codes) - PENSIONS


def shorten(payments: Payments, weeks: int, codes: frozenset[str]) -> Payments:
    """The payments with every closed spell of the benefits `codes` ending `weeks` weeks earlier."""
    spell_rows = np.flatnonzero(np.isin(payments.benefit, [i for i, c in enumerate(payments.codes) if c in codes]))
    if not len(spell_rows) or weeks <= 0:
        return payments
    cut_day = _cut_days(payments, spell_rows, weeks)
    start, end, ore = payments.start.astype(np.int64), payments.end.astype(np.int64), payments.ore.copy()
    new_end = end.copy()
    new_end[spell_rows] = np.minimum(end[spell_rows], cut_day)
    keep = start <= new_end
    changed = keep & (new_end < end)
    ore[changed] = _pro_rata(ore[changed], new_end[changed] - start[changed] + 1, end[changed] - start[changed] + 1)
    return attrs.evolve(payments, person=payments.person[keep], municipality=payments.municipality[keep],
                        benefit=payments.benefit[keep], ore=ore[keep], start=payments.start[keep],
                        end=new_end[keep].astype(payments.end.dtype), line=payments.line[keep])


def _week(day: Any) -> Any:
    return (day + 3) // 7  # day 0 is a Thursday: weeks counted from Monday 1969-12-29


def _cut_days(payments: Payments, rows: np.ndarray, weeks: int) -> np.ndarray:
    """For each row of `rows`, the new last day of its spell (no cut for a spell still running)."""
    person = payments.person[rows].astype(np.int64)
    first, last = _week(payments.start[rows].astype(np.int64)), _week(payments.end[rows].astype(np.int64))
    order = np.lexsort((first, person))
    person, first, last = person[order], first[order], last[order]
    reach = np.maximum.accumulate(person * _PERSON_STRIDE + last) - person * _PERSON_STRIDE  # last week so far
    new_spell = np.ones(len(order), bool)
    new_spell[1:] = (person[1:] != person[:-1]) | (first[1:] > reach[:-1] + 1)
    starts = np.flatnonzero(new_spell)
    spell = np.cumsum(new_spell) - 1
    end_day = np.maximum.reduceat(payments.end[rows].astype(np.int64)[order], starts)
    still_running = np.maximum.reduceat(last, starts) >= _week(np.int64(payments.end.max()))
    cut = np.where(still_running, np.iinfo(np.int64).max, end_day - 7 * weeks)
    out = np.empty(len(rows), np.int64)
    out[order] = cut[spell]
    return out


def _pro_rata(ore: np.ndarray, kept: np.ndarray, days: np.ndarray) -> np.ndarray:
    """ore × kept / days, rounded half up (away from zero) to whole øre, in integers."""
    magnitude: np.ndarray = (2 * np.abs(ore) * kept + days) // (2 * days)
    return np.sign(ore) * magnitude  # type: ignore[no-any-return]
