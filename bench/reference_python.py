"""A plain Python reference of §§ 5-6, written from the law without the engine.

Input: the spread week facts (`engine.refusion.weeks.Weeks`). Output per person and week: the affected
week's ordinal (0: not affected), the refusion and co-financing rates in percent (-1: none) and
amounts in øre (-1: none). Only for weeks from 2021-02-12 (one set of benefits).
"""
from __future__ import annotations

import numpy as np

from bench import sets


def evaluate(weeks, codes: tuple[str, ...]) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    assert weeks.range.monday_of(0) >= sets.VALID_FROM, "the reference knows the 2021 benefit sets only"
    count, persons = weeks.benefits.shape
    amounts = _amounts_by_cell(weeks, persons)
    masks = weeks.benefits.T.tolist()
    scheme = sets.SCHEME_START.toordinal() - 719163  # day number of 2014-07-01
    out = {k: [[0] * count for _ in range(persons)] for k in ("ordinal", "ref_rate", "ref", "cof_rate", "cof")}
    for p in range(persons):
        flex_new = not (weeks.facts["flexjob_visitation_date"][p] != -2**31 and weeks.facts["flexjob_visitation_date"][p] < scheme)
        pension_new = not (weeks.facts["early_pension_granted"][p] != -2**31 and weeks.facts["early_pension_granted"][p] < scheme)
        _person(codes, masks[p], amounts, p, persons, flex_new, pension_new, out)
    return {k: np.array(v, dtype=np.int64).T for k, v in out.items()}


def _amounts_by_cell(weeks, persons: int) -> dict[int, list[tuple[int, int]]]:  # type: ignore[no-untyped-def]
    cells: dict[int, list[tuple[int, int]]] = {}
    for week, person, code, ore in zip(weeks.entry_week.tolist(), weeks.entry_person.tolist(),
                                       weeks.entry_code.tolist(), weeks.entry_ore.tolist()):
        cells.setdefault(week * persons + person, []).append((code, ore))
    return cells


def _person(codes, masks, amounts, p, persons, flex_new, pension_new, out) -> None:  # type: ignore[no-untyped-def]
    refunded = sets.bits(codes, sets.REFUNDED) | (sets.bits(codes, sets.FLEXJOB) if flex_new else 0)
    cofinanced = sets.bits(codes, sets.COFINANCED) | (sets.bits(codes, sets.EARLY_PENSION) if pension_new else 0)
    old = 0 if flex_new else sets.bits(codes, sets.FLEXJOB)
    in_scope = refunded | cofinanced | sets.bits(codes, sets.NO_PAYMENT)
    count, first, self_support = 0, -1, []
    for week, mask in enumerate(masks):
        if count > 0:  # § 6: 52 self-support weeks after the first affected week, within 156 weeks
            low = max(week - sets.WINDOW, first + 1, 0)
            if sum(self_support[low:week]) >= sets.RESET_WEEKS:
                count = 0
        affected = mask & in_scope != 0
        if affected:
            if count == 0:
                first = week
            count += 1
        self_support.append(mask == 0)
        _settle(amounts.get(week * persons + p, ()), week, p, count if affected else 0, refunded, cofinanced, old, out)


def _settle(entries, week, p, ordinal, refunded, cofinanced, old, out) -> None:  # type: ignore[no-untyped-def]
    ref = sum(ore for code, ore in entries if refunded >> code & 1)
    cof = sum(ore for code, ore in entries if cofinanced >> code & 1)
    old_ore = sum(ore for code, ore in entries if old >> code & 1)
    ref_rate = sets.step(sets.REFUSION, ordinal) if ordinal else (sets.OLD_SCHEME if old_ore else -1)
    cof_rate = sets.step(sets.COFINANCING, ordinal) if ordinal else -1
    row = out["ordinal"][p]
    row[week] = ordinal
    out["ref_rate"][p][week] = ref_rate
    out["cof_rate"][p][week] = cof_rate
    staircase = _round(ref * ref_rate) if ref and ordinal else 0
    out["ref"][p][week] = staircase + (_round(old_ore * sets.OLD_SCHEME) if old_ore else 0)
    out["cof"][p][week] = _round(cof * cof_rate) if cof else 0


def _round(ore_percent: int) -> int:
    """øre × percent / 100, rounded half up to whole øre."""
    return (2 * ore_percent + 100) // 200
