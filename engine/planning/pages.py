"""The planning pages' shared layout: one Jinja environment over `engine/planning/templates/`.

Pages are self-contained (inline CSS and SVG, no scripts, no external assets). Entry point: `render`.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2


@functools.cache  # Jinja2 is imported when a page is first rendered, not at every start-up
def _environment() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("engine.planning", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined)


def render(template: str, **context: Any) -> str:
    """The page `template` filled in, ending in one newline."""
    return _environment().get_template(template).render(**context).strip() + "\n"

