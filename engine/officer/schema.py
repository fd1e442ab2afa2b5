"""JSON Schemas (draft 2020-12) for rule files and for cases, so an editor can complete and check them.

`rules_schema()` is derived from the keys the loader accepts per rule kind (`engine.law.loader`) and
the model's enumerations; `case_schema(inputs)` from a rulebook's `input` rules: their types,
the allowed codes, and nesting by dotted id (`citizen.sickness.category`). The rule schema is
committed as `schemas/rules.schema.json` (a test checks it is current), so rule files can name it
in a `# yaml-language-server: $schema=...` line.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

from engine.decide.casefile import PAYMENT_FIELDS
from engine.law import loader, model
from engine.law.model import Rule

DRAFT = "https://json-schema.org/draft/2020-12/schema"
DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
EXPRESSION = {"type": ["string", "number", "boolean"], "description": "An expression of the rule language."}
TEXTS = {"type": "object", "required": ["da", "en"], "additionalProperties": False,
         "properties": {"da": {"type": "string"}, "en": {"type": "string"}},
         "description": "The text in Danish (da) and English (en)."}
STRINGS = {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]}

KEYS: dict[str, dict[str, Any]] = {
    "id": {"type": "string", "pattern": loader.RULE_ID.pattern, "description": "Stable dotted id, e.g. lab.kontaktforloeb.fire_samtaler."},
    "ref": {**STRINGS, "description": "The citation(s) the rule implements, e.g. '§ 31, stk. 1' or 'LAB § 31'."},
    "title": TEXTS,
    "valid_from": {**DATE, "description": "First day the rule is in force."},
    "valid_to": {**DATE, "description": "Last day the rule is in force."},
    "confidence": {"enum": list(model.CONFIDENCE), "description": "How sure the reading of the law is; explain in 'note'."},
    "note": {"type": "string", "description": "What rests on an interpretation, or why the window ends."},
    "proposal": {"type": "string", "description": "The proposal this rule belongs to (off unless switched on)."},
    "successor": {"type": "string", "description": "'none' when the rule ends on purpose, or the id of the rule taking over."},
    "type": {"enum": list(model.INPUT_TYPES), "description": "The type of the fact."},
    "values": {"anyOf": [{"type": "array", "items": {"type": ["string", "number"]}},
                         {"type": "object", "additionalProperties": {"type": "string"}}],
               "description": "Allowed codes, as a list or as code: title."},
    "description": TEXTS,
    "defines": {"type": "string", "description": "The value this definition gives (several rules may define one value)."},
    "when": {**EXPRESSION, "description": "The condition under which the rule applies."},
    "expr": {**EXPRESSION, "description": "The expression giving the value."},
    "priority": {"type": ["integer", "string"], "description": "Higher wins when several definitions apply."},
    "total": {"type": "boolean", "description": "The value is defined for every case; `paragraf check` proves it."},
    "per": {"enum": ["week"], "description": "A weekly series: one value per calendar week of a person's history."},
    "supplies": {"type": "string", "description": "The input this weekly series answers in weekly evaluation."},
    "actor": {"enum": list(model.ACTORS), "description": "Who must act."},
    "due": {**EXPRESSION, "description": "The deadline, a date expression."},
    "fulfilled": {**EXPRESSION, "description": "Whether the recorded events fulfil the obligation."},
    "lifts": {**STRINGS, "description": "Obligations lifted: rule ids or citations such as 'LAB §§ 31-34'."},
    "kind": {"type": "string"},
}
REQUIRED = {"input": ["type"], "value": ["expr"], "exemption": ["lifts"], "obligation": ["actor"], "proposal": []}


def rules_schema() -> dict[str, Any]:
    """The schema of a rule file."""
    return {
        "$schema": DRAFT, "$id": "https://paragraf.example/schemas/rules.schema.json",
        "title": "paragraf rule file", "type": "object", "required": ["rules"], "additionalProperties": False,
        "properties": {"act": {"type": "string", "description": "The act citations default to."},
                       "title": TEXTS, "note": {"type": "string"}, "$schema": {"type": "string"},
                       "rules": {"type": "array", "items": {"$ref": "#/$defs/rule"}}},
        "$defs": {"rule": {"type": "object", "required": ["id", "kind"],
                           "properties": {"kind": {"enum": list(model.KINDS)}},
                           "allOf": [{"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                                      "then": {"$ref": f"#/$defs/{kind}"}} for kind in model.KINDS]},
                  **{kind: _kind_schema(kind) for kind in model.KINDS}},
    }


def _kind_schema(kind: str) -> dict[str, Any]:
    keys = sorted(loader.COMMON_KEYS | loader.KIND_KEYS[kind])
    properties = {key: KEYS[key] for key in keys}
    if kind == "proposal":  # switched on by name (--with tvaergaaende-borgerforloeb), so hyphens are allowed
        properties["id"] = {**KEYS["id"], "pattern": loader.PROPOSAL_ID.pattern}
    properties["kind"] = {"const": kind}
    required = ["id", "kind", "title", *REQUIRED[kind]] + (["ref"] if kind not in ("input", "proposal") else [])
    return {"type": "object", "title": f"{kind} rule", "properties": properties,
            "required": required, "additionalProperties": False}


def case_schema(inputs: dict[str, Rule]) -> dict[str, Any]:
    """The schema of a case, from the rulebook's input rules."""
    root: dict[str, Any] = {
        "$schema": DRAFT, "$id": "https://paragraf.example/schemas/case.schema.json",
        "title": "paragraf case", "type": "object", "additionalProperties": False,
        "properties": {"case": {"type": ["string", "integer"], "description": "The case id (never a CPR number)."},
                       "as_of": {**DATE, "description": "The date whose law applies."},
                       "known_on": {**DATE, "description": "Use the facts as recorded by this date."},
                       "payments": {"type": "array", "description": "Payment records, each with the columns of a "
                                    "payment file (docs/refusion.md).",
                                    "items": {"type": "object", "additionalProperties": False,
                                              "properties": {name: {"type": ["string", "number", "boolean", "null"]}
                                                             for name in PAYMENT_FIELDS}}}},
    }
    for input_id, rule in sorted(inputs.items()):
        _place(root, input_id.split("."), _fact_schema(rule))
    return root


def _place(schema: dict[str, Any], path: list[str], leaf: dict[str, Any]) -> None:
    properties = schema.setdefault("properties", {})
    if len(path) == 1:
        properties[path[0]] = leaf
        return
    child = properties.setdefault(path[0], {"type": "object", "additionalProperties": False, "properties": {}})
    _place(child, path[1:], leaf)


def _fact_schema(rule: Rule) -> dict[str, Any]:
    spec = rule.input
    assert spec is not None
    described = {"title": rule.title.get("en", ""),
                 "description": f"{spec.description.get('en', '')} / {spec.description.get('da', '')}"}
    return {**FACT_TYPES[spec.type](spec), **described}


def _code(spec: Any) -> dict[str, Any]:
    """The allowed codes; a code written as digits may also be written unquoted (`category: 2`)."""
    numeric = [int(v) for v in spec.values if v.isdigit() and not v.startswith("0")]
    return {"type": ["string", "integer"] if numeric else "string", "enum": list(spec.values) + numeric}


EVENT = {"anyOf": [DATE, {"type": "object", "required": ["date"], "additionalProperties": False,
                          "properties": {"date": DATE, "kind": {"type": "string"},
                                         "end": {**DATE, "description": "The last day, for an event that lasts."},
                                         "recorded": {**DATE, "description": "The day it was recorded, if later."}}}]}
FACT_TYPES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "bool": lambda spec: {"type": "boolean"},
    "number": lambda spec: {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}]},
    "money": lambda spec: {"anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^-?\d+(\.\d{1,2})?$"}]},
    "percent": lambda spec: {"type": "string", "pattern": r"^-?\d+(\.\d+)?\s*%$"},
    "date": lambda spec: dict(DATE),
    "code": _code,
    "string": lambda spec: {"type": "string"},
    "events": lambda spec: {"type": "array", "items": EVENT},
}


MODELINE = "# yaml-language-server: $schema="


def add_modelines(rules_dir: Path, schema_file: Path) -> list[Path]:
    """Make every rule file below `rules_dir` name `schema_file` on its first line; return the files changed."""
    changed = []
    for path in sorted(rules_dir.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        line = MODELINE + os.path.relpath(schema_file, path.parent).replace(os.sep, "/")
        if text.startswith(line + "\n"):
            continue
        rest = text.split("\n", 1)[1] if text.startswith(MODELINE) else text
        path.write_text(line + "\n" + rest, encoding="utf-8")
        changed.append(path)
    return changed


def dumps(schema: dict[str, Any]) -> str:
    """Stable text: sorted keys, two-space indentation, a final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
