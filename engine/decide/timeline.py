"""What a case says as of a day and as known on a day: the facts a decision may use.

A decision applies the law in force on `as_of` to the facts as they were recorded by
`known_on`. An event dated after `as_of` has not happened yet on that day, and an event
recorded after `known_on` was not known then (an event without `recorded` is known from its
own date); neither takes part in the decision. `as_known` removes them from the case's facts,
before evaluation, and returns them so that the decision can list them as ignored.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from engine.decide.casefile import Case
from engine.lang.values import Event

AFTER_AS_OF = "after_as_of"
RECORDED_LATER = "recorded_after_known_on"


def as_known(case: Case, as_of: dt.date, known_on: dt.date | None) -> tuple[Case, tuple[dict[str, Any], ...]]:
    """The case with only the events that happened by `as_of` and were recorded by `known_on`,
    and the events left out, each with the fact it belongs to and why."""
    facts: dict[str, Any] = {}
    ignored: list[dict[str, Any]] = []
    for name, value in case.facts.items():
        if isinstance(value, tuple) and value and all(isinstance(e, Event) for e in value):
            kept = []
            for event in value:
                reason = _reason(event, as_of, known_on)
                if reason is None:
                    kept.append(event)
                else:
                    ignored.append(_shown(name, event, reason))
            value = tuple(kept)
        facts[name] = value
    if not ignored:  # every event kept: the case as it was (most cases of a caseload)
        return case, ()
    return attrs.evolve(case, facts=facts), tuple(ignored)


def _reason(event: Event, as_of: dt.date, known_on: dt.date | None) -> str | None:
    if event.date > as_of:
        return AFTER_AS_OF
    if known_on is not None and event.known_from > known_on:
        return RECORDED_LATER
    return None


def _shown(fact: str, event: Event, reason: str) -> dict[str, Any]:
    shown: dict[str, Any] = {"fact": fact, "date": event.date.isoformat(), "kind": event.kind, "reason": reason}
    if event.recorded is not None:
        shown["recorded"] = event.recorded.isoformat()
    return shown
