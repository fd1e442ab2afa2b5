"""Replay: evaluate a recorded case again with the current rulebook and say what changed.

The result is *identical* when the obligations (status, due date, legal basis, exemption,
fulfilment), the exemptions in force, the values and the missing facts are the same.
Differences are listed per obligation and value, and the rules that changed between the
record's rulebook and the current one are named, those that take part in a changed result
first (found in the old or the new trace of what changed).
"""
from __future__ import annotations

import json
from typing import Any, Iterable

import attrs

from engine.audit import record as records
from engine.lang.errors import CaseError
from engine.report import forms
from engine.rulebook import Rulebook

OBLIGATION_FIELDS = ("status", "due", "legal_basis", "exempted_by", "fulfilled", "actor")


@attrs.frozen
class Change:
    kind: str        # obligation, value, exemption, missing
    name: str
    field: str
    before: Any
    after: Any


@attrs.frozen
class RuleChanges:
    changed: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(sorted(self.changed + self.added + self.removed))


@attrs.frozen
class Replay:
    case: str
    as_of: str
    old_fingerprint: str
    new_fingerprint: str
    changes: tuple[Change, ...]
    rule_changes: RuleChanges
    responsible: tuple[str, ...]
    explanation_changed: bool
    new_decision: dict[str, Any]
    known_on: str | None = None  # the facts as recorded by this day, as the record says

    @property
    def identical(self) -> bool:
        return not self.changes

    def to_dict(self) -> dict[str, Any]:
        data = attrs.asdict(self, recurse=True)
        data.pop("new_decision")
        if data["known_on"] is None:
            data.pop("known_on")
        data["identical"] = self.identical
        return data


def replay(record: dict[str, Any], book: Rulebook) -> Replay:
    """Evaluate the record's case on its date, with its proposals, under `book`; compare."""
    old = forms.expand(record["decision"])  # decision@1 or @2: compared in the inline form
    case = book.read_case(record["case_data"])
    if case.digest != old.get("case_digest"):
        raise CaseError(f"case {old.get('case')}: the stored case does not match the decision's case_digest; "
                        "the record has been altered")
    decision = book.evaluate(case, old["as_of"], old.get("proposals", ()), old.get("known_on"))
    new = forms.expand(json.loads(decision.to_json(include=("trace",))))  # plain JSON, as stored
    changes = tuple(_changes(old, new))
    rule_changes = compare_rulebooks(record["rulebook"], records.manifest(book))
    return Replay(
        case=str(old.get("case")), as_of=old["as_of"], old_fingerprint=record["rulebook"].get("fingerprint", ""),
        new_fingerprint=book.fingerprint, changes=changes, rule_changes=rule_changes,
        responsible=_responsible(changes, rule_changes, old, new),
        explanation_changed=old.get("explanation") != new.get("explanation"), new_decision=new,
        known_on=old.get("known_on"))


def compare_rulebooks(old: dict[str, Any], new: dict[str, Any]) -> RuleChanges:
    before, after = old.get("rules", {}), new.get("rules", {})
    old_files, new_files = old.get("files", {}), new.get("files", {})
    return RuleChanges(
        changed=tuple(sorted(r for r in before.keys() & after.keys() if before[r] != after[r])),
        added=tuple(sorted(after.keys() - before.keys())),
        removed=tuple(sorted(before.keys() - after.keys())),
        files=tuple(sorted(f for f in old_files.keys() | new_files.keys() if old_files.get(f) != new_files.get(f))),
    )


def _changes(old: dict[str, Any], new: dict[str, Any]) -> Iterable[Change]:
    yield from _obligation_changes(_by_rule(old["obligations"]), _by_rule(new["obligations"]))
    yield from _mapping_changes("value", _values(old), _values(new))
    yield from _exemption_changes(_by_rule(old["exemptions"]), _by_rule(new["exemptions"]))
    if sorted(old["missing"]) != sorted(new["missing"]):
        yield Change("missing", "missing", "missing", old["missing"], new["missing"])


def _by_rule(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["rule"]: item for item in items}


def _values(decision: dict[str, Any]) -> dict[str, Any]:
    unknown = {name: "unknown" for name in decision.get("unknown_values", ())}
    return {**decision["values"], **unknown}


def _obligation_changes(old: dict[str, Any], new: dict[str, Any]) -> Iterable[Change]:
    for rule in sorted(old.keys() | new.keys()):
        if rule not in new or rule not in old:
            yield Change("obligation", rule, "in force", rule in old, rule in new)
            continue
        for field in OBLIGATION_FIELDS:
            if old[rule].get(field) != new[rule].get(field):
                yield Change("obligation", rule, field, old[rule].get(field), new[rule].get(field))


def _exemption_changes(old: dict[str, Any], new: dict[str, Any]) -> Iterable[Change]:
    for rule in sorted(old.keys() | new.keys()):
        if (rule in old) != (rule in new):
            yield Change("exemption", rule, "in force", rule in old, rule in new)
        elif old[rule].get("lifted_obligations") != new[rule].get("lifted_obligations"):
            yield Change("exemption", rule, "lifted_obligations", old[rule].get("lifted_obligations"),
                         new[rule].get("lifted_obligations"))


def _mapping_changes(kind: str, old: dict[str, Any], new: dict[str, Any]) -> Iterable[Change]:
    for name in sorted(old.keys() | new.keys()):
        if old.get(name, _ABSENT) != new.get(name, _ABSENT):
            yield Change(kind, name, "value", old.get(name, None), new.get(name, None))


_ABSENT = object()


def _responsible(changes: tuple[Change, ...], rules: RuleChanges, old: dict[str, Any],
                 new: dict[str, Any]) -> tuple[str, ...]:
    """Changed rules that take part in a changed result: in its old or new trace."""
    touched: set[str] = set()
    for change in changes:
        for decision in (old, new):
            touched |= _trace_rules(decision, change)
    return tuple(r for r in rules.rules if r in touched)


def _trace_rules(decision: dict[str, Any], change: Change) -> set[str]:
    found: set[str] = set()
    for root in decision.get("explanation", ()):
        if change.kind == "missing" or change.name in (root.get("rule"), root.get("defines")):
            found |= _rules_below(root)
    if change.kind == "exemption":
        found.add(change.name)
    return found


def _rules_below(node: dict[str, Any]) -> set[str]:
    rules = {node["rule"], node.get("defines") or node["rule"]}
    for child in node.get("children", ()):
        rules |= _rules_below(child)
    return rules


def report_text(result: Replay) -> str:
    """A plain report of a replay, for the command line."""
    known = f", facts known on {result.known_on}" if result.known_on else ""
    lines = [f"replay of case {result.case} as of {result.as_of}{known}",
             f"  recorded with {result.old_fingerprint}", f"  replayed with {result.new_fingerprint}"]
    if result.identical:
        lines.append("result: identical" + ("; the explanation's positions or wording changed"
                                            if result.explanation_changed else ""))
    else:
        lines.append(f"result: DIFFERENT ({len(result.changes)} change(s))")
        lines += [f"  {c.kind} {c.name}: {c.field} {show_value(c.before)} -> {show_value(c.after)}" for c in result.changes]
    lines += _rule_lines(result)
    return "\n".join(lines) + "\n"


def _rule_lines(result: Replay) -> list[str]:
    rules = result.rule_changes
    if not (rules.rules or rules.files):
        return ["rulebook: unchanged"]
    lines = ["rules changed between the two rulebooks:"]
    for what, ids in (("changed", rules.changed), ("added", rules.added), ("removed", rules.removed)):
        lines += [f"  {what} {rule}" + ("   <- responsible" if rule in result.responsible else "") for rule in ids]
    lines += [f"  file {path}" for path in rules.files]
    if result.changes and not result.responsible:
        lines.append("  (no changed rule appears in the trace of what changed; see the files above)")
    return lines


def show_value(value: Any) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict) and "cite" in value[0]:
        return "; ".join(f"{v['cite']} ({v.get('version')}, {v.get('eli')})" for v in value)
    if isinstance(value, dict) and "rule" in value:
        return str(value["rule"])
    return "none" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
