"""The caseworker's form: fields generated from the case JSON Schema, and the case they give.

`fields(book, lang, given)` lists the common facts of a case as form fields, each with the
widget its schema calls for (a code list becomes a choice, a date a date field, a yes/no fact a
choice with "unknown", a list of events a text area with one event per line, `-` for none), labelled with the
input rule's own title. `case_from_form(given)` turns the submitted fields back into a case:
an empty field is left out, so the fact stays unknown. A pasted case (YAML or JSON) is read by
`case_from_text` with the same safe YAML reader as case files.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import attrs

from engine.lang.yamlsource import read_yaml
from engine.officer.schema import case_schema

# The facts most cases need; every other fact can be given by pasting the case.
COMMON_FIELDS = (
    "case", "municipality", "citizen.birth_date", "citizen.benefit", "citizen.benefit_since",
    "citizen.first_contact", "citizen.readiness", "citizen.vocational_education", "citizen.complex_case",
    "citizen.talks", "citizen.offers", "citizen.sickness.first_absence_day", "citizen.sickness.category",
    "citizen.flexjob_visitation_date", "citizen.early_pension_granted",
)
PASTED = "<pasted case>"
NONE_HELD = "-"  # in a list of events: none were held


@attrs.frozen
class Field:
    path: str                                 # the dotted field path, also the form field's name
    label: str
    widget: str                               # text, date, choice, yesno, events
    value: str = ""
    options: tuple[tuple[str, str], ...] = ()  # (code, title) for a choice


def fields(book: Any, lang: str, given: Mapping[str, str], words: Mapping[str, str]) -> list[Field]:
    """The common fields of a case, with the values `given` (the submitted form) filled in."""
    schema = case_schema(book.checked.inputs)
    shown = []
    for path in COMMON_FIELDS:
        spec = _spec(schema, path.split("."))
        if spec is not None:
            shown.append(_field(book, path, spec, lang, given.get(path, ""), words))
    return shown


def _spec(schema: dict[str, Any], parts: list[str]) -> dict[str, Any] | None:
    node: dict[str, Any] | None = schema
    for part in parts:
        node = (node or {}).get("properties", {}).get(part)
    return node


def _field(book: Any, path: str, spec: dict[str, Any], lang: str, value: str, words: Mapping[str, str]) -> Field:
    rule = book.checked.inputs.get(path)
    label = str(rule.title.get(lang, path)) if rule is not None else words.get(path, path)
    if "enum" in spec:
        titles = rule.input.value_titles if rule is not None and rule.input is not None else {}
        codes = [code for code in spec["enum"] if isinstance(code, str)]
        options = tuple((c, f"{titles[c]} ({c})" if titles.get(c) else c) for c in codes)
        return Field(path, label, "choice", value, options)
    if spec.get("type") == "boolean":
        return Field(path, label, "yesno", value, (("true", words["yes"]), ("false", words["no"])))
    if spec.get("type") == "array":
        return Field(path, label, "events", value)
    return Field(path, label, "date" if spec.get("format") == "date" else "text", value)


def case_from_form(given: Mapping[str, str]) -> dict[str, Any]:
    """The case the submitted fields describe; empty fields are left out (unknown)."""
    case: dict[str, Any] = {}
    for path in COMMON_FIELDS:
        text = given.get(path, "").strip()
        if text:
            _place(case, path.split("."), _value(path, text))
    return case


def _value(path: str, text: str) -> Any:
    if text in ("true", "false") and path not in ("case", "municipality"):
        return text == "true"
    if path.endswith((".talks", ".offers")):
        if text == NONE_HELD:  # known to be none, which an empty field (unknown) cannot say
            return []
        return [_event(line.split(None, 1)) for line in text.splitlines() if line.strip()]
    return text


def _event(parts: list[str]) -> Any:
    """`2021-01-04 jobsamtale` is an event with its kind; a bare date is an event without one."""
    return {"date": parts[0], "kind": parts[1].strip()} if len(parts) > 1 else parts[0]


def _place(case: dict[str, Any], parts: list[str], value: Any) -> None:
    for part in parts[:-1]:
        case = case.setdefault(part, {})
    case[parts[-1]] = value


def case_from_text(text: str) -> Any:
    """A pasted case, read with the safe YAML reader (JSON is YAML); a malformed text raises
    `RuleFileError` with the line and column. The engine then checks its fields."""
    return read_yaml(Path(PASTED), PASTED, text).to_python()
