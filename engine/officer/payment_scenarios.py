"""Payment-based scenarios: one person's payment records in, expected weeks and monthly totals out.

A scenario with `payments` (a list of records without `person`; `municipality` defaults to
"101") and optional `person` facts (flexjob_visitation_date, early_pension_granted) expects
`weeks` (week Monday → the columns of the per-week table; null for empty or no row) and/or
`summary` ("MUNICIPALITY YYYY-MM" → refusion_amount / cofinancing_amount), with the proposals
of its `with` switched on (by name). The table comes
from the native kernel and, apart, from the NumPy evaluator, and both must hold; every week of
both is also checked against the per-person evaluator: three evaluators, one answer.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any


from engine.refusion import batch, payments, tables as refusion, weekly

from engine.law import series

PERSON = "p"


def records(scenario: Any) -> list[dict[str, object]]:
    facts = {k: str(v) for k, v in (scenario.facts or {}).items()}
    return [{"person": PERSON, "municipality": "101", **facts, **{k: str(v) for k, v in r.items()}}
            for r in scenario.payments]


def run(book: Any, scenario: Any, coverage: Any = None) -> list[str]:
    """Problems found (empty when the scenario holds); with a `coverage` recorder, the rules
    the weekly evaluation chose count as applied in this scenario."""
    codes = book.checked.inputs["citizen.benefit"].input.values
    read = payments.from_records(records(scenario), codes)
    problems = [f"payment line {bad.line}: {bad.reason}" for bad in read.bad]
    for evaluator in refusion.EVALUATORS:
        found = _check(book, scenario, read, evaluator, coverage)
        problems += [f"{problem} ({evaluator} evaluator)" for problem in found if problem not in problems]
    return problems


def _check(book: Any, scenario: Any, read: payments.Payments, evaluator: str, coverage: Any) -> list[str]:
    results = list(refusion.evaluate_slices(book.program, read, scenario.proposals, evaluator=evaluator))
    rows = {str(r["week"]): r for result in results for r in refusion.table(result, read).to_pylist()}
    problems = []
    for monday, want in (scenario.expect.get("weeks") or {}).items():
        row = rows.get(str(monday), {})
        for column, expected in want.items():
            if not _same(expected, row.get(column)):
                problems.append(f"week {monday}: expected {column} {expected!r}, got {row.get(column)!r}")
    problems += _summary(results, read, scenario.expect.get("summary") or {})
    chosen: set[str] = set()
    problems += _agree(book, read, results, scenario.proposals, lambda rule: chosen.add(rule.id))
    if coverage is not None:
        coverage.record_applied(chosen, scenario.label)
    return problems


def _summary(results: list[Any], read: payments.Payments, want: dict[str, Any]) -> list[str]:
    if not want:
        return []
    totals = refusion.Summary()
    for result in results:
        totals.add(result, read)
    found = {f"{m} {month}": dict(zip(("refusion_amount", "cofinancing_amount"), values))
             for (m, month), values in totals.totals.items()}
    problems = []
    for key, columns in want.items():
        for column, expected in columns.items():
            got = found.get(key, {}).get(column, 0)
            if not _same(expected, Decimal(got) / 100):
                problems.append(f"summary {key}: expected {column} {expected!r}, got {Decimal(got) / 100}")
    return problems


def _agree(book: Any, read: payments.Payments, results: list[Any], proposals: tuple[str, ...],
           on_choice: Any) -> list[str]:
    """The per-person evaluator gives every series the batch evaluator gave, week by week."""
    plan = series.plan(book.program.checked)
    problems = []
    for result in results:
        for local in range(len(result.weeks.persons)):
            history = weekly.history_of(result.weeks, local, read.codes)
            for week, values in enumerate(weekly.evaluate_person(book.program, plan, history, proposals, on_choice)):
                for name, arr in result.kinds.items():
                    data, none = result.data[name]
                    got = batch.scalar(arr, data[week, local], bool(none[week, local]), read.codes)
                    if got != values[name]:
                        problems.append(f"evaluators disagree on {name} in week {history.weeks[week].monday}: "
                                        f"per person {values[name]!r}, this one {got!r}")
    return problems[:5]


def _same(expected: Any, actual: Any) -> bool:
    if expected is None or actual is None:
        return bool(expected == actual)
    try:
        return bool(Decimal(str(expected)) == Decimal(str(actual)))
    except InvalidOperation:
        return str(expected) == str(actual)
