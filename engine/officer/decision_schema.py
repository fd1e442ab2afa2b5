"""The JSON Schema (draft 2020-12) of a `paragraf/decision@2` decision, compact or with its
explanation; committed as `schemas/decision.schema.json` (a test checks it is current and that
every golden decision validates). The form is described in `engine.report.forms`.
"""
from __future__ import annotations

from typing import Any

from engine.officer.schema import DATE, DRAFT, TEXTS
from engine.report.forms import SCHEMA_V2

STATUS = ["applies", "exempted", "not_applicable", "unknown"]
KEYS = {"type": "array", "items": {"type": "string"}}
CITES = {**KEYS, "description": "Keys into the decision's legal_basis table."}
JSON_VALUE = {"description": "A value in JSON form: rates and money as decimal strings, dates ISO, sets as sorted lists."}
DIGEST = {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"}


def _object(properties: dict[str, Any], required: list[str], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False, **extra}


OBLIGATION = _object({
    "rule": {"type": "string"}, "status": {"enum": STATUS},
    "actor": {"type": ["string", "null"], "description": "Who must act: jobcenter, kommune, a-kasse, borger, arbejdsgiver."},
    "due": {**JSON_VALUE, "description": "The deadline (ISO date), null when none or not applicable."},
    "fulfilled": {**JSON_VALUE, "description": "Whether the case's recorded events fulfil it (true, false or 'unknown')."},
    "facts": {"type": "object", "description": "The case facts its condition, deadline and fulfilment read directly."},
    "legal_basis": CITES, "confidence": {"type": "string"},
    "exempted_by": _object({"rule": {"type": "string"}, "legal_basis": CITES}, ["rule", "legal_basis"]),
}, ["rule", "status", "actor", "due", "facts", "legal_basis"])

EXEMPTION = _object({
    "rule": {"type": "string"}, "legal_basis": CITES,
    "lifts": {**KEYS, "description": "What the exemption names: rule ids or citations."},
    "lifted_obligations": {**KEYS, "description": "The obligations in force for the case that it lifts."},
}, ["rule", "legal_basis", "lifts", "lifted_obligations"])

BASIS = _object({
    "cite": {"type": "string", "description": "Only when the key is not the citation's text."},
    "act": {"type": ["string", "null"]}, "version": {"type": ["string", "null"]},
    "eli": {"type": ["string", "null"], "format": "uri"},
}, ["act", "version", "eli"])

PLACE = {"type": "array", "items": {"type": "integer", "minimum": 0}, "minItems": 3, "maxItems": 3,
         "description": "[file, line, column]: the file a number into explanation.files."}

FAILED = _object({
    "expr": {"type": "string"}, "at": PLACE, "facts": {"type": "object"}, "cites": CITES,
}, ["expr", "at", "facts"])

NODES = {"type": "array", "items": {"type": "integer", "minimum": 0}}

NODE = _object({
    "kind": {"enum": ["value", "obligation", "exemption"]},
    "name": {"type": "string", "description": "The rule's id, or for a value the value's name."},
    "rule": {"type": "string", "description": "For a value: the definition chosen, when its id is not the value's name."},
    "value": JSON_VALUE, "inputs": {"type": "object"}, "missing": KEYS, "at": PLACE,
    "note": {"type": "string"}, "confidence": {"type": "string"}, "cites": CITES,
    "children": {**NODES, "description": "Numbers of the nodes of the rules this one used."},
    "failed": {"type": "array", "items": FAILED},
}, ["kind", "name", "at"])


def decision_schema() -> dict[str, Any]:
    """The schema of decision@2."""
    return {
        "$schema": DRAFT, "$id": "https://paragraf.example/schemas/decision.schema.json",
        "title": "paragraf decision (paragraf/decision@2)",
        **_object({
            "schema": {"const": SCHEMA_V2}, "case": {"type": "string"}, "as_of": DATE,
            "municipality": {"type": ["string", "null"]},
            "rulebook": _object({"fingerprint": DIGEST, "engine_version": {"type": "string"}},
                                ["fingerprint", "engine_version"]),
            "case_digest": DIGEST, "proposals": KEYS,
            "obligations": {"type": "array", "items": OBLIGATION},
            "exemptions": {"type": "array", "items": EXEMPTION},
            "values": {"type": "object", "additionalProperties": JSON_VALUE},
            "unknown_values": KEYS, "missing": KEYS,
            "legal_basis": {"type": "object", "additionalProperties": BASIS},
            "titles": {"type": "object", "additionalProperties": TEXTS},
            "explanation": _object({
                "roots": NODES, "nodes": {"type": "array", "items": NODE},
                "files": {"type": "array", "items": {"type": "string"}},
            }, ["roots", "nodes", "files"]),
        }, ["schema", "case", "as_of", "municipality", "rulebook", "case_digest", "proposals", "obligations",
            "exemptions", "values", "unknown_values", "missing", "legal_basis"],
            dependentRequired={"explanation": ["titles"], "titles": ["explanation"]}),
    }
