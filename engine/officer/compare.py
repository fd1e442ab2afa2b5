"""What a proposal would change: a case evaluated without and with it, and the difference.

`compare` returns, for one case, every obligation whose status or exempting rule changes when
the proposal is switched on - which obligations would be lifted, for whom, and by which rule.
`compare_batch` does the same over many cases and counts the lifted obligations.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

import attrs

from engine.decide import casebatch
from engine.decide.casefile import Case
from engine.lang.errors import CaseError
from engine.decide.proposals import ProposalLike
from engine.rulebook import Rulebook


@attrs.frozen
class Change:
    """One obligation that comes out differently with the proposal switched on."""

    rule: str
    actor: str
    title: dict[str, str]
    before: str
    after: str
    due: Any
    exempted_by_before: str | None
    exempted_by_after: str | None

    @property
    def lifted(self) -> bool:
        return self.after == "exempted" and self.before != "exempted"

    def to_dict(self) -> dict[str, Any]:
        return {**attrs.asdict(self), "lifted": self.lifted}


@attrs.frozen
class Comparison:
    case: str
    municipality: str | None
    as_of: str
    proposal: str
    changes: tuple[Change, ...]
    missing: tuple[str, ...] = ()  # facts only the proposal needs (it leaves some outcomes unknown)

    @property
    def lifted(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.lifted)

    def to_dict(self) -> dict[str, Any]:
        return {"case": self.case, "municipality": self.municipality, "as_of": self.as_of,
                "proposal": self.proposal, "changes": [c.to_dict() for c in self.changes],
                "missing": list(self.missing)}


def compare(book: Rulebook, case: str | Path | dict[str, Any] | Case, proposal: ProposalLike,
            as_of: dt.date | str | None = None, base: Iterable[ProposalLike] = ()) -> Comparison:
    """Evaluate `case` with the `base` proposals, then with `proposal` as well, and diff the obligations."""
    read = case if isinstance(case, Case) else book.read_case(case)
    base = tuple(base)
    without = book.evaluate(read, as_of, base)
    with_ = book.evaluate(read, as_of, base + (proposal,))
    added = [p for p in with_.proposals if p not in without.proposals]
    before = {o["rule"]: o for o in without.obligations}
    changes = tuple(_change(before.get(o["rule"]), o) for o in with_.obligations
                    if _differs(before.get(o["rule"]), o))
    missing = tuple(name for name in with_.missing if name not in without.missing)
    return Comparison(with_.case, with_.municipality, with_.as_of, ", ".join(added), changes, missing)


def _exempted_by(obligation: dict[str, Any] | None) -> str | None:
    return ((obligation or {}).get("exempted_by") or {}).get("rule")


def _differs(before: dict[str, Any] | None, after: dict[str, Any]) -> bool:
    return before is None or before["status"] != after["status"] or _exempted_by(before) != _exempted_by(after)


def _change(before: dict[str, Any] | None, after: dict[str, Any]) -> Change:
    return Change(after["rule"], after["actor"], after["title"], (before or {}).get("status", "not_in_force"),
                  after["status"], after.get("due"), _exempted_by(before), _exempted_by(after))


@attrs.frozen
class BatchComparison:
    proposal: str
    comparisons: tuple[Comparison, ...]
    problems: tuple[casebatch.Row, ...]

    def lifted_counts(self) -> dict[str, int]:
        """Obligation → number of cases in which the proposal would lift it."""
        counts = Counter(c.rule for comparison in self.comparisons for c in comparison.lifted)
        return dict(sorted(counts.items()))

    def to_dict(self) -> dict[str, Any]:
        return {"proposal": self.proposal, "cases": [c.to_dict() for c in self.comparisons],
                "lifted_counts": self.lifted_counts(),
                "problems": [{"source": r.source, "messages": [d.message for d in r.problems]} for r in self.problems]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def compare_batch(book: Rulebook, path: Path, proposal: ProposalLike, as_of: dt.date | str | None = None) -> BatchComparison:
    """`compare` for every case of a caseload (`Rulebook.read_cases`); unusable cases are kept as problems."""
    comparisons, problems = [], []
    for row in book.read_cases(path):
        if row.case is None:
            problems.append(row)
            continue
        try:
            comparisons.append(compare(book, row.case, proposal, as_of))
        except CaseError as exc:  # e.g. no as_of: this case is unusable, the others are not
            problems.append(attrs.evolve(row, problems=exc.diagnostics))
    name = str(book.proposals([proposal])[0])
    return BatchComparison(name, tuple(comparisons), tuple(problems))
