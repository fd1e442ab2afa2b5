"""Decision records: a decision with everything needed to reproduce and audit it later.

A record (``"schema": "paragraf/record@1"``) holds

* ``decision``: the decision JSON with its explanation, as `Decision.to_dict(include=("trace",))`
  gives it (decision@2; records written before hold decision@1, and replay and show read both);
* ``case_data``: the validated case as it was read (its sha256 is the decision's ``case_digest``);
* ``rulebook``: the fingerprint and engine version, the sha256 of every rule and legal reference
  file (``files``), and a digest of every rule (``rules``: rule id → sha256 of the rule's YAML
  content and its file's default act), so `engine.audit.replay` can name the rules that changed
  between two rulebooks even when the old one is gone.

A rule's digest covers what the rule says, not where it sits: moving a rule or re-indenting its
file does not change it, editing its condition, citation, dates or titles does.
"""
from __future__ import annotations

import hashlib
import json
import weakref
from pathlib import Path
from typing import Any

from engine.decide.casefile import Case
from engine.decide.decision import Decision
from engine.lang.errors import EngineError
from engine.rulebook import Rulebook, engine_version
from engine.lang.files import UnreadableFile, read_regular
from engine.lang.yamlsource import read_yaml
from engine.report import forms

MAX_RECORD_BYTES = 50_000_000

SCHEMA = "paragraf/record@1"
_manifests: weakref.WeakKeyDictionary[Rulebook, dict[str, Any]] = weakref.WeakKeyDictionary()


class RecordError(EngineError):
    """A record that cannot be read or does not hold what a record must."""

    category = "record"


def make_record(book: Rulebook, case: Case, decision: Decision) -> dict[str, Any]:
    """The record of `decision`, made by `book` from `case`."""
    if case.digest != decision.case_digest:
        raise RecordError(f"case {case.id}: its digest does not match the decision's; evaluate it again")
    return {"schema": SCHEMA, "decision": decision.to_dict(include=("trace",)), "case_data": case.data, "rulebook": manifest(book)}


def keep(book: Rulebook, case: Case, decision: Decision, log: Path | None = None, path: Path | None = None) -> None:
    """Append the decision's record to a decision log and/or write it to a file."""
    if log is None and path is None:
        return
    made = make_record(book, case, decision)
    if path is not None:
        Path(path).write_text(to_json(made), encoding="utf-8")
    if log is not None:
        from engine.audit import log as auditlog

        auditlog.append(log, made)


def manifest(book: Rulebook) -> dict[str, Any]:
    """Fingerprint, engine version, file digests and rule digests of a loaded rulebook."""
    if book not in _manifests:
        _manifests[book] = {
            "fingerprint": book.fingerprint,
            "engine_version": engine_version(),
            "files": dict(sorted(book.checked.ruleset.files.items())),
            "rules": rule_digests(book.rules_dir),
        }
    return _manifests[book]


def rule_digests(rules_dir: Path) -> dict[str, str]:
    """Rule id → sha256 over the rule's YAML content (canonical JSON) and its file's default act."""
    digests: dict[str, str] = {}
    for path in sorted(rules_dir.rglob("*.yaml")):
        content = read_yaml(path, str(path)).to_python()
        if not isinstance(content, dict):
            continue
        for rule in content.get("rules") or []:
            if isinstance(rule, dict) and isinstance(rule.get("id"), str):
                text = json.dumps({"act": content.get("act"), "rule": rule}, sort_keys=True, ensure_ascii=False)
                digests[rule["id"]] = hashlib.sha256(text.encode()).hexdigest()
    return dict(sorted(digests.items()))


def to_json(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def read_record(path: str | Path) -> dict[str, Any]:
    """A record from a JSON file, checked for the keys replay needs."""
    try:
        data = json.loads(read_regular(Path(path), MAX_RECORD_BYTES).decode("utf-8"))
    except (UnreadableFile, UnicodeDecodeError, RecursionError) as exc:
        raise RecordError(f"{path}: cannot read the record ({exc})") from None
    except json.JSONDecodeError as exc:
        raise RecordError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    return check_record(data, str(path))


def check_record(data: Any, where: str) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise RecordError(f"{where}: not a decision record (schema {found!r}, expected {SCHEMA!r}); "
                          "make one with 'paragraf eval CASE --record FILE' or '--log DB'")
    for key in ("decision", "case_data", "rulebook"):
        if not isinstance(data.get(key), dict):
            raise RecordError(f"{where}: the record has no '{key}' object")
    problem = _shape_problem(data)
    if problem is not None:
        raise RecordError(f"{where}: {problem}; the record has been altered or is damaged")
    return data


def _shape_problem(data: dict[str, Any]) -> str | None:
    """The first field of a record whose shape replay cannot use, by its path; None when all fit."""
    decision, rulebook = data["decision"], data["rulebook"]
    checks: list[tuple[str, bool]] = [
        ("decision.as_of", isinstance(decision.get("as_of"), str)),
        ("decision.case_digest", isinstance(decision.get("case_digest"), str)),
        ("decision.values", isinstance(decision.get("values"), dict)),
        ("decision.missing", _list_of(decision.get("missing"), str)),
        ("decision.unknown_values", _list_of(decision.get("unknown_values", []), str)),
        ("decision.proposals", _list_of(decision.get("proposals", []), str)),
        ("rulebook.rules", _text_map(rulebook.get("rules", {}))),
        ("rulebook.files", _text_map(rulebook.get("files", {}))),
        ("rulebook.fingerprint", isinstance(rulebook.get("fingerprint", ""), str)),
    ] + [(f"decision.{key}", _list_of(decision.get(key), dict) and all(
        isinstance(item.get("rule"), str) for item in decision[key])) for key in ("obligations", "exemptions")] + [
        ("decision.explanation", _trace_ok(_inline_trace(decision)))]  # last: it reads the obligations too
    return next((f"{path}: not in the form paragraf writes" for path, ok in checks if not ok), None)


def _list_of(value: Any, kind: type) -> bool:
    return isinstance(value, list) and all(isinstance(item, kind) for item in value)


def _text_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _inline_trace(decision: dict[str, Any]) -> Any:
    """The trace as nested nodes: decision@1 keeps it so; decision@2 keeps a table of nodes by key,
    expanded here (None when the table does not expand)."""
    if decision.get("schema") != forms.SCHEMA_V2:
        return decision.get("explanation", [])
    try:
        return forms.expand(decision)["explanation"]
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, RecursionError):
        return None


def _trace_ok(nodes: Any, depth: int = 0) -> bool:
    """Trace nodes: objects naming their rule, with children of the same form, not absurdly deep."""
    return depth < 200 and _list_of(nodes, dict) and all(
        isinstance(node.get("rule"), str) and isinstance(node.get("defines") or "", str)
        and _trace_ok(node.get("children", []), depth + 1) for node in nodes)
