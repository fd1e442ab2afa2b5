"""One person's staircase as an HTML page: `paragraf explain-week --format html`.

The page holds the week's explanation (`engine.refusion.explain_week`), a chart of the person's
place on the staircase and refusion rate week by week with each reset of the count (§ 6,
stk. 1) marked, and the same weeks as a table, in Danish or English. Reads only what the weekly
evaluation gave; nothing is computed here. Entry point: `html`.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from engine.planning import pages
from engine.refusion.explain_week import StairWeek
from engine.report import charts

WORDS = {
    "da": {"title": "Refusionstrappen for {p}", "week": "Uge (mandag)", "ordinal": "Berørt uge nr.",
           "refusion": "Refusionssats", "cofinancing": "Medfinansieringssats", "reset": "Opgørelsen starter forfra",
           "yes": "ja", "explained": "forklaret uge", "explanation": "Forklaring af ugen {w}",
           "chart": "Berørte uger og refusionssats for {p} uge for uge; nulstillinger er markeret",
           "caption": "Ugerne i figuren: berørte uger og uger, hvor opgørelsen starter forfra",
           "note": "En nulstilling (finansieringsloven § 6, stk. 1) betyder, at den næste berørte uge igen er uge 1 "
                   "på trappen (§ 5). Forklaringen er på engelsk."},
    "en": {"title": "The refusion staircase of {p}", "week": "Week (Monday)", "ordinal": "Affected week no.",
           "refusion": "Refusion rate", "cofinancing": "Co-financing rate", "reset": "The count starts again",
           "yes": "yes", "explained": "week explained", "explanation": "Explanation of the week {w}",
           "chart": "Affected weeks and refusion rate of {p} week by week; resets are marked",
           "caption": "The weeks of the chart: affected weeks and weeks in which the count starts again",
           "note": "A reset (finance act § 6, stk. 1) means the next affected week is week 1 on the staircase "
                   "again (§ 5)."},
}


def html(person: str, weeks: list[StairWeek], week: dt.date, explanation: str, lang: str = "da") -> str:
    """The page for `person`, with the week of `week` explained and highlighted."""
    w = WORDS[lang]
    shown = [s for s in weeks if s.ordinal or s.reset]
    rows = [{"monday": s.monday.isoformat(), "ordinal": s.ordinal or "", "reset": w["yes"] if s.reset else "",
             "refusion": _percent(s.refusion_rate, lang), "cofinancing": _percent(s.cofinancing_rate, lang),
             "explained": s.monday <= week < s.monday + dt.timedelta(days=7)} for s in shown]
    return pages.render("staircase.html.j2", w=w, lang=lang, person=person, rows=rows, explanation=explanation,
                        title=w["title"].format(p=person), heading=w["explanation"].format(w=week.isoformat()),
                        chart=_chart(person, weeks, week, lang) if weeks else "")


def _percent(rate: Decimal | None, lang: str) -> str:
    if rate is None:
        return ""
    text = format((rate * 100).normalize(), "f")
    return (text.replace(".", ",") if lang == "da" else text) + " %"


def _chart(person: str, weeks: list[StairWeek], week: dt.date, lang: str) -> str:
    """Two panels over the same weeks: the affected week's number, and the refusion rate; resets as lines."""
    w = WORDS[lang]
    mondays = [s.monday for s in weeks]
    with charts.figure(7.0, 4.2) as fig:
        top, bottom = fig.subplots(2, 1, sharex=True)
        top.step(mondays, [s.ordinal or float("nan") for s in weeks], where="post", gid="ordinal")
        top.set_ylabel(w["ordinal"])
        bottom.step(mondays, [float(s.refusion_rate * 100) if s.refusion_rate is not None else float("nan")
                              for s in weeks], where="post", color="tab:green", gid="refusion-rate")
        bottom.set_ylabel(f"{w['refusion']} (%)")
        bottom.set_ylim(0, 100)
        for number, reset in enumerate(s.monday for s in weeks if s.reset):
            for ax in (top, bottom):
                ax.axvline(reset, color="tab:red", linestyle="--", linewidth=1, gid=f"reset-{number}",
                           label=w["reset"] if ax is top and number == 0 else None)
        for ax in (top, bottom):
            ax.axvspan(week - dt.timedelta(days=week.weekday()), week + dt.timedelta(days=7 - week.weekday()),
                       color="tab:orange", alpha=0.35, gid="explained-week",
                       label=w["explained"] if ax is top else None)
        top.legend(loc="upper left", frameon=False, fontsize=7)
        return charts.svg(fig, w["chart"].format(p=person))
