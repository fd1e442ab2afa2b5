"""The planner's reports in Danish and English: their words, and numbers written the way each
language writes them (Danish: 1.234.567,89 kr and 30,1 %; English: 1,234,567.89 kr and 30.1 %)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any

WORDS = {
    "da": {
        "concentration": "Udgiftskoncentration", "all": "alle kommuner", "municipality": "kommune",
        "citizens": "borgere", "gross_cost": "bruttoudgift til ydelser", "top": "dyreste",
        "share": "andel af udgiften", "benefits": "forskellige ydelser pr. borger",
        "benefits_mean": "gns. antal ydelser", "gini": "Gini-koefficient",
        "lorenz": "Lorenzkurve", "lorenz_axis_x": "andel af borgerne (billigste først)",
        "lorenz_axis_y": "andel af udgiften", "equality": "lige fordeling",
        "lorenz_table": "Andel af udgiften, som de billigste borgere står for",
        "of_citizens": "af borgerne", "or_more": "eller flere",
        "bad_rows": "betalingsrækker kunne ikke læses og er udeladt",
        "ranks": ("Borgerne rangordnes efter bruttoudgift, størst først; ved lige udgift efter borger-id. "
                  "De dyreste p % er de første ⌈n·p/100⌉ borgere. Andele er beregnet eksakt i øre og afrundet "
                  "halvt op til visning."),
        "goals": "Opfølgningsmål 5 og 10", "baseline": "Baseline", "follow_up": "Opfølgning", "year": "år",
        "goal_5": "Mål 5: udgifter til målgruppen", "goal_10": "Mål 10: hvilke dele af loven blev sat ud af kraft",
        "target_group": "målgruppe (borgere med kompleks sag)", "target_cost": "udgift til målgruppen",
        "all_cost": "udgift til alle borgere", "target_share": "målgruppens andel",
        "change": "ændring i udgiften til målgruppen",
        "exemption": "fritagelse", "cases": "sager", "act": "lov", "paragraph": "paragraf", "times": "gange",
        "none_set_aside": "Ingen bestemmelser blev sat ud af kraft.",
        "exemptions": "Brug af fritagelser", "quarter": "kvartal", "lifted_chart": "Tilsidesatte bestemmelser over tid",
        "lifted_axis": "gange sat ud af kraft", "total": "i alt", "evaluated": "sager vurderet",
        "unreadable": "kunne ikke læses", "month": "måned",
    },
    "en": {
        "concentration": "Cost concentration", "all": "all municipalities", "municipality": "municipality",
        "citizens": "citizens", "gross_cost": "gross benefit costs", "top": "costliest",
        "share": "share of the costs", "benefits": "different benefits per citizen",
        "benefits_mean": "mean benefits", "gini": "Gini coefficient",
        "lorenz": "Lorenz curve", "lorenz_axis_x": "share of citizens (least costly first)",
        "lorenz_axis_y": "share of the costs", "equality": "equal distribution",
        "lorenz_table": "Share of the costs held by the least costly citizens",
        "of_citizens": "of citizens", "or_more": "or more",
        "bad_rows": "payment rows could not be read and were left out",
        "ranks": ("Citizens are ranked by gross cost, largest first; equal costs by person id. The costliest "
                  "p % are the first ⌈n·p/100⌉ citizens. Shares are computed exactly in øre and rounded half up "
                  "for display."),
        "goals": "Follow-up goals 5 and 10", "baseline": "Baseline", "follow_up": "Follow-up", "year": "year",
        "goal_5": "Goal 5: costs for the target group", "goal_10": "Goal 10: which parts of the law were set aside",
        "target_group": "target group (citizens with a complex case)", "target_cost": "costs for the target group",
        "all_cost": "costs for all citizens", "target_share": "target group's share",
        "change": "change in the costs for the target group",
        "exemption": "exemption", "cases": "cases", "act": "act", "paragraph": "paragraph", "times": "times",
        "none_set_aside": "No provision was set aside.",
        "exemptions": "Exemption usage", "quarter": "quarter", "lifted_chart": "Provisions set aside over time",
        "lifted_axis": "times set aside", "total": "total", "evaluated": "cases evaluated",
        "unreadable": "could not be read", "month": "month",
    },
}


NO_PLACES: Mapping[str, str] = MappingProxyType({})  # no municipality names: codes only


def group_name(group: str, lang: str, places: Mapping[str, str]) -> str:
    """A group's heading: all municipalities, or a municipality by code and name (kommune 217 Helsingør)."""
    if group == "all":
        return WORDS[lang]["all"]
    return f"{WORDS[lang]['municipality']} {group} {places.get(group, '')}".rstrip()


def money(ore: int, lang: str, sign: bool = False) -> str:
    """Øre as kroner with two decimals and grouped thousands, e.g. 1.234,50 kr (da); with `sign`, +/- always."""
    return grouped(Decimal(ore).scaleb(-2), lang, sign) + " kr"


def grouped(kroner: Any, lang: str, sign: bool = False) -> str:
    """A kroner amount (a Decimal) with two decimals and grouped thousands: 1.234,50 (da), 1,234.50 (en)."""
    text = f"{kroner:{'+' if sign else ''},.2f}"
    return _danish(text) if lang == "da" else text


def percent(share: Decimal, lang: str) -> str:
    """A share already rounded (e.g. to 0.001) as a percentage with one decimal: 30,1 % (da)."""
    text = f"{share * 100:.1f}"
    return (_danish(text) if lang == "da" else text) + " %"


def decimal(value: Decimal, lang: str) -> str:
    return _danish(str(value)) if lang == "da" else str(value)


def mean(values: tuple[int, ...], lang: str) -> str:
    """The mean of whole numbers to one decimal, rounded half up."""
    if not values:
        return "-"
    tenths = Fraction(sum(values) * 10, len(values))
    shown = Decimal(int(tenths + Fraction(1, 2))).scaleb(-1)
    return decimal(shown, lang)


def citation_order(cite: str) -> list[Any]:
    """A sort key that puts § 5 before § 10: the numbers in a citation compared as numbers."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", cite)]


def _danish(text: str) -> str:
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
