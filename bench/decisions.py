"""Per-case evaluation: library `evaluate` and `to_json()` times and decision sizes.

    python -m bench.decisions [--repeat 5]

Every case in `examples/` (on its own date) and every case scenario in `tests/scenarios`
(each on its date, municipality and proposals) is evaluated `--repeat` times with the rulebook
loaded; the script prints the median and p99 of one `evaluate`, of `to_json()` (compact) and of
`to_json(include=("trace",))`, and the median and largest decision in bytes with and without trace.
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any, Callable

import engine
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


def has_trace_option(decision: Any) -> bool:
    try:
        decision.to_json(include=("trace",))
    except TypeError:
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    book = engine.load()
    all_cases = cases()
    read = [(book.read_case(case), as_of, proposals) for case, as_of, proposals in all_cases]
    evaluate: list[float] = []
    compact: list[float] = []
    traced: list[float] = []
    sizes: list[int] = []
    traced_sizes: list[int] = []
    for case, as_of, proposals in read:
        times, decision = timed(lambda: book.evaluate(case, as_of, proposals), args.repeat)
        evaluate += times
        times, text = timed(decision.to_json, args.repeat)
        compact += times
        sizes.append(len(text.encode()))
        if has_trace_option(decision):
            times, text = timed(lambda: decision.to_json(include=("trace",)), args.repeat)
            traced += times
            traced_sizes.append(len(text.encode()))
    print(f"{len(read)} cases x {args.repeat} runs")
    ms = 1000.0
    print(f"evaluate            median {statistics.median(evaluate) * ms:7.3f} ms   p99 {percentile(evaluate, 0.99) * ms:7.3f} ms")
    print(f"to_json()           median {statistics.median(compact) * ms:7.3f} ms   p99 {percentile(compact, 0.99) * ms:7.3f} ms")
    print(f"decision            median {statistics.median(sizes) / 1024:7.1f} KB   max {max(sizes) / 1024:7.1f} KB")
    if traced:
        print(f"to_json(trace)      median {statistics.median(traced) * ms:7.3f} ms   p99 {percentile(traced, 0.99) * ms:7.3f} ms")
        print(f"decision with trace median {statistics.median(traced_sizes) / 1024:7.1f} KB   max {max(traced_sizes) / 1024:7.1f} KB")


if __name__ == "__main__":
    main()
