"""A case given as plain data (a caseload's row), read without building its node tree.

`casefile.read_case` reads a dict through the node tree `yamlsource.from_plain` builds for it, so
that every problem has a place and the same wording as in a file. Most rows of a caseload have no
problem, and for them that tree is built and walked only to be turned back into plain data. Here
a row is read straight from its dict, with the same meaning as the node path step for step (the
text and tag each value would have as a node, the same readers and the same plain form for the
digest); anything this path does not take on, a problem included, gives None and the caller reads
the row the node way, which reports it. So the outcome, a `Case` or the problems, is the same.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any, Callable

from engine.lang import values
from engine.law.model import Rule

_NODES, _CHARACTERS = 10_000, 100_000  # the node path's bounds (yamlsource.from_plain): larger data takes the text path


class _Other(Exception):
    """Not taken on here: the node path reads it (and reports its problems)."""


def read(data: dict[str, Any], inputs: dict[str, Rule], groups: frozenset[str]) -> tuple[Any, ...] | None:
    """(id, as_of, municipality, facts, digest, plain data, known_on) of a case, or None for the node path."""
    try:
        budget = [_NODES, _CHARACTERS]
        plain = _plain(data, budget)
        facts: dict[str, Any] = {}
        _walk(plain, "", inputs, groups, facts)
        case = plain.get("case")
        if case is not None and (case.__class__ not in _SCALARS or len(_text(case)) > 200) or \
                plain.get("payments") is not None:
            raise _Other
        as_of, known_on = _top_date(plain, "as_of"), _top_date(plain, "known_on")
    except (_Other, ValueError, RecursionError):
        return None
    digest = hashlib.sha256(json.dumps(plain, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    municipality = plain.get("municipality")
    return (str(plain.get("case") or "case"), as_of, None if municipality is None else str(municipality), facts,
            f"sha256:{digest}", plain, known_on)


def _plain(value: Any, budget: list[int]) -> Any:
    """The plain form the node path gives (`to_python` of `from_plain`): dates and decimals as text.
    Scalars are converted in their container's loop, not by a call each (a row has some 25 values)."""
    kind = value.__class__
    if kind is dict:
        if not all(key.__class__ is str and key != "<<" for key in value):
            raise _Other
        pairs = value.items()
    elif kind is list or kind is tuple:
        pairs = enumerate(value)
    else:
        return _plain_scalar(value, budget)
    budget[0] -= 1
    found: Any = {} if kind is dict else [None] * len(value)
    for key, item in pairs:  # each scalar as `_plain_scalar` takes it, written out here
        kind = item.__class__
        if kind is str:
            if not item.isprintable() or (not item.isascii() and max(item) > "\uffff"):
                raise _Other
            budget[1] -= len(item)
        elif kind is dt.date or kind is Decimal:
            item = str(item)
        elif kind is int:
            budget[1] -= len(str(item))
        elif kind is not bool and item is not None:
            found[key] = _plain(item, budget)  # a container, or something not plain
            continue
        budget[0] -= 1
        found[key] = item
    if budget[0] < 0 or budget[1] < 0:  # over the node path's bounds: it takes the text path
        raise _Other
    return found


def _plain_scalar(value: Any, budget: list[int]) -> Any:
    """A value that is not a container (one that is not plain raises)."""
    budget[0] -= 1
    kind = value.__class__
    if kind is str:
        if not value.isprintable() or (not value.isascii() and max(value) > "\uffff"):
            raise _Other
        budget[1] -= len(value)
        return value
    if kind is bool or value is None:
        return value
    if kind is int:
        budget[1] -= len(str(value))
        return value
    if kind is dt.date or kind is Decimal:
        return str(value)
    raise _Other


_SCALARS = (str, bool, int)


def _text(value: Any) -> str:
    """A scalar's text as its node holds it."""
    if value.__class__ is bool:
        return "true" if value else "false"
    return str(value)


def _walk(data: dict[str, Any], prefix: str, inputs: dict[str, Rule], groups: frozenset[str], facts: dict[str, Any]) -> None:
    for key, child in data.items():
        path = f"{prefix}{key}"
        rule = inputs.get(path)
        if rule is not None:
            if child is not None:
                facts[path] = _READERS[rule.input.type](child, rule.input)  # type: ignore[union-attr]
        elif path in groups:
            if child.__class__ is dict:
                _walk(child, path + ".", inputs, groups, facts)
            elif child is not None:
                raise _Other
        elif prefix or key not in ("case", "as_of", "known_on", "municipality", "citizen", "payments"):
            raise _Other  # an unknown field


def _scalar(value: Any) -> str:
    if value.__class__ not in _SCALARS:
        raise _Other
    return _text(value)


def _bool(value: Any, spec: Any) -> bool:
    if value.__class__ is not bool:
        raise _Other
    return bool(value)


def _number(value: Any, spec: Any) -> Decimal:
    number = values.parse_number(_scalar(value))
    if number < 0:
        raise _Other
    return number


def _money(value: Any, spec: Any) -> values.Money:
    amount = values.parse_number(_scalar(value))
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise _Other
    return values.Money(amount)


def _percent(value: Any, spec: Any) -> values.Rate:
    text = _scalar(value).strip()
    if not text.endswith("%"):
        raise _Other
    percent = values.parse_number(text[:-1])
    if abs(percent) > 1000:
        raise _Other
    return values.Rate(percent / 100)


def _date(value: Any, spec: Any = None) -> dt.date:
    return values.parse_date(_scalar(value))


def _code(value: Any, spec: Any) -> str:
    text = _scalar(value)
    if text not in spec.values:
        raise _Other
    return text


def _events(value: Any, spec: Any) -> tuple[values.Event, ...]:
    if value.__class__ is not list:
        raise _Other
    events = []
    for item in value:
        if item.__class__ is dict and "date" in item:
            events.append(_event(item))
        else:
            events.append(values.Event(_date(item)))
    return tuple(sorted(events, key=lambda e: (e.date, e.kind or "")))


def _event(item: dict[str, Any]) -> values.Event:
    if any(key not in ("date", "kind", "end", "recorded") for key in item):
        raise _Other
    kind = item.get("kind")
    if ("kind" in item) and kind.__class__ is not str:
        raise _Other  # the node path shows a kind that is not text (null included) as its node's text
    start = _date(item["date"])
    end, recorded = item.get("end"), item.get("recorded")
    end = None if end is None else _date(end)
    recorded = None if recorded is None else _date(recorded)
    if end is not None and end < start or recorded is not None and recorded < start:
        raise _Other
    return values.Event(start, kind, end, recorded)


def _top_date(data: dict[str, Any], key: str) -> dt.date | None:
    value = data.get(key)
    return None if value is None else _date(value)


_READERS: dict[str, Callable[[Any, Any], Any]] = {
    "bool": _bool, "number": _number, "money": _money, "percent": _percent, "date": _date, "code": _code,
    "string": lambda value, spec: _scalar(value), "events": _events}
