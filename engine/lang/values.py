"""Runtime values of the rule language: exact numbers, money, rates, dates and durations.

No float appears here. Numbers are `Decimal`; money is `Money` (Decimal kroner, exact);
rates are `Rate` (a Decimal fraction, 80 % is 0.80); dates are `datetime.date`.
A fact the case does not give is `Unknown`, which carries the names of the missing inputs.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Union

import attrs
from dateutil.relativedelta import relativedelta

ORE = Decimal("0.01")
KRONE = Decimal("1")
FIRST_DATE, LAST_DATE = dt.date(1850, 1, 1), dt.date(2200, 12, 31)  # the dates a case or rule may name
MAX_DIGITS = 100  # digits before the point any number of the rules may reach (checked by paragraf check, and in eval)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+)(\.[0-9]{1,10})?")


@attrs.frozen(order=True)
class Money:
    """An amount in Danish kroner, exact; `amount` is a Decimal."""

    amount: Decimal

    @classmethod
    def from_ore(cls, ore: int) -> Money:
        return cls(Decimal(ore) / 100)

    @property
    def ore(self) -> int:
        """Whole øre; only valid once the amount has been rounded to øre."""
        return int(self.amount * 100)

    def round_half_up(self, step: Decimal = ORE) -> Money:
        """Round half up to `step` (øre by default), the rounding the rules name explicitly."""
        return Money(self.amount.quantize(step, rounding=ROUND_HALF_UP))

    def __str__(self) -> str:
        return f"{format_decimal(self.amount, 2)} kr"


@attrs.frozen(order=True)
class Rate:
    """A percentage held as a fraction: `Rate(Decimal("0.40"))` is 40 %."""

    fraction: Decimal

    def __str__(self) -> str:
        return f"{format_decimal((self.fraction * 100).normalize(), 0)} %"


UNITS = {
    "day": "days", "days": "days", "dag": "days", "dage": "days",
    "week": "weeks", "weeks": "weeks", "uge": "weeks", "uger": "weeks",
    "month": "months", "months": "months", "måned": "months", "måneder": "months",
    "year": "years", "years": "years", "år": "years",
}


@attrs.frozen
class Duration:
    """A count of calendar days, weeks, months or years."""

    count: int
    unit: str  # one of days, weeks, months, years

    def scaled(self, factor: int) -> Duration:
        return Duration(self.count * factor, self.unit)

    def __str__(self) -> str:
        return f"{self.count} {self.unit}"


@attrs.frozen
class Event:
    """A dated event in a case: a talk held, an offer given or a benefit period (with its last
    day, if known), and the day it was recorded, when that is later than its own date."""

    date: dt.date
    kind: str | None = None
    end: dt.date | None = None
    recorded: dt.date | None = None

    @property
    def known_from(self) -> dt.date:
        """The first day the event could be known: its recorded day, else its own date."""
        return self.recorded or self.date


@attrs.frozen
class Unknown:
    """A value that cannot be known because inputs are missing.

    `possible`, when known, is the finite set of values it could still take (a value with
    several definitions whose conditions are not all decided); a comparison that comes out
    the same for every possible value is then decided after all.
    """

    missing: frozenset[str] = frozenset()
    possible: frozenset[Any] | None = None

    def __or__(self, other: Unknown) -> Unknown:
        return Unknown(self.missing | other.missing)

    def __str__(self) -> str:
        return "unknown"


Value = Union[Decimal, Money, Rate, dt.date, Duration, bool, str, frozenset[Any], tuple[Any, ...], Unknown, None]


@functools.lru_cache(maxsize=8192)  # a caseload repeats its dates; a bad one raises and is not kept
def parse_date(text: str) -> dt.date:
    """A date written YYYY-MM-DD between FIRST_DATE and LAST_DATE, on every Python version
    (3.11's `date.fromisoformat` also takes 19900401 and 1990-W14-1; 3.10's does not)."""
    try:
        day = dt.date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise ValueError(f"expected a date YYYY-MM-DD, found {text!r}")
    if not FIRST_DATE <= day <= LAST_DATE:
        raise ValueError(f"{text} is outside the dates paragraf accepts ({FIRST_DATE} to {LAST_DATE})")
    return day


def parse_number(text: str, max_digits: int = 15) -> Decimal:
    """A plain decimal number (no exponent, NaN or infinity) of at most `max_digits` digits before
    the point and 10 after it, so that no number can overflow or stall the arithmetic of the rules."""
    match = _PLAIN_NUMBER.fullmatch(text.strip())
    if not match or len(match.group(1).lstrip("0")) > max_digits:
        raise ValueError(f"expected a number such as 12 or 37.5 (plain decimal, at most {max_digits} digits "
                         f"before the point and 10 after it), found {text!r}")
    return Decimal(text.strip())


def too_large(value: Any) -> bool:
    """Whether a number, amount or rate has more than MAX_DIGITS digits before the point."""
    number = value.amount if isinstance(value, Money) else value.fraction if isinstance(value, Rate) else value
    return isinstance(number, Decimal) and number.is_finite() and number != 0 and number.adjusted() >= MAX_DIGITS


def add_duration(day: dt.date, duration: Duration, sign: int = 1) -> dt.date:
    """Calendar arithmetic: months and years clamp to the month's last day (2021-01-31 + 1 month = 2021-02-28)."""
    result: dt.date = day + _shift(duration.unit, sign * duration.count)
    return result


@functools.lru_cache(maxsize=4096)  # rules use few durations; building a relativedelta costs more than adding it
def _shift(unit: str, count: int) -> relativedelta | dt.timedelta:
    """Days and weeks as a plain timedelta (relativedelta adds them as one); months and years clamp."""
    shift: dict[str, Any] = {unit: count}
    return dt.timedelta(**shift) if unit in ("days", "weeks") else relativedelta(**shift)


def period_end(start: dt.date, duration: Duration) -> dt.date:
    """The last day of a period of `duration` that begins on `start`.

    It ends the day before the same date `duration` later; when that month has no such day
    (31 August + 6 months), the period ends on the month's last day (28 or 29 February).
    Periods of days or weeks have no such case: 2 weeks from a Monday end on the second Sunday.
    """
    target = add_duration(start, duration)
    clamped = duration.unit in ("months", "years") and target.day != start.day
    return target if clamped else target - dt.timedelta(days=1)


def cycle_bounds(start: dt.date, length: Duration, on: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the period, among periods of `length` following one another from
    `start`, that `on` falls in (the first period when `on` is before `start`).

    Period k ends on period_end(start, (k + 1) × length) and the next begins the day after, so
    the periods meet without gaps or overlaps and the first one is the "first N months" of
    `period_end`. Each end is counted from `start` itself, so month ends do not drift.
    """
    if length.count < 1:
        raise ValueError(f"a period must be at least 1 {length.unit.rstrip('s')} long, not {length}")
    k = max(0, _periods_between(start, length, on) - 1)
    while k > 0 and period_end(start, length.scaled(k)) >= on:
        k -= 1
    while period_end(start, length.scaled(k + 1)) < on:
        k += 1
    first = start if k == 0 else period_end(start, length.scaled(k)) + dt.timedelta(days=1)
    return first, period_end(start, length.scaled(k + 1))


def _periods_between(start: dt.date, length: Duration, on: dt.date) -> int:
    """A close estimate of how many whole periods lie between `start` and `on`."""
    if length.unit in ("days", "weeks"):
        return (on - start).days // (length.count * (7 if length.unit == "weeks" else 1))
    months = (on.year - start.year) * 12 + on.month - start.month
    return months // (length.count * (12 if length.unit == "years" else 1))


def cycle_start(start: dt.date, length: Duration, on: dt.date) -> dt.date:
    return cycle_bounds(start, length, on)[0]


def cycle_end(start: dt.date, length: Duration, on: dt.date) -> dt.date:
    return cycle_bounds(start, length, on)[1]


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def format_decimal(value: Decimal, min_places: int) -> str:
    """Plain decimal text with at least `min_places` decimals and no exponent."""
    places = max(min_places, -value.as_tuple().exponent if value.as_tuple().exponent < 0 else 0)  # type: ignore[operator]
    text = f"{value:.{places}f}"
    return text


def to_json(value: Any) -> Any:
    """The JSON form of a value: rates and money as decimal strings, dates ISO."""
    kind = value.__class__
    if kind is bool or kind is str or value is None:  # the most frequent, answered first
        return value
    if kind is dt.date:
        return value.isoformat()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else format_decimal(value.normalize(), 0)
    if isinstance(value, Money):
        return format_decimal(value.amount.normalize(), 2)  # 1.250 kr and 1.25 kr print alike
    if isinstance(value, Rate):
        return format_decimal(value.fraction.normalize(), 2)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, Event):
        shown = {"date": value.date.isoformat(), "kind": value.kind}
        shown.update({key: day.isoformat() for key, day in (("end", value.end), ("recorded", value.recorded)) if day})
        return shown
    if isinstance(value, frozenset):
        items = [to_json(v) for v in value]
        if len(items) < 2:
            return items
        if all(v.__class__ is str for v in items):  # the usual set of codes: the key's type part is the same for all
            return sorted(items)
        return sorted(items, key=lambda v: (str(type(v)), v))
    if isinstance(value, tuple):
        return [to_json(v) for v in value]
    if isinstance(value, Unknown):
        return None
    raise TypeError(f"no JSON form for {value!r}")


def to_text(value: Any) -> str:
    """A short human form, used in traces and reports."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, (Decimal,)):
        return str(to_json(value))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return "{" + ", ".join(to_text(v) for v in sorted(value, key=str)) + "}"
    if isinstance(value, tuple):
        return f"[{len(value)} events]"
    return str(value)
