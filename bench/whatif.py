"""Counterfactuals: seconds per rule for `Decision.counterfactuals`, over every obligation of every
bundled example, interleaved with one full evaluation of the same case as the yardstick.

    python -m bench.whatif [--repeat 3]
"""
from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import engine

EXAMPLES = sorted(Path("examples").glob("*.yaml"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best is kept")
    args = parser.parse_args()
    book = engine.load()
    per_rule: list[tuple[float, str, str, int]] = []
    evaluations: list[float] = []
    for path in EXAMPLES:
        decision = book.evaluate(path)
        for obligation in decision.obligations:
            rule = obligation["rule"]
            best_search = best_eval = float("inf")
            for _ in range(args.repeat):  # interleaved: a search, then a full evaluation, then again
                started = time.perf_counter()
                found = decision.counterfactuals(rule)
                best_search = min(best_search, time.perf_counter() - started)
                started = time.perf_counter()
                book.evaluate(path)
                best_eval = min(best_eval, time.perf_counter() - started)
            per_rule.append((best_search, path.stem, rule, found.tried))
            evaluations.append(best_eval)
    seconds = [s for s, *_ in per_rule]
    trials = [t for *_, t in per_rule]
    slowest = max(per_rule)
    print(f"{len(per_rule)} rules over {len(EXAMPLES)} examples (best of {args.repeat})")
    print(f"seconds per rule: mean {statistics.mean(seconds):.4f}, median {statistics.median(seconds):.4f}, "
          f"p95 {sorted(seconds)[int(0.95 * len(seconds))]:.4f}, max {slowest[0]:.4f} ({slowest[1]} {slowest[2]})")
    print(f"variants tried per rule: mean {statistics.mean(trials):.0f}, max {max(trials)}")
    print(f"one full evaluation of the case: median {statistics.median(evaluations):.4f} s; "
          f"a search costs {statistics.median(seconds) / statistics.median(evaluations):.1f} full evaluations (median)")
    print(f"rules over 1 s: {sum(1 for s in seconds if s > 1.0)}")


if __name__ == "__main__":
    main()
