"""Errors and diagnostics. Every problem names a category and at least one span."""
from __future__ import annotations

import os
from typing import Iterable

import attrs

from engine.lang.source import SourceCache, Span

CATEGORIES = (
    "syntax",       # an expression or citation does not parse
    "schema",       # a rule file, legal reference file or case has the wrong shape
    "name",         # an unknown or duplicate name
    "type",         # operands or arguments of the wrong type
    "bound",        # arithmetic that may outgrow exact decimal numbers
    "citation",     # a legal citation that does not resolve
    "cycle",        # rules that depend on each other
    "conflict",     # two definitions of one value that both apply
    "exemption",    # an exemption that lifts nothing, or can never apply
    "overlap",      # two definitions of a value that apply to the same case on the same day
    "gap",          # a value declared total with no definition for some case on some day
    "window",       # a rule that ends while its act goes on, with nothing taking over
    "case",         # a case file that does not fit the inputs
    "evaluation",   # a failure while evaluating a case
)


@attrs.frozen
class Diagnostic:
    """One problem found in a rulebook or a case, with where and how to fix it."""

    category: str
    message: str
    spans: tuple[Span, ...] = ()
    hint: str | None = None
    rule: str | None = None
    severity: str = "error"

    @property
    def span(self) -> Span | None:
        return self.spans[0] if self.spans else None

    def sort_key(self) -> tuple[str, int, int, str]:
        span = self.span
        return (span.path, span.line, span.col, self.message) if span else ("", 0, 0, self.message)


class EngineError(Exception):
    """Base of every error paragraf raises on purpose; carries its diagnostics."""

    category = "evaluation"
    exit_code = 2

    def __init__(self, diagnostics: Iterable[Diagnostic] | str) -> None:
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic(self.category, diagnostics)]
        self.diagnostics = tuple(diagnostics)
        super().__init__("; ".join(d.message for d in self.diagnostics))


class RuleSyntaxError(EngineError):
    category = "syntax"


class RuleFileError(EngineError):
    category = "schema"


class RulebookError(EngineError):
    """The rulebook has problems (`paragraf check` findings); `sources` can quote their lines."""

    category = "resolution"
    exit_code = 1

    def __init__(self, diagnostics: Iterable[Diagnostic] | str, sources: SourceCache | None = None,
                 root: str | None = None) -> None:
        super().__init__(diagnostics)
        self.sources, self.root = sources, root


class CaseError(EngineError):
    category = "case"


class EvaluationError(EngineError):
    category = "evaluation"


def render_diagnostic(diagnostic: Diagnostic, sources: SourceCache | None = None, root: str | None = None) -> str:
    """`path:line:col: error[category]: message`, the source line, a caret under the span, and the hint.

    `root` is the rulebook folder as the user named it; paths are shown below it.
    """
    sources = sources or SourceCache()
    span = diagnostic.span

    def shown(other: Span) -> str:
        return f"{os.path.normpath(os.path.join(root, other.path)) if root else other.path}:{other.line}:{other.col}"

    where = f"{shown(span)}: " if span else ""
    lines = [f"{where}{diagnostic.severity}[{diagnostic.category}]: {diagnostic.message}"]
    if span:
        text = sources.line(span.path, span.line)
        if text is not None:
            width = (span.end_col - span.col) if span.end_line == span.line else len(text) - span.col + 1
            gutter = " " * len(str(span.line))
            lines.append(f" {span.line} | {text}")
            lines.append(f" {gutter} | {' ' * (span.col - 1)}{'^' * max(1, width)}")
    lines += [f"   note: see also {shown(other)}" for other in diagnostic.spans[1:]]
    suffix = f"   (rule {diagnostic.rule})" if diagnostic.rule else ""
    if diagnostic.hint or suffix:
        lines.append(f"   hint: {diagnostic.hint or ''}{suffix}".rstrip())
    return "\n".join(lines)
