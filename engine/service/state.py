"""What the endpoints of one worker share: its rulebook, settings, evaluation pool and log."""
from __future__ import annotations

import threading

import attrs
from starlette.requests import Request

from engine.rulebook import Rulebook
from engine.service import rulebook_data
from engine.service.decision_log import LogWriter
from engine.service.running import Runner
from engine.service.settings import Settings


@attrs.define
class Service:
    """What the endpoints share in one worker (`app.state.service`)."""

    book: Rulebook
    settings: Settings
    runner: Runner
    log: LogWriter | None
    _scenarios: dict[str, tuple[str, ...]] | None = None
    _lock: threading.Lock = attrs.field(factory=threading.Lock)

    def scenarios(self) -> dict[str, tuple[str, ...]]:
        """Rule id → the scenarios that check it (the rulebook's `tests/scenarios`), read once, when first asked."""
        with self._lock:
            if self._scenarios is None:
                folder = self.book.rules_dir.parent / "tests" / "scenarios"
                self._scenarios = rulebook_data.scenarios_by_rule(self.book, folder)
            return self._scenarios


def service_of(request: Request) -> Service:
    """The worker's `Service`, which `create_app` keeps in `app.state.service`."""
    service: Service = request.app.state.service
    return service
