"""The explanation as data: a tree of trace nodes recorded while evaluating.

Renderers (`engine.report`) only read these nodes; they never evaluate anything.
"""
from __future__ import annotations

from typing import Any

import attrs

from engine.lang import ast
from engine.law.model import Rule


@attrs.frozen
class FailedPart:
    """A part of a condition that did not hold, with the facts it read and the law behind them."""

    expr: str
    at: str
    facts: dict[str, Any]
    cites: tuple[dict[str, Any], ...] = ()


@attrs.frozen
class TraceNode:
    kind: str                                   # value, obligation, exemption
    rule: str
    title: dict[str, str]
    cites: tuple[dict[str, Any], ...]
    value: Any                                  # JSON form
    inputs: dict[str, Any] = attrs.field(factory=dict)
    children: tuple[TraceNode, ...] = ()
    failed: tuple[FailedPart, ...] = ()
    missing: tuple[str, ...] = ()
    at: str = ""
    note: str | None = None
    confidence: str | None = None
    defines: str | None = None                  # for a value: the name its definitions share

    def to_json(self) -> dict[str, Any]:
        data = attrs.asdict(self, recurse=False)
        data["children"] = [c.to_json() for c in self.children]
        data["failed"] = [attrs.asdict(f) for f in self.failed]
        data["cites"] = list(self.cites)
        data["missing"] = list(self.missing)
        return {k: v for k, v in data.items() if v not in (None, [], {})}

    def find(self, rule_id: str) -> TraceNode | None:
        if rule_id in (self.rule, self.defines):
            return self
        return next((found for c in self.children if (found := c.find(rule_id)) is not None), None)


class Recorded:
    """One rule's evaluation as recorded on the fast path: enough to build its `TraceNode` later.

    It is also the rule's frame while the rule is evaluated: `inputs` holds the facts it read (as
    read; shown in their JSON form) and `children` the `Recorded` steps of the rules it used.
    `failed_of` holds the conditions whose failed parts the node shows (found only when the
    explanation is built). `value` and the values in `inputs` are kept as evaluated; their JSON
    form is made only for what is shown. One object per rule evaluated (some 80 a case), kept
    while the decision lives: slots, and no separate frame object.
    """

    __slots__ = ("kind", "rule", "value", "inputs", "children", "failed_of", "missing", "note")

    def __init__(self, kind: str, rule: Rule, value: Any = None, failed_of: tuple[ast.Expr, ...] = (),
                 missing: tuple[str, ...] = (), note: str | None = None) -> None:
        self.kind, self.rule, self.value = kind, rule, value
        self.inputs: dict[str, Any] = {}
        self.children: dict[str, Recorded] = {}
        self.failed_of, self.missing, self.note = failed_of, missing, note
