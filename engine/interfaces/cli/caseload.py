"""`paragraf eval CASES --out OUT [--jobs N] [--dask ADDRESS]`: a whole caseload in one command."""
from __future__ import annotations

import datetime as dt
import functools
import sys
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar

import click

from engine import rulebook
from engine.decide import casetable
from engine.rulebook import collector, gate
from engine.rulebook.caseload import run
from engine.rulebook.caseload.rows import Outcome

T = TypeVar("T")


class PathOrUrl(click.Path):
    """An existing local path, or an fsspec URL (`s3://…`, `gs://…`) left for the reader to open."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "://" in value:
            return value
        return super().convert(value, param, ctx)


def caseload_options(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed([
        click.option("--out", "out", help="Where a caseload's decisions go: FILE.jsonl (or - for stdout), "
                                          "or a folder for the Parquet tables cases.parquet and obligations.parquet."),
        click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Decide a caseload in this many processes."),
        click.option("--dask", "scheduler", metavar="ADDRESS",
                     help="Decide a Parquet caseload on this Dask scheduler (tcp://host:8786)."),
    ]):
        command = option(command)
    return command


def eval_caseload(cases: Path, out: str, jobs: int, scheduler: str | None, as_of: dt.date | None,
                  proposals: tuple[str, ...], rules_dir: Path | None, known_on: dt.date | None = None) -> None:
    """Decide every case of CASES into OUT; bad rows on stderr with their row and field; exit 1 if any.
    With `known_on`, every case is decided on the facts recorded by that day."""
    book = gate.require(rulebook.load(rules_dir))  # the same gate as one case
    settings = run.Settings.of(book, out, as_of, proposals, known_on)
    if scheduler is not None or settings.kind == "parquet" or casetable.is_table(cases):
        # Arrow's default pool faults freed pages in again batch after batch; on Dask this process
        # only gathers the workers' tables (bench/README.md, "Dask memory")
        run.system_allocator()
    if scheduler is not None:
        from engine.rulebook.caseload import dask

        summary = dask.evaluate(str(cases), out, scheduler, settings, on_bad=report_bad,
                                progress=functools.partial(progress_bar, unit=" partitions"))
    else:
        with collector.collected_rarely():
            summary = run.evaluate_caseload(book, cases, out, settings, jobs, on_bad=report_bad, progress=progress_bar,
                                            slice_progress=functools.partial(progress_bar, unit=" slices"))
    click.echo(f"{summary.cases} case(s) decided, {summary.bad} bad row(s)" + ("" if out == "-" else f" -> {out}"),
               err=True)
    if summary.bad:
        sys.exit(1)


def report_bad(item: Outcome) -> None:
    for problem in item.problems:
        hint = f" ({problem.hint})" if problem.hint else ""
        click.echo(f"{item.source}: error[{problem.category}]: {problem.message}{hint}", err=True)


def progress_bar(items: Iterator[T], unit: str = " cases") -> Iterator[T]:
    """A progress bar on stderr when it is a terminal; the items (outcomes, partitions) pass through unchanged."""
    from tqdm import tqdm

    return iter(tqdm(items, unit=unit, disable=not sys.stderr.isatty(), file=sys.stderr))


def refusion_on_dask(payments: str, out: Path | None, proposals: tuple[str, ...], rules_dir: Path | None,
                     scheduler: str, writer: Any) -> None:
    """`paragraf refusion PAYMENTS --dask ADDRESS`: partitions by person, tables written in partition order."""
    from engine.rulebook.caseload import refusion

    if out is None:
        raise click.UsageError("--dask: name the per-week table with --out (.csv or .parquet)")
    book = rulebook.load(rules_dir)
    book.proposals(proposals)  # unknown proposals are refused here, before the cluster is asked
    settings = run.Settings.of(book, str(out), None, proposals)
    parts = refusion.refusion(str(payments), scheduler, settings, write=writer.write)
    writer.close()
    bad = [(part.name, line, reason) for part in parts for line, reason in part.bad]
    for name, line, reason in bad:
        click.echo(f"{name}:{line}: {reason}", err=True)
    if bad:
        click.echo(f"paragraf: {len(bad)} malformed row(s) skipped", err=True)
        sys.exit(1)
