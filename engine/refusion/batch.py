"""The batch weekly evaluator: the same checked rules, compiled to NumPy operations over persons.

Each expression node becomes a closure over a *frame*: either every week at once (arrays of
shape weeks × persons, or broadcastable to it) or one week (arrays over persons). The plan of
`engine.law.series` decides which: values that need last week's values of themselves (the count and
its reset) are stepped week by week; every other value is computed for all weeks in one go,
before the loop or after it. Results equal the per-person evaluator's exactly:

the values are `engine.refusion.arrays.Arr` (exact integers with a no-value mask), and the nodes are
compiled by `engine.refusion.batch_nodes`.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any, Iterable

import numpy as np

from engine.lang import ast

from engine.refusion import batch_nodes
from engine.refusion.arrays import Arr, Fn, nothing, scalar, to_python, truth, where  # noqa: F401  (re-exported)
from engine.lang.compiler import Program
from engine.lang.errors import Diagnostic, EvaluationError
from engine.law.model import Rule
from engine.refusion.payments import NO_DATE
from engine.law.series import Plan
from engine.refusion.weekly import FACT_INPUTS
from engine.refusion.weeks import Weeks, day_number

__all__ = ["Arr", "BatchProgram", "Frame", "scalar", "to_python"]


class BatchProgram:
    """The weekly rules compiled once into array operations."""

    def __init__(self, program: Program, plan: Plan, codes: tuple[str, ...], proposals: Iterable[str] = ()) -> None:
        self.program, self.plan, self.codes = program, plan, codes
        self.checked = program.checked
        self.code_bit = {code: i for i, code in enumerate(codes)}
        self.proposals = frozenset(proposals)
        self._compiled: dict[int, Fn] = {}
        # Temporaries die young (freed memory is reused without new page faults); only an
        # expression written in several places is kept for the frame.
        self.repeated = Counter(ast.to_source(part) for name in plan.order for rule in self.checked.values[name]
                                for _, node in rule.expressions() for part in ast.walk(node))
        self.windowed = {call.args[0].dotted for defs in self.checked.values.values() for rule in defs  # type: ignore[union-attr]
                         for _, node in rule.expressions() for call in ast.walk(node)
                         if isinstance(call, ast.Call) and call.function in ("count_weeks", "sum_weeks")}
        self.definitions = {name: sorted((r for r in self.checked.values[name]
                                          if r.proposal is None or r.proposal in self.proposals),
                                         key=lambda r: r.priority) for name in plan.order}

    def function(self, node: ast.Expr) -> Fn:
        """The closure of a node; one written more than once in the rules is computed once a frame."""
        if id(node) not in self._compiled:
            inner, key = batch_nodes.compile_node(node, self), ast.to_source(node)
            shared = self.repeated.get(key, 0) > 1 and not isinstance(node, (ast.Literal, ast.Name))
            self._compiled[id(node)] = (lambda frame: frame.cached(key, inner)) if shared else inner
        return self._compiled[id(node)]

    def run(self, weeks: Weeks, names: Iterable[str] | None = None, seeded: dict[str, Arr] | None = None) -> dict[str, Arr]:
        """Every weekly value for every week and person of a slice (arrays weeks × persons);
        `seeded` values are taken as given (the native kernel's results) rather than computed."""
        return _Run(self, weeks, seeded or {}).run(tuple(names or self.plan.outputs))


# -- the run: all weeks, then the stepped loop, then all weeks again --------------------------

class _Run:
    def __init__(self, batch: BatchProgram, weeks: Weeks, seeded: dict[str, Arr]) -> None:
        self.batch, self.weeks, self.plan = batch, weeks, batch.plan
        self.shape = (weeks.range.count, len(weeks.persons))
        self.full: dict[str, Arr] = dict(seeded)
        self.seeded = frozenset(seeded)
        self.cumulative: dict[str, np.ndarray] = {}
        self.in_force: dict[tuple[str, str], np.ndarray] = {}
        self.singles: dict[str, Rule | None] = {}
        self.columns = np.arange(len(weeks.persons))
        self.mondays = (weeks.range.first + 7 * np.arange(self.shape[0], dtype=np.int64))[:, None]
        self.facts = {input_id: _fact(weeks.facts[column]) for input_id, column in FACT_INPUTS.items()}

    def run(self, names: tuple[str, ...]) -> dict[str, Arr]:
        needed = self.plan.needed_for(names) - self.seeded
        order = [n for n in self.plan.unstepped_order() if n in needed]
        whole = Frame(self, None)
        for name in (n for n in order if n not in self.plan.after):
            self.full[name] = whole.value(name)
        self._step([n for n in self.plan.order if n in self.plan.stepped and n in needed])
        whole = Frame(self, None)
        for name in (n for n in order if n in self.plan.after):
            self.full[name] = whole.value(name)
        return {name: self.full[name] for name in names}

    def _step(self, stepped: list[str]) -> None:
        if not stepped:
            return
        store: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for week in range(self.shape[0]):
            frame = Frame(self, week)
            for name in stepped:
                value = frame.value(name)
                data, none = store.get(name) or self._allocate(name, value, store)
                data[week] = value.data
                none[week] = False if value.none is None else value.none
                self.full[name] = Arr(data, none, value.kind, value.scale)
                if name in self.cumulative:
                    counted = np.asarray(value.data, bool) & ~np.asarray(none[week], bool)
                    self.cumulative[name][week + 1] = self.cumulative[name][week] + counted

    def _allocate(self, name: str, value: Arr, store: dict[str, tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
        dtype = bool if value.kind == "bool" else np.int64
        store[name] = (np.zeros(self.shape, dtype), np.zeros(self.shape, bool))
        if name in self.batch.windowed:
            self.cumulative[name] = np.zeros((self.shape[0] + 1, self.shape[1]), np.int64)
        return store[name]

    def single_definition(self, name: str) -> Rule | None:
        """The one unconditional definition of a value in force in every week of the run, if so."""
        if name not in self.singles:
            rules = self.batch.definitions[name]
            self.singles[name] = rules[0] if len(rules) == 1 and rules[0].when is None and \
                np.all(_in_force(Frame(self, None), rules[0])) else None
        return self.singles[name]

    def entry_bits(self) -> np.ndarray:
        """Each amount entry's benefit as a bit, computed once."""
        if not hasattr(self, "_bits"):
            self._bits: np.ndarray = np.left_shift(np.int64(1), self.weeks.entry_code)
        return self._bits

    def week_entries(self, week: int) -> np.ndarray:
        """The entries of one week (the entries are sorted by person first), computed once."""
        if not hasattr(self, "_by_week"):
            order = np.argsort(self.weeks.entry_week, kind="stable")
            self._by_week = (order, np.searchsorted(self.weeks.entry_week[order], np.arange(self.shape[0] + 1)))
        order, starts = self._by_week
        return order[starts[week]:starts[week + 1]]

    def entry_groups(self) -> tuple[np.ndarray, np.ndarray]:
        """Where each cell's run of amount entries starts, and the cell (week × persons + person)."""
        if not hasattr(self, "_groups"):
            cell = self.weeks.entry_week * self.shape[1] + self.weeks.entry_person
            starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]]) if len(cell) else np.zeros(0, np.int64)
            self._groups = (starts, cell[starts])
        return self._groups

    def cumsum(self, name: str) -> np.ndarray:
        """Running counts of a series over the weeks before each week (row w: weeks 0..w-1)."""
        if name not in self.cumulative:
            value = self.full[name]
            data = np.broadcast_to(value.data, self.shape)
            if value.none is not None:
                data = np.where(np.broadcast_to(value.none, self.shape), 0, data)
            counts = np.zeros((self.shape[0] + 1, self.shape[1]), np.int64)
            np.cumsum(data, axis=0, out=counts[1:])
            self.cumulative[name] = counts
        return self.cumulative[name]


def _fact(days: np.ndarray) -> Arr:
    missing = days == NO_DATE
    return Arr(days.astype(np.int64)[None, :], missing[None, :] if missing.any() else None, "date")


class Frame:
    """All weeks (week None) or one week of a slice; values are cached by their source text."""

    def __init__(self, run: _Run, week: int | None) -> None:
        self.run, self.week, self.batch = run, week, run.batch
        self.cache: dict[str, Arr] = {}

    def cached(self, key: str, function: Fn) -> Arr:
        if key not in self.cache:
            self.cache[key] = function(self)
        return self.cache[key]

    def at(self, data: Any) -> Any:
        """Data of a whole-weeks array in this frame."""
        if self.week is None or data is None or np.ndim(data) == 0:
            return data
        return data[self.week if data.shape[0] > 1 else 0]

    def monday(self) -> Arr:
        mondays = self.run.mondays
        return Arr(mondays if self.week is None else mondays[self.week, 0], None, "date")

    def benefits(self) -> Arr:
        return Arr(self.at(self.run.weeks.benefits), None, "set[code]")

    def input(self, input_id: str) -> Arr:
        if input_id in self.run.plan.supplied:
            return self.value(self.run.plan.supplied[input_id])
        fact = self.run.facts.get(input_id)
        if fact is None:
            return Arr(np.int64(0), np.bool_(True), self.batch.checked.types.get(input_id, "any"))
        return Arr(self.at(fact.data), self.at(fact.none), fact.kind)

    def value(self, name: str) -> Arr:
        if name in self.cache:
            return self.cache[name]
        if name in self.run.full and (self.week is None or name not in self.run.plan.stepped or name in self.run.seeded):
            stored = self.run.full[name]
            found = Arr(self.at(stored.data), self.at(stored.none), stored.kind, stored.scale)
        else:
            found = _define(self, name)
        self.cache[name] = found
        return found


# -- choosing among definitions ---------------------------------------------------------------

def _define(frame: Frame, name: str) -> Arr:
    """The value from the definitions in force and applicable, the highest priority winning."""
    single = frame.run.single_definition(name)
    if single is not None:
        return frame.batch.function(single.expr)(frame)  # type: ignore[arg-type]
    definitions = [(rule, mask) for rule in frame.batch.definitions[name] if np.any(mask := _in_force(frame, rule))]
    if len(definitions) == 1 and definitions[0][0].when is None and np.all(definitions[0][1]):
        return frame.batch.function(definitions[0][0].expr)(frame)
    result = nothing(frame.batch.checked.types.get(name, "any"))
    taken: dict[int, Any] = {}
    for rule, in_force in definitions:  # ascending priority: a higher one overrides
        holds = in_force if rule.when is None else truth(frame.batch.function(rule.when)(frame))
        if rule.when is not None and not np.all(in_force):
            holds = in_force & holds
        if not np.any(holds):
            continue
        if rule.priority in taken and np.any(taken[rule.priority][1] & holds):
            other = taken[rule.priority][0]
            raise EvaluationError([Diagnostic(
                "conflict", f"'{other.id}' and '{rule.id}' both define '{name}' in the same week",
                (other.span, rule.span), "make their conditions disjoint or give one a higher priority", rule.id)])
        taken[rule.priority] = (rule, holds | taken[rule.priority][1] if rule.priority in taken else holds)
        result = where(holds, frame.batch.function(rule.expr)(frame), result)
    return result


def _in_force(frame: Frame, rule: Rule) -> Any:
    """Whether the rule is in force on each week's Monday (a scalar in a one-week frame)."""
    key = ("in force", rule.id)
    if key not in frame.run.in_force:
        start, end = rule.window
        low, high = day_number(max(start, dt.date(1900, 1, 1))), day_number(min(end, dt.date(9999, 1, 1)))
        frame.run.in_force[key] = (frame.run.mondays >= low) & (frame.run.mondays <= high)
    mask = frame.run.in_force[key]
    return mask if frame.week is None else mask[frame.week, 0]
