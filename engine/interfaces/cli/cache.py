"""`paragraf cache info|clear`: the compiled-rulebook cache (`engine.rulebook.cache`)."""
from __future__ import annotations

import click

from engine.rulebook import cache as rulebook_cache
from engine.interfaces.cli.group import main


@main.group()
def cache() -> None:
    """The on-disk cache of checked rulebooks (PARAGRAF_CACHE=DIR moves it, PARAGRAF_CACHE=off switches it off)."""


@cache.command()
def info() -> None:
    """Where the cache is and which rulebooks it holds."""
    where = rulebook_cache.folder()
    if where is None:
        click.echo(f"cache: off ({rulebook_cache.ENV} switches it off)")
        return
    found = rulebook_cache.entries()
    click.echo(f"cache: {where}")
    click.echo(f"{len(found)} file(s), {sum(path.stat().st_size for path, _ in found):,} bytes")
    for path, header in found:
        described = (f"{header.get('fingerprint')}  engine {header.get('engine_version')}  "
                     f"python {header.get('python')}" if header else "not a cache file (will be ignored)")
        click.echo(f"  {path.name}  {described}")


@cache.command()
def clear() -> None:
    """Remove every cached rulebook; the next load parses and checks the files again."""
    where = rulebook_cache.folder()
    if where is None:
        click.echo("cache: off; nothing to clear")
        return
    click.echo(f"removed {rulebook_cache.clear()} file(s) from {where}")
