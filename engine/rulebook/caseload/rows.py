"""What a caseload run writes for one decision: the seam between `Decision` and the output.

`outcome` turns a decision into what the chosen output needs: one JSON line, or a per-case row
and one row per obligation for the Parquet tables. Everything a caseload run writes passes
through here, so a new decision format changes this module only.
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Any

import attrs

from engine.decide.decision import Decision
from engine.lang.errors import Diagnostic

STATUSES = ("applies", "exempted", "not_applicable", "unknown")
# the columns of an obligation row, in the order of the row's tuple and of the Parquet table
OBLIGATION_COLUMNS = ("case", "rule", "status", "due", "actor", "fulfilled", "exempted_by", "legal_basis", "eli")


@attrs.frozen
class Outcome:
    """One row of a caseload: its source, and its output or the problems that made it unusable."""

    source: str
    line: str | None = None                          # JSON-lines output
    case: dict[str, Any] | None = None               # Parquet output: the per-case row
    obligations: tuple[tuple[Any, ...], ...] = ()    # Parquet output: the per-case × obligation rows (OBLIGATION_COLUMNS)
    problems: tuple[Diagnostic, ...] = ()

    @property
    def bad(self) -> bool:
        return bool(self.problems)


def outcome(source: str, decision: Decision, kind: str) -> Outcome:
    """The output of one decision for a `jsonl` or `parquet` caseload run."""
    if kind == "jsonl":
        return Outcome(source, line=json_line(decision))
    return Outcome(source, case=case_row(decision), obligations=tuple(obligation_rows(decision)))


def json_line(decision: Decision) -> str:
    """The compact decision@2 JSON on one line (sorted keys, no spaces), as `to_json` gives it."""
    return decision.to_json().rstrip("\n")


def case_row(decision: Decision) -> dict[str, Any]:
    counts = Counter(o["status"] for o in decision.obligations)
    return {
        "case": decision.case, "as_of": decision.as_of, "municipality": decision.municipality,
        "case_digest": decision.case_digest, "rulebook": decision.rulebook["fingerprint"],
        "engine_version": decision.rulebook["engine_version"], "proposals": list(decision.proposals),
        **{status: counts[status] for status in STATUSES},
        "exemptions": [e["rule"] for e in decision.exemptions], "missing": list(decision.missing),
        "values": json.dumps(decision.values, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
        "known_on": decision.known_on,
    }


def obligation_rows(decision: Decision) -> list[tuple[Any, ...]]:
    """One tuple per obligation, in the order of OBLIGATION_COLUMNS (tuples: some 36 a case, and
    the Arrow columns are built from them without a dict lookup per cell)."""
    case, rows = decision.case, []
    for o in decision.obligations:
        bases, exempted = o["legal_basis"], o.get("exempted_by")
        if len(bases) == 1:  # most obligations cite one paragraph: its lists without two comprehensions
            cites, elis = [bases[0]["cite"]], [bases[0]["eli"]]
        else:
            cites, elis = [basis["cite"] for basis in bases], [basis["eli"] for basis in bases]
        rows.append((case, o["rule"], o["status"], o.get("due"), o["actor"], o.get("fulfilled"),
                     exempted.get("rule") if exempted else None, cites, elis))
    return rows
