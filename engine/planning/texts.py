"""The planner's reports as plain text (Danish or English): cost concentration and the follow-up goals."""
from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from engine.planning import concentration as conc
from engine.planning import goals as goal
from engine.planning.words import NO_PLACES, WORDS, decimal, group_name, mean, money, percent


def concentration(result: conc.Concentration, lang: str, places: Mapping[str, str] = NO_PLACES) -> str:
    """The report; `places` names the municipalities by code."""
    w = WORDS[lang]
    lines = [w["concentration"], ""]
    for group in result.groups:
        lines += _group(group, lang, places) + [""]
    lines.append(w["ranks"])
    return "\n".join(lines) + "\n"


def _group(group: conc.Group, lang: str, places: Mapping[str, str]) -> list[str]:
    w = WORDS[lang]
    name = group_name(group.name, lang, places)
    lines = [f"{name}: {len(group.persons)} {w['citizens']}, {w['gross_cost']} {money(group.total, lang)}",
             f"  {w['top']:<10}{w['citizens']:>10}  {w['gross_cost']:>28}  {w['share']:>18}  {w['benefits_mean']:>18}"]
    for s in group.segments:
        lines.append(f"  {str(s.percent) + ' %':<10}{s.citizens:>10}  {money(s.ore, lang):>28}  "
                     f"{percent(conc.rounded(s.share, 3), lang):>18}  {mean(s.benefits, lang):>18}")
    top = group.segments[-1] if group.segments else None
    if top is not None:
        counts = conc.benefit_counts(top.benefits)
        shown = ", ".join(f"{k.replace('+', ' ' + w['or_more'])}: {n}" for k, n in counts.items())
        lines.append(f"  {w['benefits']} ({w['top']} {top.percent} %): {shown}")
    lines.append(f"  {w['gini']}: {decimal(conc.rounded(group.gini, 4), lang)}")
    points = [f"{p} %: {percent(conc.rounded(group.lorenz_at(p), 3), lang)}" for p in conc.LORENZ_AT[1:-1]]
    lines += [f"  {w['lorenz_table']}:"] + [f"    {', '.join(points[i:i + 6])}" for i in range(0, len(points), 6)]
    return lines


def goals(result: goal.Goals, lang: str) -> str:
    w = WORDS[lang]
    title = (f"{w['goals']}: {w['baseline'].lower()} {result.baseline.year}, "
             f"{w['follow_up'].lower()} {result.follow_up.year}")
    lines = [title, "", f"{w['target_group']}: {len(result.target)} {w['citizens']}", "", w["goal_5"]]
    for label, year in ((w["baseline"], result.baseline), (w["follow_up"], result.follow_up)):
        share = Fraction(year.target_ore, year.all_ore) if year.all_ore else Fraction(0)
        lines.append(f"  {label} {year.year}: {w['target_cost']} {money(year.target_ore, lang)} "
                     f"({year.target_citizens} {w['citizens']}); {w['all_cost']} {money(year.all_ore, lang)} "
                     f"({year.all_citizens} {w['citizens']}); {w['target_share']} {percent(conc.rounded(share, 3), lang)}")
    lines.append(f"  {w['change']}: {money(result.change, lang, sign=True)}")
    lines += ["", w["goal_10"]]
    for label, year in ((w["baseline"], result.baseline), (w["follow_up"], result.follow_up)):
        lines.append(f"  {label} {year.year}:")
        lines += [f"    {w['exemption']} {rule}: {n} {w['cases']}" for rule, n in year.exemption_cases]
        lines += [f"    {act} {cite}: {n} {w['times']}" if not cite.startswith(act) else f"    {cite}: {n} {w['times']}"
                  for act, cite, n in year.set_aside] or [f"    {w['none_set_aside']}"]
    return "\n".join(lines) + "\n"
