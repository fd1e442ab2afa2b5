"""Load on `paragraf serve --workers 2`: decisions per second and latency, and the decision log
under concurrent writers.

    python -m bench.service_load [--seconds 20] [--clients 32] [--log-seconds 60] [--log-clients 20]

Starts `paragraf serve --workers 2` on 127.0.0.1 and a free port (the bundled rulebook), then
runs a bounded async client in this process: `--clients` tasks, each posting the cases of
`examples/` (pre-serialised JSON, in turn) to `POST /v1/decisions` and waiting for the answer
before sending the next, for `--seconds` after a short warm-up. It prints decisions per second
and the p50 and p99 latency (send to last byte); `statuses` counts the answers by status, 0 for a
request that failed on its connection. Two clients take turns, twice each: httpx, and
`raw`, a connection per task with HTTP/1.1 written and read by hand, which costs the shared
cores far less per request (httpx's async pool spends about as much CPU per request as a worker).

Then it starts a second server with `--log` (a fresh decision log) and runs `--log-clients`
raw clients for `--log-seconds`, each case with an id of its own; afterwards it counts the decisions
acknowledged (status 200) against the entries in the log, checks every acknowledged case id is
logged exactly once, and runs `paragraf audit verify` on the log.

As a yardstick, the same cases are decided by the library in this process (`Rulebook.evaluate`
and `to_json`, one core, no HTTP) for `--library-seconds` before and after the load runs: what
the engine alone does on one core of the machine as loaded as it was. The client shares the machine's
cores with the two workers; the load average before and after is printed, since other work on a
shared machine changes the figures.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterator

import attrs
import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
WARM_UP_SECONDS = 3.0


def case_bodies() -> list[dict[str, Any]]:
    """The example cases as clients send them (dates as text)."""
    paths = sorted(p for p in (ROOT / "examples").glob("*.yaml") if "tilsyn" not in p.name)
    return [json.loads(json.dumps(yaml.safe_load(p.read_text()), default=str)) for p in paths]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Workers:
    """The worker processes under a `paragraf serve` (its children on `/proc`): their CPU time and
    the TCP connections each holds, to see how the load is spread and what a request costs."""

    def __init__(self, pid: int) -> None:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        self.pids = sorted(int(child) for child in children  # not multiprocessing's resource tracker
                           if b"resource_tracker" not in Path(f"/proc/{child}/cmdline").read_bytes())
        self.tick = os.sysconf("SC_CLK_TCK")

    def cpu(self) -> list[float]:
        """User and system CPU seconds of each worker so far."""
        return [sum(int(x) for x in Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11:13]) / self.tick
                for pid in self.pids]

    def stack(self) -> str:
        """Which of uvloop and httptools the first worker has loaded (their native modules in its memory map)."""
        maps = Path(f"/proc/{self.pids[0]}/maps").read_text()
        return ", ".join(f"{name} {'yes' if f'/{name}/' in maps else 'no'}" for name in ("uvloop", "httptools"))

    def sockets(self) -> list[int]:
        """The sockets each worker holds open (listening socket and connections)."""
        return [sum(os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:") for fd in os.listdir(f"/proc/{pid}/fd"))
                for pid in self.pids]


@contextlib.contextmanager
def server(*args: str, root: Path = ROOT, env: dict[str, str] | None = None) -> Iterator[tuple[str, Workers]]:
    """`paragraf serve --workers 2 ARGS` of the checkout `root` (with `env` added to the
    environment) on a free port, until its health answers; stopped after."""
    port = free_port()
    output = open(os.environ.get("SERVICE_LOAD_SERVER_LOG", os.devnull), "ab")  # the server's stderr, if wanted
    process = subprocess.Popen([sys.executable, "-m", "engine", "serve", "--workers", "2", "--port", str(port), *args],
                               cwd=root, stdout=output, stderr=output, env={**os.environ, "PYTHONPATH": str(root), **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url + "/v1/health", timeout=2).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise SystemExit(f"paragraf serve did not answer on {url}")
        yield url, Workers(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
        output.close()


async def client(http: httpx.AsyncClient, bodies: list[bytes], until: float, record: list[float],
                 statuses: Counter[int]) -> None:
    """One client: post a case, wait for its answer, post the next, until `until`."""
    index = 0
    while (start := time.perf_counter()) < until:
        index += 1
        try:
            response = await http.post("/v1/decisions", content=bodies[index % len(bodies)],
                                       headers={"content-type": "application/json"})
        except httpx.TransportError:  # e.g. a kept-alive connection the server closed meanwhile
            statuses[0] += 1          # counted as status 0; the client goes on
            continue
        record.append(time.perf_counter() - start)
        statuses[response.status_code] += 1


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, body: bytes) -> int:
    """POST one case on a kept-alive connection, HTTP/1.1 written and read by hand; its status."""
    writer.write(b"POST /v1/decisions HTTP/1.1\r\nhost: %s\r\ncontent-type: application/json\r\n"
                 b"content-length: %d\r\n\r\n%s" % (host.encode(), len(body), body))
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
    await reader.readexactly(length)
    return int(head.split(b" ", 2)[1])


async def raw_client(url: str, bodies: list[bytes], until: float, record: list[float], statuses: Counter[int]) -> None:
    """One client on a connection of its own, speaking HTTP/1.1 by hand (`exchange`): the least a
    client can spend per request, so that the machine's cores go to the server."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    index = 0
    try:
        while (start := time.perf_counter()) < until:
            statuses[await exchange(reader, writer, host, bodies[index % len(bodies)])] += 1
            record.append(time.perf_counter() - start)
            index += 1
    finally:
        writer.close()


@attrs.frozen
class Round:
    """One load round: the latencies and statuses, its length, and what the workers and the client spent."""

    latencies: list[float]
    statuses: Counter[int]
    elapsed: float
    worker_cpu: list[float]       # CPU seconds of each worker during the round
    connections: list[int]        # connections each worker held in the middle of the round
    client_cpu: float             # CPU seconds of this process (the client) during the round

    def summary(self) -> str:
        count = len(self.latencies)
        per_request = sum(self.worker_cpu) / count * 1e3 if count else float("nan")
        return (f"{count / self.elapsed:.0f} decisions/s, p50 {percentile(self.latencies, 0.5) * 1e3:.1f} ms, "
                f"p90 {percentile(self.latencies, 0.9) * 1e3:.1f} ms, p99 {percentile(self.latencies, 0.99) * 1e3:.1f} ms, "
                f"max {max(self.latencies) * 1e3:.0f} ms, statuses {dict(self.statuses)}; connections per worker "
                f"{self.connections}, worker CPU {'/'.join(f'{c:.1f}' for c in self.worker_cpu)} s "
                f"({per_request:.2f} ms a request), client CPU {self.client_cpu / count * 1e3:.2f} ms a request")


async def load(url: str, workers: Workers, clients: int, seconds: float, kind: str) -> Round:
    """`clients` clients (httpx, or `raw`) for a warm-up, then for `seconds`: the latencies and statuses."""
    bodies = [json.dumps(case).encode() for case in case_bodies()]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    idle = workers.sockets()
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as http:
        def one(until: float, latencies: list[float], statuses: Counter[int]) -> Any:
            if kind == "raw":
                return raw_client(url, bodies, until, latencies, statuses)
            return client(http, bodies, until, latencies, statuses)

        async def connections() -> list[int]:
            await asyncio.sleep(seconds / 2)
            return [busy - quiet for busy, quiet in zip(workers.sockets(), idle)]
        await asyncio.gather(*(one(time.perf_counter() + WARM_UP_SECONDS, [], Counter()) for _ in range(clients)))
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        cpu, client_cpu, start = workers.cpu(), time.process_time(), time.perf_counter()
        middle = asyncio.ensure_future(connections())
        await asyncio.gather(*(one(start + seconds, latencies, statuses) for _ in range(clients)))
        elapsed, client_cpu = time.perf_counter() - start, time.process_time() - client_cpu
        spent = [after - before for after, before in zip(workers.cpu(), cpu)]
        return Round(latencies, statuses, elapsed, spent, await middle, client_cpu)


def library_rate(seconds: float) -> float:
    """Decisions per second of the library on one core: read the JSON, evaluate, `to_json()`."""
    import engine
    from engine.rulebook import gate

    book = gate.require(engine.load())
    bodies = [json.dumps(case).encode() for case in case_bodies()]
    for body in bodies:  # warm: compiled program, lift index
        book.evaluate(json.loads(body)).to_json()
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        book.evaluate(json.loads(bodies[count % len(bodies)])).to_json()
        count += 1
    return count / (time.perf_counter() - start)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def log_writer(url: str, number: int, cases: list[dict[str, Any]], until: float, acknowledged: list[str]) -> None:
    """One client of the log run (by hand, as `raw_client`): every case gets an id of its own,
    kept when the answer acknowledges it (status 200)."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    count = 0
    try:
        while time.perf_counter() < until:
            case_id = f"load-{number}-{count}"
            body = json.dumps({**cases[count % len(cases)], "case": case_id}).encode()
            count += 1
            if await exchange(reader, writer, host, body) == 200:
                acknowledged.append(case_id)
    finally:
        writer.close()


async def log_run(url: str, clients: int, seconds: float) -> list[str]:
    cases, acknowledged = case_bodies(), []
    until = time.perf_counter() + seconds
    await asyncio.gather(*(log_writer(url, n, cases, until, acknowledged) for n in range(clients)))
    return acknowledged


def logged_case_ids(path: Path) -> list[str]:
    from engine.audit import log as auditlog

    with auditlog.DecisionLog(path, create=False) as log:
        return [json.loads(entry.content)["decision"]["case"] for entry in log.entries()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--log-seconds", type=float, default=60.0)
    parser.add_argument("--log-clients", type=int, default=20)
    parser.add_argument("--library-seconds", type=float, default=5.0)
    parser.add_argument("--kinds", default="raw,httpx,raw,httpx",
                        help="the clients of the rounds, in turn (raw or httpx), e.g. raw,raw,raw")
    parser.add_argument("--compare", type=Path, metavar="CHECKOUT",
                        help="also serve from this checkout (e.g. an earlier commit's worktree, or this one with "
                             "--compare-env), each round on both in turn")
    parser.add_argument("--compare-env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the compared server, e.g. PARAGRAF_SERVE_THREADS=8")
    options = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    library = [library_rate(options.library_seconds)]
    variants = [("this", ROOT, {})]
    if options.compare:
        variants.append((" ".join([options.compare.name, *options.compare_env]), options.compare.resolve(),
                         dict(item.split("=", 1) for item in options.compare_env)))
    with contextlib.ExitStack() as stack:
        servers = [(name, *stack.enter_context(server(root=root, env=env))) for name, root, env in variants]
        print(f"workers' stack: {servers[0][2].stack()}")
        for kind in options.kinds.split(","):  # interleaved: the machine's load drifts
            for name, url, workers in servers:
                run = asyncio.run(load(url, workers, options.clients, options.seconds, kind))
                label = f" ({name})" if len(servers) > 1 else ""
                print(f"POST /v1/decisions{label}, 2 workers, {options.clients} {kind} clients, {run.elapsed:.1f} s: "
                      f"{run.summary()}")
    library.append(library_rate(options.library_seconds))
    print(f"library, one core, no HTTP: {library[0]:.0f} decisions/s before, {library[1]:.0f} after")
    print(f"load average after the load run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if options.log_seconds > 0:
        log_check(options.log_clients, options.log_seconds)


def log_check(clients: int, seconds: float) -> None:
    """`clients` writers on a server with a fresh decision log for `seconds`: nothing lost, chain verifies."""
    with tempfile.TemporaryDirectory(prefix="paragraf-bench-") as folder:
        db = Path(folder) / "decisions.db"
        with server("--log", str(db)) as (url, _workers):
            acknowledged = asyncio.run(log_run(url, clients, seconds))
        logged = logged_case_ids(db)
        twice = [case for case, n in Counter(logged).items() if n > 1]
        lost = sorted(set(acknowledged) - set(logged))  # entries beyond those acknowledged: answers lost on the way
        print(f"decision log, {clients} clients, {seconds:.0f} s: {len(acknowledged)} acknowledged, "
              f"{len(logged)} entries, {len(lost)} lost, {len(twice)} logged twice "
              f"({len(acknowledged) / seconds:.0f} logged decisions/s)")
        verify = subprocess.run([sys.executable, "-m", "engine", "audit", "verify", str(db)],
                                capture_output=True, text=True)
        print(f"paragraf audit verify: exit {verify.returncode}: {verify.stdout.strip().splitlines()[-1:]}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
