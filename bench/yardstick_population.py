"""The yardstick's population (`../shared/bench/gen_data.py`) as paragraf's week facts.

The yardstick stores, per person and week from Monday 2016-01-04, the øre of refunded benefits
(`ref_amount`), of co-financed benefits (`cof_amount`) and whether other public support was paid
(`other_support`). Here they become kontanthjælp, a-dagpenge and SU (at 0 kr) entries of
`engine.refusion.weeks.Weeks`, so that the weekly rules see the same weeks the yardstick computes.
"""
from __future__ import annotations

import datetime as dt

import numpy as np

from engine.refusion.weeks import WeekRange, Weeks, day_number
from engine.refusion.weekly import FACT_INPUTS
from engine.refusion.payments import NO_DATE

FIRST = dt.date(2016, 1, 4)
BENEFITS = ("kontanthjaelp", "a_dagpenge", "su")


def as_weeks(ref: np.ndarray, cof: np.ndarray, other: np.ndarray, codes: tuple[str, ...]) -> Weeks:
    """Persons × weeks arrays → the week facts of one slice (entries sorted by person, then week)."""
    persons, count = ref.shape
    paid = np.stack([ref.T > 0, cof.T > 0, other.T])          # benefit × week × person
    ore = np.stack([ref.T, cof.T, np.zeros_like(ref.T)]).astype(np.int64)
    code = np.array([codes.index(b) for b in BENEFITS], np.int64)
    which, week, person = np.nonzero(paid)
    order = np.lexsort((which, week, person))
    which, week, person = which[order], week[order], person[order]
    bits = np.zeros((count, persons), np.int64)
    for k in range(len(BENEFITS)):
        bits |= paid[k].astype(np.int64) << code[k]
    return Weeks(range=WeekRange(day_number(FIRST), count), persons=np.arange(persons),
                 benefits=bits, municipality=np.zeros((count, persons), np.int32),
                 entry_week=week.astype(np.int64), entry_person=person.astype(np.int64),
                 entry_code=code[which], entry_ore=ore[which, week, person], entry_tail=np.zeros(len(week), np.int64),
                 person_start=np.searchsorted(person, np.arange(persons + 1)),
                 facts={column: np.full(persons, NO_DATE, np.int32) for column in FACT_INPUTS.values()})
