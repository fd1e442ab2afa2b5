"""The planner's reports as self-contained HTML pages (inline CSS and SVG, no scripts, no external
assets), in Danish or English: each chart with its numbers beside it as a table, for readers who
cannot see the chart and for those who want the figures. Same input, same bytes.
Entry points: `concentration`, `goals`, `exemptions`."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from engine.audit import exemption_report
from engine.planning import concentration as conc
from engine.planning import figures, pages
from engine.planning import goals as goal
from engine.planning.words import (
    NO_PLACES,
    WORDS,
    citation_order,
    decimal,
    group_name,
    mean,
    money,
    percent,
)

# One stylesheet for the three pages, inlined; printable, and the table wraps below the chart on a narrow screen.
STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 1.5rem auto; max-width: 62rem; padding: 0 1rem;
       color: #1a1a1a; line-height: 1.4; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.2rem; margin-top: 2rem; } h3 { font-size: 1rem; }
.pair { display: flex; flex-wrap: wrap; gap: 1.5rem; align-items: flex-start; }
.pair figure { margin: 0; flex: 0 1 30rem; min-width: 0; } .pair figure svg { width: 100%; height: auto; }
figcaption { font-size: 0.85rem; color: #444; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1rem; }
#lifted-table thead th { white-space: nowrap; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
th, td { border-bottom: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: right; }
th[scope=row], td.text, th.text { text-align: left; }
.note { font-size: 0.85rem; color: #444; }
@media print { .pair { display: block; } }
"""


def _render(template: str, lang: str, **values: Any) -> str:
    return pages.render(template, lang=lang, w=WORDS[lang], style=STYLE, **values)


def concentration(result: conc.Concentration, lang: str, places: Mapping[str, str] = NO_PLACES) -> str:
    """The concentration page; `places` names the municipalities by code."""
    groups = [_group_view(group, lang, places) for group in result.groups]
    return _render("concentration.html.j2", lang, groups=groups, chart=figures.lorenz(result.groups, lang, places),
                   lorenz_at=conc.LORENZ_AT, bad=len(result.bad))


def _group_view(group: conc.Group, lang: str, places: Mapping[str, str]) -> dict[str, Any]:
    return {
        "name": group_name(group.name, lang, places),
        "key": group.name, "citizens": len(group.persons), "total": money(group.total, lang),
        "gini": decimal(conc.rounded(group.gini, 4), lang),
        "segments": [{"percent": s.percent, "citizens": s.citizens, "cost": money(s.ore, lang),
                      "share": percent(conc.rounded(s.share, 3), lang), "mean": mean(s.benefits, lang),
                      "counts": conc.benefit_counts(s.benefits)} for s in group.segments],
        "lorenz": [percent(conc.rounded(group.lorenz_at(p), 3), lang) for p in conc.LORENZ_AT],
    }


def goals(result: goal.Goals, lang: str) -> str:
    years = []
    for key, year in (("baseline", result.baseline), ("follow_up", result.follow_up)):
        share = Fraction(year.target_ore, year.all_ore) if year.all_ore else Fraction(0)
        years.append({"label": WORDS[lang][key], "year": year.year, "target_citizens": year.target_citizens,
                      "target_cost": money(year.target_ore, lang), "all_citizens": year.all_citizens,
                      "all_cost": money(year.all_ore, lang), "share": percent(conc.rounded(share, 3), lang),
                      "exemptions": year.exemption_cases, "set_aside": year.set_aside})
    return _render("goals.html.j2", lang, years=years, target=len(result.target), cases=result.cases,
                   change=money(result.change, lang, sign=True))


def exemptions(report: exemption_report.UsageReport, lang: str) -> str:
    periods, rows = lifted_table(report)
    usages = [{"rule": u.rule, "title": u.title.get(lang, ""), "cases": u.cases, "citizens": len(u.case_ids)}
              for _, u in sorted(report.usages.items())]
    return _render("exemptions.html.j2", lang, periods=periods, rows=rows, usages=usages, cases=report.cases,
                   bad=len(report.bad), period=WORDS[lang][report.period], chart=figures.lifted(periods, rows, lang, report.period))


def lifted_table(report: exemption_report.UsageReport) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """The periods (sorted) and, per paragraph set aside (sorted), its count in each period, summed
    over exemptions and municipalities."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for usage in report.usages.values():
        for (_, period, _, _, cite), n in usage.lifted_by_place.items():
            counts[cite][period] += n
    periods = sorted({p for by_period in counts.values() for p in by_period})
    cites = sorted(counts, key=citation_order)
    return periods, [(cite, [counts[cite].get(p, 0) for p in periods]) for cite in cites]
