"""The planner's charts, drawn with `engine.report.charts` (deterministic inline SVG): the Lorenz
curve of each group, and the provisions set aside per quarter. Every element a test or a reader
looks for carries a gid (`lorenz-<group>`, `equality`, `lifted-<provision>-<period>`, by their order in the table), which matplotlib writes as
the SVG element's id."""
from __future__ import annotations

from collections.abc import Mapping

import matplotlib
import numpy as np

from engine.planning import concentration as conc
from engine.planning.words import NO_PLACES, WORDS, group_name
from engine.report import charts

POINTS = 1000  # at most this many segments per curve: enough for the eye, a small page for big caseloads


def lorenz(groups: tuple[conc.Group, ...], lang: str, places: Mapping[str, str] = NO_PLACES) -> str:
    w = WORDS[lang]
    with charts.figure(5.2, 4.2) as fig:
        axes = fig.add_subplot()
        axes.plot([0, 1], [0, 1], color="#888888", linestyle="--", linewidth=1, label=w["equality"], gid="equality")
        for group in groups:
            x, y = _thinned(*group.lorenz())
            axes.plot(x, y, linewidth=1.6 if group.name == conc.ALL else 1.1, label=group_name(group.name, lang, places),
                      gid=f"lorenz-{group.name}")
        axes.set(xlim=(0, 1), ylim=(0, 1), xlabel=w["lorenz_axis_x"], ylabel=w["lorenz_axis_y"])
        axes.xaxis.set_major_formatter(lambda v, _: f"{v * 100:.0f} %")
        axes.yaxis.set_major_formatter(lambda v, _: f"{v * 100:.0f} %")
        axes.set_aspect("equal")
        axes.legend(loc="upper left", frameon=False)
        return charts.svg(fig, w["lorenz"])


def _thinned(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every point of a small curve; of a large one, POINTS + 1 evenly spaced points on it."""
    if len(x) <= POINTS + 1:
        return x, y
    keep = np.unique(np.linspace(0, len(x) - 1, POINTS + 1).round().astype(np.int64))
    return x[keep], y[keep]


def lifted(periods: list[str], rows: list[tuple[str, list[int]]], lang: str, period: str = "quarter") -> str:
    """Stacked bars: for each period (a month, quarter or year), how often each provision (row label) was set aside."""
    w = WORDS[lang]
    with charts.figure(7.0, 3.6) as fig:
        axes = fig.add_subplot()
        bottom = np.zeros(len(periods), np.int64)
        colours = [matplotlib.colormaps["tab20"](i) for i in range(20)]  # one per provision, as far as they go
        for n, (label, counts) in enumerate(rows):
            bars = axes.bar(periods, counts, bottom=bottom, label=label, color=colours[n % len(colours)])
            for i, bar in enumerate(bars):  # one id per bar: ids are unique in the page
                bar.set_gid(f"lifted-{n}-{i}")
            bottom += np.array(counts, np.int64)
        axes.set(xlabel=w[period], ylabel=w["lifted_axis"])
        axes.tick_params(axis="x", labelrotation=45)
        if rows:
            axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=7)
        return charts.svg(fig, w["lifted_chart"])
