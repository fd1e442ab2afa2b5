"""`paragraf cache info|clear`: the compiled-rulebook cache (`engine.rulebook.cache`) and the native
refusion kernels compiled from it (`engine.refusion.native`)."""
from __future__ import annotations

import click

from engine.rulebook import cache as rulebook_cache
from engine.interfaces.cli.group import main


@main.group()
def cache() -> None:
    """The on-disk cache of checked rulebooks (PARAGRAF_CACHE=DIR moves it, PARAGRAF_CACHE=off switches it off)
    and of the native refusion kernels compiled from them."""


@cache.command()
def info() -> None:
    """Where the cache is, which rulebooks it holds, and the native kernels compiled."""
    _show_rulebooks()
    _show_kernels()


@cache.command()
def clear() -> None:
    """Remove every cached rulebook and native kernel; the next load parses and checks the files
    again, and the next refusion compiles its kernel again."""
    from engine.refusion import native  # not at start-up: it brings the refusion evaluators

    where = rulebook_cache.folder()
    click.echo("cache: off; no rulebook to clear" if where is None else f"removed {rulebook_cache.clear()} file(s) from {where}")
    click.echo(f"removed {native.clear_kernels()} kernel file(s) from {native.cache_folder()}")


def _show_rulebooks() -> None:
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


def _show_kernels() -> None:
    from engine.refusion import native

    kernels = native.kernel_files()
    sources = [path for path in kernels if path.suffix == ".py"]
    click.echo(f"native refusion kernels: {native.cache_folder()}")
    click.echo(f"{len(sources)} kernel(s) in {len(kernels)} file(s), {sum(path.stat().st_size for path in kernels):,} bytes "
               "(compiled once per rulebook and machine)")
