"""`paragraf eval` over a generated caseload, Parquet to Parquet: one core, `--jobs 2`, a 2-worker Dask cluster.

    python -m bench.eval_caseload --cases 100000 --rounds 1
    python -m bench.eval_caseload --cases 10000 --rounds 3 --profile 2000

Generates the caseload once (`bench/cases.py`, seeded), then runs each way in turn, round after
round (interleaved, so a busy moment on the shared machine falls on all of them alike), each as a
fresh `paragraf` process: wall time, cases per second, and the peak resident memory of the
process and its children together (sampled every 50 ms with psutil). The Dask run starts a
`LocalCluster` of 2 worker processes (1 thread each) on 127.0.0.1 and passes its address to
`--dask`. CPU seconds (user and system, of every process of the run, the Dask workers included)
are reported beside the wall time, since the machine is shared. After each round the three outputs are compared byte for byte. `--profile N` also
times the stages of a single process over N cases (reading, evaluating, output rows, writing), in wall
and CPU time.
"""
from __future__ import annotations

import argparse
import filecmp
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from bench import cases as generator

WAYS = ("one core", "--jobs 2", "dask 2 workers")


def cpu_seconds(workers: list[psutil.Process]) -> float:
    """User and system CPU of this process's reaped children and of the living `workers`."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime + sum(sum(w.cpu_times()[:2]) for w in workers)


def timed(command: list[str], workers: list[psutil.Process]) -> tuple[float, float, int, int]:
    """Wall and CPU seconds, peak RSS (bytes) of the command's process tree and `workers`, and its exit status."""
    started, cpu = time.perf_counter(), cpu_seconds(workers)
    process = psutil.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True), *workers]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    process.wait()
    return time.perf_counter() - started, cpu_seconds(workers) - cpu, peak, process.returncode


def run_round(caseload: Path, work: Path, address: str) -> dict[str, tuple[float, float, int]]:
    results = {}
    cluster = psutil.Process().children(recursive=True)  # the Dask workers (and their nannies)
    for way, extra in zip(WAYS, ([], ["--jobs", "2"], ["--dask", address])):
        out = work / way.replace(" ", "-")
        shutil.rmtree(out, ignore_errors=True)
        command = [sys.executable, "-m", "engine", "eval", str(caseload), "--out", str(out), *extra]
        seconds, cpu, peak, status = timed(command, cluster if extra[:1] == ["--dask"] else [])
        if status != 0:
            raise SystemExit(f"{way}: paragraf exited with {status}")
        results[way] = (seconds, cpu, peak)
    first = work / WAYS[0].replace(" ", "-")
    for way in WAYS[1:]:
        for table in ("cases.parquet", "obligations.parquet"):
            if not filecmp.cmp(first / table, work / way.replace(" ", "-") / table, shallow=False):
                raise SystemExit(f"{way}: {table} differs from the one-core run")
    return results


def profile(caseload: Path, count: int) -> None:
    """Where a single process spends its time, stage by stage, over the first `count` cases: wall
    and CPU time (the CPU time of this process, steadier on a shared machine)."""
    import itertools

    import engine
    from engine.rulebook.caseload import rows, sinks

    started = time.perf_counter()
    book = engine.load()
    _ = book.program
    loaded = time.perf_counter() - started
    stages = {stage: [0.0, 0.0] for stage in ("read", "evaluate", "rows", "write")}
    clock = (time.perf_counter(), time.process_time())

    def lap(stage: str) -> None:
        nonlocal clock
        now = (time.perf_counter(), time.process_time())
        stages[stage][0] += now[0] - clock[0]
        stages[stage][1] += now[1] - clock[1]
        clock = now

    sink = sinks.ParquetSink(tempfile.mkdtemp())
    for row in itertools.islice(book.read_cases(caseload), count):
        lap("read")
        decision = book.evaluate(row.case)  # type: ignore[arg-type]
        lap("evaluate")
        item = rows.outcome(row.source, decision, "parquet")
        lap("rows")
        sink.write(item)
        lap("write")
    sink.close()
    lap("write")
    total = sum(cpu for _, cpu in stages.values())
    print(f"\nstages of one process over {count:,} cases (rulebook loaded and compiled in {loaded:.2f} s):")
    for stage, (seconds, cpu) in stages.items():
        print(f"  {stage:<9} {seconds / count * 1000:7.3f} ms/case wall {cpu / count * 1000:7.3f} ms/case CPU"
              f"  {cpu / total:6.1%} of CPU")
    print(f"  {'all':<9} {'':>21} {total / count * 1000:7.3f} ms/case CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "paragraf-bench-caseload")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="also time the stages over N cases")
    args = parser.parse_args()
    from distributed import LocalCluster

    caseload = args.work / f"cases-{args.cases}-{args.seed}"
    if not caseload.exists():
        generator.write(args.cases, args.seed, caseload)
    print(f"caseload: {args.cases:,} generated cases (seed {args.seed}) in {len(list(caseload.glob('*.parquet')))} "
          f"Parquet partitions, {sum(p.stat().st_size for p in caseload.glob('*.parquet')) / 1e6:.1f} MB")
    timings: dict[str, list[tuple[float, float, int]]] = {way: [] for way in WAYS}
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster:
        for _ in range(args.rounds):
            for way, result in run_round(caseload, args.work, cluster.scheduler_address).items():
                timings[way].append(result)
    print("outputs: identical bytes (cases.parquet, obligations.parquet) in every round")
    print(f"{'way':<16}{'median s':>10}{'cases/s':>10}{'vs one core':>13}{'CPU s':>9}{'cases/CPU s':>13}{'peak MB':>10}")
    base = statistics.median(s for s, _, _ in timings[WAYS[0]])
    for way in WAYS:
        seconds = statistics.median(s for s, _, _ in timings[way])
        cpu = statistics.median(c for _, c, _ in timings[way])
        peak = max(p for _, _, p in timings[way])
        print(f"{way:<16}{seconds:>10.1f}{args.cases / seconds:>10,.0f}{base / seconds:>13.2f}{cpu:>9.1f}"
              f"{args.cases / cpu:>13,.0f}{peak / 1e6:>10,.0f}")
    print(f"(load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores; "
          "CPU s: user + system of every process of the run, start-up included)")
    print("(the peak is the sum over the run's processes: for dask the client, both workers and their nannies)")
    if args.profile:
        profile(caseload, args.profile)


if __name__ == "__main__":
    main()
