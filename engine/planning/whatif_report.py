"""A refusion what-if for people: text and JSON on standard output, and an HTML planning report.

Reads only the comparison (`engine.planning.whatif.RefusionComparison`); nothing is computed
again. The HTML report has, for each municipality, a chart of refusion and co-financing per
month without and with the proposal (`engine.report.charts`, inline SVG) and the same numbers
beside it as a table, in Danish or English. Entry points: `text`, `json_text`, `html`.
"""
from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from engine.planning import pages, words
from engine.planning.whatif import SIDES, RefusionComparison
from engine.report import charts

KINDS = ("refusion", "cofinancing")
WORDS = {
    "da": {"title": "Refusion og medfinansiering med og uden forslag", "proposal": "Forslag",
           "municipality": "Kommune", "month": "Måned", "refusion": "Refusion", "cofinancing": "Medfinansiering",
           "without": "uden", "with": "med", "difference": "forskel", "total": "I alt", "kr": "kr.",
           "rulebook": "Regelsæt", "none": "Ingen refusion eller medfinansiering i betalingerne.",
           "chart": "Refusion og medfinansiering pr. måned i kommune {m}, uden og med forslaget",
           "caption": "Tallene bag figuren for kommune {m} (kr.)",
           "note": "Beløb i kroner. Forskel = med forslag minus uden. En uge, der går over to måneder, "
                   "fordeles efter dagene (BEK 14/2026 § 23, stk. 2)."},
    "en": {"title": "Refusion and co-financing with and without the proposal", "proposal": "Proposal",
           "municipality": "Municipality", "month": "Month", "refusion": "Refusion", "cofinancing": "Co-financing",
           "without": "without", "with": "with", "difference": "difference", "total": "Total", "kr": "DKK",
           "rulebook": "Rulebook", "none": "No refusion or co-financing in the payments.",
           "chart": "Refusion and co-financing per month in municipality {m}, without and with the proposal",
           "caption": "The numbers behind the chart for municipality {m} (DKK)",
           "note": "Amounts in kroner. Difference = with the proposal minus without. A week spanning two "
                   "months is split by its days (BEK 14/2026 § 23, stk. 2)."},
}


def text(comparison: RefusionComparison, lang: str = "da") -> str:
    """A fixed-width table: one line per municipality and month, and a total per municipality."""
    w = WORDS[lang]
    heads = [w["municipality"], w["month"]] + [f"{w[k]} {w[s]}" for k in KINDS for s in SIDES]
    lines = [f"{w['proposal']}: {comparison.proposal}", ""]
    rows: list[list[str]] = [[str(r["municipality"] or "-"), str(r["month"])]
                             + [words.grouped(r[f"{k}_{s}"], lang) for k in KINDS for s in SIDES]
                             for r in comparison.records()]
    for municipality, group in _by_municipality(comparison).items():
        rows.append([municipality, w["total"]] + [words.grouped(_sum(group, f"{k}_{s}"), lang) for k in KINDS for s in SIDES])
    rows.sort(key=lambda row: (row[0], row[1] == w["total"], row[1]))
    widths = [max(len(str(cell)) for cell in column) for column in zip(heads, *rows)]
    for row in [heads, *rows]:
        lines.append("  ".join(c.ljust(n) if i < 2 else c.rjust(n) for i, (c, n) in enumerate(zip(row, widths))).rstrip())
    return "\n".join(lines if comparison.table.num_rows else lines[:2] + [w["none"]]) + "\n"


def json_text(comparison: RefusionComparison, rulebook: dict[str, str]) -> str:
    """`paragraf/refusion-comparison@1`: the proposal, the rulebook, and the rows with decimal kroner strings."""
    rows = [{key: (f"{value:.2f}" if isinstance(value, Decimal) else value) for key, value in row.items()}
            for row in comparison.records()]
    document = {"schema": "paragraf/refusion-comparison@1", "proposal": comparison.proposal, "rulebook": rulebook,
                "rows": rows}
    return json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def html(comparison: RefusionComparison, rulebook: dict[str, str], lang: str = "da") -> str:
    """The planning report: per municipality a chart and its table."""
    w = WORDS[lang]
    sections = [{"municipality": m, "chart": _chart(m, group, lang), "caption": w["caption"].format(m=m),
                 "rows": [_cells(r, lang) for r in group],
                 "total": _cells({"month": w["total"], **{f"{k}_{s}": _sum(group, f"{k}_{s}") for k in KINDS for s in SIDES}}, lang)}
                for m, group in _by_municipality(comparison).items()]
    return pages.render("whatif.html.j2", w=w, lang=lang, proposal=comparison.proposal, rulebook=rulebook,
                        sections=sections, kinds=KINDS, sides=SIDES)


def _by_municipality(comparison: RefusionComparison) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in comparison.records():
        groups.setdefault(str(row["municipality"] or "-"), []).append(row)
    return groups


def _sum(rows: list[dict[str, Any]], column: str) -> Decimal:
    return sum((row[column] for row in rows), Decimal("0.00"))


def _cells(row: dict[str, Any], lang: str) -> dict[str, Any]:
    return {"month": row["month"], **{f"{k}_{s}": words.grouped(row[f"{k}_{s}"], lang) for k in KINDS for s in SIDES},
            "negative": {f"{k}_{s}": row[f"{k}_{s}"] < 0 for k in KINDS for s in SIDES}}


def _chart(municipality: str, rows: list[dict[str, Any]], lang: str) -> str:
    """Two panels, refusion and co-financing, each month's amount without (solid) and with (dashed)."""
    w = WORDS[lang]
    months = [str(r["month"]) for r in rows]
    with charts.figure(7.0, 3.4) as fig:
        axes = fig.subplots(1, 2, sharex=True)
        for ax, kind in zip(axes, KINDS):
            for side, style in (("without", "-"), ("with", "--")):
                ax.plot(range(len(months)), [float(r[f"{kind}_{side}"]) for r in rows], style, marker="o",
                        markersize=3, label=f"{w[side]} {w['proposal'].lower()}", gid=f"{kind}-{side}")
            ax.set_title(f"{w[kind]} ({w['kr']})")
            ax.set_xticks(range(len(months)), months, rotation=60, fontsize=7)
            ax.yaxis.set_major_formatter(lambda value, _: words.grouped(Decimal(round(value)), lang)[:-3])
            amounts = [float(r[f"{kind}_{side}"]) for r in rows for side in ("without", "with")]
            ax.set_ylim(min(0.0, *amounts) * 1.08, max(1.0, *amounts) * 1.08)  # an all-zero panel keeps its scale
        axes[0].legend(loc="best", frameon=False)
        return charts.svg(fig, w["chart"].format(m=municipality))
