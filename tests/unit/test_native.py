"""The native kernel: compiled from the rule files, and the NumPy evaluator for what it cannot compile."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from click.testing import CliRunner

import engine
from engine.interfaces.cli import main
from engine.lang import ast
from engine.law import series
from engine.refusion import batch, native, native_loop, native_nodes, payments, weeks

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


AMOUNTS = ("finansiering.uge.medfinansiering", "finansiering.uge.refusion")


def _kernel_source(book: engine.Rulebook) -> native.KernelSource:
    codes = book.checked.inputs["citizen.benefit"].input.values  # type: ignore[union-attr]
    compiled = native.NativeProgram(book.program, series.plan(book.program.checked), codes)
    return native.KernelSource(compiled.batch, [n for n in compiled.source.order
                                                if n in compiled.plan.needed_for(AMOUNTS)], AMOUNTS).build()


def test_values_that_always_have_one_carry_no_flag(rulebook: engine.Rulebook) -> None:
    source = _kernel_source(rulebook)
    # the running count reads its own past: present by induction over the weeks
    assert {"finansiering.uge.trin", "finansiering.uge.beroert", "finansiering.refusionsydelser"} <= source.present
    # the rate has a window (from 2016-01-04) and no step for a count of 0
    assert "finansiering.refusionssats" not in source.present
    i = source.index["finansiering.uge.trin"]
    assert f"n{i})" not in source.text and f"not n{i}" not in source.text  # no test of its flag anywhere
    assert source.none_outputs == [n for n in AMOUNTS if n not in source.present]


def test_the_amounts_of_a_week_are_summed_in_one_pass(rulebook: engine.Rulebook) -> None:
    source = _kernel_source(rulebook)
    person = source.text[source.text.index("def persons("):]
    # one pass in each copy of a week with payments: on a day the rules name, and on any other day
    named = (weeks.day_number(dt.date(2015, 12, 28)), weeks.day_number(dt.date(2016, 1, 4)))  # § 29's transition weeks
    assert person.count("for e in range(lo, hi):") == 2 and f"plain[U(w)] = monday != {named[0]} and monday != {named[1]}" in person
    assert len(source.fused) == len(set(source.fused)) >= 4  # each (amounts, codes) pair once
    rules = [rule for name in source.order for rule in source.batch.definitions[name]]
    calls = [node for rule in rules for _, expr in rule.expressions() for node in ast.walk(expr)
             if isinstance(node, ast.Call) and node.function == "amount"]
    assert len(calls) > len(source.fused)  # the rules write some amount(...) twice


def test_empty_weeks_carry_the_step_and_count_to_its_reset(rulebook: engine.Rulebook) -> None:
    """Weeks with no payment take the kernel's empty-week path: the step carries over a gap and
    starts again after 52 weeks of self-support, as the NumPy evaluator says week by week."""
    codes = rulebook.checked.inputs["citizen.benefit"].input.values  # type: ignore[union-attr]
    spell = {"municipality": "101", "benefit": "kontanthjaelp", "amount": "1000.00"}
    records = [{**spell, "person": "gap", "from": "2016-01-04", "to": "2016-01-31"},  # 4 weeks
               {**spell, "person": "gap", "from": "2016-06-06", "to": "2016-06-12"},  # after 18 empty weeks
               {**spell, "person": "reset", "from": "2016-01-04", "to": "2016-01-31"},
               {**spell, "person": "reset", "from": "2017-02-06", "to": "2017-02-12"}]  # after 53 empty weeks
    read = payments.from_records(records, codes)
    spread = weeks.spread(read, np.arange(read.rows), np.arange(len(read.persons)), weeks.week_range(read))
    compiled = native.NativeProgram(rulebook.program, series.plan(rulebook.program.checked), codes)
    names = (*AMOUNTS, "finansiering.uge.trin")
    found, expected = compiled.run(spread, names), compiled.batch.run(spread, names)
    assert _cells(found, names, spread, codes) == _cells(expected, names, spread, codes)
    step = batch.to_python(found["finansiering.uge.trin"], (spread.range.count, 2), codes)[0]
    week = {day: (weeks.day_number(day) - spread.range.first) // 7 for day in (dt.date(2016, 6, 6), dt.date(2017, 2, 6))}
    gap, reset = (list(read.persons).index(person) for person in ("gap", "reset"))
    assert step[week[dt.date(2016, 6, 6)], gap] == 5  # the fifth week of one count
    assert step[week[dt.date(2017, 2, 6)], reset] == 1  # a new count


def test_a_repeated_week_is_classified_again_when_the_rules_change(rulebook: engine.Rulebook) -> None:
    """The same weekly seniorpension before and after 2021-02-12, when LBK 221/2021 adds it to the
    co-financed benefits (ydelser.yaml): the kernel, which keeps the values of a week's inputs
    while they repeat, classifies the payment again in the first week of the new rules (no month
    begins in it or in the week before, so the entries repeat exactly), as the NumPy evaluator
    does week by week."""
    codes = rulebook.checked.inputs["citizen.benefit"].input.values  # type: ignore[union-attr]
    weekly = [{"person": "i", "municipality": "101", "benefit": "seniorpension", "amount": "2000.00",
               "from": str(monday), "to": str(monday + dt.timedelta(days=6))}
              for monday in (dt.date(2020, 12, 7) + dt.timedelta(weeks=k) for k in range(16))]
    read = payments.from_records(weekly, codes)
    spread = weeks.spread(read, np.arange(read.rows), np.arange(len(read.persons)), weeks.week_range(read))
    compiled = native.NativeProgram(rulebook.program, series.plan(rulebook.program.checked), codes)
    found, expected = compiled.run(spread, AMOUNTS), compiled.batch.run(spread, AMOUNTS)
    assert _cells(found, AMOUNTS, spread, codes) == _cells(expected, AMOUNTS, spread, codes)
    cofinanced = batch.to_python(found[AMOUNTS[0]], (spread.range.count, 1), codes)[0][:, 0]
    change = spread.range.index_of(dt.date(2021, 2, 15))  # the first Monday on or after 2021-02-12
    assert not cofinanced[:change].any() and cofinanced[change:].all()
    assert spread.entry_tail[change - 1] == spread.entry_tail[change] == 0  # a repeat: the kernel's shortcut


def test_last_weeks_value_starts_as_its_default_unless_the_defaults_differ(rulebook: engine.Rulebook,
                                                                           rulebook_copy: Path) -> None:
    """`previous(x, d)` reads last week's value with no test of the week when x starts as d before
    the first week; where the rules look back at x with two different defaults, each look back
    tests the week, and the kernel still gives the NumPy evaluator's answer in every week."""
    trin = "finansiering.uge.trin"
    assert _kernel_source(rulebook).starts[_kernel_source(rulebook).index[trin]] == ("0", "False")
    rules = rulebook_copy / "rules" / "finansieringsloven" / "anciennitet.yaml"
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("else previous(finansiering.uge.trin, 0)", "else previous(finansiering.uge.trin, 2)"),
                     encoding="utf-8")
    changed = engine.load(rulebook_copy)
    source = _kernel_source(changed)
    assert source.index[trin] in source.mixed and f"(p{source.index[trin]} if w > 0 else 2)" in source.text
    spread, codes = _spread(changed)
    compiled = native.NativeProgram(changed.program, series.plan(changed.program.checked), codes)
    names = (*AMOUNTS, trin)
    found, expected = compiled.run(spread, names), compiled.batch.run(spread, names)
    assert _cells(found, names, spread, codes) == _cells(expected, names, spread, codes)
    assert 2 in _cells(found, (trin,), spread, codes)  # the changed default is seen


def _many(count: int) -> list[dict[str, str]]:
    """Persons with spells of benefits and gaps that differ from person to person."""
    benefits = ("kontanthjaelp", "a_dagpenge", "sygedagpenge", "su", "ledighedsydelse")
    rows = []
    for k in range(count):
        start = 1 + k % 200
        rows.append({"person": f"p{k:04d}", "municipality": "101", "benefit": benefits[k % 5],
                     "amount": f"{1000 + k}.{k % 100:02d}", "from": f"2016-{1 + start // 28 % 12:02d}-{1 + start % 28:02d}",
                     "to": f"2017-{1 + k % 12:02d}-{1 + k % 28:02d}"})
        if k % 3 == 0:  # a second benefit in some of the same weeks
            rows.append({**rows[-1], "benefit": benefits[(k + 1) % 5], "amount": "200.00", "from": "2016-06-01"})
    return rows


@pytest.mark.parametrize("jobs", [1, 2])
def test_blocks_and_parts_of_persons_give_the_numpy_answer(rulebook: engine.Rulebook, jobs: int) -> None:
    codes = rulebook.checked.inputs["citizen.benefit"].input.values  # type: ignore[union-attr]
    read = payments.from_records(_many(1100), codes)  # more persons than one block of the kernel
    spread = weeks.spread(read, np.arange(read.rows), np.arange(len(read.persons)), weeks.week_range(read))
    plan = series.plan(rulebook.program.checked)
    compiled = native.NativeProgram(rulebook.program, plan, codes)
    names = (*AMOUNTS, "finansiering.uge.nummer")
    native.threads(jobs)
    try:
        found = compiled.run(spread, names)
        totals = compiled.totals(spread, AMOUNTS)
    finally:
        native.threads(1)
    expected = compiled.batch.run(spread, names)
    shape = (spread.range.count, len(spread.persons))
    for name in names:
        mine, theirs = batch.to_python(found[name], shape, codes), batch.to_python(expected[name], shape, codes)
        assert np.array_equal(mine[0] * ~mine[1], theirs[0] * ~theirs[1]) and np.array_equal(mine[1], theirs[1]), name
    assert np.count_nonzero(batch.to_python(found[AMOUNTS[1]], shape, codes)[0]) > 1000  # real amounts
    assert _listed(totals) == _summed(expected, AMOUNTS)


def _summed(found: dict[str, batch.Arr], names: tuple[str, ...]) -> dict[str, tuple[list[int], list[int]]]:
    """Per person, each value's sum over the weeks it has one and the count of weeks without."""
    out = {}
    for name in names:
        data, none = found[name].data, found[name].none
        none = np.zeros(data.shape, bool) if none is None else none
        out[name] = (np.where(none, 0, data).sum(axis=0).tolist(), none.sum(axis=0).tolist())
    return out


def _listed(totals: dict[str, tuple[np.ndarray, np.ndarray]]) -> dict[str, tuple[list[int], list[int]]]:
    return {name: (data.tolist(), none.tolist()) for name, (data, none) in totals.items()}


def test_totals_per_person_are_the_sums_of_the_weeks(rulebook: engine.Rulebook, monkeypatch: pytest.MonkeyPatch) -> None:
    spread, codes = _spread(rulebook)
    plan = series.plan(rulebook.program.checked)
    compiled = native.NativeProgram(rulebook.program, plan, codes)
    totals = _listed(compiled.totals(spread, AMOUNTS))
    assert totals == _summed(compiled.batch.run(spread, AMOUNTS), AMOUNTS)
    assert any(any(data) for data, _ in totals.values()) and any(any(none) for _, none in totals.values())
    source, _ = compiled.kernel(AMOUNTS, totals=True)
    assert "out_data[0, U(p)] = s0" in source.text and "U(w), U(p)] = " not in source.text  # no weekly result is written
    monkeypatch.delitem(native_nodes.CALLS, "round_ore")  # left to NumPy: summed from its weekly results
    fallback = native.NativeProgram(rulebook.program, plan, codes)
    assert set(fallback.unsupported) == set(AMOUNTS)
    assert _listed(fallback.totals(spread, AMOUNTS)) == totals


@pytest.mark.parametrize("text", ["steps x { 1..4 -> 80%, 5..26 -> 40%, 27..52 -> 30%, 53.. -> 20% }",
                                  "steps x { 3..3 -> 1, 6..9 -> 2, 8..12 -> 3 }",  # gaps, overlap: first row wins
                                  "steps x { 0..2 -> 5 kr, 3.. -> 2.50 kr }"])
@pytest.mark.parametrize("missing", [False, True])
def test_a_step_table_is_looked_up_as_its_rows_test_it(text: str, missing: bool) -> None:
    from engine.lang.parser import parse_expression

    node = parse_expression(text)
    key = native_nodes.Val("x", "x_none" if missing else "False", "number")
    tables: dict[str, list[int]] = {}

    def table(items: tuple[int, ...]) -> str:
        tables[f"T{len(tables)}"] = list(items)
        return f"T{len(tables) - 1}"

    def compiled(lookup: bool) -> tuple[native_nodes.Source, native_nodes.Val]:
        checked = SimpleNamespace(inputs={"x": None}, values={})
        context = native_nodes.Context({}, lambda name: key, lambda name: key, lambda *a: key, checked,
                                       table=table if lookup else None)
        out = native_nodes.Source(depth=0)
        return out, native_nodes.compile_expr(node, out, context)

    (rows, by_rows), (looked, by_table) = compiled(False), compiled(True)
    assert tables and not any(line.lstrip().startswith(("if", "elif")) for line in looked.lines)
    for x in range(-3, 70):
        for x_none in ([False, True] if missing else [False]):
            a: dict[str, object] = {"x": x, "x_none": x_none}
            b: dict[str, object] = {**a, **tables}
            exec("\n".join(rows.lines), a)  # noqa: S102 - the kernel's own generated lines, plain Python as well
            exec("\n".join(looked.lines), b)  # noqa: S102
            assert (eval(by_rows.data, a), bool(eval(by_rows.none, a))) == (eval(by_table.data, b), bool(eval(by_table.none, b))), x


def test_a_test_of_the_weeks_monday_against_a_date_is_decided_on_every_other_day() -> None:
    lines = ["t1 = (1 if monday == 16804 else 0)",
             "t2 = (1 if 16797 != monday else 0)",
             "t3 = (1 if monday >= 16804 else 0)",         # a range: left to the week
             "t4 = (1 if first_monday == 16804 else 0)"]   # another name
    assert native_loop._named_days(lines) == [16797, 16804]
    assert native_loop._on_no_named_day(lines) == ["t1 = (1 if False else 0)",
                                                     "t2 = (1 if True else 0)",
                                                     lines[2], lines[3]]
