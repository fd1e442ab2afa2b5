"""The native weekly evaluator: the checked weekly rules compiled to one Numba loop over persons.

`NativeProgram` turns the same checked rules the per-person evaluator runs into the source of
one kernel (`engine.refusion.native_source` compiles the values, `engine.refusion.native_nodes`
each expression, `engine.refusion.native_loop` writes the loop): for parts of the persons (a
`prange`, so several cores share them), person by person, week by week, every weekly value in
the plan's order, its definitions chosen by window, condition and priority; `previous` reads
last week's value, `count_weeks`/`sum_weeks` a running total per person. The source is written to the
user's cache folder under its SHA-256 and compiled with `cache=True`, so a rulebook is compiled
to machine code once per machine. A value whose rule the kernel cannot compile, and every value
that reads it, is left to the NumPy evaluator (`unsupported` says which and why;
`paragraf check` prints it), which then runs on the kernel's results.
"""
from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from engine.lang.compiler import Program
from engine.lang.files import remove_files
from engine.law.series import Plan
from engine.refusion.arrays import Arr
from engine.refusion.batch import BatchProgram
from engine.refusion.native_source import KernelSource, ValueUnsupported
from engine.refusion.weekly import FACT_INPUTS
from engine.refusion.weeks import Weeks


class NativeProgram:
    """The weekly rules compiled once into a native kernel (with the NumPy evaluator beside it)."""

    def __init__(self, program: Program, plan: Plan, codes: tuple[str, ...], proposals: Iterable[str] = ()) -> None:
        self.plan, self.codes = plan, codes
        self.batch = BatchProgram(program, plan, codes, proposals)
        self.unsupported: dict[str, str] = {}
        source = None
        while source is None:
            try:
                source = KernelSource(self.batch, self.native_names()).build()
            except ValueUnsupported as exc:
                self.unsupported[exc.name] = exc.reason
        self.source = source  # every value the kernel can compute (the full kernel is not compiled)
        self.kinds = {name: Arr(None, None, self.batch.checked.types.get(name, "any"), scale)
                      for name, scale in source.scales.items()}
        self._kernels: dict[tuple[tuple[str, ...], bool], tuple[KernelSource, Callable[..., None]]] = {}

    def native_names(self) -> list[str]:
        """The values the kernel computes: all but those left to NumPy and what reads them."""
        left = set(self.unsupported)
        changed = True
        while changed:
            more = {n for n in self.plan.order if n not in left and (self.plan.reads[n] | self.plan.looks_back[n]) & left}
            changed, left = bool(more), left | more
        return _stable_order([n for n in self.plan.order if n not in left], self.plan.reads)

    def kernel(self, outputs: Iterable[str], totals: bool = False) -> tuple[KernelSource, Callable[..., None]]:
        """The kernel computing only what these outputs need (compiled once, then cached): their
        weekly results or, with `totals`, their sums per person."""
        key = tuple(sorted(outputs))
        if (key, totals) not in self._kernels:
            needed = self.plan.needed_for(key)
            source = KernelSource(self.batch, [n for n in self.source.order if n in needed], key, totals).build()
            source.module = load_kernel(source.text)
            self._kernels[key, totals] = (source, source.module.kernel)
        return self._kernels[key, totals]

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

    def totals(self, weeks: Weeks, names: Iterable[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Per person of a slice, each value's sum over the weeks it has a value (in units of its
        kind's scale, as `Arr.data`) and the number of weeks it has none; no weekly results are
        kept. Values the kernel does not compute are summed from the weekly results."""
        wanted = tuple(names)
        found = self._run_kernel(weeks, list(wanted), totals=True) if set(wanted) <= set(self.source.order) else None
        if found is not None:
            return {name: (value.data, value.none) for name, value in found.items()}
        weekly = self.run(weeks, wanted)
        return {name: (np.where(v.none, 0, v.data).sum(axis=0) if v.none is not None else v.data.sum(axis=0),
                       np.zeros(len(weeks.persons), np.int64) if v.none is None else v.none.sum(axis=0, dtype=np.int64))
                for name, v in ((n, weekly[n]) for n in wanted)}

    def _run_kernel(self, weeks: Weeks, outputs: list[str], totals: bool = False) -> dict[str, Arr] | None:
        import numba

        count, persons = weeks.range.count, len(weeks.persons)
        source, kernel = self.kernel(outputs, totals)
        facts = np.stack([weeks.facts[c].astype(np.int64) for c in FACT_INPUTS.values()])
        if totals:
            data = np.zeros((len(source.outputs), persons), np.int64)
            none = np.zeros((len(source.none_outputs), persons), np.int64)
        else:
            data = np.empty((len(source.outputs), count, persons), np.int64)
            none = np.empty((len(source.none_outputs), count, persons), np.bool_)
        conflict = np.zeros(persons, np.int64)
        const = np.zeros((len(source.constant), 2, count), np.int64)
        source.module.constants(np.int64(weeks.range.first), count, const, conflict)
        threads = numba.get_num_threads()
        parts = 1 if threads == 1 else min(persons, 8 * threads)  # several parts a thread: even loads
        kernel(np.int64(weeks.range.first), np.int64(count), weeks.person_start, weeks.entry_week, weeks.entry_code,
               weeks.entry_ore, weeks.entry_tail, facts, const, data, none, conflict, max(parts, 1))
        if conflict.any():
            return None
        flags = {name: none[k] for k, name in enumerate(source.none_outputs)}
        if totals:  # a value always present has no week without one
            flags = {name: flags.get(name, np.zeros(persons, np.int64)) for name in source.outputs}
        return {name: Arr(data[k], flags.get(name), self.kinds[name].kind, self.kinds[name].scale)
                for k, name in enumerate(source.outputs)}


def _stable_order(names: list[str], reads: dict[str, frozenset[str]]) -> list[str]:
    """Dependencies first, ties by name: the same rules give the same kernel source (and cache)."""
    done: list[str] = []
    waiting = sorted(names)
    while waiting:
        ready = next(n for n in waiting if not (reads[n] & set(waiting)) - {n})
        done.append(ready)
        waiting.remove(ready)
    return done


def cache_folder() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("paragraf")) / "native"


def kernel_files() -> list[Path]:
    """Every file of the kernels in the cache folder: their sources and Numba's machine code."""
    folder = cache_folder()
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else []


def clear_kernels() -> int:
    """Remove every kernel file (the next run compiles again); the number of files removed."""
    return remove_files(kernel_files())


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

