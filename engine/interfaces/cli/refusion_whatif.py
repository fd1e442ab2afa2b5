"""`paragraf refusion PAYMENTS --compare-with PROPOSAL`: refusion and co-financing per municipality
and month without and with a proposal, on standard output and as an HTML planning report."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from engine import rulebook
from engine.interfaces.cli.common import load_rulebook, report_bad_rows


def compare(payments_path: Path, proposal: str, base: tuple[str, ...], html_path: Path | None, fmt: str, lang: str,
            jobs: int, rules_dir: Path | None, bar: Any) -> None:
    """Print the comparison (text or JSON), write the HTML report if asked, then report bad rows."""
    from engine.planning import whatif, whatif_report

    book = load_rulebook(rules_dir)
    with bar(None, "persons", "what-if") as progress:
        comparison = whatif.compare_refusion(book, payments_path, proposal, base, jobs=jobs, progress=progress.update)
    about = {"fingerprint": book.fingerprint, "engine_version": rulebook.engine_version()}
    if html_path is not None:
        html_path.write_text(whatif_report.html(comparison, about, lang), encoding="utf-8")
    click.echo(whatif_report.json_text(comparison, about) if fmt == "json" else whatif_report.text(comparison, lang),
               nl=False)
    report_bad_rows([f"{payments_path}:{bad.line}: {bad.reason}" for bad in comparison.bad], len(comparison.bad),
                    "malformed row(s) skipped; the good rows were compared")
