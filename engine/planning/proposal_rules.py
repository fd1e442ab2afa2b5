"""A staircase what-if as rules: the proposal written as a rule file the rulebook checks like any other.

The generated file redefines the two rates of finansieringsloven § 5 under a proposal named
`staircase`: the refusion rate (§ 5, stk. 2) and the co-financing rate that mirrors it (§ 5,
stk. 3). In the law's table each step's two rates add up to 100 %, so the co-financing rate of a
step is 100 % less its refusion rate. The rulebook is checked anew with the file added (it is not
cached: it exists only for this run), so the native kernel, the NumPy evaluator and `--jobs`
evaluate it as they evaluate every other rule. Entry point: `rulebook_with`.
"""
from __future__ import annotations

from decimal import Decimal

from engine.planning.proposal_text import Staircase
from engine.rulebook import Rulebook

NAME = "staircase"
FILE = "forslag_trappe.yaml"  # beside the rule files, so that its citations resolve like theirs


def rulebook_with(book: Rulebook, staircase: Staircase) -> Rulebook:
    """`book` with the staircase proposal added as a rule file, switched on by the name `NAME`."""
    path = (book.rules_dir / "finansieringsloven" / FILE).resolve()
    return Rulebook(book.rules_dir, book.legal_dir, book.shown_as, cache=False, texts={path: rule_file(staircase)})


def rule_file(staircase: Staircase) -> str:
    """The YAML text of the proposal: its switch and the two rate rules."""
    refusion = _steps(staircase.weeks, staircase.rates)
    cofinancing = _steps(staircase.weeks, tuple(Decimal(100) - rate for rate in staircase.rates))
    return f"""act: finansieringsloven
title: {{da: Anden refusionstrappe (forslag), en: Another refusion staircase (proposal)}}
rules:
  - id: {NAME}
    kind: proposal
    title: {{da: "Refusionstrappe {staircase}", en: "Refusion staircase {staircase}"}}
    note: Generated from the what-if text; the law's staircase is 80/40/30/20 % to weeks 4, 26 and 52.

  - id: forslag.trappe.refusionssats
    defines: finansiering.refusionssats
    kind: value
    proposal: {NAME}
    priority: 1
    ref: § 5, stk. 2
    valid_from: 2016-01-04
    title: {{da: Statens refusionssats (forslag), en: State refusion rate (proposal)}}
    expr: "{refusion}"

  - id: forslag.trappe.medfinansieringssats
    defines: finansiering.medfinansieringssats
    kind: value
    proposal: {NAME}
    priority: 1
    ref: § 5, stk. 3
    valid_from: 2016-01-04
    confidence: medium
    note: The mirror of the proposed refusion rate; in § 5 each step's two rates add up to 100 %.
    title: {{da: Kommunens medfinansieringssats (forslag), en: Municipal co-financing rate (proposal)}}
    expr: "{cofinancing}"
"""


def _steps(ends: tuple[int, ...], rates: tuple[Decimal, ...]) -> str:
    """`steps citizen.affected_week { 1..4 -> 80%, ..., 53.. -> 20% }` for the given step ends."""
    firsts = (1, *(end + 1 for end in ends))
    ranges = [f"{first}..{end}" for first, end in zip(firsts, ends)] + [f"{firsts[-1]}.."]
    arms = ", ".join(f"{span} -> {format(rate.normalize(), 'f')}%" for span, rate in zip(ranges, rates))
    return f"steps citizen.affected_week {{ {arms} }}"
