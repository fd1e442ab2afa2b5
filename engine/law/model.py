"""The rule model: frozen attrs classes built by the loader from rule files."""
from __future__ import annotations

import datetime as dt
from typing import Optional

import attrs

from engine.lang import ast
from engine.lang.citations import Citation
from engine.law.legal_refs import FAR_FUTURE, LegalRefs
from engine.lang.errors import Diagnostic, EvaluationError
from engine.lang.source import Span

KINDS = ("input", "value", "obligation", "exemption", "proposal")
INPUT_TYPES = ("bool", "number", "money", "percent", "date", "code", "string", "events")
ACTORS = ("jobcenter", "kommune", "a-kasse", "borger", "arbejdsgiver", "rehabiliteringsteam", "staten")
CONFIDENCE = ("high", "medium", "low", "unverified")
PERIODS = ("week",)


@attrs.frozen
class InputSpec:
    """The fact a case supplies: its type, allowed codes and description."""

    type: str
    values: tuple[str, ...] = ()
    value_titles: dict[str, str] = attrs.field(factory=dict)
    description: dict[str, str] = attrs.field(factory=dict)
    type_span: Optional[Span] = attrs.field(default=None, eq=False)


@attrs.frozen
class Lift:
    """One thing an exemption lifts: an obligation by rule id, or every obligation under a citation."""

    span: Span
    rule_id: Optional[str] = None
    citation: Optional[Citation] = None

    @property
    def text(self) -> str:
        return self.rule_id or (self.citation.text if self.citation else "")


@attrs.frozen
class Rule:
    id: str
    kind: str
    path: str
    span: Span
    title: dict[str, str]
    refs: tuple[Citation, ...] = ()
    valid_from: Optional[dt.date] = None
    valid_to: Optional[dt.date] = None
    confidence: Optional[str] = None
    note: Optional[str] = None
    proposal: Optional[str] = None
    input: Optional[InputSpec] = None
    defines: Optional[str] = None
    when: Optional[ast.Expr] = None
    expr: Optional[ast.Expr] = None
    priority: int = 0
    actor: Optional[str] = None
    due: Optional[ast.Expr] = None
    fulfilled: Optional[ast.Expr] = None
    lifts: tuple[Lift, ...] = ()
    per: Optional[str] = None          # "week": a weekly series, one value per calendar week
    supplies: Optional[str] = None     # the input a weekly series answers in weekly evaluation
    total: bool = False                 # a value declared defined for every case (checked by `paragraf check`)
    successor: Optional[str] = None     # "none" or the id of the rule taking over after valid_to

    @property
    def name(self) -> str:
        """The name a value rule defines (several rules may define one value)."""
        return self.defines or self.id

    @property
    def window(self) -> tuple[dt.date, dt.date]:
        return (self.valid_from or dt.date.min, self.valid_to or FAR_FUTURE)

    def in_force(self, day: dt.date) -> bool:
        start, end = self.window
        return start <= day <= end

    def expressions(self) -> list[tuple[str, ast.Expr]]:
        fields = (("when", self.when), ("expr", self.expr), ("due", self.due), ("fulfilled", self.fulfilled))
        return [(name, node) for name, node in fields if node is not None]


@attrs.frozen
class RuleSet:
    """Everything loaded from a rulebook: rules in file order, legal references, file digests."""

    rules: tuple[Rule, ...]
    legal_refs: LegalRefs
    files: dict[str, str]  # display path → sha256 of the file's bytes


def highest_priority(name: str, applicable: list[Rule], where: str) -> Rule:
    """The applicable definition of a value with the highest priority; a tie is a conflict naming both."""
    best = max(r.priority for r in applicable)
    top = [r for r in applicable if r.priority == best]
    if len(top) > 1:
        raise EvaluationError([Diagnostic(
            "conflict", f"'{top[0].id}' and '{top[1].id}' both define '{name}' {where}",
            (top[0].span, top[1].span), "make their conditions disjoint or give one a higher priority", top[0].id)])
    return top[0]
