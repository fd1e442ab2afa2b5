"""Counterfactuals in words: the paragraf/whatif@1 JSON form as Danish or English text.

Reads only the recorded answer (`engine.decide.counterfactuals.WhatIf.to_dict()`); nothing is
evaluated here. Entry point: `render_whatif`.
"""
from __future__ import annotations

from typing import Any

from engine.report.words import WORDS

SHOWN = 20  # answers listed in text; the JSON form holds them all

PHRASES = {
    "da": {
        "head": "{rule} for sag {case} pr. {as_of}: {outcome}.",
        "would": "Udfaldet ville blive et andet:",
        "none": "Ingen ændring af højst {max} oplysninger inden for de afprøvede værdier ændrer udfaldet "
                "({tried} forsøg).",
        "fact": "hvis {fact} var {after} (i stedet for {before})",
        "derived": "hvis {fact} blev {after} (i stedet for {before})",
        "day": "den {after}",
        "and": " og ",
        "more": "… og {count} til (se --format json)",
        "not_tried": "Ikke afprøvet (kan ikke opregnes): {names}.",
        "cut": "Søgningen stoppede efter {tried} forsøg; der kan findes flere svar.",
        "unset": "ikke oplyst", "not_in_force": "ikke i kraft",
        "fulfil": "Den ville være opfyldt:",
        "events": "hvis {count} hændelse(r) mere{kind} i {fact} var holdt senest {by}", "kind": " af typen {kind}",
        "turns": "dagen hvor borgeren fylder {detail}", "before_turning": "dagen før borgeren fylder {detail}",
        "date": "ved {detail}", "in_force": "en regel eller lovversion træder i kraft",
    },
    "en": {
        "head": "{rule} for case {case} as of {as_of}: {outcome}.",
        "would": "It would come out otherwise:",
        "none": "No change of at most {max} facts within the values tried changes the outcome ({tried} tried).",
        "fact": "if {fact} were {after} (not {before})",
        "derived": "if {fact} came to {after} (not {before})",
        "day": "on {after}",
        "and": " and ",
        "more": "… and {count} more (see --format json)",
        "not_tried": "Not tried (cannot be enumerated): {names}.",
        "cut": "The search stopped after {tried} trials; there may be more answers.",
        "unset": "not given", "not_in_force": "not in force",
        "fulfil": "It would be fulfilled:",
        "events": "if {count} more event(s){kind} in {fact} had been held by {by}", "kind": " of kind {kind}",
        "turns": "the day the citizen turns {detail}", "before_turning": "the day before the citizen turns {detail}",
        "date": "at {detail}", "in_force": "a rule or act version comes into force",
    },
}


def render_whatif(data: dict[str, Any], lang: str = "da") -> str:
    """The answer as text: the outcome now, then each change that flips it, fewest facts first."""
    p = PHRASES[lang]
    lines = [p["head"].format(rule=data["rule"], case=data["case"], as_of=data["as_of"],
                              outcome=_outcome(data["outcome"], lang))]
    answers = data["counterfactuals"]
    lines.append(p["would"] if answers else p["none"].format(max=data["bounds"]["max_facts"],
                                                             tried=data["bounds"]["tried"]))
    for answer in answers[:SHOWN]:
        changes = p["and"].join(_change(c, lang) for c in answer["changes"])
        lines.append(f"  - {changes}: {_outcome(answer['outcome'], lang)}")
    if len(answers) > SHOWN:
        lines.append("  " + p["more"].format(count=len(answers) - SHOWN))
    if data.get("to_fulfil"):
        lines.append(p["fulfil"])
        lines += ["  - " + p["events"].format(count=len(m["add"]), fact=m["fact"], by=m["by"],
                                              kind=p["kind"].format(kind=m["kind"]) if m["kind"] else "")
                  for m in data["to_fulfil"]]
    if data["bounds"]["not_tried"]:
        lines.append(p["not_tried"].format(names=", ".join(data["bounds"]["not_tried"])))
    if not data["bounds"]["complete"]:
        lines.append(p["cut"].format(tried=data["bounds"]["tried"]))
    return "\n".join(lines) + "\n"


def _change(change: dict[str, Any], lang: str) -> str:
    p = PHRASES[lang]
    if change["fact"] == "as_of":
        reason = change.get("reason")
        why = f" ({p[reason['kind']].format(detail=reason['detail'])})" if reason else ""
        return p["day"].format(after=change["after"]) + why
    pattern = p["derived"] if change.get("derived") else p["fact"]
    return pattern.format(fact=change["fact"], after=_shown(change["after"], lang),
                          before=_shown(change["before"], lang))


def _outcome(outcome: Any, lang: str) -> str:
    if outcome is None:
        return PHRASES[lang]["not_in_force"]
    if isinstance(outcome, str) and outcome in WORDS[lang]:
        return WORDS[lang][outcome]
    return _shown(outcome, lang)


def _shown(value: Any, lang: str) -> str:
    if value is None:
        return PHRASES[lang]["unset"]
    if isinstance(value, bool):
        return WORDS[lang]["true" if value else "false"]
    return str(value)
