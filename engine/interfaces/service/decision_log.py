"""The decision log a worker appends to: one connection, on one thread of its own.

SQLite connections belong to the thread that opened them, so each worker keeps a single thread
that owns its `DecisionLog` and appends the records handed to it, one at a time. Workers (separate
processes) share the file safely: every append is its own `BEGIN IMMEDIATE` transaction, which
takes the database's write lock before reading the chain's head (`engine.audit.log`).
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from engine.audit import log as auditlog


class LogWriter:
    """Appends records to the log at `path` from one thread; `append` returns once committed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="paragraf-log")
        self._log: auditlog.DecisionLog | None = None
        self._thread.submit(self._open).result()  # an unusable log stops the worker at start

    def _open(self) -> None:
        self._log = auditlog.DecisionLog(self.path)

    def _append(self, record: dict[str, Any]) -> int:
        assert self._log is not None
        return self._log.append(record).seq

    async def append(self, record: dict[str, Any]) -> int:
        """Append `record`; its sequence number once it is committed."""
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._append, record)

    def close(self) -> None:
        if self._log is not None:
            self._thread.submit(self._log.close).result()
        self._thread.shutdown()
