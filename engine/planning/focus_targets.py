"""The two focus targets of skærpet tilsyn, counted for a municipality and year from citizen cases.

`measure` evaluates each citizen case of the municipality on the decision date with a
`maaling:` block naming the last day of the year, reads the rules' verdicts
(`maaling.langvarig`, `maaling.mod_fokusmaal_1`, `maaling.mod_fokusmaal_2`) and counts them.
What counts - the benefits, the offers, the hours - is in rules/tilsyn/fokusmaal_maaling.yaml;
this module only counts. The shares are exact fractions; a citizen whose verdict is unknown
is listed apart and left out of both the numerator and the denominator.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from engine.decide import casebatch
from engine.decide.casefile import Case
from engine.decide.decision import Decision
from engine.lang.errors import CaseError, EngineError
from engine.rulebook import Rulebook

VERDICTS = ("maaling.langvarig", "maaling.mod_fokusmaal_1", "maaling.mod_fokusmaal_2")
REASON_VALUES = ("maaling.tilbud", "maaling.timer_graense", "maaling.samtaler")


@attrs.frozen
class Citizen:
    """One counted citizen: the case, whether in the population, and against which targets."""

    case: str
    long_term: bool | None
    against: tuple[bool | None, bool | None]
    facts: dict[str, Any]
    missing: tuple[str, ...] = ()   # the facts an undecided verdict still needs

    @property
    def undecided(self) -> bool:
        return self.long_term is None or (self.long_term and None in self.against)


@attrs.frozen
class FocusTargets:
    municipality: str
    year: int
    as_of: dt.date
    citizens: tuple[Citizen, ...]
    other_municipalities: int
    problems: tuple[casebatch.Row, ...]
    not_citizen_cases: tuple[str, ...] = ()   # e.g. a municipality case (tilsyn: block): not counted

    @property
    def population(self) -> tuple[Citizen, ...]:
        return tuple(c for c in self.citizens if c.long_term and not c.undecided)

    def against(self, target: int) -> tuple[Citizen, ...]:
        return tuple(c for c in self.population if c.against[target - 1])

    def share(self, target: int) -> Decimal | None:
        """Exact share of the population counting against the target (None for an empty population)."""
        size = len(self.population)
        return Decimal(len(self.against(target))) / Decimal(size) if size else None

    def tilsyn_facts(self) -> dict[str, Any]:
        """The facts a municipality case needs for the focus targets, as its `tilsyn:` block holds them."""
        facts: dict[str, Any] = {"aar": self.year}
        for target in (1, 2):
            share = self.share(target)
            if share is not None:
                facts[f"fokusmaal_{target}"] = f"{_plain(share * 100)}%"  # the exact share, as the case reader takes it
                facts[f"sager_fokusmaal_{target}"] = len(self.population)
        return facts

    def to_dict(self) -> dict[str, Any]:
        return {
            "municipality": self.municipality, "year": self.year, "as_of": self.as_of.isoformat(),
            "period": [f"{self.year}-01-01", f"{self.year}-12-31"], "population": len(self.population),
            "targets": {str(t): {"against": [c.case for c in self.against(t)], "share": _plain(self.share(t))}
                        for t in (1, 2)},
            "undecided": [{"case": c.case, "missing": list(c.missing)} for c in self.citizens if c.undecided],
            "other_municipalities": self.other_municipalities,
            "not_citizen_cases": list(self.not_citizen_cases),
            "problems": [{"source": r.source, "messages": [d.message for d in r.problems]} for r in self.problems],
        }


def _plain(value: Decimal | None) -> str | None:
    """An exact decimal as plain text (0.25, not 2.5E-1); None stays None."""
    return None if value is None else format(value.normalize(), "f")


def measure(book: Rulebook, cases: Path, municipality: str, year: int, as_of: dt.date | None = None) -> FocusTargets:
    """Count the focus targets of `municipality` for calendar `year` from the citizen cases in `cases`.

    The law applied is the one in force on `as_of`, by default 1 April of the next year, the day
    by which the calculation is published (BEK 1409/2019 § 2).
    """
    day = as_of or dt.date(year + 1, 4, 1)
    counted, others, problems, not_citizen = [], 0, [], []
    for row in book.read_cases(cases):
        if row.case is None:
            problems.append(row)
        elif not isinstance(row.case.data.get("citizen"), dict):
            not_citizen.append(row.case.id)
        elif row.case.municipality != municipality:
            others += 1
        else:
            try:
                counted.append(_count(book, row.case, year, day))
            except EngineError as exc:
                problems.append(attrs.evolve(row, problems=exc.diagnostics))
    return FocusTargets(municipality, year, day, tuple(counted), others, tuple(problems), tuple(not_citizen))


def _count(book: Rulebook, case: Case, year: int, day: dt.date) -> Citizen:
    data = {**case.data, "maaling": {"slut": f"{year}-12-31"}}
    decision = book.evaluate(book.read_case(data), day)
    verdicts = [_verdict(decision, name) for name in VERDICTS]
    facts = {name: decision.values.get(name) for name in REASON_VALUES}
    facts["citizen.ordinary_hours"] = case.facts.get("citizen.ordinary_hours")
    nodes = [decision.node(name) for name in VERDICTS]
    missing = sorted({fact for node in nodes if node is not None for fact in node.missing})
    return Citizen(case.id, verdicts[0], (verdicts[1], verdicts[2]), facts, tuple(missing))


def _verdict(decision: Decision, name: str) -> bool | None:
    if name not in decision.values and name not in decision.unknown_values:
        raise CaseError(f"the rulebook has no value {name} in force on {decision.as_of}; "
                        "focus targets are counted from 2020 (styringsloven kap. 3 a)")
    return decision.values.get(name)
