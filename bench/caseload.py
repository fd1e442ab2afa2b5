"""Write a seeded caseload as a payment file, for running `paragraf refusion` at scale.

    python -m bench.caseload --persons 1000000 --out /tmp/caseload.csv
    /usr/bin/time -v python -m engine refusion /tmp/caseload.csv --summary --out /tmp/weeks.parquet > /tmp/summary.csv
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from bench import population


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, required=True, help="a .csv or .parquet file")
    parser.add_argument("--bad-rows", type=int, default=0, help="also append this many malformed rows")
    args = parser.parse_args()
    started = time.perf_counter()
    columns = population.generate(args.persons, args.seed)
    population.write(columns, args.out)
    if args.bad_rows and args.out.suffix == ".csv":
        with args.out.open("a", encoding="utf-8") as handle:
            for i in range(args.bad_rows):
                handle.write(f"P{i:07d},101,kontanthjaelp,-{i}.00,2021-03-01,2021-03-07,,\n")
    print(f"{len(columns['ore']):,} payment records for {args.persons:,} persons in {args.out} "
          f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
