"""What the endpoints of one worker share: its rulebook, settings, evaluation pool and log."""
from __future__ import annotations

import attrs
from starlette.requests import Request

from engine.interfaces.service.decision_log import LogWriter
from engine.interfaces.service.running import Runner
from engine.interfaces.service.settings import Settings
from engine.rulebook import Rulebook


@attrs.define
class Service:
    """What the endpoints share in one worker (`app.state.service`)."""

    book: Rulebook
    settings: Settings
    runner: Runner
    log: LogWriter | None


def service_of(request: Request) -> Service:
    """The worker's `Service`, which `create_app` keeps in `app.state.service`."""
    service: Service = request.app.state.service
    return service
