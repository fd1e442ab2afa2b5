"""Many cases at once: a folder of case files or a JSON-lines file, one case per line (told by
its `.jsonl` extension or by its content, so `-` for standard input works too).

`read_cases` yields every case in a stable order, each either read (validated against the
input rules) or with the problem that made it unusable, so a batch reports its bad rows and
still gets every good one.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Callable, Iterator

import attrs

from engine.decide.casefile import Case
from engine.lang import filekind
from engine.lang.errors import CaseError, Diagnostic, EngineError
from engine.lang.source import Span

CASE_SUFFIXES = (".yaml", ".yml", ".json")
MAX_LINE = 1_000_000  # characters; a longer line is refused, not parsed


@attrs.frozen
class Row:
    """One case of a batch: where it came from, and the read case or what is wrong with it."""

    source: str
    case: Case | None = None
    problems: tuple[Diagnostic, ...] = ()


def read_cases(path: Path, read: Callable[[Any], Case]) -> Iterator[Row]:
    """The cases of a folder (files sorted by name) or a JSON-lines file (in line order)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in CASE_SUFFIXES and p.is_file())
        yield from (_row(str(p), functools.partial(read, p)) for p in files)
    elif path.suffix in (".jsonl", ".ndjson") or (path.is_file() and filekind.is_json_lines(path)):
        yield from _json_lines(path, read)
    elif path.is_file():
        yield _row(str(path), lambda: read(path))
    else:
        raise CaseError(f"{path}: no such file or folder")


def _row(source: str, load: Callable[[], Case]) -> Row:
    try:
        return Row(source, case=load())
    except EngineError as exc:
        return Row(source, problems=exc.diagnostics)


def _json_lines(path: Path, read: Callable[[Any], Case]) -> Iterator[Row]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                yield _line_row(f"{path}:{number}", line, read)


def _line_row(source: str, line: str, read: Callable[[Any], Case]) -> Row:
    path, number = source.rsplit(":", 1)
    span = Span(path, int(number), 1, int(number), 1)
    if len(line) > MAX_LINE:
        return Row(source, problems=(Diagnostic("case", f"line longer than {MAX_LINE} characters", (span,)),))
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return Row(source, problems=(Diagnostic("case", f"not valid JSON: {exc.msg} (column {exc.colno})", (span,),
                                                "write one case per line as a JSON object"),))
    if not isinstance(data, dict):
        return Row(source, problems=(Diagnostic("case", "a case must be a JSON object", (span,)),))
    return _row(source, lambda: read(data))
