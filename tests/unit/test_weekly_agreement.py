"""The per-person, the NumPy and the native weekly evaluators agree exactly, on every value of
every week (hypothesis): spells near the count's thresholds, resets and the 156-week window."""
from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.refusion import batch, native, payments, weekly, weeks

from engine.law import series

CODES_IN_PLAY = ("kontanthjaelp", "sygedagpenge", "ressourceforloebsydelse", "a_dagpenge", "foertidspension",
                 "ledighedsydelse", "fleksloentilskud", "saerlig_stoette", "integrationsydelse",
                 "saerlig_uddannelsesydelse", "su", "folkepension", "seniorpension", "kontanthjaelp_las27",
                 "loentilskud", "loentilskud_foertidspension", "a_dagpenge_eu", "kontantydelse_eu",
                 "a_dagpenge_fradrag", "virksomhedspraktik")
FIRST = dt.date(2014, 5, 1)  # a Thursday


def spells(person: str):  # type: ignore[no-untyped-def]
    """Consecutive spells of one benefit or of nothing, with lengths near the law's thresholds."""
    weeks = st.sampled_from([4, 5, 26, 27, 40, 51, 52, 53, 104, 116, 155, 156, 157]).map(lambda n: 7 * n)
    length = st.one_of(st.integers(1, 120), weeks, st.sampled_from([357, 364, 371, 700, 1085, 1092]))
    spell = st.tuples(st.one_of(st.none(), st.sampled_from(CODES_IN_PLAY)), length, st.integers(0, 3_000_000))
    offset = st.one_of(st.integers(0, 700), st.integers(0, 100).map(lambda n: 7 * n + 4))  # +4: from a Monday
    return st.tuples(offset, st.lists(spell, min_size=1, max_size=10)).map(lambda t: _records(person, *t))


def _records(person: str, offset: int, spells: list[tuple[str | None, int, int]]) -> list[dict[str, str]]:
    out, day = [], FIRST + dt.timedelta(days=offset)
    for code, days, ore in spells:
        if code is not None:
            out.append({"person": person, "municipality": "101", "benefit": code,
                        "amount": f"{ore // 100}.{ore % 100:02d}", "from": str(day), "to": str(day + dt.timedelta(days=days - 1))})
            if code in payments.HOURS_CODES:  # hours, not money: 0 to 39.99 a week, around the 10 of BEK 1770/2015 § 2
                hours = ore % 4000 * days // 7
                out[-1].update(amount="0", hours=f"{hours // 100}.{hours % 100:02d}")
        day += dt.timedelta(days=days)
    return out or [{"person": person, "municipality": "101", "benefit": "su", "amount": "1.00",
                    "from": str(day), "to": str(day)}]


def placement(person: str):  # type: ignore[no-untyped-def]
    """None, or a record of virksomhedspraktik laid over the spells: its hours a week near the 10
    of BEK 1770/2015 § 2, over whole weeks or from any weekday."""
    start = st.integers(0, 400).map(lambda n: FIRST + dt.timedelta(days=n))
    days = st.one_of(st.integers(1, 60), st.integers(1, 8).map(lambda n: 7 * n))
    weekly_hours = st.one_of(st.integers(0, 3000), st.sampled_from([999, 1000, 1001]))
    record = st.tuples(start, days, weekly_hours).map(lambda t: {
        "person": person, "municipality": "101", "benefit": "virksomhedspraktik", "amount": "0",
        "hours": f"{t[1] * t[2] // 7 // 100}.{t[1] * t[2] // 7 % 100:02d}",
        "from": str(t[0]), "to": str(t[0] + dt.timedelta(days=t[1] - 1))})
    return st.one_of(st.none(), record)


def person(index: int):  # type: ignore[no-untyped-def]
    name = f"p{index}"
    fact = st.one_of(st.none(), st.sampled_from(["2013-01-01", "2014-06-30", "2014-07-01", "2016-05-01"]))
    return st.tuples(spells(name), placement(name), fact, fact).map(
        lambda t: [dict(r, flexjob_visitation_date=t[2] or "", early_pension_granted=t[3] or "")
                   for r in t[0] + ([t[1]] if t[1] else [])])


population = st.integers(1, 3).flatmap(lambda n: st.tuples(*(person(i) for i in range(n))))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(population)
def test_three_evaluators_agree(rulebook, people) -> None:  # type: ignore[no-untyped-def]
    codes = rulebook.checked.inputs["citizen.benefit"].input.values
    read = payments.from_records([r for rows in people for r in rows], codes)
    assert not read.bad
    assert_agree(rulebook, read, codes)


def test_they_agree_at_the_bound_of_a_persons_amounts(rulebook) -> None:  # type: ignore[no-untyped-def]
    """1,200 payments in one week summing to the most paragraf adds up (payments.PERSON_ORE_BOUND):
    every evaluator's int64 arithmetic still holds, so all three give the same."""
    codes = rulebook.checked.inputs["citizen.benefit"].input.values
    each = payments.PERSON_ORE_BOUND // 1200
    amount = f"{each // 100}.{each % 100:02d}"
    records = [{"person": "bo", "municipality": "101", "benefit": code, "amount": amount,
                "from": "2016-01-04", "to": "2016-01-10"} for code in ("kontanthjaelp", "sygedagpenge") * 600]
    read = payments.from_records(records, codes)
    assert not read.bad and int(read.ore.sum()) == 1200 * each
    assert_agree(rulebook, read, codes)


def assert_agree(rulebook, read, codes) -> None:  # type: ignore[no-untyped-def]
    plan = series.plan(rulebook.program.checked)
    span = weeks.week_range(read)
    spread = weeks.spread(read, np.arange(read.rows), np.arange(len(read.persons)), span)
    found = {"numpy": batch.BatchProgram(rulebook.program, plan, codes).run(spread, plan.order),
             "native": _native(rulebook, plan, codes).run(spread, plan.order)}
    shape = (span.count, len(read.persons))
    amounts = ("finansiering.uge.refusion", "finansiering.uge.medfinansiering")
    for name, (total, missing) in _native(rulebook, plan, codes).totals(spread, amounts).items():
        value = found["native"][name]  # the totals kernel: the weekly results summed per person
        none = np.zeros(value.data.shape, bool) if value.none is None else value.none
        assert np.array_equal(total, np.where(none, 0, value.data).sum(axis=0)), name
        assert np.array_equal(missing, none.sum(axis=0)), name
    for local in range(len(read.persons)):
        history = weekly.history_of(spread, local, codes)
        for week, values in enumerate(weekly.evaluate_person(rulebook.program, plan, history)):
            for evaluator, results in found.items():
                for name in plan.order:
                    data, none = batch.to_python(results[name], shape, codes)
                    got = batch.scalar(results[name], data[week, local], bool(none[week, local]), codes)
                    assert got == values[name], (evaluator, name, history.weeks[week].monday, read.persons[local])


_NATIVE: dict[int, native.NativeProgram] = {}


def _native(rulebook, plan, codes) -> native.NativeProgram:  # type: ignore[no-untyped-def]
    """One native program for all examples (its kernel is compiled once)."""
    if id(rulebook) not in _NATIVE:
        _NATIVE[id(rulebook)] = native.NativeProgram(rulebook.program, plan, codes)
        assert not _NATIVE[id(rulebook)].unsupported  # the bundled rules run natively throughout
    return _NATIVE[id(rulebook)]
