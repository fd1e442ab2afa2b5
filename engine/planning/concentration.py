"""Cost concentration over payment records: how much of the gross benefit costs the costliest
citizens carry (the "1 % of the citizens drive 30 % of the costs" of the free-municipality
application "Tværgående borgerforløb"), the Lorenz curve, the Gini coefficient, and how many
different benefits the costliest citizens draw ("trækker på mange ydelser").

Definitions (docs/planning.md):

* A citizen's *gross cost* is the sum, in øre, of every payment record of that person (every
  benefit code, in scope of the refusion staircase or not); with `by="municipality"` a citizen
  is counted in each municipality with the records it paid.
* *Rank*: citizens ordered by gross cost, largest first; equal costs are ordered by person id
  (as text), so the order is total and the same on every run. The *top p %* are the first
  ceil(n * p / 100) citizens. The share they carry does not depend on how ties are broken
  (tied citizens have equal costs); which tied citizen is marked complex does.
* Shares, the Lorenz curve and the Gini coefficient are exact fractions of integer øre; they are
  rounded only when shown (half up: shares to 0.1 percentage point in text, 4 decimals in JSON).
* *Lorenz curve*: the points (k/n, share of the costs held by the k least costly citizens),
  k = 0..n. *Gini* = (2 * sum(i * x_i) - (n + 1) * sum(x)) / (n * sum(x)) over the costs x
  in ascending order, i = 1..n: 0 when all are equal, (n - 1)/n when one citizen has all.

Everything is vectorised in NumPy over the integer columns of `engine.refusion.payments`.
Entry point: `measure`.
"""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import numpy as np

from engine.refusion.payments import Payments, money_rows

PERCENTS = (1, 3, 5)
BY = ("municipality",)
ALL = "all"
# the population shares (per cent) the Lorenz table and JSON give the curve at
LORENZ_AT = (0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97, 99, 100)


@attrs.frozen
class Segment:
    """The top `percent` % of a group's citizens by gross cost."""

    percent: int
    citizens: int
    ore: int
    share: Fraction
    benefits: tuple[int, ...]  # the number of different benefits of each citizen in it, by rank


@attrs.frozen
class Group:
    """The concentration of one group (all citizens, or one municipality's)."""

    name: str
    persons: tuple[str, ...]   # by rank, costliest first
    ore: np.ndarray            # int64 gross cost of each, by rank
    benefits: np.ndarray       # int64 number of different benefit codes of each, by rank
    segments: tuple[Segment, ...]
    gini: Fraction

    @property
    def total(self) -> int:
        return int(self.ore.sum(dtype=np.int64))

    def top(self, percent: int) -> tuple[str, ...]:
        """The persons of the top `percent` %, by rank."""
        return self.persons[:top_count(len(self.persons), percent)]

    def lorenz(self) -> tuple[np.ndarray, np.ndarray]:
        """The whole curve: population shares k/n and cost shares, k = 0..n (floats, for drawing)."""
        ascending = self.ore[::-1]
        held = np.concatenate(([0], np.cumsum(ascending, dtype=np.int64)))
        shares = np.arange(len(ascending) + 1) / max(len(ascending), 1)
        return (shares, held / self.total) if self.total else (shares, shares)  # no costs: nobody holds more

    def lorenz_at(self, percent: int) -> Fraction:
        """The exact share of the costs held by the floor(n * percent / 100) least costly citizens."""
        bottom = len(self.ore) * percent // 100
        if not self.total:
            return Fraction(percent, 100)
        return Fraction(int(self.ore[len(self.ore) - bottom:].sum(dtype=np.int64)), self.total)


@attrs.frozen
class Concentration:
    by: str | None
    groups: tuple[Group, ...]   # ALL first, then each municipality (with `by`) in code order
    bad: tuple[Any, ...]        # the payment rows that could not be read (BadRow)

    def marked(self, percent: int) -> set[str]:
        """The persons in the top `percent` %: of all citizens, or with `by`, of each municipality's."""
        groups = self.groups[1:] if self.by else self.groups[:1]
        return {person for group in groups for person in group.top(percent)}


def top_count(citizens: int, percent: int) -> int:
    """ceil(citizens * percent / 100), in integers."""
    return -(-citizens * percent // 100)


def measure(payments: Payments, by: str | None = None, percents: tuple[int, ...] = PERCENTS) -> Concentration:
    """The concentration of the gross costs in `payments`, over all citizens and (with `by`) per municipality."""
    if by is not None and by not in BY:
        raise ValueError(f"unknown grouping {by!r}; use one of {', '.join(BY)}")
    names = np.array(payments.persons, dtype=object)
    # each person's place in the order of person ids, sorted once: ties are broken by it
    order = np.empty(len(names), np.int64)
    order[np.argsort(names.astype(str), kind="stable")] = np.arange(len(names))
    money = money_rows(payments)  # the hours of virksomhedspraktik are no cost
    groups = [_group(ALL, payments.person[money], payments, names, order, percents, money)]
    if by == "municipality":
        for index in sorted(range(len(payments.municipalities)), key=lambda i: payments.municipalities[i]):
            rows = (payments.municipality == index) & money
            groups.append(_group(payments.municipalities[index], payments.person[rows], payments, names,
                                 order, percents, rows))
    return Concentration(by, tuple(groups), tuple(payments.bad))


def _group(name: str, person: np.ndarray, payments: Payments, names: np.ndarray, id_order: np.ndarray,
           percents: tuple[int, ...], rows: np.ndarray | None = None) -> Group:
    ore = payments.ore if rows is None else payments.ore[rows]
    benefit = payments.benefit if rows is None else payments.benefit[rows]
    who, cost = _sums(person, ore)
    kinds = _different(person, benefit, len(payments.codes), who)
    order = np.lexsort((id_order[who], -cost))  # costliest first; ties by person id
    cost, kinds, ranked = cost[order], kinds[order], tuple(names[who[order]])
    segments = tuple(_segment(p, cost, kinds) for p in percents)
    return Group(name, ranked, cost, kinds, segments, gini(cost))


def _sums(person: np.ndarray, ore: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The persons present and each one's sum of øre (exact int64: sorted, then reduced)."""
    if not len(person):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.argsort(person, kind="stable")
    sorted_person = person[order]
    starts = np.flatnonzero(np.r_[True, sorted_person[1:] != sorted_person[:-1]])
    return sorted_person[starts].astype(np.int64), np.add.reduceat(ore[order].astype(np.int64), starts)


def _different(person: np.ndarray, benefit: np.ndarray, codes: int, who: np.ndarray) -> np.ndarray:
    """For each person in `who`, the number of different benefit codes in its rows: the distinct
    (person, code) keys, sorted, counted per person."""
    keys = np.sort(person.astype(np.int64) * codes + benefit.astype(np.int64))
    distinct = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
    counts = np.bincount(distinct // codes, minlength=int(who.max()) + 1 if len(who) else 0)
    per_person: np.ndarray = counts[who].astype(np.int64)
    return per_person


def _segment(percent: int, cost: np.ndarray, kinds: np.ndarray) -> Segment:
    k = top_count(len(cost), percent)
    total = int(cost.sum(dtype=np.int64))
    top = int(cost[:k].sum(dtype=np.int64))
    return Segment(percent, k, top, Fraction(top, total) if total else Fraction(0), tuple(int(v) for v in kinds[:k]))


def gini(cost: np.ndarray) -> Fraction:
    """The Gini coefficient of the costs, exactly (Python integers: sums of rank x øre may pass int64)."""
    n = len(cost)
    total = int(cost.sum(dtype=np.int64))
    if n == 0 or total == 0:
        return Fraction(0)
    ascending = cost[::-1].astype(object)
    weighted = int(np.dot(np.arange(1, n + 1, dtype=object), ascending))
    return Fraction(2 * weighted - (n + 1) * total, n * total)


def rounded(value: Fraction, places: int) -> Decimal:
    """A non-negative exact fraction rounded half up to `places` decimals (for display and JSON only)."""
    scaled = value * 10 ** places
    return Decimal(math.floor(scaled + Fraction(1, 2))).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def kroner(ore: int) -> Decimal:
    return Decimal(ore).scaleb(-2)


def to_dict(result: Concentration) -> dict[str, Any]:
    return {"schema": "paragraf/concentration@1", "by": result.by, "bad_rows": len(result.bad),
            "groups": [_group_dict(group) for group in result.groups]}


def _group_dict(group: Group) -> dict[str, Any]:
    return {
        "group": group.name, "citizens": len(group.persons), "gross_cost": str(kroner(group.total)),
        "gini": str(rounded(group.gini, 4)),
        "top": [{"percent": s.percent, "citizens": s.citizens, "gross_cost": str(kroner(s.ore)),
                 "share": str(rounded(s.share, 4)), "benefits_per_citizen": benefit_counts(s.benefits)}
                for s in group.segments],
        "lorenz": [{"citizens": p, "share": str(rounded(group.lorenz_at(p), 4))} for p in LORENZ_AT],
    }


def benefit_counts(benefits: tuple[int, ...]) -> dict[str, int]:
    """How many citizens draw 1, 2, 3, or 4 or more different benefits."""
    counts = {"1": 0, "2": 0, "3": 0, "4+": 0}
    for n in benefits:
        counts[str(n) if n < 4 else "4+"] += 1
    return counts
