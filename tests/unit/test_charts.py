"""The SVG charts are deterministic and self-contained."""
from __future__ import annotations

import subprocess
import sys

from engine.report import charts

DRAW = """
from engine.report import charts
with charts.figure() as fig:
    ax = fig.add_subplot()
    ax.plot([1, 2, 3], [4, 1, 7], label="refusion")
    ax.set_title("Refusion pr. måned")
    ax.legend()
    print(charts.svg(fig, "Refusion pr. måned"))
"""


def draw(seed: str) -> str:
    env = {"PYTHONHASHSEED": seed, "PATH": ""}
    return subprocess.run([sys.executable, "-c", DRAW], capture_output=True, text=True, check=True, env=env).stdout


def test_the_same_chart_is_byte_identical_across_processes() -> None:
    assert draw("1") == draw("2")


def test_the_chart_is_inline_svg_with_its_title_and_text_kept_as_text() -> None:
    with charts.figure() as fig:
        fig.add_subplot().bar(["jan", "feb"], [3, 5])
        out = charts.svg(fig, "Medfinansiering")
    assert out.startswith('<svg role="img" aria-label="Medfinansiering" ')
    assert ">feb<" in out or "feb</text>" in out  # tick labels are text, not glyph paths
    assert "<?xml" not in out and 'href="http' not in out  # nothing fetched from elsewhere
