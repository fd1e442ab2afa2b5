"""A refusion what-if as a planner writes it: a proposal in the rule files, or one of three forms
that need no rule file.

* `staircase:rates=80,40,30,20;weeks=4,26,52`: other refusion rates (percent, one per step)
  and/or other last weeks of the steps (one fewer than the rates) on the § 5 staircase. Either
  key may be left out; the law's value is then kept.
* `earlier-into-work:weeks=4`: every spell on benefits ends that many weeks earlier.
* `old-scheme`: the rule-file proposal `hidtidig-ordning` (the scheme before 2016 as far as the
  rules encode it).

Anything else is the name of a proposal in the rule files. A mistake is a `CaseError` naming the
column of the text and how to write it. Entry point: `parse`.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Iterable, Union

import attrs

from engine.lang.errors import CaseError, Diagnostic

# The law's staircase (finansieringsloven § 5, stk. 2): refusion per step and each step's last week.
LAW_RATES = (Decimal(80), Decimal(40), Decimal(30), Decimal(20))
LAW_WEEKS = (4, 26, 52)
OLD_SCHEME = "hidtidig-ordning"
MAX_WEEKS = 520  # ten years of weeks: further than any staircase step or spell cut needs


@attrs.frozen
class RuleProposal:
    """A proposal written in the rule files, switched on by name."""

    name: str

    def __str__(self) -> str:
        return self.name


@attrs.frozen
class Staircase:
    """Other refusion rates (percent per step) and step ends (the last week of each step but the last)."""

    rates: tuple[Decimal, ...] = LAW_RATES
    weeks: tuple[int, ...] = LAW_WEEKS

    def __str__(self) -> str:
        return (f"staircase:rates={','.join(_percent(r) for r in self.rates)};"
                f"weeks={','.join(str(w) for w in self.weeks)}")


@attrs.frozen
class EarlierIntoWork:
    """Every spell on benefits ends `weeks` weeks earlier."""

    weeks: int

    def __str__(self) -> str:
        return f"earlier-into-work:weeks={self.weeks}"


WhatIf = Union[RuleProposal, Staircase, EarlierIntoWork]
_HINT = ("write a proposal name from the rule files, old-scheme, "
         "staircase:rates=80,40,30,20;weeks=4,26,52 or earlier-into-work:weeks=4")


def parse(text: str, known: Iterable[str], option: str = "--compare-with") -> WhatIf:
    """The what-if named by `text`; `known` are the rulebook's proposals."""
    head, _, tail = text.partition(":")
    if head == "staircase":
        return _staircase(text, len(head) + 1, tail, option)
    if head == "earlier-into-work":
        return _earlier(text, len(head) + 1, tail, option)
    if text == "old-scheme":
        text = OLD_SCHEME
    names = sorted(known)
    if text not in names:
        raise _error(text, 0, f"unknown proposal '{text}'; the rule files have {', '.join(names) or 'none'}",
                     option, _HINT)
    return RuleProposal(text)


def _fields(text: str, start: int, tail: str, allowed: tuple[str, ...], option: str) -> dict[str, tuple[int, str]]:
    """`key=value;key=value` → {key: (column of the value, value)}; unknown or repeated keys are errors."""
    found: dict[str, tuple[int, str]] = {}
    at = start
    for part in tail.split(";") if tail else ():
        key, equals, value = part.partition("=")
        if key not in allowed or not equals:
            raise _error(text, at, f"expected {' or '.join(k + '=...' for k in allowed)}, found {part!r}", option,
                         f"separate settings with ';', e.g. {text.partition(':')[0]}:{';'.join(k + '=...' for k in allowed)}")
        if key in found:
            raise _error(text, at, f"'{key}' is given twice", option, "give each setting once")
        found[key] = (at + len(key) + 1, value)
        at += len(part) + 1
    return found


def _staircase(text: str, start: int, tail: str, option: str) -> Staircase:
    fields = _fields(text, start, tail, ("rates", "weeks"), option)
    rates = tuple(_rate(text, at, item, option) for at, item in _items(*fields["rates"])) if "rates" in fields else LAW_RATES
    weeks = tuple(_week(text, at, item, option) for at, item in _items(*fields["weeks"])) if "weeks" in fields else LAW_WEEKS
    column = fields.get("weeks", fields.get("rates", (start, "")))[0]
    if len(weeks) != len(rates) - 1:
        raise _error(text, column, f"{len(rates)} rates need {len(rates) - 1} step ends, found {len(weeks)}", option,
                     "give the last week of every step but the last, e.g. rates=80,40,30,20;weeks=4,26,52")
    columns = [at for at, _ in _items(*fields["weeks"])] if "weeks" in fields else []
    for at, before, after in zip(columns[1:], weeks, weeks[1:]):
        if after <= before:
            raise _error(text, at, f"step ends must rise: {after} follows {before}", option,
                         "list the last week of each step in order, e.g. weeks=4,26,52")
    return Staircase(rates, weeks)


def _earlier(text: str, start: int, tail: str, option: str) -> EarlierIntoWork:
    fields = _fields(text, start, tail, ("weeks",), option)
    if "weeks" not in fields:
        raise _error(text, start, "how many weeks earlier? give weeks=N", option, "e.g. earlier-into-work:weeks=4")
    return EarlierIntoWork(_week(text, *fields["weeks"], option))


def _items(column: int, value: str) -> Iterable[tuple[int, str]]:
    for item in value.split(","):
        yield column, item
        column += len(item) + 1


def _rate(text: str, at: int, item: str, option: str) -> Decimal:
    try:
        rate = Decimal(item)
    except InvalidOperation:
        rate = Decimal("NaN")
    if not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,2})?", item) or not 0 <= rate <= 100:
        raise _error(text, at, f"{item!r} is not a refusion rate in percent from 0 to 100", option,
                     "write whole or decimal percent without a sign, e.g. 80 or 37.5")
    return rate


def _week(text: str, at: int, item: str, option: str) -> int:
    if not re.fullmatch(r"[0-9]{1,4}", item) or not 1 <= int(item) <= MAX_WEEKS:
        raise _error(text, at, f"{item!r} is not a number of weeks from 1 to {MAX_WEEKS}", option,
                     "write a whole number of weeks, e.g. 4")
    return int(item)


def _percent(rate: Decimal) -> str:
    return format(rate.normalize(), "f")


def _error(text: str, column: int, problem: str, option: str, hint: str) -> CaseError:
    """A located error: the option, the column (1-based) in its text, the text with a caret under it."""
    caret = f"\n    {text}\n    {' ' * column}^"
    return CaseError([Diagnostic("case", f"{option}, column {column + 1}: {problem}{caret}", hint=hint)])
