"""The one gate a rulebook passes: `paragraf check` reports it, `paragraf eval` and `explain`
refuse a rulebook that fails it.

The gate is the resolver's diagnostics and, when those are clean, the static analysis across
time (`engine.law.analysis`: overlaps, gaps, windows, dead exemptions, repealed paragraphs).
Its result is plain data (the diagnostics and the analysis' account of what it covered), so it
can be kept per rulebook fingerprint and read again instead of analysing anew.
"""
from __future__ import annotations

import attrs

from engine.lang.errors import Diagnostic, RulebookError
from engine.law import analysis
from engine.rulebook.rulebook import Rulebook


@attrs.frozen
class GateResult:
    """Every finding (errors and warnings) and the static analysis, when it ran."""

    diagnostics: tuple[Diagnostic, ...]
    analysis: analysis.Analysis | None

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "error")


def inspect(book: Rulebook) -> GateResult:
    """The gate's findings for a loaded rulebook: resolver problems, else the static analysis."""
    if book.diagnostics:
        return GateResult(tuple(book.diagnostics), None)
    result = analysis.analyse(book.checked, book.program)
    return GateResult(result.diagnostics, result)


def require(book: Rulebook) -> Rulebook:
    """The rulebook, if it passes the gate; else a `RulebookError` with every error."""
    errors = inspect(book).errors
    if errors:
        raise RulebookError(list(errors), book.sources, book.shown_as)
    return book
