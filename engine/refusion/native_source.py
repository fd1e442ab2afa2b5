"""The source text of the native kernel: the checked weekly rules written as one Numba loop.

`KernelSource(batch, order, outputs).build()` writes, for the values in `order`, a loop over a
part of the persons: person by person, week by week, every value in dependency order. Six
analyses keep the machine code close to a hand-written loop, each derived from the rules alone:

* values the same for every person in a week (the benefit sets in force, a rate of a date) are
  computed once per week for all persons (`constants`); values that read only a person's facts
  (`per_person`) once per person, before the weeks;
* a value whose every definition gives a value, with unconditional definitions in force in
  every week, has no no-value flag (`present`): the checks that read it vanish from the source;
* every `amount(...)` over a set of codes known before the week's values (a literal set, a
  per-week or per-person value) is taken in one pass over the week's payment entries, each
  distinct (amounts, codes) pair once;
* the entries are read person by person (`Weeks` sorts them by person, then week): a person's
  weeks follow one another in one pass, the week's benefit bits are taken from its entries, and
  the person's past (`previous`, the running counts of `count_weeks`/`sum_weeks`) lives in
  scalars. Last week's value starts as its default before the first week where the default is
  known then (`_starts_as`), so `previous` reads it with no test of the week: a select on the
  week would chain each week's values to the last's (0.067 s → 0.050 s on the yardstick's data);
* a value that neither looks back nor reads the week's position (`PersonLoop._stateful`)
  depends on the week's inputs alone: while a person's entries repeat those of the week before,
  in a week with the same constants and no date the rules test passed (`steady`), it keeps last
  week's value and only the rest is computed (nine in ten of the yardstick population's weeks
  with payments repeat the week before);
* the week's values are written in copies, each for the compiler to fold (`native_loop`): the
  rules as written, for the days the rules name (`week.monday == <date>`, § 29's transition weeks);
  on every other day with those tests decided: for a run of weeks with no entries (two in three
  of the yardstick population's), with the benefits and sums as zeros and no look for entries
  until the person's next one; and, split in the input-only values and the rest, for any other
  week. Compiling takes longer than one copy would (the first `paragraf refusion` on a machine
  about 13 s instead of 5 s, once per machine and rulebook); the per-person totals of the
  yardstick's 100,000 persons × 156 weeks take 0.054 s, against 0.144 s with the week-major
  loop of blocks of persons this replaced.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable

from engine.lang import ast
from engine.law.model import Rule
from engine.refusion import native_nodes as nodes
from engine.refusion.batch import BatchProgram
from engine.refusion.native_loop import person_loop
from engine.refusion.payments import NO_DATE
from engine.refusion.weekly import FACT_INPUTS
from engine.refusion.weeks import day_number

ONE_WEEK = (ast.Literal, ast.SetLit, ast.Unary, ast.Binary, ast.Compare, ast.Logic, ast.If, ast.Steps)
LAGGED = ("previous", "count_weeks", "sum_weeks")
FAR = (dt.date(1900, 1, 1), dt.date(9999, 1, 1))  # the window bounds the kernel can leave out


class ValueUnsupported(Exception):
    """A value whose rule the kernel cannot compile (with the construct and where)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(reason)
        self.name, self.reason = name, reason


def _window(rule: Rule) -> tuple[int, int]:
    start, end = rule.window
    return day_number(max(start, FAR[0])), day_number(min(end, FAR[1]))


def _always_in_force(rules: list[Rule]) -> bool:
    """Whether the unconditional definitions together are in force on every day."""
    reach = day_number(FAR[0]) - 1
    for low, high in sorted(_window(r) for r in rules if r.when is None):
        if low > reach + 1:
            return False
        reach = max(reach, high)
    return reach >= day_number(FAR[1])


def _constant_values(order: list[str], batch: BatchProgram, reads: Callable[[str], bool], windows: bool) -> list[str]:
    """The values whose rules read only names `reads` allows, codes, literals and each other (and,
    unless `windows`, are in force on every day, so that no week's Monday chooses them)."""
    found: list[str] = []
    whole = (day_number(FAR[0]), day_number(FAR[1]))

    def fixed(node: ast.Expr) -> bool:
        if isinstance(node, ast.Name):
            return reads(node.dotted) or node.dotted in batch.code_bit or node.dotted in found
        if isinstance(node, ast.Call):
            return node.function not in (*LAGGED, "amount")
        return isinstance(node, ONE_WEEK)

    for name in order:
        rules = batch.definitions[name]
        if not windows and any(_window(r) != whole for r in rules):
            continue
        if all(fixed(part) for rule in rules for _, node in rule.expressions() for part in ast.walk(node)):
            found.append(name)
    return found


def week_constants(order: list[str], batch: BatchProgram) -> list[str]:
    """The values that are the same for every person in a week (the benefit sets in force, the
    rates of a date): they read only the week's Monday, literals, codes and other such values."""
    return _constant_values(order, batch, lambda name: name in ("week.monday", "as_of"), windows=True)


def person_constants(order: list[str], batch: BatchProgram, week: list[str]) -> list[str]:
    """The values that are the same in every week of a person, computed before the week's
    values: they read only the person's facts (inputs no series supplies), literals, codes and
    each other."""
    inputs, supplied = batch.checked.inputs, batch.plan.supplied
    rest = [n for n in order if n not in week]
    return _constant_values(rest, batch, lambda name: name in inputs and name not in supplied, windows=False)


_SUBSCRIPT = re.compile(r"\b([A-Za-z_]\w*)\[([^\[\]:]+)\]")


def unsigned_indices(text: str) -> str:
    """Every index of the kernel's source as unsigned: Numba then leaves out the test for a
    negative index (counting from the end), a few instructions on each of the some 25 array
    reads and writes of a person's week. Every index the kernel writes is a week, a person, an
    entry or a constant, never below zero; slices are left as they are."""
    def unsigned(match: re.Match[str]) -> str:
        parts = [part.strip() for part in match.group(2).split(",")]
        return f"{match.group(1)}[{', '.join(p if p.isdigit() else f'U({p})' for p in parts)}]"
    return _SUBSCRIPT.sub(unsigned, text)


_DAYS = 10 ** 6  # 7 × this many days is more than the span of the years 1-9999 (3.65 M days)
_BEFORE_WEEKS = re.compile(r"-?\d+|monday|v\d+")  # a literal, the week's Monday, a value


def _overlap(a: Rule, b: Rule) -> bool:
    """Whether two definitions are in force in some common week."""
    return max(a.window[0], b.window[0]) <= min(a.window[1], b.window[1])


class KernelSource:
    """The source of the kernel for the given values (in the plan's order)."""

    def __init__(self, batch: BatchProgram, order: list[str], outputs: tuple[str, ...] = (), totals: bool = False) -> None:
        self.batch, self.order, self.outputs, self.totals = batch, order, outputs, totals
        self.index = {name: i for i, name in enumerate(order)}
        self.scales: dict[str, int] = {name: 0 for name in order}
        self.present: set[str] = set()   # values proven never to lack a value
        self.previous: set[str] = set()
        self.windows: set[str] = set()
        self.fused: dict[tuple[str, str], str] = {}  # (amounts, codes) -> the week's sum
        self.starts: dict[int, tuple[str, str]] = {}  # last week's value and flag before the first week
        self.mixed: set[int] = set()  # values looked back at with different defaults
        self.tables: dict[tuple[int, ...], str] = {}  # constant arrays of the module (step tables)
        self.text = ""
        self.module: Any = None

    def build(self) -> "KernelSource":
        self.constant = week_constants(self.order, self.batch)
        self.per_person = person_constants(self.order, self.batch, self.constant)
        self.top = {f"v{self.index[n]}" for n in self.constant + self.per_person}
        varying = [n for n in self.order if n not in self.constant and n not in self.per_person]
        # Scales grow and present values shrink until they settle: a value may read its own past.
        # Starting from "every value present" finds the most a value can be proven present: a
        # value read in an earlier week is present there by induction over the weeks.
        self.present = set(self.order)
        for _ in range(len(self.order) + 4):
            before = (dict(self.scales), set(self.present), set(self.mixed))
            self.fused, self.starts = {}, {}
            constants, _ = self._body(self.constant, depth=3, counter=0)
            person, counter = self._body(self.per_person, depth=0, counter=0)
            chunks = []
            for name in varying:  # temporaries of one function: distinct names
                lines, counter = self._body([name], depth=0, counter=counter)
                chunks.append((name, lines))
            if before == (self.scales, self.present, self.mixed):
                break
        stored = [f"            const[{k}, 0, w] = v{self.index[n]}\n            const[{k}, 1, w] = n{self.index[n]}"
                  for k, n in enumerate(self.constant)]
        self.none_outputs = [n for n in self.outputs if n not in self.present]
        tables = "".join(f"{name} = np.array({list(items)}, np.int64)\n" for items, name in self.tables.items())
        self.text = (_HEADER.replace("\n\n\n@njit", "\n" + tables + "\n\n@njit", 1) + "\n".join(constants + stored) + "\n\n\n"
                     + unsigned_indices(person_loop(self, person, chunks)) + "\n")
        return self

    def _body(self, names: list[str], depth: int, counter: int) -> tuple[list[str], int]:
        out = nodes.Source(depth=depth, counter=counter)
        context = nodes.Context(self.batch.code_bit, self._value, self._input, self._lagged, self.batch.checked,
                                self._amount, self._table)
        for name in names:
            try:
                self._define(name, out, context)
            except nodes.Unsupported as exc:
                raise ValueUnsupported(name, f"{exc.what} ({exc.node.span})") from None
        return out.lines, out.counter

    def _define(self, name: str, out: nodes.Source, context: nodes.Context) -> None:
        """The value from the definitions in force and applicable, the highest priority winning."""
        i, rules = self.index[name], self.batch.definitions[name]
        out.emit(f"# {name}")
        out.emit(f"v{i} = 0")
        out.emit(f"n{i} = True")
        holds = [self._holds(rule, out, context) for rule in rules]
        for a in range(len(rules)):
            for b in range(a + 1, len(rules)):
                if rules[a].priority == rules[b].priority and _overlap(rules[a], rules[b]):
                    with out.block(f"if {holds[a]} and {holds[b]}:"):
                        out.emit(f"conflict[p] = {i + 1}")
        scale, always = self.scales[name], _always_in_force(rules)
        for rule, flag in zip(rules, holds):
            if flag == "False":
                continue
            branch = nodes.Source(depth=out.depth + 1, counter=out.counter)
            value = nodes.compile_expr(rule.expr, branch, context)
            out.counter = branch.counter
            scale = self.scales[name] = max(scale, value.scale)
            always = always and value.none == "False"
            out.emit(f"if {flag}:")
            out.lines += branch.lines
            out.emit(f"    v{i} = {nodes.at_scale(value, self.scales[name])}")
            out.emit(f"    n{i} = {value.none}")
        if always:  # every week some definition gives a value: no flag to test downstream
            out.emit(f"n{i} = False")
        else:
            self.present.discard(name)

    def _holds(self, rule: Rule, out: nodes.Source, context: nodes.Context) -> str:
        """A flag: the rule is in force on the week's Monday and its condition holds."""
        low, high = _window(rule)
        window = [] if low <= day_number(FAR[0]) else [f"monday >= {low}"]
        window += [] if high >= day_number(FAR[1]) else [f"monday <= {high}"]
        if rule.when is None:
            return " and ".join(f"({w})" for w in window) or "True"
        flag = out.fresh()
        out.emit(f"{flag} = False")
        with out.block(f"if {' and '.join(window) or 'True'}:"):
            condition = nodes.compile_expr(rule.when, out, context)
            out.emit(f"{flag} = {nodes.truth(condition)}")
        return flag

    def _value(self, name: str) -> nodes.Val:
        i = self.index[name]
        none = "False" if name in self.present else f"n{i}"
        return nodes.Val(f"v{i}", none, self.batch.checked.types.get(name, "any"), self.scales[name])

    def _input(self, input_id: str) -> nodes.Val:
        if input_id in self.batch.plan.supplied:
            return self._value(self.batch.plan.supplied[input_id])
        kind = self.batch.checked.types.get(input_id, "any")
        if input_id in FACT_INPUTS:
            k = list(FACT_INPUTS).index(input_id)
            return nodes.Val(f"facts[{k}, p]", f"(facts[{k}, p] == {NO_DATE})", kind)
        return nodes.Val("0", "True", kind)

    def _table(self, items: tuple[int, ...]) -> str:
        if items not in self.tables:
            self.tables[items] = f"TABLE{len(self.tables)}"
        return self.tables[items]

    def _amount(self, out: nodes.Source, which: nodes.Val, codes: nodes.Val) -> nodes.Val:
        """A sum taken in the week's one pass over its entries when its codes are known before the
        week's values; otherwise a pass of its own here."""
        if codes.data.isdigit() or codes.data in self.top:
            key = (which.data, codes.data)
            if key not in self.fused:
                self.fused[key] = f"a{len(self.fused)}"
            return nodes.Val(self.fused[key], "False", "money")
        return nodes.walk_amount(out, which, codes)

    def _starts_as(self, i: int, default: nodes.Val, stored: nodes.Val) -> bool:
        """Whether last week's value of value i can hold its default before the first week, so that
        `previous` reads it with no test of the week: a default known before the weeks (a literal,
        the first Monday, a person's value), at the value's scale, the same in every look back."""
        if i in self.mixed or default.scale > stored.scale or not _BEFORE_WEEKS.fullmatch(default.data):
            return False
        if default.data.startswith("v") and default.data not in {f"v{self.index[n]}" for n in self.per_person}:
            return False
        if default.none not in ("False", "True") or (stored.none == "False" and default.none != "False"):
            return False
        start = (re.sub(r"\bmonday\b", "first", nodes.at_scale(default, stored.scale)), default.none)
        if self.starts.setdefault(i, start) != start:
            self.mixed.add(i)  # two defaults: the next pass tests the week in every look back at it
            return False
        return True

    def _lagged(self, out: nodes.Source, node: ast.Call, args: list[nodes.Val]) -> nodes.Val:
        series = node.args[0].dotted  # type: ignore[union-attr]
        if series not in self.index:
            raise nodes.Unsupported(node, f"a look back at {series}, which the kernel does not compute")
        i, stored = self.index[series], self._value(series)
        if node.function == "previous":
            self.previous.add(series)
            default, scale = args[0], max(stored.scale, args[0].scale)
            last = nodes.Val(f"p{i}", stored.none if stored.none == "False" else f"q{i}", stored.kind, stored.scale)
            if self._starts_as(i, default, stored):  # no test of the week: it breaks the chain from week to week
                return nodes.assign(out, last)
            none = "False" if last.none == default.none == "False" else f"({last.none} if w > 0 else {default.none})"
            return nodes.assign(out, nodes.Val(
                f"({nodes.at_scale(last, scale)} if w > 0 else {nodes.at_scale(default, scale)})", none, stored.kind, scale))
        self.windows.add(series)
        low = out.fresh()
        out.emit(f"{low} = max(w - {args[0].data}, 0)")
        if len(args) > 1:
            # the week after `since`, as an unsigned division (no sign fix-up): exact for every day
            # number of the years 1-9999, shifted by a multiple of 7 that keeps them above zero
            out.emit(f"{low} = min(max({low}, I(U({args[1].data} - first + {7 * _DAYS}) // U(7)) - {_DAYS - 1}), w)")
        kind = "number" if node.function == "count_weeks" else stored.kind
        return nodes.assign(out, nodes.Val(f"(r{i} - c{i}[{low}])", nodes.either(*(a.none for a in args)),
                                           kind, 0 if kind == "number" else stored.scale))


_HEADER = '''"""Generated by paragraf from the weekly rules (engine.refusion.native_source); do not edit."""
import numpy as np
from numba import njit, prange

U, I = np.uint64, np.int64  # an index or a magnitude that is never negative (see unsigned_indices)


@njit(cache=True, parallel=True, nogil=True, error_model="numpy")
def kernel(first, weeks, person_start, entry_week, entry_code, entry_ore, entry_tail, facts, const,
           out_data, out_none, conflict, parts):
    count = person_start.shape[0] - 1
    for k in prange(parts):
        persons(k * count // parts, (k + 1) * count // parts, first, weeks, person_start, entry_week,
                entry_code, entry_ore, entry_tail, facts, const, out_data, out_none, conflict)


@njit(cache=True, nogil=True, error_model="numpy")
def repeats(entry_code, entry_ore, entry_tail, seen, lo, hi):
    """Whether the entries lo..hi repeat the week before's, seen..lo (code, øre and tail alike)."""
    if hi - lo != lo - seen:
        return False
    for e in range(hi - lo):
        if entry_code[U(lo + e)] != entry_code[U(seen + e)] or entry_ore[U(lo + e)] != entry_ore[U(seen + e)] \\
                or entry_tail[U(lo + e)] != entry_tail[U(seen + e)]:
            return False
    return True


@njit(cache=True, nogil=True, error_model="numpy")
def constants(first, weeks, const, conflict):
    p = 0
    if True:
        for w in range(weeks):
            monday = first + 7 * w
'''
