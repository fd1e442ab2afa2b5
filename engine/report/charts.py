"""Charts as inline SVG, byte-identical from run to run, for the self-contained HTML reports.

Charts are drawn with matplotlib's object API (no pyplot, so no global figure state and no
display backend). Determinism needs three settings: a fixed hash salt for the SVG element ids,
no creation date in the metadata, and text kept as text (`svg.fonttype: none`), which also
keeps the labels readable by screen readers and searchable in the page. Entry point: `svg`.
"""
from __future__ import annotations

import html
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import matplotlib
from matplotlib.figure import Figure

_SETTINGS: dict[Any, Any] = {  # matplotlib types its keys as a Literal of every rc name
    "svg.hashsalt": "paragraf",
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@contextmanager
def figure(width: float = 7.0, height: float = 3.2) -> Iterator[Figure]:
    """A new figure (inches) drawn under the deterministic settings; render it with `svg`."""
    with matplotlib.rc_context(_SETTINGS):
        yield Figure(figsize=(width, height), layout="constrained")


def svg(fig: Figure, title: str) -> str:
    """The figure as an `<svg>` element (no XML prolog), titled for assistive technology."""
    with matplotlib.rc_context(_SETTINGS):
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Title": title})
    text = buffer.getvalue()
    start = text.index("<svg")
    label = html.escape(title, quote=True)
    return text[start:].replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)


__all__ = ["figure", "svg"]
