"""A real `paragraf serve` (uvicorn) on 127.0.0.1 and a free port, in a subprocess, for the
service tests and the documentation's examples: started, waited for until /v1/health answers,
and stopped."""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import typing
from pathlib import Path

import httpx

STARTUP_SECONDS = 120  # a loaded machine; the wait ends as soon as health answers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> typing.Iterator[str]:
    """`paragraf serve ARGS` on a free port; yields its base URL, stops it on exit."""
    port = free_port()
    command = [sys.executable, "-m", "engine", "serve", "--port", str(port), *args]
    output = tempfile.TemporaryFile()  # a file, not a pipe: a chatty server never blocks on it
    process = subprocess.Popen(command, env={**os.environ, **(env or {})}, cwd=cwd, stdout=output, stderr=output)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, output)
        yield url
    finally:
        output.close()
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], output: typing.IO[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output.seek(0)
            raise RuntimeError(f"paragraf serve exited with {process.returncode}:\n{output.read().decode(errors='replace')}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/v1/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"paragraf serve did not answer on {url} within {STARTUP_SECONDS} s")
