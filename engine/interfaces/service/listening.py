"""Several workers on one port, each accepting on a listening socket of its own (`SO_REUSEPORT`).

With one listening socket shared by every worker (uvicorn's own `--workers`), whichever worker
wakes first accepts every connection waiting, so a burst of kept-alive connections can land
almost all on one worker while the other idles (measured: 30 of 32 on one worker, half the
throughput; `bench/README.md`). With a socket per worker in one `SO_REUSEPORT` group, the kernel
hashes each new connection to one of the listening sockets, which spreads them evenly on average.

uvicorn's supervisor is kept as it is (it restarts a worker that dies, stops them on SIGINT or
SIGTERM, reloads on SIGHUP): it hands each worker it starts the same list of sockets, and the
list used here (`OwnSocketEach`) is unpickled in each new worker as a socket that worker binds
itself. The parent keeps a socket bound, not listening, to hold the port (and to report a
port in use before any worker starts); a socket that does not listen receives no connection.
Linux lets only processes of the same user join a port's `SO_REUSEPORT` group, so another
user's process cannot take a share of the connections; a worker that dies takes the connections
waiting in its own queue with it (they are reset), and the one that replaces it binds anew.
"""
from __future__ import annotations

import socket
import sys

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess


def available() -> bool:
    """Whether this system has `SO_REUSEPORT` (Linux, the BSDs, macOS; not Windows)."""
    return hasattr(socket, "SO_REUSEPORT")


def bind(host: str, port: int) -> socket.socket:
    """A TCP socket bound to host:port in the port's `SO_REUSEPORT` group (not yet listening)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _bound_in_worker(host: str, port: int) -> list[socket.socket]:
    """Run by unpickling in a new worker: its own socket, which uvicorn then makes listen."""
    try:
        return [bind(host, port)]
    except OSError as exc:
        print(f"paragraf: cannot listen on {host}:{port}: {exc}", file=sys.stderr)
        sys.exit(STARTUP_FAILURE)


class OwnSocketEach(list):  # type: ignore[type-arg]
    """The sockets uvicorn's supervisor hands to each worker it starts: in the parent, the socket
    holding the port; in a worker, a new socket of its own on the same port."""

    def __init__(self, reserved: socket.socket) -> None:
        super().__init__([reserved])
        self.host, self.port = reserved.getsockname()[:2]

    def __reduce__(self) -> tuple[object, tuple[str, int]]:
        return _bound_in_worker, (self.host, self.port)


def run(config: uvicorn.Config) -> None:
    """`config.workers` workers, each listening on a socket of its own on config.host:config.port."""
    try:
        reserved = bind(config.host, config.port)
    except OSError as exc:
        raise SystemExit(f"paragraf: cannot listen on {config.host}:{config.port}: {exc}") from None
    with reserved:
        Multiprocess(config, sockets=OwnSocketEach(reserved)).run()
