"""The native weekly evaluator: the checked weekly rules compiled to one Numba loop over persons.

`NativeProgram` turns the same checked rules the per-person evaluator runs into the source of
one kernel (`engine.refusion.native_nodes` compiles each expression): for each person (a
`prange`, so several cores share the persons), for each week, every weekly value in the plan's
order, its definitions chosen by window, condition and priority; `previous` reads last week's
value, `count_weeks`/`sum_weeks` a running total per person. The source is written to the
user's cache folder under its SHA-256 and compiled with `cache=True`, so a rulebook is compiled
to machine code once per machine. A value whose rule the kernel cannot compile, and every value
that reads it, is left to the NumPy evaluator (`unsupported` says which and why;
`paragraf check` prints it), which then runs on the kernel's results.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from engine.lang import ast
from engine.lang.compiler import Program
from engine.law.model import Rule
from engine.law.series import Plan
from engine.refusion import native_nodes as nodes
from engine.refusion.arrays import Arr
from engine.refusion.batch import BatchProgram
from engine.refusion.payments import NO_DATE
from engine.refusion.weekly import FACT_INPUTS
from engine.refusion.weeks import Weeks, day_number


class NativeProgram:
    """The weekly rules compiled once into a native kernel (with the NumPy evaluator beside it)."""

    def __init__(self, program: Program, plan: Plan, codes: tuple[str, ...], proposals: Iterable[str] = ()) -> None:
        self.plan, self.codes = plan, codes
        self.batch = BatchProgram(program, plan, codes, proposals)
        self.unsupported: dict[str, str] = {}
        source = None
        while source is None:
            try:
                source = _KernelSource(self.batch, self.native_names()).build()
            except _ValueUnsupported as exc:
                self.unsupported[exc.name] = exc.reason
        self.source = source  # every value the kernel can compute (the full kernel is not compiled)
        self.kinds = {name: Arr(None, None, self.batch.checked.types.get(name, "any"), scale)
                      for name, scale in source.scales.items()}
        self._kernels: dict[tuple[str, ...], tuple[_KernelSource, Callable[..., None]]] = {}

    def native_names(self) -> list[str]:
        """The values the kernel computes: all but those left to NumPy and what reads them."""
        left = set(self.unsupported)
        changed = True
        while changed:
            more = {n for n in self.plan.order if n not in left and (self.plan.reads[n] | self.plan.looks_back[n]) & left}
            changed, left = bool(more), left | more
        return _stable_order([n for n in self.plan.order if n not in left], self.plan.reads)

    def kernel(self, outputs: Iterable[str]) -> tuple[_KernelSource, Callable[..., None]]:
        """The kernel computing only what these outputs need (compiled once, then cached)."""
        key = tuple(sorted(outputs))
        if key not in self._kernels:
            needed = self.plan.needed_for(key)
            source = _KernelSource(self.batch, [n for n in self.source.order if n in needed], key).build()
            source.module = load_kernel(source.text)
            self._kernels[key] = (source, source.module.kernel)
        return self._kernels[key]

    def run(self, weeks: Weeks, names: Iterable[str] | None = None) -> dict[str, Arr]:
        """Every requested weekly value for every week and person of a slice (arrays weeks × persons)."""
        wanted = tuple(names or self.plan.outputs)
        native = set(self.source.order)
        needed = self.plan.needed_for(wanted)
        feeds = {r for n in needed - native for r in self.plan.reads[n] | self.plan.looks_back[n]} & native
        outputs = [n for n in self.source.order if n in set(wanted) | feeds]
        found = self._run_kernel(weeks, outputs)
        if found is None:  # two definitions clash somewhere: the NumPy evaluator names them
            return self.batch.run(weeks, wanted)
        if set(wanted) <= native:
            return {name: found[name] for name in wanted}
        return self.batch.run(weeks, wanted, seeded=found)

    def _run_kernel(self, weeks: Weeks, outputs: list[str]) -> dict[str, Arr] | None:
        count, persons = weeks.range.count, len(weeks.persons)
        source, kernel = self.kernel(outputs)
        facts = np.stack([weeks.facts[c].astype(np.int64) for c in FACT_INPUTS.values()])
        data = np.empty((len(outputs), persons, count), np.int64)
        none = np.empty((len(outputs), persons, count), np.bool_)
        conflict = np.zeros(persons, np.int64)
        # the entries person-major, as the kernel walks them: a person's weeks lie side by side
        cell_start, code, ore, tail = source.module.layout(weeks.entry_week, weeks.entry_person, weeks.entry_code,
                                                           weeks.entry_ore, weeks.entry_tail, count, persons)
        const = np.zeros((len(source.constant), 2, count), np.int64)
        source.module.constants(np.int64(weeks.range.first), count, const, conflict)
        kernel(np.int64(weeks.range.first), np.ascontiguousarray(weeks.benefits.T), cell_start, code, ore, tail,
               facts, const, data, none, conflict)
        if conflict.any():
            return None
        return {name: Arr(data[k].T, none[k].T, self.kinds[name].kind, self.kinds[name].scale)
                for k, name in enumerate(source.outputs)}


ONE_WEEK = (ast.Literal, ast.SetLit, ast.Unary, ast.Binary, ast.Compare, ast.Logic, ast.If, ast.Steps)


def _week_constants(order: list[str], batch: BatchProgram) -> list[str]:
    """The values that are the same for every person in a week (the benefit sets in force, the
    rates of a date): they read only the week's Monday, literals, codes and other such values."""
    found: list[str] = []

    def same_for_all(node: ast.Expr) -> bool:
        if isinstance(node, ast.Name):
            return node.dotted in ("week.monday", "as_of") or node.dotted in batch.code_bit or node.dotted in found
        return isinstance(node, ONE_WEEK) or (isinstance(node, ast.Call) and node.function in ("monday", "days_between"))

    for name in order:
        if all(same_for_all(part) for rule in batch.definitions[name] for _, node in rule.expressions()
               for part in ast.walk(node)):
            found.append(name)
    return found


def _overlap(a: Rule, b: Rule) -> bool:
    """Whether two definitions are in force in some common week."""
    return max(a.window[0], b.window[0]) <= min(a.window[1], b.window[1])


def _stable_order(names: list[str], reads: dict[str, frozenset[str]]) -> list[str]:
    """Dependencies first, ties by name: the same rules give the same kernel source (and cache)."""
    done: list[str] = []
    waiting = sorted(names)
    while waiting:
        ready = next(n for n in waiting if not (reads[n] & set(waiting)) - {n})
        done.append(ready)
        waiting.remove(ready)
    return done


class _ValueUnsupported(Exception):
    def __init__(self, name: str, reason: str) -> None:
        super().__init__(reason)
        self.name, self.reason = name, reason


class _KernelSource:
    """The source of the kernel for the given values (in the plan's order)."""

    def __init__(self, batch: BatchProgram, order: list[str], outputs: tuple[str, ...] = ()) -> None:
        self.batch, self.order, self.outputs = batch, order, outputs
        self.index = {name: i for i, name in enumerate(order)}
        self.scales: dict[str, int] = {name: 0 for name in order}
        self.previous: set[str] = set()
        self.windows: set[str] = set()
        self.text = ""
        self.module: Any = None

    def build(self) -> "_KernelSource":
        self.constant = _week_constants(self.order, self.batch)
        varying = [n for n in self.order if n not in self.constant]
        for _ in range(4):  # scales settle in one or two passes (a value may read its own past)
            before = dict(self.scales)
            constants, body = self._body(self.constant), self._body(varying)
            if before == self.scales:
                break
        stored = [f"            const[{k}, 0, w] = v{self.index[n]}\n            const[{k}, 1, w] = n{self.index[n]}"
                  for k, n in enumerate(self.constant)]
        self.text = (_HEADER + "\n".join(constants + stored) + "\n\n\n" + _PERSON
                     + "\n".join(self._prologue() + body + self._epilogue()) + "\n")
        return self

    def _prologue(self) -> list[str]:
        lines = [f"        c{self.index[n]} = np.zeros(weeks + 1, np.int64)" for n in sorted(self.windows)]
        for name in sorted(self.previous):
            lines += [f"        p{self.index[name]} = 0", f"        q{self.index[name]} = True"]
        lines += ["        for w in range(weeks):", "            monday = first + 7 * w",
                  "            bits = benefits[p, w]", "            lo = cell_start[p * weeks + w]",
                  "            hi = cell_start[p * weeks + w + 1]"]
        for k, name in enumerate(self.constant):  # computed once for all persons
            lines += [f"            v{self.index[name]} = const[{k}, 0, w]",
                      f"            n{self.index[name]} = const[{k}, 1, w] != 0"]
        return lines

    def _epilogue(self) -> list[str]:
        lines = []
        for k, name in enumerate(self.outputs):
            i = self.index[name]
            lines += [f"            out_data[{k}, p, w] = v{i}", f"            out_none[{k}, p, w] = n{i}"]
        for name in sorted(self.windows):
            i = self.index[name]
            counted = f"(v{i} != 0 and not n{i})" if self.batch.checked.types.get(name) == "bool" else f"(0 if n{i} else v{i})"
            lines.append(f"            c{i}[w + 1] = c{i}[w] + {counted}")
        for name in sorted(self.previous):
            i = self.index[name]
            lines += [f"            p{i} = v{i}", f"            q{i} = n{i}"]
        return lines

    def _body(self, names: list[str]) -> list[str]:
        out = nodes.Source()
        context = nodes.Context(self.batch.code_bit, self._value, self._input, self._lagged, self.batch.checked)
        for name in names:
            try:
                self._define(name, out, context)
            except nodes.Unsupported as exc:
                raise _ValueUnsupported(name, f"{exc.what} ({exc.node.span})") from None
        return out.lines

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
        scale = self.scales[name]
        for rule, flag in zip(rules, holds):
            if flag == "False":
                continue
            branch = nodes.Source(depth=out.depth + 1, counter=out.counter)
            value = nodes.compile_expr(rule.expr, branch, context)
            out.counter = branch.counter
            scale = self.scales[name] = max(scale, value.scale)
            out.emit(f"if {flag}:")
            out.lines += branch.lines
            out.emit(f"    v{i} = {nodes.at_scale(value, self.scales[name])}")
            out.emit(f"    n{i} = {value.none}")

    def _holds(self, rule: Rule, out: nodes.Source, context: nodes.Context) -> str:
        """A flag: the rule is in force on the week's Monday and its condition holds."""
        start, end = rule.window
        low, high = day_number(max(start, _FAR[0])), day_number(min(end, _FAR[1]))
        window = [] if low <= day_number(_FAR[0]) else [f"monday >= {low}"]
        window += [] if high >= day_number(_FAR[1]) else [f"monday <= {high}"]
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
        return nodes.Val(f"v{i}", f"n{i}", self.batch.checked.types.get(name, "any"), self.scales[name])

    def _input(self, input_id: str) -> nodes.Val:
        if input_id in self.batch.plan.supplied:
            return self._value(self.batch.plan.supplied[input_id])
        kind = self.batch.checked.types.get(input_id, "any")
        if input_id in FACT_INPUTS:
            k = list(FACT_INPUTS).index(input_id)
            return nodes.Val(f"facts[{k}, p]", f"(facts[{k}, p] == {NO_DATE})", kind)
        return nodes.Val("0", "True", kind)

    def _lagged(self, out: nodes.Source, node: ast.Call, args: list[nodes.Val]) -> nodes.Val:
        series = node.args[0].dotted  # type: ignore[union-attr]
        if series not in self.index:
            raise nodes.Unsupported(node, f"a look back at {series}, which the kernel does not compute")
        i, stored = self.index[series], self._value(series)
        if node.function == "previous":
            self.previous.add(series)
            default, scale = args[0], max(stored.scale, args[0].scale)
            last = nodes.Val(f"p{i}", f"q{i}", stored.kind, stored.scale)
            return nodes.assign(out, nodes.Val(
                f"({nodes.at_scale(last, scale)} if w > 0 else {nodes.at_scale(default, scale)})",
                f"(q{i} if w > 0 else {default.none})", stored.kind, scale))
        self.windows.add(series)
        low = out.fresh()
        out.emit(f"{low} = max(w - {args[0].data}, 0)")
        if len(args) > 1:
            out.emit(f"{low} = min(max({low}, ({args[1].data} - first) // 7 + 1), w)")
        kind = "number" if node.function == "count_weeks" else stored.kind
        return nodes.assign(out, nodes.Val(f"(c{i}[w] - c{i}[{low}])", nodes.either(*(a.none for a in args)),
                                           kind, 0 if kind == "number" else stored.scale))


_FAR = (dt.date(1900, 1, 1), dt.date(9999, 1, 1))  # the window bounds the kernel can leave out

_HEADER = '''"""Generated by paragraf from the weekly rules (engine.refusion.native); do not edit."""
import numpy as np
from numba import njit, prange


@njit(cache=True, parallel=True, nogil=True, error_model="numpy")
def kernel(first, benefits, cell_start, entry_code, entry_ore, entry_tail, facts, const, out_data, out_none, conflict):
    for p in prange(benefits.shape[0]):
        person(p, first, benefits, cell_start, entry_code, entry_ore, entry_tail, facts, const, out_data, out_none, conflict)


@njit(cache=True, nogil=True, error_model="numpy")
def layout(entry_week, entry_person, entry_code, entry_ore, entry_tail, weeks, persons):
    start = np.zeros(weeks * persons + 1, np.int64)
    for e in range(len(entry_week)):
        start[entry_person[e] * weeks + entry_week[e] + 1] += 1
    for c in range(weeks * persons):
        start[c + 1] += start[c]
    fill = start[:-1].copy()
    code = np.empty(len(entry_week), np.int64)
    ore = np.empty(len(entry_week), np.int64)
    tail = np.empty(len(entry_week), np.int64)
    for e in range(len(entry_week)):
        c = entry_person[e] * weeks + entry_week[e]
        code[fill[c]] = entry_code[e]
        ore[fill[c]] = entry_ore[e]
        tail[fill[c]] = entry_tail[e]
        fill[c] += 1
    return start, code, ore, tail


@njit(cache=True, nogil=True, error_model="numpy")
def constants(first, weeks, const, conflict):
    p = 0
    if True:
        for w in range(weeks):
            monday = first + 7 * w
'''

_PERSON = '''@njit(cache=True, nogil=True, error_model="numpy")
def person(p, first, benefits, cell_start, entry_code, entry_ore, entry_tail, facts, const, out_data, out_none, conflict):
    weeks = benefits.shape[1]
    if True:
'''
# The parallel loop is kept apart from the person's weeks: Numba's parallel transform of the
# whole body would take several times longer to compile.


def cache_folder() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("paragraf")) / "native"


def load_kernel(text: str) -> Any:
    """The module of a kernel's source text: written once under its digest, imported; Numba
    compiles its functions on first use and keeps the machine code beside it."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:20]
    folder = cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"kernel_{digest}.py"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        temporary = path.with_suffix(f".{id(text)}.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    name = f"paragraf_kernel_{digest}"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        sys.modules[name] = module
        spec.loader.exec_module(module)  # type: ignore[union-attr]
    return sys.modules[name]


def threads(count: int) -> None:
    """Run the kernel on this many threads (at most the cores Numba sees)."""
    import numba

    numba.set_num_threads(max(1, min(count, numba.config.NUMBA_NUM_THREADS)))  # type: ignore[attr-defined]

