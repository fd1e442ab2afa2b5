"""HTML layout of a report: one self-contained, printable page (inline CSS, no scripts, no
external assets), with the trace folded in `<details>` elements a reader can unfold."""
from __future__ import annotations

import functools
import types
from typing import TYPE_CHECKING

from engine.report.sentences import Report

if TYPE_CHECKING:
    import jinja2


@functools.cache  # Jinja2 is imported when a page is first rendered, not at every start-up
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("engine.report", "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=False, lstrip_blocks=False,
    )


def decision(report: Report) -> str:
    template = _environment().get_template("decision.html.j2")
    # The words go in as attributes, not a dict: in Jinja `w.values` on a dict is the dict's own
    # `values` method, and a word named like a dict method would print a bound-method repr.
    words = types.SimpleNamespace(**report.w)
    return template.render(r=report, w=words).lstrip() + "\n"
