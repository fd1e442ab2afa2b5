"""The compiled-rulebook cache: a checked rulebook stored on disk under its fingerprint.

One file per rulebook fingerprint and engine version, in the user's cache folder
(`platformdirs`), or where ``PARAGRAF_CACHE`` points (``PARAGRAF_CACHE=off`` switches the cache
off). A file is a fixed magic line, a one-line JSON header (format, engine version, a digest of
the engine's own checking code, Python version, fingerprint, the payload's length and sha256) and a pickled payload. Everything in the
header is checked before the payload is unpickled, so a corrupt, truncated, foreign or stale file
is ignored (and rebuilt), never loaded blindly. Files are written to a temporary name and renamed
into place, so a reader never sees half a file.

The digest guards against corruption and mix-ups, not against someone who can write to the cache
folder: that folder must be writable by its user only, like any other cache of pickles.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from engine.lang.files import remove_files

MAGIC = b"PARAGRAF-RULEBOOK-CACHE\n"
FORMAT = 1
ENV = "PARAGRAF_CACHE"
OFF = ("off", "0", "no", "false")
_MAX_HEADER = 4096


def folder() -> Path | None:
    """The cache folder, or None when ``PARAGRAF_CACHE`` switches the cache off."""
    chosen = os.environ.get(ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in OFF or not chosen.strip() else Path(chosen)
    import platformdirs

    return Path(platformdirs.user_cache_dir("paragraf", appauthor=False))


@functools.cache
def code_digest() -> str:
    """sha256 over the source of the code that reads, checks and holds a rulebook (`lang`, `law`,
    `rulebook`): a cache is not trusted across changes to it, even under the same version number
    (as while developing with an editable install)."""
    package = Path(__file__).parent.parent
    digest = hashlib.sha256()
    for path in sorted(p for name in ("lang", "law", "rulebook") for p in (package / name).rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _header(fingerprint: str, engine_version: str) -> dict[str, Any]:
    return {"format": FORMAT, "engine_version": engine_version, "fingerprint": fingerprint,
            "python": f"{sys.version_info[0]}.{sys.version_info[1]}", "code": code_digest()}


def path_for(fingerprint: str, engine_version: str) -> Path | None:
    where = folder()
    if where is None:
        return None
    key = hashlib.sha256(json.dumps(_header(fingerprint, engine_version), sort_keys=True).encode()).hexdigest()
    return where / f"rulebook-{key[:32]}.cache"


def read(fingerprint: str, engine_version: str) -> Any | None:
    """The payload stored for this fingerprint and engine version, or None (absent, foreign, corrupt)."""
    path = path_for(fingerprint, engine_version)
    if path is None:
        return None
    try:
        with path.open("rb") as handle:
            if handle.read(len(MAGIC)) != MAGIC:
                return None
            header = json.loads(handle.readline(_MAX_HEADER))
            payload = handle.read()
    except (OSError, ValueError):
        return None
    expected = {**_header(fingerprint, engine_version), "size": len(payload),
                "sha256": hashlib.sha256(payload).hexdigest()}
    if header != expected:
        return None
    try:
        return pickle.loads(payload)
    except Exception:  # a payload that passed the digest but no longer unpickles: rebuild
        return None


def write(fingerprint: str, engine_version: str, payload: Any) -> Path | None:
    """Store the payload atomically; a cache that cannot be written is skipped, never an error."""
    path = path_for(fingerprint, engine_version)
    if path is None:
        return None
    data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    header = {**_header(fingerprint, engine_version), "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".rulebook-", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(MAGIC + json.dumps(header, sort_keys=True).encode() + b"\n" + data)
        os.replace(temporary, path)
    except OSError:
        return None
    return path


def entries() -> list[tuple[Path, dict[str, Any] | None]]:
    """Every cache file with its header (None when the file is not a readable cache file)."""
    where = folder()
    if where is None or not where.is_dir():
        return []
    found = []
    for path in sorted(where.glob("rulebook-*.cache")):
        try:
            with path.open("rb") as handle:
                header = json.loads(handle.readline(_MAX_HEADER)) if handle.read(len(MAGIC)) == MAGIC else None
        except (OSError, ValueError):
            header = None
        found.append((path, header if isinstance(header, dict) else None))
    return found


def clear() -> int:
    """Remove every cache file (and left-over temporary files); the number removed."""
    where = folder()
    if where is None or not where.is_dir():
        return 0
    return remove_files([*where.glob("rulebook-*.cache"), *where.glob(".rulebook-*.tmp")])
