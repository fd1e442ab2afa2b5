"""The lift index gives, for every obligation and day, exactly the exemptions `resolver.lifts` names."""
from __future__ import annotations

import datetime as dt

import engine
from engine.law.lifting import LiftIndex
from engine.law.resolver import lifts

# days across the act versions the bundled rules cite: LAB 2015/2019/2022/2024, the free-municipality
# trials, and the day before and of the change on 2020-01-01
DAYS = [dt.date(2016, 6, 1), dt.date(2017, 7, 1), dt.date(2019, 12, 31), dt.date(2020, 1, 1),
        dt.date(2021, 3, 1), dt.date(2022, 6, 1), dt.date(2024, 3, 1), dt.date(2025, 1, 29)]


def test_lifters_equal_the_resolver_for_every_obligation_and_day(rulebook: engine.Rulebook) -> None:
    """One index over all the days, as over a caseload: an answer kept for one act version must
    not be given for another."""
    checked = rulebook.checked
    index = LiftIndex(checked)
    exemptions = sorted(checked.exemptions, key=lambda r: r.id)
    for day in DAYS + DAYS[::-1]:
        for obligation in checked.obligations:
            expected = tuple(e for e in exemptions
                             if any(lifts(e, lift, obligation, checked.legal_refs, day) for lift in e.lifts))
            assert index.lifters(obligation, day) == expected, (obligation.id, day)


def test_some_obligation_is_lifted_somewhere(rulebook: engine.Rulebook) -> None:
    index = LiftIndex(rulebook.checked)
    assert any(index.lifters(o, day) for o in rulebook.checked.obligations for day in DAYS)
