"""`paragraf serve`: the HTTP API (`engine.interfaces.service`) on uvicorn."""
from __future__ import annotations

import os
from pathlib import Path

import attrs
import click

from engine.interfaces.cli.common import RULES_OPTION, choose_rulebook, guarded
from engine.interfaces.cli.group import main
from engine.rulebook import gate, load


@main.command()
@RULES_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on (0.0.0.0: every interface).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="The port to listen on.")
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Append every decision served to this decision log (SQLite, hash-chained; created if needed).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Worker processes; each loads the rulebook once (from the cache).")
@guarded
def serve(rules_dir: Path | None, host: str, port: int, log_path: Path | None, workers: int) -> None:
    """Serve the HTTP API: decisions, refusion, rules and acts under /v1, OpenAPI at /openapi.json,
    interactive docs at /docs. Stop it with Ctrl-C."""
    import uvicorn  # the web stack is imported by this command only, so every other starts without it

    from engine.interfaces.service import listening, settings as service_settings

    choice = choose_rulebook(rules_dir)
    gate.require(load(choice.path))  # refuse a rulebook with errors before any worker starts; warms the cache
    settings = attrs.evolve(service_settings.from_environment(),  # bounds an operator set stay as set
                            rules=choice.path.resolve() if choice.path is not None else None,
                            log=log_path.resolve() if log_path is not None else None)
    os.environ.update(settings.to_environment())  # what each worker's `from_environment` reads
    click.echo(f"paragraf: serving on http://{host}:{port} with {workers} worker(s); docs at /docs", err=True)
    options = dict(factory=True, host=host, port=port, workers=workers, log_level="warning", access_log=False)
    if workers > 1 and listening.available():  # a listening socket per worker, so that connections spread
        listening.run(uvicorn.Config("engine.interfaces.service.app:from_environment", **options))  # type: ignore[arg-type]
    else:
        uvicorn.run("engine.interfaces.service.app:from_environment", **options)  # type: ignore[arg-type]
