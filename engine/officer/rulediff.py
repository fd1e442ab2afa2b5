"""What a change to the rulebook did: rules added, removed and changed, and decisions that change.

`diff_rules(old, new)` compares two loaded rulebooks rule by rule id (every field, with the
paragraphs cited and the validity windows); `diff_decisions(old, new, cases)` evaluates each
case under both and lists the obligations and values that came out differently.
`checkout(spec, folder)` gives a rulebook folder for a folder name or a git revision.
"""
from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path
from typing import Any, Iterable

import attrs

from engine.lang import ast
from engine.lang.errors import EngineError
from engine.law.model import Rule
from engine.rulebook import Rulebook


@attrs.frozen
class RuleChange:
    change: str                 # added, removed, changed
    rule: Rule                  # the new rule (the old one when removed)
    fields: tuple[tuple[str, str, str], ...] = ()   # (field, old, new) for a changed rule

    def lines(self) -> list[str]:
        sign = {"added": "+", "removed": "-", "changed": "~"}[self.change]
        rule = self.rule
        what = f", defines {rule.defines}" if rule.defines else ""
        out = [f"{sign} {rule.id} ({rule.kind}{what}) {self.change}   {rule.span.path}:{rule.span.line}",
               f"    cites {', '.join(c.text for c in rule.refs) or 'nothing'}; valid {window(rule)}"]
        out += [f"    {name}: {old} -> {new}" for name, old, new in self.fields]
        return out


@attrs.frozen
class DecisionChange:
    case: str
    as_of: str
    changes: tuple[tuple[str, str, str], ...]   # (what, old, new)

    def lines(self) -> list[str]:
        return [f"  {self.case} (as of {self.as_of}):"] + [f"    {what}: {old} -> {new}" for what, old, new in self.changes]


def window(rule: Rule) -> str:
    return f"{rule.valid_from or 'open'} to {rule.valid_to or 'open'}"


def describe(rule: Rule) -> dict[str, str]:
    """Every field of a rule that a legal officer might change, as text."""
    fields = {
        "kind": rule.kind, "title.da": rule.title.get("da", ""), "title.en": rule.title.get("en", ""),
        "ref": "; ".join(c.text for c in rule.refs), "valid_from": str(rule.valid_from or "open"),
        "valid_to": str(rule.valid_to or "open"), "confidence": rule.confidence or "", "note": rule.note or "",
        "proposal": rule.proposal or "", "defines": rule.defines or "", "priority": str(rule.priority),
        "actor": rule.actor or "", "lifts": "; ".join(lift.text for lift in rule.lifts),
        "total": str(rule.total).lower(), "successor": rule.successor or "",
    }
    fields.update((name, ast.to_source(node)) for name, node in rule.expressions())
    if rule.input is not None:
        fields.update({"type": rule.input.type, "values": ", ".join(rule.input.values)})
    return fields


def diff_rules(old: Rulebook, new: Rulebook) -> list[RuleChange]:
    before = {r.id: r for r in old.checked.ruleset.rules}
    after = {r.id: r for r in new.checked.ruleset.rules}
    changes = [RuleChange("removed", before[i]) for i in sorted(before.keys() - after.keys())]
    changes += [RuleChange("added", after[i]) for i in sorted(after.keys() - before.keys())]
    for rule_id in sorted(before.keys() & after.keys()):
        fields = _changed_fields(describe(before[rule_id]), describe(after[rule_id]))
        if fields:
            changes.append(RuleChange("changed", after[rule_id], fields))
    return changes


def _changed_fields(old: dict[str, str], new: dict[str, str]) -> tuple[tuple[str, str, str], ...]:
    return tuple((k, _short(old.get(k, "")), _short(new.get(k, ""))) for k in sorted(old.keys() | new.keys())
                 if old.get(k, "") != new.get(k, ""))


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split()) or "(none)"
    return text if len(text) <= limit else text[:limit - 1] + "…"


def diff_decisions(old: Rulebook, new: Rulebook, cases: Iterable[Path]) -> tuple[list[DecisionChange], int]:
    """The cases whose decision differs between the two rulebooks, and how many cases were run."""
    out, count = [], 0
    for path in cases:
        count += 1
        before, after = _decide(old, path), _decide(new, path)
        changes = tuple((k, _text(before.get(k)), _text(after.get(k)))
                        for k in sorted(before.keys() | after.keys()) if before.get(k) != after.get(k))
        if changes:
            out.append(DecisionChange(str(path), str(after.get("as of") or before.get("as of")), changes))
    return out, count


def _decide(book: Rulebook, path: Path) -> dict[str, Any]:
    """A decision flattened to `what -> outcome` (obligation status, due, fulfilment, values, missing)."""
    try:
        decision = book.evaluate(path)
    except EngineError as exc:
        return {"evaluation": f"error: {exc}"}
    flat: dict[str, Any] = {"as of": decision.as_of}
    for obligation in decision.obligations:
        if obligation["status"] == "not_applicable":  # the same decision as not being in force
            continue
        rule = obligation["rule"]
        flat[f"obligation {rule}"] = obligation["status"]
        flat[f"obligation {rule} due"] = obligation.get("due")
        if "fulfilled" in obligation:
            flat[f"obligation {rule} fulfilled"] = obligation["fulfilled"]
        if obligation.get("exempted_by"):
            flat[f"obligation {rule} exempted by"] = obligation["exempted_by"]["rule"]
    flat.update((f"value {name}", value) for name, value in decision.values.items())
    flat.update((f"value {name}", "unknown") for name in decision.unknown_values)
    flat["missing"] = ", ".join(decision.missing) or None
    return flat


def _text(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def case_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))


def checkout(spec: str, folder: Path, repo: Path | None = None) -> Path:
    """A rulebook folder for `spec`: an existing folder as it is, or a git revision's rules/ and legal_refs/."""
    path = Path(spec)
    if path.is_dir():
        return path
    repo = Path(_git(repo or Path.cwd(), "rev-parse", "--show-toplevel").decode().strip())
    archive = _git(repo, "archive", "--format=tar", _commit(repo, spec), "rules", "legal_refs")
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def _commit(repo: Path, spec: str) -> str:
    """The commit `spec` names, as a full hash. A revision is never handed to `git archive` as
    given: `--output=FILE` would be read as an option and overwrite FILE."""
    if spec.startswith("-"):
        raise EngineError(f"'{spec}' is neither a folder nor a git revision (a revision does not start with '-')")
    try:
        found = _git(repo, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{spec}^{{commit}}")
    except EngineError:
        raise EngineError(f"'{spec}' is neither a folder nor a git revision with rules/ and legal_refs/") from None
    return found.decode().strip()


def _git(repo: Path, *args: str) -> bytes:
    try:
        result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise EngineError(f"could not run git: {exc}") from None
    if result.returncode != 0:
        reason = result.stderr.decode(errors="replace").strip().splitlines()
        what = f"'{args[2]}' is neither a folder nor a git revision with rules/ and legal_refs/" if args[0] == "archive" \
            else "not inside a git repository, so OLD and NEW must be folders"
        raise EngineError(f"{what} ({reason[-1] if reason else 'git failed'})")
    return result.stdout
