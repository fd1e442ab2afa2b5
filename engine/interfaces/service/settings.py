"""What a service is started with, and how it reaches every worker: through the environment,
since `uvicorn --workers N` starts each worker from an import string, not from our objects."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

import attrs

PREFIX = "PARAGRAF_SERVE_"
MiB = 1 << 20


@attrs.frozen
class Settings:
    """The rulebook (None: chosen as the CLI chooses it), the decision log, and the bounds."""

    rules: Path | None = None
    log: Path | None = None
    max_body_bytes: int = 1 * MiB          # one case, a comparison
    max_batch_bytes: int = 64 * MiB        # a batch of cases, a payment file
    case_seconds: float = 10.0             # one case's evaluation
    refusion_seconds: float = 120.0        # one payment file's refusion
    threads: int = 8                       # evaluations running at once in one worker
    queue: int = 64                        # evaluations waiting for a thread in one worker; more: 503

    def to_environment(self) -> dict[str, str]:
        """The settings as environment variables, for the workers `from_environment` starts."""
        return {PREFIX + field.name.upper(): str(value) for field in attrs.fields(Settings)
                if (value := getattr(self, field.name)) is not None}


def from_environment(environ: Mapping[str, str] | None = None) -> Settings:
    """The settings `to_environment` wrote (absent variables keep their defaults)."""
    environ = os.environ if environ is None else environ
    given: dict[str, object] = {}
    for field in attrs.fields(Settings):
        text = environ.get(PREFIX + field.name.upper())
        if text is not None:
            given[field.name] = _parse(field.name, text)
    return Settings(**given)  # type: ignore[arg-type]


def _parse(name: str, text: str) -> object:
    if name in ("rules", "log"):
        return Path(text)
    return float(text) if name.endswith("seconds") else int(text)
