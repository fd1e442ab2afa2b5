"""The built-ins first_date and last_date: the earliest and latest event in a window of dates."""
from __future__ import annotations

import datetime as dt

import pytest

from engine.lang import builtins
from engine.lang.values import Event

D = dt.date
EVENTS = (Event(D(2021, 2, 1), "opfoelgning"), Event(D(2021, 2, 10), "jobsamtale"), Event(D(2021, 3, 1), "opfoelgning"))


@pytest.mark.parametrize("function, start, end, kind, expected", [
    (builtins.first_date, D(2021, 1, 1), D(2021, 12, 31), None, D(2021, 2, 1)),
    (builtins.last_date, D(2021, 1, 1), D(2021, 12, 31), None, D(2021, 3, 1)),
    (builtins.first_date, D(2021, 2, 2), D(2021, 12, 31), "opfoelgning", D(2021, 3, 1)),
    (builtins.last_date, D(2021, 1, 1), D(2021, 2, 28), "opfoelgning", D(2021, 2, 1)),
    (builtins.last_date, D(2021, 1, 1), D(2021, 3, 1), None, D(2021, 3, 1)),      # both ends included
    (builtins.first_date, D(2021, 2, 1), D(2021, 2, 1), None, D(2021, 2, 1)),
    (builtins.last_date, D(2021, 3, 2), D(2021, 12, 31), None, None),             # none in the window
    (builtins.first_date, D(2021, 1, 1), D(2021, 12, 31), "rehabiliteringsteam", None),
])
def test_window(function, start, end, kind, expected) -> None:  # type: ignore[no-untyped-def]
    assert function(EVENTS, start, end, kind) == expected


@pytest.mark.parametrize("name", ["first_date", "last_date"])
def test_signature(name: str) -> None:
    check = builtins.REGISTRY[name].check
    assert check(["events", "date", "date"]) == "date"
    assert check(["events", "date", "date", "string"]) == "date"
    with pytest.raises(TypeError, match="argument 2 must be a date"):
        check(["events", "number", "date"])
