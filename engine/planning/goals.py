"""The follow-up goals 5 ("costs for the target groups") and 10 ("which parts of the law were set
aside") of the free-municipality application "Tværgående borgerforløb", for a baseline and a
follow-up year, from payment records and citizen cases.

* The *target group* is the persons with a case marked `citizen.complex_case` (a case belongs to
  the person its id names: `engine.planning.marking.person_of`), e.g. the caseload
  `paragraf report concentration --mark-complex` wrote.
* *Costs in a year*: each payment record is spread evenly over its days (legal brief, reading
  10.2) and the part falling in the year is rounded half up to whole øre, once per record.
* *Set aside*: the exemption usage report (`engine.audit.exemption_report`) over the cases, by
  year of their `as_of`: each paragraph of an obligation that applied and was lifted, counted per case.

Entry point: `measure`.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from engine.audit import exemption_report
from engine.planning.concentration import kroner
from engine.planning.marking import person_of
from engine.planning.words import citation_order
from engine.refusion.payments import Payments, money_rows
from engine.rulebook import Rulebook

EPOCH = dt.date(1970, 1, 1)


@attrs.frozen
class Year:
    """The two goals measured for one year."""

    year: int
    target_citizens: int      # target-group persons with costs in the year
    target_ore: int
    all_citizens: int         # persons with costs in the year
    all_ore: int
    exemption_cases: tuple[tuple[str, int], ...]        # (exemption rule, cases it applied to)
    set_aside: tuple[tuple[str, str, int], ...]         # (act, paragraph, times lifted)


@attrs.frozen
class Goals:
    baseline: Year
    follow_up: Year
    target: tuple[str, ...]   # the target group's persons, sorted
    cases: int                # cases evaluated
    bad_payments: tuple[Any, ...]
    bad_cases: tuple[exemption_report.BadCase, ...]

    @property
    def change(self) -> int:
        """How much more (or, negative, less) the target group cost in the follow-up year, in øre."""
        return self.follow_up.target_ore - self.baseline.target_ore


def measure(book: Rulebook, payments: Payments, cases: Path, baseline: int, follow_up: int,
            proposals: Iterable[str] = ()) -> Goals:
    target = _target_group(book, cases)
    usage = exemption_report.count_usage(book, [cases], "year", proposals)
    member = np.isin(np.array(payments.persons, dtype=object), np.array(sorted(target), dtype=object))
    years = tuple(_year(year, payments, member, usage) for year in (baseline, follow_up))
    return Goals(years[0], years[1], tuple(sorted(target)), usage.cases, tuple(payments.bad), tuple(usage.bad))


def _target_group(book: Rulebook, cases: Path) -> set[str]:
    """The persons with a case marked complex (cases that cannot be read are left to the usage count to report)."""
    return {person_of(row.case.id) for row in book.read_cases(cases)
            if row.case is not None and row.case.facts.get("citizen.complex_case") is True}


def in_year(payments: Payments, year: int) -> np.ndarray:
    """Each record's øre falling in `year`, spread per day, rounded half up to whole øre (int64)."""
    first, last = ((dt.date(year, 1, 1) - EPOCH).days, (dt.date(year, 12, 31) - EPOCH).days)
    days = payments.end.astype(np.int64) - payments.start + 1
    inside = np.clip(np.minimum(payments.end, last).astype(np.int64) - np.maximum(payments.start, first) + 1, 0, None)
    part: np.ndarray = (2 * payments.ore * inside + days) // (2 * days)  # ore * inside / days, half up
    part[~money_rows(payments)] = 0  # the hours of virksomhedspraktik are no cost
    return part


def _year(year: int, payments: Payments, member: np.ndarray, usage: exemption_report.UsageReport) -> Year:
    ore = in_year(payments, year)
    paid = ore > 0
    target = paid & member[payments.person]
    period = str(year)
    cases = Counter({rule: sum(n for (_, p), n in u.by_place.items() if p == period) for rule, u in usage.usages.items()})
    lifted: Counter[tuple[str, str]] = Counter()
    for u in usage.usages.values():
        for (_, p, act, _, cite), n in u.lifted_by_place.items():
            if p == period:
                lifted[(act, cite)] += n
    return Year(year, len(np.unique(payments.person[target])), int(ore[target].sum()),
                len(np.unique(payments.person[paid])), int(ore.sum()),
                tuple(sorted((r, n) for r, n in cases.items() if n)),
                tuple(sorted(((a, c, n) for (a, c), n in lifted.items()), key=lambda t: citation_order(t[1]))))


def to_dict(goals: Goals) -> dict[str, Any]:
    return {"schema": "paragraf/goals@1", "target_group": len(goals.target), "cases": goals.cases,
            "bad_payment_rows": len(goals.bad_payments), "bad_cases": len(goals.bad_cases),
            "baseline": _year_dict(goals.baseline), "follow_up": _year_dict(goals.follow_up),
            "goal_5_change": str(kroner(goals.change))}


def _year_dict(year: Year) -> dict[str, Any]:
    return {
        "year": year.year,
        "goal_5_costs": {"target_citizens": year.target_citizens, "target_gross_cost": str(kroner(year.target_ore)),
                         "all_citizens": year.all_citizens, "all_gross_cost": str(kroner(year.all_ore))},
        "goal_10_set_aside": {
            "exemptions": [{"rule": r, "cases": n} for r, n in year.exemption_cases],
            "paragraphs": [{"act": a, "paragraph": c, "times": n} for a, c, n in year.set_aside]},
    }
