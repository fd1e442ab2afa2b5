"""Refusion what-ifs: per municipality and month, refusion and co-financing without and with a proposal.

Both sides are computed by the same weekly evaluators as `paragraf refusion` (the native kernel,
or the NumPy evaluator, over `jobs` slices at once) and added up per municipality and month as
its `--summary` does (a week spanning two months split by its days, BEK 14/2026 § 23, stk. 2).
A proposal is one of `engine.planning.proposal_text`: a rule-file proposal switched on, a
staircase written as a generated rule file (`proposal_rules`), or shorter spells
(`earlier_into_work`), which change the payments and not the law. Money is integer øre
throughout, and decimal kroner in the Arrow table. Entry point: `compare_refusion`.
"""
from __future__ import annotations

from typing import Callable, Iterable
from decimal import Decimal
from pathlib import Path

import attrs
import pyarrow as pa

from engine.lang.compiler import Program
from engine.lang.errors import CaseError
from engine.planning import earlier_into_work, proposal_rules, proposal_text
from engine.refusion import payments as payment_records
from engine.refusion import tables
from engine.refusion.payments import BadRow, Payments
from engine.rulebook import Rulebook

MONEY = tables.MONEY
SIDES = ("without", "with", "difference")
SCHEMA = pa.schema([("municipality", pa.string()), ("month", pa.string())]
                   + [(f"{kind}_{side}", MONEY) for kind in ("refusion", "cofinancing") for side in SIDES])
Totals = dict[tuple[str, str], list[int]]  # (municipality, YYYY-MM) → [refusion, co-financing] in øre


@attrs.frozen
class RefusionComparison:
    """The comparison table (`SCHEMA`), what was compared, and the payment rows that could not be read."""

    proposal: str
    table: pa.Table
    bad: tuple[BadRow, ...]

    def records(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = self.table.to_pylist()
        return rows


def compare_refusion(book: Rulebook, payments: str | Path | Payments, proposal: str | proposal_text.WhatIf,
                     base: Iterable[str] = (), *, jobs: int = 1, evaluator: str = "native",
                     progress: Callable[[int], None] | None = None) -> RefusionComparison:
    """Refusion and co-financing without and with `proposal` (text such as
    `staircase:rates=80,40,30,20;weeks=4,26,52`), the rule-file proposals `base` switched on in both."""
    codes = book.checked.inputs["citizen.benefit"].input.values  # type: ignore[union-attr]
    read = payments if isinstance(payments, Payments) else payment_records.read_payments(Path(payments), codes)
    whatif = proposal if not isinstance(proposal, str) else proposal_text.parse(proposal, book.checked.proposals)
    base = tuple(base)
    unknown = sorted(set(base) - set(book.checked.proposals))
    if unknown:
        raise CaseError(f"unknown proposal '{unknown[0]}' in --with; the rule files have "
                        f"{', '.join(sorted(book.checked.proposals)) or 'none'}")

    def totals(program: Program, paid: Payments, switched: tuple[str, ...]) -> Totals:
        return _totals(program, paid, switched, jobs, evaluator, progress)

    without = totals(book.program, read, base)
    if isinstance(whatif, proposal_text.Staircase):
        other = proposal_rules.rulebook_with(book, whatif)
        with_ = totals(other.program, read, (*base, proposal_rules.NAME))
    elif isinstance(whatif, proposal_text.EarlierIntoWork):
        shorter = earlier_into_work.shorten(read, whatif.weeks, earlier_into_work.spell_codes(book))
        with_ = totals(book.program, shorter, base)
    else:
        with_ = totals(book.program, read, (*base, whatif.name))
    return RefusionComparison(str(whatif), comparison_table(without, with_), tuple(read.bad))


def _totals(program: Program, paid: Payments, switched: tuple[str, ...], jobs: int, evaluator: str,
            progress: Callable[[int], None] | None) -> Totals:
    summary = tables.Summary()
    for result, _ in tables.evaluate_tables(program, paid, switched, progress=progress, evaluator=evaluator,
                                            jobs=jobs, tables=False):
        summary.add(result, paid)
    return summary.totals


def comparison_table(without: Totals, with_: Totals) -> pa.Table:
    """One row per municipality and month found on either side, sorted; a side without it is 0."""
    keys = sorted(set(without) | set(with_))
    columns: dict[str, list[object]] = {"municipality": [k[0] for k in keys], "month": [k[1] for k in keys]}
    for slot, kind in enumerate(("refusion", "cofinancing")):
        before = [without.get(k, [0, 0])[slot] for k in keys]
        after = [with_.get(k, [0, 0])[slot] for k in keys]
        for side, ore in zip(SIDES, (before, after, [a - b for a, b in zip(after, before)])):
            columns[f"{kind}_{side}"] = [Decimal(value).scaleb(-2) for value in ore]
    return pa.table(columns, schema=SCHEMA)
