"""Per-case evaluation: library `evaluate` and `to_json()` times and decision sizes.

    python -m bench.decisions [--repeat 5]

Every case in `examples/` (on its own date) and every case scenario in `tests/scenarios`
(each on its date, municipality and proposals) is evaluated `--repeat` times with the rulebook
loaded (the runs include filling the per-act-version lift index, as the first cases of a
caseload would); the script prints the median and p99 of one `evaluate` over every run (and over
each case's best run, which leaves out the pauses another process on a shared machine causes),
of `to_json()` (compact) and of
`to_json(include=("trace",))`, and the median and largest decision in bytes: decision@2 without
and with the trace, beside the same decision in the decision@1 form (`forms.expand` of it, which
equals what decision@1 held), both as `paragraf eval --format json` printed it (indented) and
without indentation.
"""
from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

import engine
from engine.report import forms
from engine.officer.scenarios import read_scenarios, scenario_files

ROOT = Path(__file__).parent.parent


def cases() -> list[tuple[Any, str | None, tuple[str, ...]]]:
    """(case, as_of, proposals) for every example and every case scenario that evaluates."""
    found: list[tuple[Any, str | None, tuple[str, ...]]] = [
        (str(path), None, ()) for path in sorted((ROOT / "examples").glob("*.yaml"))]
    for path in scenario_files([ROOT / "tests" / "scenarios"]):
        found += [(s.case, s.as_of, s.proposals) for s in read_scenarios(path)
                  if not s.payments and "error" not in s.expect]
    return found


def timed(function: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return times, result


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def decision1_sizes(traced_json: str) -> tuple[int, int]:
    """Bytes of the decision@1 form (indented as the CLI printed it, and unindented)."""
    data = {**forms.expand(json.loads(traced_json)), "schema": forms.SCHEMA_V1}
    indented = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n"
    flat = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
    return len(indented.encode()), len(flat.encode())


def kept_memory(book: Any, read: list[tuple[Any, str | None, tuple[str, ...]]]) -> float:
    """Bytes of Python memory per decision while a decision of every case is kept (trace not built)."""
    gc.collect()
    tracemalloc.start()
    kept = [book.evaluate(case, as_of, proposals) for case, as_of, proposals in read]
    gc.collect()
    used, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return used / len(kept)


def report(label: str, samples: list[int]) -> None:
    print(f"{label:<34} median {statistics.median(samples) / 1024:7.1f} KB   max {max(samples) / 1024:7.1f} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    book = engine.load()
    all_cases = cases()
    read = [(book.read_case(case), as_of, proposals) for case, as_of, proposals in all_cases]
    evaluate: list[float] = []
    best: list[float] = []  # per case, the least disturbed of its runs: the case's own cost
    compact: list[float] = []
    traced: list[float] = []
    sizes: dict[str, list[int]] = {"decision@2": [], "decision@2 with trace": [],
                                   "decision@1 (indented, as printed)": [], "decision@1 (unindented)": []}
    for case, as_of, proposals in read:
        times, decision = timed(lambda: book.evaluate(case, as_of, proposals), args.repeat)
        evaluate += times
        best.append(min(times))
        times, text = timed(decision.to_json, args.repeat)
        compact += times
        sizes["decision@2"].append(len(text.encode()))
        times, text = timed(lambda: decision.to_json(include=("trace",)), args.repeat)
        traced += times
        sizes["decision@2 with trace"].append(len(text.encode()))
        indented, flat = decision1_sizes(text)
        sizes["decision@1 (indented, as printed)"].append(indented)
        sizes["decision@1 (unindented)"].append(flat)
    print(f"{len(read)} cases x {args.repeat} runs")
    ms = 1000.0
    for label, samples in (("evaluate", evaluate), ("evaluate, best run per case", best), ("to_json()", compact),
                           ("to_json(include=('trace',))", traced)):
        print(f"{label:<34} median {statistics.median(samples) * ms:7.3f} ms   p99 {percentile(samples, 0.99) * ms:7.3f} ms")
    for label, samples in sizes.items():
        report(label, samples)
    print(f"memory per decision kept (explanation not built): {kept_memory(book, read) / 1024:.1f} KB")
    print(f"with trace / decision@1 as printed: {statistics.median(sizes['decision@2 with trace']) / statistics.median(sizes['decision@1 (indented, as printed)']):.2f}; "
          f"/ decision@1 unindented: {statistics.median(sizes['decision@2 with trace']) / statistics.median(sizes['decision@1 (unindented)']):.2f} (medians)")


if __name__ == "__main__":
    main()
