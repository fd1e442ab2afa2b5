"""The native kernel: compiled from the rule files, and the NumPy evaluator for what it cannot compile."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import engine
from engine.cli import main
from engine.law import series
from engine.refusion import batch, native, native_nodes, payments, weeks

RECORDS = [
    {"person": "a", "municipality": "101", "benefit": "kontanthjaelp", "amount": "1000.01", "from": "2015-12-20", "to": "2016-03-31"},
    {"person": "a", "municipality": "101", "benefit": "a_dagpenge", "amount": "777.77", "from": "2016-06-01", "to": "2017-02-03"},
    {"person": "b", "municipality": "101", "benefit": "sygedagpenge", "amount": "3333.33", "from": "2016-01-01", "to": "2016-02-13"},
]


def _spread(book: engine.Rulebook) -> tuple[weeks.Weeks, tuple[str, ...]]:
    codes = book.checked.inputs["citizen.benefit"].input.values  # type: ignore[union-attr]
    read = payments.from_records(RECORDS, codes)
    span = weeks.week_range(read)
    return weeks.spread(read, np.arange(read.rows), np.arange(len(read.persons)), span), codes


def _cells(found: dict[str, batch.Arr], names: tuple[str, ...], spread: weeks.Weeks, codes: tuple[str, ...]) -> list[object]:
    shape = (spread.range.count, len(spread.persons))
    out = []
    for name in names:
        data, none = batch.to_python(found[name], shape, codes)
        out += [batch.scalar(found[name], data[w, p], bool(none[w, p]), codes) for w in range(shape[0]) for p in range(shape[1])]
    return out


def test_a_value_the_kernel_cannot_compile_is_left_to_numpy(rulebook: engine.Rulebook, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(native_nodes.CALLS, "round_ore")  # as if the kernel had no rounding
    plan = series.plan(rulebook.program.checked)
    spread, codes = _spread(rulebook)
    compiled = native.NativeProgram(rulebook.program, plan, codes)
    assert set(compiled.unsupported) == {"finansiering.uge.refusion", "finansiering.uge.medfinansiering"}
    assert "round_ore()" in compiled.unsupported["finansiering.uge.refusion"]
    names = ("finansiering.uge.refusion", "finansiering.uge.medfinansiering", "finansiering.uge.nummer")
    mixed = compiled.run(spread, names)
    assert _cells(mixed, names, spread, codes) == _cells(compiled.batch.run(spread, names), names, spread, codes)
    assert any(cell for cell in _cells(mixed, names[:1], spread, codes))  # real amounts, not all empty


def test_check_says_which_values_run_on_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(native_nodes.CALLS, "round_ore")
    result = CliRunner().invoke(main, ["check"])
    assert "note: finansiering.uge.refusion runs on the NumPy evaluator" in result.output
    assert "round_ore()" in result.output


def test_check_is_quiet_when_everything_compiles() -> None:
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 0 and "NumPy evaluator" not in result.output


def test_a_changed_rule_file_changes_the_kernel(rulebook: engine.Rulebook, rulebook_copy: Path) -> None:
    trappe = rulebook_copy / "rules" / "finansieringsloven" / "refusionstrappe.yaml"
    trappe.write_text(trappe.read_text(encoding="utf-8").replace("1..4 -> 80%", "1..4 -> 75%"), encoding="utf-8")
    changed = engine.load(rulebook_copy)
    codes = rulebook.checked.inputs["citizen.benefit"].input.values  # type: ignore[union-attr]
    before = native.NativeProgram(rulebook.program, series.plan(rulebook.program.checked), codes).source
    after = native.NativeProgram(changed.program, series.plan(changed.program.checked), codes).source
    assert before.order == after.order and "finansiering.refusionssats" in after.order
    changed_lines = set(after.text.splitlines()) - set(before.text.splitlines())
    assert any("75" in line for line in changed_lines)  # the new rate is in the kernel's source


def test_several_jobs_give_the_same_tables_in_the_same_order(rulebook: engine.Rulebook) -> None:
    from engine.refusion import tables

    codes = rulebook.checked.inputs["citizen.benefit"].input.values  # type: ignore[union-attr]
    read = payments.from_records(RECORDS, codes)
    one, two = ([t.to_pylist() for _, t in tables.evaluate_tables(rulebook.program, read, chunk=1, jobs=jobs)]
                for jobs in (1, 2))
    assert one == two and [rows[0]["person"] for rows in two] == ["a", "b"]
