"""What kind of data file a path holds, told by its content where the extension does not say.

Standard input (`-`) and files named without a telling extension reach the readers too, so
JSON lines and Parquet are recognised by their first bytes: Parquet by its magic number, JSON
lines by a first non-blank line that is a whole JSON object on its own (a pretty-printed JSON
document opens with a lone `{`, which is not).
"""
from __future__ import annotations

import json
from pathlib import Path

PARQUET_MAGIC = b"PAR1"
_SNIFF_LINES = 50  # blank lines skipped at most before deciding


def is_parquet(path: Path) -> bool:
    with Path(path).open("rb") as handle:
        return handle.read(len(PARQUET_MAGIC)) == PARQUET_MAGIC


def is_json_lines(path: Path) -> bool:
    """Whether the first non-blank line of a text file is one complete JSON object."""
    try:
        with Path(path).open("r", encoding="utf-8") as handle:
            for _, line in zip(range(_SNIFF_LINES), handle):
                if line.strip():
                    return line.lstrip().startswith("{") and isinstance(json.loads(line), dict)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False
    return False


def payment_kind(path: Path) -> str | None:
    """`csv`, `parquet` or `jsonl` for a payment file: by extension, else by content."""
    suffix = Path(path).suffix.lower()
    known = {".csv": "csv", ".parquet": "parquet", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl"}
    if suffix in known:
        return known[suffix]
    if is_parquet(path):
        return "parquet"
    return "jsonl" if is_json_lines(path) else "csv"
