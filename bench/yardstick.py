"""paragraf next to the refusion yardstick (`../shared/bench/`), interleaved in one run.

    python -m bench.yardstick compute --n 100000 --rounds 5     # the staircase alone, one thread
    python -m bench.yardstick e2e --n 100000 --rounds 3         # `paragraf refusion` vs e2e/numba_e2e.py
    python -m bench.yardstick million --jobs 2                  # a million persons: wall time, peak memory
    python -m bench.yardstick million --jobs 2 --by-date        # the same records as a ledger by date

The yardstick's scripts are run as they are, never copied: each round runs its Numba loop, its
tuned NumPy and paragraf's native kernel one after the other, each in its own process on the same
population (`gen_data.py`), and the same per-person totals are checked. Data goes to
`$YARDSTICK_DIR` (default: a folder under the temp folder), as the yardstick's own scripts do.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]  # the repository
YARDSTICK = Path(os.environ.get("YARDSTICK", ROOT.parent / "shared" / "bench"))
WORK = Path(os.environ.get("YARDSTICK_DIR", Path(tempfile.gettempdir()) / "refusion-yardstick"))
RESULT = re.compile(r"RESULT baseline=(\S+) .*? median_s=([0-9.]+)")
AMOUNTS = ("finansiering.uge.refusion", "finansiering.uge.medfinansiering")


def run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "YARDSTICK_DIR": str(WORK)})
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    return done.stdout


def paragraf_compute(n: int, repeats: int) -> None:
    """The native kernel on the yardstick's population: per-person totals, timed as the yardstick times."""
    sys.path.insert(0, str(YARDSTICK))
    from common import data_path, load_npz, report, save_outputs, time_it  # the yardstick's own helpers

    import engine
    from bench.yardstick_population import as_weeks
    from engine.law import series
    from engine.refusion import native, tables

    book = engine.load()
    codes = book.checked.inputs["citizen.benefit"].input.values  # type: ignore[union-attr]
    compiled = native.NativeProgram(book.program, series.plan(book.program.checked), codes)
    native.threads(1)
    ref, cof, other = load_npz(data_path(n))
    chunk = tables.CHUNK_PERSONS
    slices = [as_weeks(ref[i:i + chunk], cof[i:i + chunk], other[i:i + chunk], codes) for i in range(0, n, chunk)]

    def compute() -> tuple[np.ndarray, np.ndarray]:
        totals = [compiled.totals(part, AMOUNTS) for part in slices]  # per-person sums, as the yardstick
        assert not any(t[name][1].any() for t in totals for name in AMOUNTS)  # every week has its amounts
        return (np.concatenate([t[AMOUNTS[0]][0] for t in totals]), np.concatenate([t[AMOUNTS[1]][0] for t in totals]))

    def weekly() -> tuple[np.ndarray, np.ndarray]:
        found = [compiled.run(part, AMOUNTS) for part in slices]  # the weekly results, as the tables read them
        return (np.concatenate([t[AMOUNTS[0]].data.sum(axis=0) for t in found]),
                np.concatenate([t[AMOUNTS[1]].data.sum(axis=0) for t in found]))

    times, (refusion, cofinancing) = time_it(compute, repeats, warmup=1)
    report("paragraf_native", n, ref.shape[1], times)
    times, (weekly_refusion, weekly_cofinancing) = time_it(weekly, repeats, warmup=1)
    report("paragraf_weekly", n, ref.shape[1], times)
    assert np.array_equal(weekly_refusion, refusion) and np.array_equal(weekly_cofinancing, cofinancing)
    save_outputs(str(WORK / "out" / f"paragraf_n{n}_w{ref.shape[1]}.npz"), refusion, cofinancing, np.zeros(n))


def compute(args: argparse.Namespace) -> None:
    run([sys.executable, str(YARDSTICK / "gen_data.py"), "--n", str(args.n)])
    medians: dict[str, list[float]] = {}
    for _ in range(args.rounds):  # interleaved: every implementation once per round
        for command in ([str(YARDSTICK / "numba_ref.py")], [str(YARDSTICK / "numpy_ref.py")],
                        ["-m", "bench.yardstick", "paragraf-compute"]):
            out = run([sys.executable, *command, "--n", str(args.n), "--repeats", str(args.repeats)])
            for name, median in RESULT.findall(out):
                medians.setdefault(name, []).append(float(median))
    outputs = WORK / "out"
    mine = np.load(outputs / f"paragraf_n{args.n}_w156.npz")
    theirs = np.load(outputs / f"numba_n{args.n}_w156.npz")
    same = np.array_equal(mine["refusion"], theirs["refusion"]) and np.array_equal(mine["cofinancing"], theirs["cofinancing"])
    print(f"per-person totals equal to the Numba yardstick's for all {args.n:,} persons: {same}")
    weeks = args.n * 156
    best = {name: statistics.median(values) for name, values in medians.items()}
    print(f"{'implementation':<18}{'median s':>10}{'person-weeks/s':>18}{'paragraf / it':>15}")
    for name, seconds in sorted(best.items(), key=lambda item: item[1]):
        print(f"{name:<18}{seconds:>10.3f}{weeks / seconds:>18,.0f}{best['paragraf_native'] / seconds:>15.2f}")
    print("rounds (median s per round): " + "; ".join(f"{k} {', '.join(f'{v:.3f}' for v in vs)}" for k, vs in medians.items()))


def _timed(command: list[str]) -> tuple[float, int]:
    """Wall seconds and the peak resident memory (KiB) of one child process (output discarded)."""
    seconds, peak, _, _ = _measured(command)
    return seconds, peak


def _measured(command: list[str]) -> tuple[float, int, int, float]:
    """Wall seconds, the peak resident memory (KiB) of the largest process (`wait4`), the peak of
    the sum over the process and its worker processes (KiB, sampled from /proc every 0.1 s), and
    the CPU seconds (user + system) of all of them."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, env={**os.environ, "YARDSTICK_DIR": str(WORK)})
    tree_peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.1):
            tree_peak[0] = max(tree_peak[0], _tree_rss(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed")
    return seconds, usage.ru_maxrss, max(tree_peak[0], usage.ru_maxrss), usage.ru_utime + usage.ru_stime


def _tree_rss(root: int) -> int:
    """The resident memory (KiB) of a process and all its descendants, from /proc (Linux)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm") as handle:
                pages = int(handle.read().split()[1])
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE") // 1024
    family, grown = {root}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in family} - family
        family, grown = family | more, bool(more)
    return sum(rss.get(pid, 0) for pid in family)


def _per_person(path: Path) -> dict[str, tuple[int, int]]:
    """Each person's total refusion and co-financing in øre (decimal kroner or integer øre columns)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=["person", "refusion_amount", "cofinancing_amount"])
    columns = {"person": table["person"]}
    for name in ("refusion_amount", "cofinancing_amount"):
        column = table[name]
        if pa.types.is_decimal(column.type):
            column = pc.multiply(column, pa.scalar(100, pa.decimal128(3, 0)))
        columns[name] = pc.cast(column, pa.int64())
    grouped = pa.table(columns).group_by("person").aggregate([("refusion_amount", "sum"), ("cofinancing_amount", "sum")])
    return dict(zip(grouped["person"].to_pylist(),
                    zip(grouped["refusion_amount_sum"].to_pylist(), grouped["cofinancing_amount_sum"].to_pylist())))


def _payments(n: int) -> Path:
    """The yardstick's population of n persons as typed Parquet payment records (made once)."""
    payments = WORK / f"payments_{n}.parquet"
    if not payments.exists():
        run([sys.executable, str(YARDSTICK / "gen_data.py"), "--n", str(n)])
        run([sys.executable, str(YARDSTICK / "e2e" / "make_payments.py"), str(n), str(payments)])
    return payments


def _compiled() -> None:
    """`paragraf refusion` once on the bundled example, untimed: the native kernel is compiled
    once per machine and rulebook (kept in the user's cache folder), as a user's first run does."""
    out = WORK / "out" / "warm_up.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["paragraf", "refusion", str(ROOT / "examples" / "payments.csv"), "--out", str(out)],
                   check=True, capture_output=True)


def e2e(args: argparse.Namespace) -> None:
    payments = _payments(args.n)
    _compiled()
    theirs, mine = WORK / "out" / "numba_e2e.parquet", WORK / "out" / "paragraf_e2e.parquet"
    mine.parent.mkdir(parents=True, exist_ok=True)
    times: dict[str, list[float]] = {"numba_e2e": [], "paragraf": []}
    cpu: dict[str, list[float]] = {"numba_e2e": [], "paragraf": []}
    commands = {"numba_e2e": [sys.executable, str(YARDSTICK / "e2e" / "numba_e2e.py"), str(payments), str(theirs)],
                "paragraf": ["paragraf", "refusion", str(payments), "--out", str(mine), "--jobs", str(args.jobs)]}
    load = os.getloadavg()
    for _ in range(args.rounds):
        for name, command in commands.items():
            seconds, _, _, used = _measured(command)
            times[name].append(seconds)
            cpu[name].append(used)
    same = _per_person(theirs) == _per_person(mine)
    print(f"per-person totals of paragraf refusion equal numba_e2e's for all {args.n:,} persons: {same}")
    for name, values in times.items():
        print(f"{name:<10} median {statistics.median(values):7.2f} s   runs " + ", ".join(f"{v:.2f}" for v in values)
              + f"   CPU median {statistics.median(cpu[name]):.2f} s")
    print(f"paragraf / numba_e2e: {statistics.median(times['paragraf']) / statistics.median(times['numba_e2e']):.2f} wall, "
          f"{statistics.median(cpu['paragraf']) / statistics.median(cpu['numba_e2e']):.2f} CPU; "
          f"load average {load[0]:.1f} before, {os.getloadavg()[0]:.1f} after")


def _ledger(payments: Path) -> Path:
    """The same records sorted by their first day, as a ledger by date holds them (made once):
    each person's rows lie far apart, and `paragraf refusion` regroups them on disk."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    ledger = payments.with_name(payments.stem + "_by_date.parquet")
    if not ledger.exists():
        table = pq.read_table(payments)
        pq.write_table(table.take(pc.sort_indices(table, [("from", "ascending")])), ledger, row_group_size=1 << 20)
    return ledger


def million(args: argparse.Namespace) -> None:
    payments = _payments(1_000_000)
    if args.by_date:
        payments = _ledger(payments)
    out = WORK / "out" / "paragraf_million.parquet"
    out.parent.mkdir(parents=True, exist_ok=True)
    _compiled()
    load = os.getloadavg()
    seconds, peak, tree, cpu = _measured(["paragraf", "refusion", str(payments), "--out", str(out), "--jobs", str(args.jobs)])
    print(f"paragraf refusion, 1,000,000 persons{' by date' if args.by_date else ''}, --jobs {args.jobs}: {seconds:.1f} s wall, {cpu:.1f} s CPU "
          f"(user + system, all processes); peak memory {peak / 2**20:.2f} GiB in the largest process, "
          f"{tree / 2**20:.2f} GiB summed over the processes; load average {load[0]:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("compute", "paragraf-compute", "e2e", "million"):
        sub = commands.add_parser(name)
        sub.add_argument("--n", type=int, default=100_000)
        sub.add_argument("--rounds", type=int, default=3)
        sub.add_argument("--repeats", type=int, default=3)
        sub.add_argument("--jobs", type=int, default=1)
        sub.add_argument("--by-date", action="store_true", help="million: the records sorted by date, persons apart")
    args = parser.parse_args()
    if args.command == "paragraf-compute":
        paragraf_compute(args.n, args.repeats)
    else:
        {"compute": compute, "e2e": e2e, "million": million}[args.command](args)


if __name__ == "__main__":
    main()
