"""`paragraf serve --workers N`: each worker listens on a socket of its own (`SO_REUSEPORT`), so
that kept-alive connections spread over the workers instead of piling onto whichever accepts first."""
from __future__ import annotations

import contextlib
import os
import pickle
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from engine.interfaces.service import listening
from tests import serving

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not listening.available() or not Path("/proc/self/fd").exists(),
                                reason="SO_REUSEPORT and /proc (Linux)")


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with contextlib.suppress(FileNotFoundError):  # closed meanwhile
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
            if target.startswith("socket:"):
                inodes.add(target[len("socket:["):-1])
    return inodes


def _inodes_on(port: int, state: str = "0A") -> set[str]:
    """Inodes of the sockets on 127.0.0.1:port in a state of /proc/net/tcp (0A: listening,
    01: a connection established)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == f"0100007F:{port:04X}" and fields[3] == state:
            found.add(fields[9])
    return found


def _workers(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"resource_tracker" not in Path(f"/proc/{c}/cmdline").read_bytes()]


def test_each_worker_listens_on_its_own_socket_and_connections_reach_both() -> None:
    port = serving.free_port()
    output = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, "-m", "engine", "serve", "--workers", "2", "--port", str(port)],
                               cwd=ROOT, stdout=output, stderr=output)
    clients: list[httpx.Client] = []
    try:
        serving.wait_until_healthy(f"http://127.0.0.1:{port}", process, output)
        deadline = time.monotonic() + serving.STARTUP_SECONDS
        while True:  # until both workers have started listening
            workers = _workers(process.pid)
            listeners = [_socket_inodes(pid) & _inodes_on(port) for pid in workers]
            if len(workers) == 2 and all(listeners) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert len(workers) == 2 and all(len(own) == 1 for own in listeners), listeners
        assert listeners[0] != listeners[1]  # a socket each, not one shared
        for _ in range(24):  # kept-alive connections: hashed over both sockets, all on one is 2 ** -23
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
            assert client.get("/v1/health").status_code == 200
            clients.append(client)
        # the connections each worker holds open (the start-up health check's may still be closing)
        held = [len(_socket_inodes(pid) & _inodes_on(port, "01")) for pid in workers]
        assert sum(held) == 24 and min(held) > 0, held
    finally:
        for client in clients:
            client.close()
        process.terminate()
        process.wait(timeout=30)
        output.close()


def test_a_port_in_use_is_refused_with_a_message() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "engine", "serve", "--workers", "2", "--port", str(port)],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr


def test_the_sockets_a_worker_is_handed_are_bound_anew_in_it() -> None:
    reserved = listening.bind("127.0.0.1", 0)
    try:
        handed = listening.OwnSocketEach(reserved)
        assert handed == [reserved]  # in the parent: the socket holding the port
        unpickled = pickle.loads(pickle.dumps(handed))  # as in a new worker
        assert len(unpickled) == 1 and unpickled[0] is not reserved
        assert unpickled[0].getsockname() == reserved.getsockname()
        unpickled[0].close()
    finally:
        reserved.close()
