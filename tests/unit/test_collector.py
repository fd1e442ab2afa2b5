"""The garbage collector in processes that decide case after case (engine.rulebook.collector)."""
from __future__ import annotations

import subprocess
import sys
import textwrap

from engine.rulebook import collector


def run_python(code: str) -> str:
    """`code` in a fresh interpreter (the collector's settings are process-wide), its output."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_run_restores_the_collector_it_found() -> None:
    printed = run_python("""
        import gc
        from engine.rulebook import collector
        before = gc.get_threshold()
        with collector.collected_rarely():
            inside = (gc.get_threshold()[0], gc.get_freeze_count() > 0)
        print(inside, gc.get_threshold() == before, gc.get_freeze_count())
    """)
    assert printed == f"({collector.YOUNG_THRESHOLD}, True) True 0"


def test_a_service_worker_sets_its_rulebook_aside() -> None:
    printed = run_python("""
        import gc
        from engine.interfaces.service.app import create_app, from_environment
        default = gc.get_threshold()
        create_app()
        library = (gc.get_threshold() == default, gc.get_freeze_count())
        from_environment()
        print(library, gc.get_threshold()[0], gc.get_freeze_count() > 0)
    """)
    assert printed == f"(True, 0) {collector.YOUNG_THRESHOLD} True"
