"""Peak resident memory of each process of `paragraf eval CASES --out OUT --dask`: client and workers.

    python -m bench.dask_memory /tmp/paragraf-bench-caseload/cases-20000-13

Starts a `LocalCluster` of 2 worker processes (1 thread each) on 127.0.0.1, runs the command
against it as a fresh process, samples every process's resident memory every 50 ms, and prints
the idle workers' memory, the client's and each worker's peak, and the peak of their sum.
Generate the caseload first with `python -m bench.eval_caseload` (or `bench/cases.py`).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time

import psutil


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", help="a folder of Parquet partitions")
    args = parser.parse_args()
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster, tempfile.TemporaryDirectory() as out:
        workers = psutil.Process().children(recursive=True)
        time.sleep(2)
        print("idle MB:", sorted(round(w.memory_info().rss / 1e6) for w in workers))
        client = psutil.Popen([sys.executable, "-m", "engine", "eval", args.cases, "--out", f"{out}/decisions",
                               "--dask", cluster.scheduler_address],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peaks: dict[int, int] = {}
        summed = 0
        while client.poll() is None:
            try:
                now = {p.pid: p.memory_info().rss for p in (client, *workers)}
            except psutil.Error:
                continue
            peaks = {pid: max(peaks.get(pid, 0), rss) for pid, rss in now.items()}
            summed = max(summed, sum(now.values()))
            time.sleep(0.05)
    print(f"client peak {peaks[client.pid] / 1e6:,.0f} MB; worker peaks "
          f"{', '.join(f'{peaks[w.pid] / 1e6:,.0f}' for w in workers)} MB; summed peak {summed / 1e6:,.0f} MB")


if __name__ == "__main__":
    main()
