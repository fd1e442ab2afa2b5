"""`paragraf eval CASE` wall time, start-up included: warm cache against no cache, interleaved.

    python -m bench.startup [--runs 11] [--case examples/hillerod-complex.yaml]

Each round runs the command once with the rulebook cache warm (a private cache folder filled
before the first round) and once with ``PARAGRAF_CACHE=off`` (every process parses and checks
the rule files, as before the cache existed), so both see the same machine load. Prints the
median and best wall time of each and their ratio.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent


def wall(command: list[str], cache: str) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT,
                   env={**os.environ, "PARAGRAF_CACHE": cache})
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--case", default="examples/hillerod-complex.yaml")
    args = parser.parse_args()
    paragraf = str(Path(sys.executable).with_name("paragraf"))
    command = [paragraf, "eval", args.case]
    with tempfile.TemporaryDirectory(prefix="paragraf-bench-cache-") as folder:
        wall(command, folder)  # fill the cache
        warm, cold = [], []
        for _ in range(args.runs):
            warm.append(wall(command, folder))
            cold.append(wall(command, "off"))
    print(f"paragraf eval {args.case}, {args.runs} interleaved runs each")
    for label, samples in (("warm cache", warm), ("no cache", cold)):
        print(f"{label:<11} median {statistics.median(samples):6.3f} s   best {min(samples):6.3f} s")
    print(f"no cache / warm cache: {statistics.median(cold) / statistics.median(warm):.2f}x (medians)")


if __name__ == "__main__":
    main()
