"""The one gate a rulebook passes: `paragraf check` reports it, `paragraf eval` and `explain`
refuse a rulebook that fails it.

The gate is the resolver's diagnostics and, when those are clean, the static analysis across
time (`engine.law.analysis`: overlaps, gaps, windows, dead exemptions, repealed paragraphs).
Its result is plain data (the diagnostics and the analysis' account of what it covered), so it
is kept in the rulebook cache beside the checked rulebook (`Rulebook.keep_gate_result`), under
the same fingerprint and engine code digest, and read again instead of analysing anew.
"""
from __future__ import annotations

from engine.lang.errors import RulebookError
from engine.law import analysis
from engine.rulebook.rulebook import GateResult, Rulebook

__all__ = ["GateResult", "inspect", "require"]


def inspect(book: Rulebook) -> GateResult:
    """The gate's findings for a loaded rulebook: resolver problems, else the static analysis
    (kept from an earlier run of the same rulebook when there is one)."""
    if book.diagnostics:
        return GateResult(tuple(book.diagnostics), None)
    if book.gate_result is not None:
        return book.gate_result
    result = analysis.analyse(book.checked, book.program)
    found = GateResult(result.diagnostics, result)
    book.keep_gate_result(found)
    return found


def require(book: Rulebook) -> Rulebook:
    """The rulebook, if it passes the gate; else a `RulebookError` with every error."""
    errors = inspect(book).errors
    if errors:
        raise RulebookError(list(errors), book.sources, book.shown_as)
    return book
