"""Renders decisions, traces and diagnostics. Reads recorded data only; computes nothing.

Decision reports (text, Markdown, HTML, JSON; Danish and English) live in `engine.report`;
this module keeps the entry points the CLI and `Decision.explain` use, and the diagnostics.
"""
from __future__ import annotations

import os

from engine import report
from engine.decision import Decision
from engine.errors import Diagnostic
from engine.source import SourceCache, Span

FORMATS = report.FORMATS
WORDS = report.WORDS


def render(decision: Decision, rule_id: str | None = None, format: str = "text", lang: str = "da") -> str:
    """The whole decision, or the part of it about one rule (see `engine.report`)."""
    return report.render(decision, rule_id, format, lang)


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
