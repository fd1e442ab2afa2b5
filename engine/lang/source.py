"""Source positions: every AST node, rule and diagnostic points into a file."""
from __future__ import annotations

from pathlib import Path

import attrs

from engine.lang.files import UnreadableFile, read_regular

MAX_QUOTED_BYTES = 10_000_000  # a file whose lines a diagnostic quotes; a larger one is not quoted


@attrs.frozen
class Span:
    """A region of a source file; lines and columns are 1-based, `end_col` exclusive."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    @classmethod
    def point(cls, path: str, line: int = 1, col: int = 1) -> Span:
        return cls(path, line, col, line, col + 1)


class SourceCache:
    """Reads source files once so that diagnostics can quote their lines."""

    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}

    def add(self, path: str, text: str) -> None:
        self._lines[path] = text.splitlines()

    def line(self, path: str, number: int) -> str | None:
        if path not in self._lines:
            try:
                self.add(path, read_regular(Path(path), MAX_QUOTED_BYTES).decode("utf-8"))
            except (UnreadableFile, UnicodeDecodeError):
                self._lines[path] = []
        lines = self._lines[path]
        return lines[number - 1] if 0 < number <= len(lines) else None


@attrs.frozen
class TextOrigin:
    """Where a piece of text (an expression inside a YAML scalar) sits in its file.

    `positions[i]` is the (line, column) in the file of character `i` of the text, plus
    one entry past the end, so spans of sub-expressions point into the `.yaml` file.
    """

    path: str
    positions: tuple[tuple[int, int], ...]

    @classmethod
    def standalone(cls, text: str, path: str = "<expr>", line: int = 1, col: int = 1) -> TextOrigin:
        positions, current_line, current_col = [], line, col
        for char in text + " ":
            positions.append((current_line, current_col))
            if char == "\n":
                current_line, current_col = current_line + 1, 1
            else:
                current_col += 1
        return cls(path, tuple(positions))

    def span(self, start: int, end: int) -> Span:
        last = len(self.positions) - 1
        line, col = self.positions[max(0, min(start, last))]
        end_line, end_col = self.positions[max(0, min(end, last))]
        if (end_line, end_col) <= (line, col):
            end_line, end_col = line, col + 1
        return Span(self.path, line, col, end_line, end_col)
