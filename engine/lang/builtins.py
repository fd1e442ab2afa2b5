"""The fixed set of functions rule expressions may call, each with a typed signature.

Nothing else is callable: there is no attribute access and no way to reach Python.
A signature check returns the result type, or a message saying what is wrong.
"""
from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, Decimal
from typing import Any, Callable

import attrs

from engine.lang import values

ORDERED = ("number", "money", "percent", "date")


@attrs.frozen
class Builtin:
    name: str
    signature: str                       # shown in errors and docs
    check: Callable[[list[str]], str]    # argument types → result type; raises TypeError(message)
    call: Callable[..., Any]
    doc: str
    lagged: bool = False                 # reads its first argument (a weekly series) in past weeks only
    takes_unknown: bool = False          # is called with unknown arguments too, and decides what they mean


def _fixed(*params: str, returns: str) -> Callable[[list[str]], str]:
    def check(args: list[str]) -> str:
        if len(args) != len(params):
            raise TypeError(f"takes {len(params)} argument{'s' if len(params) != 1 else ''}, not {len(args)}")
        for i, (got, want) in enumerate(zip(args, params), 1):
            if got not in (want, "any"):
                raise TypeError(f"argument {i} must be a {want}, not a {got}")
        return returns
    return check


def _same_ordered(args: list[str]) -> str:
    if len(args) < 2:
        raise TypeError("takes at least 2 arguments")
    kinds = {a for a in args if a != "any"}
    if len(kinds) > 1:
        raise TypeError(f"arguments must all have one type, not {', '.join(sorted(kinds))}")
    kind = kinds.pop() if kinds else "any"
    if kind not in ORDERED + ("any",):
        raise TypeError(f"cannot order values of type {kind}")
    return kind


def _count_check(args: list[str]) -> str:
    if len(args) == 4:
        return _fixed("events", "date", "date", "string", returns="number")(args)
    return _fixed("events", "date", "date", returns="number")(args)


def _lagged_check(args: list[str]) -> str:
    """previous(series, default): the default has the series' type."""
    if len(args) != 2:
        raise TypeError(f"takes 2 arguments, not {len(args)}")
    kinds = {a for a in args if a != "any"}
    if len(kinds) > 1:
        raise TypeError(f"the default must have the series' type, not {', '.join(sorted(kinds))}")
    return kinds.pop() if kinds else "any"


def _series_window_check(series_type: str, returns: str | None = None) -> Callable[[list[str]], str]:
    """count_weeks/sum_weeks(series, weeks: number[, after: date])."""
    def check(args: list[str]) -> str:
        if len(args) not in (2, 3):
            raise TypeError(f"takes 2 or 3 arguments, not {len(args)}")
        wanted = [series_type, "number", "date"][:len(args)]
        for i, (got, want) in enumerate(zip(args, wanted), 1):
            if got != "any" and got not in want.split("|"):
                raise TypeError(f"argument {i} must be a {want.replace('|', ' or ')}, not a {got}")
        return returns or (args[0] if args[0] != "any" else "any")
    return check


def overlaps(a: frozenset[Any], b: frozenset[Any]) -> bool:
    return not a.isdisjoint(b)


def amount(amounts: dict[str, values.Money], codes: frozenset[str]) -> values.Money:
    """The sum of the amounts paid under the given benefit codes (whole øre per code and week)."""
    return values.Money(sum((amounts[c].amount for c in codes if c in amounts), Decimal(0)))


def _not_in_a_week(*args: Any) -> Any:
    raise TypeError("a weekly built-in is evaluated by the weekly evaluator, not called directly")
def _last_event_end_check(args: list[str]) -> str:
    if len(args) == 3:
        return _fixed("events", "date", "string", returns="date")(args)
    return _fixed("events", "date", returns="date")(args)


def age(birth: dt.date, on: dt.date) -> Decimal:
    """Whole years completed on `on` (a person born 1990-03-01 is 30 on 2020-03-01).

    A person born on 29 February is a year older on 1 March in a common year: the year of age
    is completed only when 28 February has passed. A reading (confidence low): neither the legal
    brief nor the stored public pages give a Danish rule; the pages give German law (BGB
    §§ 187-188) to the same effect. See docs/language.md, "Dates".
    """
    before_birthday = (on.month, on.day) < (birth.month, birth.day)
    return Decimal(on.year - birth.year - before_birthday)


def count(events: tuple[values.Event, ...], start: dt.date, end: dt.date, kind: str | None = None) -> Decimal:
    """Events dated from `start` to `end`, both included, optionally of one kind."""
    return Decimal(sum(1 for e in events if start <= e.date <= end and (kind is None or e.kind == kind)))


def share(count: Decimal, rate: values.Rate) -> Decimal:
    """That share of a count, exact (15 % of 134 is 20.1); round it with round_up where a whole number is needed."""
    return count * rate.fraction


def round_up(number: Decimal) -> Decimal:
    """The smallest whole number not below `number` (20.1 → 21)."""
    return number.to_integral_value(rounding=ROUND_CEILING)


def last_event_end(events: tuple[values.Event, ...], to: dt.date, kind: str | None = None) -> Any:
    """The last day of the latest event starting on or before `to` (optionally of one kind);
    no value when there is none, and unknown when that event's last day is not recorded."""
    started = [e for e in events if e.date <= to and (kind is None or e.kind == kind)]
    if not started:
        return None
    latest = max(started, key=lambda e: (e.date, e.end or e.date))
    return latest.end if latest.end is not None else values.Unknown()


def unemployment_reaches(periods: Any, since: Any, length: values.Duration) -> Any:
    """The day on which unemployment counted in total ("sammenlagt") reaches `length`.

    With benefit periods ({date, end}; no end: still running), the days of the periods are
    added up from the first period's first day, and `length` is the number of days from that
    day to the same day `length` later; the day reached is the day after the last day needed,
    so one unbroken period starting on S reaches 6 weeks on S + 6 weeks, and every break
    before then moves the day on by the break's length. Overlapping periods count once. No
    value when the periods end before `length` is reached. Without periods (unknown or none),
    one unbroken period from `since` is assumed: `since` + `length`.
    """
    if isinstance(periods, values.Unknown) or not periods:
        return since if isinstance(since, values.Unknown) or since is None else values.add_duration(since, length)
    ordered = sorted(periods, key=lambda p: p.date)
    first = ordered[0].date
    needed, counted, last_counted = (values.add_duration(first, length) - first).days, 0, first - dt.timedelta(days=1)
    for period in ordered:
        start = max(period.date, last_counted + dt.timedelta(days=1))
        end = period.end or dt.date.max - dt.timedelta(days=1)
        if end < start:
            continue
        days = (end - start).days + 1
        if counted + days >= needed:
            return start + dt.timedelta(days=needed - counted)
        counted, last_counted = counted + days, end
    return None


def passes_limit(periods: tuple[values.Event, ...], limit: Decimal, window: values.Duration) -> dt.date | None:
    """The first day on which more than `limit` days of the periods ({date, end}; no end: still
    running) lie within the `window` that ends that day (from the day after the same date
    `window` earlier); no value when that never happens. Each day counts once."""
    days = sorted(_days_of(periods, int(limit) + 1))
    counted: list[dt.date] = []
    for day in days:
        counted.append(day)
        start = values.add_duration(day, window, -1)
        counted = [d for d in counted if d > start]
        if len(counted) > limit:
            return day
    return None


def _days_of(periods: tuple[values.Event, ...], running_days: int) -> set[dt.date]:
    """The days the periods cover; a running period is followed as far as a limit can need."""
    covered: set[dt.date] = set()
    for period in periods:
        last = period.end or period.date + dt.timedelta(days=running_days)
        covered.update(period.date + dt.timedelta(days=n) for n in range((last - period.date).days + 1))
    return covered


def month_end(day: dt.date) -> dt.date:
    """The last day of the calendar month a date falls in."""
    return values.add_duration(day.replace(day=1), values.Duration(1, "months")) - dt.timedelta(days=1)


def days_between(start: dt.date, end: dt.date) -> Decimal:
    return Decimal((end - start).days)


def _window_dates(events: tuple[values.Event, ...], start: dt.date, end: dt.date, kind: str | None) -> list[dt.date]:
    return [e.date for e in events if start <= e.date <= end and (kind is None or e.kind == kind)]


def first_date(events: tuple[values.Event, ...], start: dt.date, end: dt.date, kind: str | None = None) -> dt.date | None:
    """The earliest event date in the window (both ends included), or no value when there is none."""
    return min(_window_dates(events, start, end, kind), default=None)


def last_date(events: tuple[values.Event, ...], start: dt.date, end: dt.date, kind: str | None = None) -> dt.date | None:
    """The latest event date in the window (both ends included), or no value when there is none."""
    return max(_window_dates(events, start, end, kind), default=None)


def _window_check(returns: str) -> Callable[[list[str]], str]:
    """The signature (events, from: date, to: date[, kind: string]) -> `returns`."""
    def check(args: list[str]) -> str:
        if len(args) == 4:
            return _fixed("events", "date", "date", "string", returns=returns)(args)
        return _fixed("events", "date", "date", returns=returns)(args)
    return check


REGISTRY: dict[str, Builtin] = {b.name: b for b in (
    Builtin("age", "age(birth_date: date, on: date) -> number", _fixed("date", "date", returns="number"), age,
            "Whole years of age on a date (born 29 February: a year older on 1 March in a common year; a reading)."),
    Builtin("min", "min(a, b, ...) -> same type", _same_ordered, lambda *a: min(a), "The smallest of its arguments."),
    Builtin("max", "max(a, b, ...) -> same type", _same_ordered, lambda *a: max(a), "The largest of its arguments."),
    Builtin("count", "count(events, from: date, to: date[, kind: string]) -> number", _count_check, count,
            "How many recorded events fall in a window of dates (both ends included)."),
    Builtin("last_event_end", "last_event_end(events, to: date[, kind: string]) -> date", _last_event_end_check,
            last_event_end, "The last day of the latest event starting on or before a date; unknown if not recorded."),
    Builtin("cycle_start", "cycle_start(start: date, length: duration, on: date) -> date",
            _fixed("date", "duration", "date", returns="date"), values.cycle_start,
            "The first day of the period, among periods of that length following one another from start, that on falls in."),
    Builtin("cycle_end", "cycle_end(start: date, length: duration, on: date) -> date",
            _fixed("date", "duration", "date", returns="date"), values.cycle_end,
            "The last day of that period: period_end(start, (k + 1) × length) for the k-th period."),
    Builtin("unemployment_reaches", "unemployment_reaches(periods: events, since: date, length: duration) -> date",
            _fixed("events", "date", "duration", returns="date"), unemployment_reaches,
            "The day unemployment counted in total over the benefit periods reaches a length (breaks move it "
            "on); without periods, since + length.", takes_unknown=True),
    Builtin("passes_limit", "passes_limit(periods: events, limit: number, window: duration) -> date",
            _fixed("events", "number", "duration", returns="date"), passes_limit,
            "The first day on which more than limit days of the periods lie within the window ending that day."),
    Builtin("month_end", "month_end(day: date) -> date", _fixed("date", returns="date"), month_end,
            "The last day of the calendar month a date falls in."),
    Builtin("days_between", "days_between(from: date, to: date) -> number", _fixed("date", "date", returns="number"),
            days_between, "Calendar days from one date to another."),
    Builtin("period_end", "period_end(start: date, length: duration) -> date",
            _fixed("date", "duration", returns="date"), values.period_end,
            "The last day of a period of that length beginning on start (31 Aug + 6 months ends 28 Feb)."),
    Builtin("monday", "monday(day: date) -> date", _fixed("date", returns="date"), values.monday_of,
            "The Monday of the calendar week a date falls in."),
    Builtin("share", "share(count: number, rate: percent) -> number", _fixed("number", "percent", returns="number"),
            share, "That share of a count, exact."),
    Builtin("round_up", "round_up(x: number) -> number", _fixed("number", returns="number"), round_up,
            "Round up to a whole number."),
    Builtin("round_ore", "round_ore(amount: money) -> money", _fixed("money", returns="money"),
            lambda m: m.round_half_up(values.ORE), "Round half up to whole øre."),
    Builtin("round_kr", "round_kr(amount: money) -> money", _fixed("money", returns="money"),
            lambda m: m.round_half_up(values.KRONE), "Round half up to whole kroner."),
    Builtin("overlaps", "overlaps(a: set, b: set) -> bool", _fixed("set[code]", "set[code]", returns="bool"), overlaps,
            "Whether two sets share a member (e.g. a benefit paid this week that is in scope)."),
    Builtin("amount", "amount(amounts, codes: set[code]) -> money", _fixed("amounts", "set[code]", returns="money"), amount,
            "The part of a week's payments made under the given benefit codes."),
    Builtin("previous", "previous(series, default) -> type of series", _lagged_check, _not_in_a_week,
            "A weekly series' value in the previous calendar week (the default in a person's first week).", True),
    Builtin("count_weeks", "count_weeks(series: bool, weeks: number[, after: date]) -> number",
            _series_window_check("bool", "number"), _not_in_a_week,
            "How many of the given number of weeks before this one the series was true, counting only weeks "
            "whose Monday is after the date when one is given.", True),
    Builtin("sum_weeks", "sum_weeks(series: number|money, weeks: number[, after: date]) -> same type",
            _series_window_check("number|money"), _not_in_a_week,
            "The sum of the series over the given number of weeks before this one (optionally only after a date).", True),
    Builtin("first_date", "first_date(events, from: date, to: date[, kind: string]) -> date", _window_check("date"),
            first_date, "The earliest event date in a window of dates (both ends included); no value if none."),
    Builtin("last_date", "last_date(events, from: date, to: date[, kind: string]) -> date", _window_check("date"),
            last_date, "The latest event date in a window of dates (both ends included); no value if none."),
)}
