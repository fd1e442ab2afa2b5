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


class Frame:
    """What one rule's evaluation read: inputs and the recorded steps of the rules it used."""

    __slots__ = ("inputs", "children")  # one per rule evaluated, kept while the decision lives

    def __init__(self) -> None:
        self.inputs: dict[str, Any] = {}       # as read; shown in their JSON form
        self.children: dict[str, Recorded] = {}


@attrs.define(eq=False)
class Recorded:
    """One rule's evaluation as recorded on the fast path: enough to build its `TraceNode` later.

    `failed_of` holds the conditions whose failed parts the node shows (found only when the
    explanation is built); `frame.children` holds the `Recorded` steps of the rules it used.
    `value` and the values in `frame.inputs` are kept as evaluated; their JSON form is made only
    for what is shown.
    """

    kind: str
    rule: Rule
    value: Any
    frame: Frame
    failed_of: tuple[ast.Expr, ...] = ()
    missing: tuple[str, ...] = ()
    note: str | None = None
