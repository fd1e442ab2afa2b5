"""HTML layout of a report: one self-contained, printable page (inline CSS, no scripts, no
external assets), with the trace folded in `<details>` elements a reader can unfold."""
from __future__ import annotations

import jinja2

from engine.report.sentences import Report

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("engine.report", "templates"),
    autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=False, lstrip_blocks=False,
)


def decision(report: Report) -> str:
    template = _ENVIRONMENT.get_template("decision.html.j2")
    return template.render(r=report, w=report.w).lstrip() + "\n"
