"""`paragraf eval CASE` wall time, start-up included: warm cache against no cache, interleaved.

    python -m bench.startup [--runs 11] [--case examples/hillerod-complex.yaml]

Each round runs the command once with the rulebook cache warm (a private cache folder filled
before the first round) and once with ``PARAGRAF_CACHE=off`` (every process parses and checks
the rule files, as before the cache existed), so both see the same machine load. Prints the
median and best wall time of each, the median CPU time (user + system; on a machine other work
shares, the part of the wall time that is the command's own) and the ratio.
"""
from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).parent.parent


def wall(command: list[str], cache: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of one run of the command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT,
                   env={**os.environ, "PARAGRAF_CACHE": cache})
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


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
    for label, runs in (("warm cache", warm), ("no cache", cold)):
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        print(f"{label:<11} wall median {statistics.median(walls):6.3f} s   best {min(walls):6.3f} s   "
              f"CPU median {statistics.median(cpus):6.3f} s")
    ratio = statistics.median(w for w, _ in cold) / statistics.median(w for w, _ in warm)
    print(f"no cache / warm cache: {ratio:.2f}x (wall medians)")


if __name__ == "__main__":
    main()
