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


@contextlib.contextmanager
def server(*args: str) -> Iterator[str]:
    """`paragraf serve --workers 2 ARGS` on a free port, until its health answers; stopped after."""
    port = free_port()
    output = open(os.environ.get("SERVICE_LOAD_SERVER_LOG", os.devnull), "ab")  # the server's stderr, if wanted
    process = subprocess.Popen([sys.executable, "-m", "engine", "serve", "--workers", "2", "--port", str(port), *args],
                               cwd=ROOT, stdout=output, stderr=output)
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
        yield url
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


async def load(url: str, clients: int, seconds: float, kind: str) -> tuple[list[float], Counter[int], float]:
    """`clients` clients (httpx, or `raw`) for a warm-up, then for `seconds`: the latencies and statuses."""
    bodies = [json.dumps(case).encode() for case in case_bodies()]
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=60) as http:
        def one(until: float, latencies: list[float], statuses: Counter[int]) -> Any:
            if kind == "raw":
                return raw_client(url, bodies, until, latencies, statuses)
            return client(http, bodies, until, latencies, statuses)
        await asyncio.gather(*(one(time.perf_counter() + WARM_UP_SECONDS, [], Counter()) for _ in range(clients)))
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        start = time.perf_counter()
        await asyncio.gather(*(one(start + seconds, latencies, statuses) for _ in range(clients)))
        return latencies, statuses, time.perf_counter() - start


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
    options = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    library = [library_rate(options.library_seconds)]
    with server() as url:
        for kind in ("raw", "httpx", "raw", "httpx"):  # interleaved: the machine's load drifts
            latencies, statuses, elapsed = asyncio.run(load(url, options.clients, options.seconds, kind))
            rate = len(latencies) / elapsed
            print(f"POST /v1/decisions, 2 workers, {options.clients} {kind} clients, {elapsed:.1f} s: "
                  f"{rate:.0f} decisions/s, p50 {percentile(latencies, 0.5) * 1e3:.1f} ms, "
                  f"p99 {percentile(latencies, 0.99) * 1e3:.1f} ms, statuses {dict(statuses)}")
    library.append(library_rate(options.library_seconds))
    print(f"library, one core, no HTTP: {library[0]:.0f} decisions/s before, {library[1]:.0f} after")
    print(f"load average after the load run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="paragraf-bench-") as folder:
        db = Path(folder) / "decisions.db"
        with server("--log", str(db)) as url:
            acknowledged = asyncio.run(log_run(url, options.log_clients, options.log_seconds))
        logged = logged_case_ids(db)
        twice = [case for case, n in Counter(logged).items() if n > 1]
        lost = sorted(set(acknowledged) - set(logged))  # entries beyond those acknowledged: answers lost on the way
        print(f"decision log, {options.log_clients} clients, {options.log_seconds:.0f} s: {len(acknowledged)} acknowledged, "
              f"{len(logged)} entries, {len(lost)} lost, {len(twice)} logged twice "
              f"({len(acknowledged) / options.log_seconds:.0f} logged decisions/s)")
        verify = subprocess.run([sys.executable, "-m", "engine", "audit", "verify", str(db)],
                                capture_output=True, text=True)
        print(f"paragraf audit verify: exit {verify.returncode}: {verify.stdout.strip().splitlines()[-1:]}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
