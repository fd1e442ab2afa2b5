"""Which exemptions lift which obligation, resolved once per act version instead of per case.

Whether an exemption's `lifts` entry takes in an obligation (`resolver.lifts`) depends on the
day only through the act versions in force for the obligation's citations (a chapter lift reads
the version's chapter numbering). So the answer is kept per obligation and tuple of versions:
every case on a day under the same versions reuses it.
"""
from __future__ import annotations

import datetime as dt

from engine.law.model import Rule
from engine.law.resolver import CheckedRuleSet, lifts


class LiftIndex:
    def __init__(self, checked: CheckedRuleSet) -> None:
        self.checked = checked
        self.exemptions = tuple(sorted(checked.exemptions, key=lambda r: r.id))
        self._lifters: dict[tuple[str, tuple[str | None, ...]], tuple[Rule, ...]] = {}

    def lifters(self, obligation: Rule, day: dt.date) -> tuple[Rule, ...]:
        """The exemptions (sorted by id, in force or not) whose `lifts` take in the obligation on `day`."""
        refs = self.checked.legal_refs
        versions = tuple(v.designation if (v := refs.version_on(c, day)) else None for c in obligation.refs)
        key = (obligation.id, versions)
        found = self._lifters.get(key)
        if found is None:
            found = self._lifters[key] = tuple(
                exemption for exemption in self.exemptions
                if any(lifts(exemption, lift, obligation, refs, day) for lift in exemption.lifts))
        return found
