"""Case files → typed facts, validated against the `input` rules.

Errors name the field path and its position in the file, with a hint; a missing fact is
not an error (it stays unknown), an unknown field, a wrong type or a bad code is.
"""
from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from engine.decide import plaincase
from engine.lang import values
from engine.lang.errors import CaseError, Diagnostic
from engine.law.model import Rule
from engine.lang.yamlsource import YNode, from_plain, read_yaml

TOP_LEVEL = {"case", "as_of", "known_on", "municipality", "citizen", "payments"}
# the columns of a payment record (engine.refusion.payment_files: REQUIRED, then OPTIONAL)
PAYMENT_FIELDS = ("person", "municipality", "benefit", "amount", "from", "to",
                  "flexjob_visitation_date", "early_pension_granted", "eu_export", "hours")
PAYMENT_HINT = "write '- {benefit: ..., amount: \"1234.50\", from: YYYY-MM-DD, to: YYYY-MM-DD}'"
MAX_ID = 200
MAX_PERCENT = Decimal(1000)


@attrs.frozen
class Case:
    id: str
    as_of: dt.date | None
    municipality: str | None
    facts: dict[str, Any]
    digest: str
    data: dict[str, Any]
    known_on: dt.date | None = None


def read_case(source: str | Path | dict[str, Any], inputs: dict[str, Rule]) -> Case:
    """Read and validate a case from a YAML/JSON file or a dict; raise `CaseError` listing every problem."""
    if isinstance(source, str):
        source = Path(source)
    if isinstance(source, dict):
        fast = plaincase.read(source, inputs, _groups(inputs))  # a row without problems, read straight from its dict
        if fast is not None:
            return Case(*fast)
        plain = from_plain(source)  # the same nodes as its JSON text gives, without writing and parsing it
        if plain is not None:
            try:
                return _read(plain, inputs)
            except CaseError:
                pass  # read the JSON text instead, so that each problem is reported with its place
        return _read(read_yaml(Path("<case>"), "<case>", _json_text(source)), inputs)
    return _read(read_yaml(source, str(source)), inputs)


def _read(root: YNode, inputs: dict[str, Rule]) -> Case:
    if root.kind != "map":
        raise CaseError([Diagnostic("case", "a case must be a mapping", (root.span,), "start with 'case: <id>'")])
    problems: list[Diagnostic] = []
    facts: dict[str, Any] = {}
    _walk(root, "", inputs, facts, problems)
    _top_level(root, problems)
    as_of, known_on = _top_date(root, "as_of", problems), _top_date(root, "known_on", problems)
    if problems:
        raise CaseError(sorted(problems, key=Diagnostic.sort_key))
    data = root.to_python()
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    municipality = data.get("municipality")
    return Case(str(data.get("case") or "case"), as_of, None if municipality is None else str(municipality),
                facts, f"sha256:{digest}", data, known_on)


def _json_text(source: dict[str, Any]) -> str:
    """A case given as a dict, as JSON text for the YAML reader (which then checks it like a file).

    Keys are not sorted here (a dict may mix int and str keys; an int key is then an unknown
    field), and NaN or infinite floats become the text 'NaN' or 'Infinity', refused as numbers.
    """
    try:
        return json.dumps(source, default=str)
    except (ValueError, TypeError, RecursionError) as exc:
        raise CaseError(f"<case>: the case cannot be read as data ({exc})") from None


def _top_level(root: YNode, problems: list[Diagnostic]) -> None:
    """`case` is a short id and `payments` a list of records, each a mapping of scalars."""
    case = root.get("case")
    if case is not None and not case.is_null and (case.kind != "scalar" or len(str(case.value)) > MAX_ID):
        problems.append(Diagnostic("case", "case: expected a short id (text of at most 200 characters)",
                                   (case.span,), "write 'case: <id>'"))
    payments = root.get("payments")
    if payments is None or payments.is_null:
        return
    if payments.kind != "seq":
        problems.append(Diagnostic("case", "payments: expected a list of payment records", (payments.span,), PAYMENT_HINT))
        return
    assert isinstance(payments.value, list)
    for index, item in enumerate(payments.value):
        if not _is_payment(item):
            problems.append(Diagnostic("case", f"payments[{index}]: expected a record with the fields "
                                       f"{', '.join(PAYMENT_FIELDS)}", (item.span,), PAYMENT_HINT))


def _is_payment(item: YNode) -> bool:
    return isinstance(item.value, dict) and all(
        key in PAYMENT_FIELDS and field.kind == "scalar" for key, field in item.value.items())


def _top_date(root: YNode, key: str, problems: list[Diagnostic]) -> dt.date | None:
    node = root.get(key)
    if node is None or node.is_null:
        return None
    try:
        return values.parse_date(_scalar(node, "a date"))
    except ValueError as exc:
        problems.append(Diagnostic("case", f"{key}: {exc}", (node.span,), "write YYYY-MM-DD"))
        return None


def check_age(case: Case, day: dt.date) -> None:
    """A birth date after the day evaluated would give a negative age: refuse it by its field path."""
    for path, value in case.facts.items():
        if path.rsplit(".", 1)[-1] == "birth_date" and value > day:
            raise CaseError(f"{path}: {value} is after the date evaluated ({day}); "
                            "a birth date must not be later than as_of")


def _walk(node: YNode, prefix: str, inputs: dict[str, Rule], facts: dict[str, Any], problems: list[Diagnostic]) -> None:
    assert isinstance(node.value, dict)
    for key, child in node.value.items():
        path = f"{prefix}{key}"
        if path in inputs:
            if not child.is_null:
                _read_fact(path, child, inputs[path], facts, problems)
        elif path in _groups(inputs):
            if child.kind == "map":
                _walk(child, path + ".", inputs, facts, problems)
            elif not child.is_null:
                problems.append(Diagnostic("case", f"{path}: expected a mapping of facts", (child.span,),
                                           f"write the fields under '{key}:' indented, one per line"))
        elif not prefix and key in TOP_LEVEL:
            continue
        else:
            known = [n for n in inputs if n.count(".") == path.count(".")] + ([] if prefix else sorted(TOP_LEVEL))
            close = difflib.get_close_matches(path, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "remove it, or declare it as an input rule"
            shown = path if path.isprintable() else repr(path)  # a key with a newline stays on one line
            problems.append(Diagnostic("case", f"{shown}: unknown field", (node.key_spans[key],), hint))


_GROUPS: dict[int, tuple[dict[str, Rule], frozenset[str]]] = {}


def _groups(inputs: dict[str, Rule]) -> frozenset[str]:
    """The paths that group facts (`citizen`, `citizen.sickness`), found once per set of input rules."""
    found = _GROUPS.get(id(inputs))
    if found is None or found[0] is not inputs:
        groups = frozenset(name.rsplit(".", i)[0] for name in inputs for i in range(1, name.count(".") + 1))
        found = _GROUPS[id(inputs)] = (inputs, groups)
    return found[1]


def _read_fact(path: str, node: YNode, rule: Rule, facts: dict[str, Any], problems: list[Diagnostic]) -> None:
    spec = rule.input
    assert spec is not None
    try:
        facts[path] = READERS[spec.type](node, spec)
    except ValueError as exc:
        problems.append(Diagnostic("case", f"{path}: {exc}", (node.span,), _hint(spec, node)))


def _hint(spec: Any, node: YNode) -> str | None:
    if spec.type == "code":
        close = difflib.get_close_matches(str(node.value), spec.values, n=1)
        return f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(spec.values[:15])}"
    return {"date": "write dates as YYYY-MM-DD", "bool": "write true or false",
            "events": "write a list of {date: YYYY-MM-DD, kind: ..., end: YYYY-MM-DD, recorded: YYYY-MM-DD} "
                      "(kind, end and recorded optional)",
            "money": "write an amount in kroner with at most 2 decimals, such as 1234.50"}.get(spec.type)


def _scalar(node: YNode, what: str) -> str:
    if node.kind != "scalar":
        raise ValueError(f"expected {what}, found a {'list' if node.kind == 'seq' else 'mapping'}")
    return str(node.value)


def _bool(node: YNode, spec: Any) -> bool:
    if node.tag.endswith(":bool"):
        return _scalar(node, "true or false").lower() in ("true", "yes", "on")
    raise ValueError(f"expected true or false, found {node.value!r}")


def _number(node: YNode, spec: Any) -> Decimal:
    number = values.parse_number(_scalar(node, "a number"))
    if number < 0:  # every number a case gives is a count: weeks, days, hours, cases, a year
        raise ValueError(f"a count cannot be negative, found {node.value}")
    return number


def _money(node: YNode, spec: Any) -> values.Money:
    amount = values.parse_number(_scalar(node, "an amount"))
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(f"an amount has at most 2 decimals (øre), found {node.value}")
    return values.Money(amount)


def _percent(node: YNode, spec: Any) -> values.Rate:
    text = _scalar(node, "a percentage").strip()
    if not text.endswith("%"):
        raise ValueError(f"expected a percentage such as 40%, found {text!r}")
    percent = values.parse_number(text[:-1])
    if abs(percent) > MAX_PERCENT:
        raise ValueError(f"a percentage lies between -{MAX_PERCENT}% and {MAX_PERCENT}%, found {text}")
    return values.Rate(percent / 100)


def _date(node: YNode, spec: Any) -> dt.date:
    return values.parse_date(_scalar(node, "a date"))


def _code(node: YNode, spec: Any) -> str:
    text = _scalar(node, "a code")
    if text not in spec.values:
        raise ValueError(f"unknown code {text!r}")
    return text


def _events(node: YNode, spec: Any) -> tuple[values.Event, ...]:
    if node.kind != "seq":
        raise ValueError("expected a list of events")
    events = []
    for item in node.value:
        if item.kind == "map" and item.get("date") is not None:  # type: ignore[union-attr]
            events.append(_event(item))  # type: ignore[arg-type]
        else:
            events.append(values.Event(_date(item, spec)))  # type: ignore[arg-type]
    return tuple(sorted(events, key=lambda e: (e.date, e.kind or "")))


EVENT_KEYS = ("date", "kind", "end", "recorded")


def _event(item: YNode) -> values.Event:
    """{date, kind, end, recorded}: an event, for one that lasts (an offer, a benefit period) its
    last day, and the day it was recorded when that came later."""
    fields: dict[str, YNode] = item.value  # type: ignore[assignment]
    unknown = sorted(set(fields) - set(EVENT_KEYS))
    if unknown:
        raise ValueError(f"an event has no field {unknown[0]!r}; its fields are {', '.join(EVENT_KEYS)}")
    kind = item.get("kind")
    start = _date(item.get("date"), None)  # type: ignore[arg-type]
    end, recorded = _optional_date(item.get("end")), _optional_date(item.get("recorded"))
    if end is not None and end < start:
        raise ValueError(f"an event ends ({end}) before it starts ({start})")
    if recorded is not None and recorded < start:
        raise ValueError(f"an event is recorded ({recorded}) before its own date ({start}); "
                         "record only a later day, or leave 'recorded' out")
    return values.Event(start, str(kind.value) if kind else None, end, recorded)


def _optional_date(node: YNode | None) -> dt.date | None:
    return _date(node, None) if node is not None and not node.is_null else None


READERS = {"bool": _bool, "number": _number, "money": _money, "percent": _percent, "date": _date,
           "code": _code, "string": lambda n, s: _scalar(n, "text"), "events": _events}
