"""Reading a file the user named: regular files only, never more than a bound; and removing the
files of a cache.

A FIFO would block the reader, a symbolic link to /dev/zero would never end, a dangling link
has nothing behind it; each is refused with one line saying why, before any byte is read.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path


class UnreadableFile(Exception):
    """Why a file cannot be read, in words for an error message."""


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at `path` (symbolic links followed), at most `limit` of them."""
    try:
        # O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        dangling = os.path.islink(path) and not os.path.exists(path)
        raise UnreadableFile("a symbolic link to nothing" if dangling else f"cannot read it: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise UnreadableFile("not a regular file (a folder, FIFO, device or socket)")
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UnreadableFile(f"larger than {limit} bytes")
    return data


def remove_files(paths: Iterable[Path]) -> int:
    """Remove these files, leaving any that cannot be removed (gone already, or not ours to
    remove); the number removed."""
    removed = 0
    for path in paths:
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed
