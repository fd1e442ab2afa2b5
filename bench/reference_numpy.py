"""A tuned NumPy reference of §§ 5-6, written from the law without the engine.

Same input and output as `reference_python`. Everything that does not depend on last week is
computed for all weeks at once; only the count and its reset are stepped, over all persons at a
time, with the self-support weeks looked up in a running cumulative count.
"""
from __future__ import annotations

import numpy as np

from bench import sets

NO_DATE = np.iinfo(np.int32).min


def evaluate(weeks, codes: tuple[str, ...]) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    assert weeks.range.monday_of(0) >= sets.VALID_FROM, "the reference knows the 2021 benefit sets only"
    masks = weeks.benefits
    refunded, cofinanced, old, in_scope = _person_sets(weeks, codes)
    affected = (masks & in_scope) != 0
    ordinal = _count(affected, masks == 0)
    ref, cof, old_ore = _expenses(weeks, masks.shape, refunded, cofinanced, old)
    steps = np.minimum(ordinal, 53)  # int32 throughout; money in int64
    ref_rate = np.where(affected, _table(sets.REFUSION)[steps], np.where(old_ore > 0, sets.OLD_SCHEME, -1))
    cof_rate = np.where(affected, _table(sets.COFINANCING)[steps], -1)
    half_up = lambda x: (2 * x + 100) // 200  # noqa: E731  øre × percent → øre, half up
    refusion = np.where(affected & (ref > 0), half_up(ref * ref_rate), 0) + half_up(old_ore * sets.OLD_SCHEME)
    return {"ordinal": ordinal, "ref_rate": ref_rate, "ref": refusion, "cof_rate": cof_rate,
            "cof": np.where(cof > 0, half_up(cof * cof_rate), 0)}


def count_only(weeks, codes: tuple[str, ...]) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Only the ordinals (§§ 5-6), for scale."""
    in_scope = _person_sets(weeks, codes)[3]
    return _count((weeks.benefits & in_scope) != 0, weeks.benefits == 0)


def _person_sets(weeks, codes):  # type: ignore[no-untyped-def]
    scheme = np.int64((np.datetime64(sets.SCHEME_START) - np.datetime64("1970-01-01")).astype(np.int64))
    visited, granted = weeks.facts["flexjob_visitation_date"], weeks.facts["early_pension_granted"]
    flex_new = ~((visited != NO_DATE) & (visited < scheme))
    pension_new = ~((granted != NO_DATE) & (granted < scheme))
    flexjob, pension = sets.bits(codes, sets.FLEXJOB), sets.bits(codes, sets.EARLY_PENSION)
    refunded = sets.bits(codes, sets.REFUNDED) | np.where(flex_new, flexjob, 0)
    cofinanced = sets.bits(codes, sets.COFINANCED) | np.where(pension_new, pension, 0)
    old = np.where(flex_new, 0, flexjob)
    return refunded, cofinanced, old, refunded | cofinanced | sets.bits(codes, sets.NO_PAYMENT)


def _count(affected: np.ndarray, self_support: np.ndarray) -> np.ndarray:
    """The ordinal of each affected week (0 otherwise), restarting after 52 self-support weeks."""
    count_weeks, persons = affected.shape
    counts = np.zeros((count_weeks + 1, persons), np.int32)
    np.cumsum(self_support, axis=0, out=counts[1:])
    flat = counts.ravel()
    column = np.arange(persons, dtype=np.int64)
    ordinal = np.zeros(affected.shape, np.int32)
    count = np.zeros(persons, np.int32)
    first = np.zeros(persons, np.int64)
    for week in range(count_weeks):
        low = np.minimum(np.maximum(first + 1, max(week - sets.WINDOW, 0)), week)
        supported = counts[week] - flat[low * persons + column]
        count *= (count == 0) | (supported < sets.RESET_WEEKS)  # § 6: the count starts again
        now = affected[week]
        np.copyto(first, week, where=now & (count == 0))
        count += now
        np.multiply(count, now, out=ordinal[week])
    return ordinal


def _expenses(weeks, shape, refunded, cofinanced, old):  # type: ignore[no-untyped-def]
    """The week's øre under each mechanism, summed from the spread amounts (sorted by cell)."""
    person = weeks.entry_person
    bit = np.left_shift(np.int64(1), weeks.entry_code)
    cell = weeks.entry_week * shape[1] + person
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]]) if len(cell) else np.zeros(0, np.int64)
    out = []
    for mechanism in (refunded, cofinanced, old):
        chosen = (np.broadcast_to(mechanism, (shape[1],))[person] & bit) != 0
        total = np.zeros(shape[0] * shape[1], np.int64)
        if len(cell):
            total[cell[starts]] = np.add.reduceat(weeks.entry_ore * chosen, starts)
        out.append(total.reshape(shape))
    return out


def _table(steps: tuple[tuple[int | None, int], ...]) -> np.ndarray:
    return np.array([0] + [sets.step(steps, n) for n in range(1, 54)], np.int64)
