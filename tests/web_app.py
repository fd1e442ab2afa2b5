"""A minimal application around the web page's router, as the service's app factory sets it up:
the rulebook, the decision log (or None) and the rulebook's label on `app.state`."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

import engine
from engine.interfaces.service.web import router

RULES_LABEL = "bundled (tests)"


def make_app(book: engine.Rulebook, log: Path | None) -> FastAPI:
    app = FastAPI()
    app.state.rulebook, app.state.log, app.state.rules_label = book, log, RULES_LABEL
    app.include_router(router)
    return app
