"""Helpers for unit tests: the YAML of small rule files (imported by the test modules)."""
from __future__ import annotations

import textwrap

HEADER = "title: {da: Test, en: Test}\nrules:\n"


def input_rule(rule_id: str, kind: str, extra: str = "") -> str:
    """The YAML of one input rule, indented as an item of `rules:`."""
    text = (f"  - id: {rule_id}\n    kind: input\n    type: {kind}\n"
            "    title: {da: x, en: x}\n    description: {da: x, en: x}\n")
    return text + textwrap.indent(textwrap.dedent(extra), "    ") if extra else text


def value_rule(rule_id: str, expr: str, extra: str = "") -> str:
    text = (f"  - id: {rule_id}\n    kind: value\n    ref: LAB § 6\n    valid_from: 2020-01-01\n"
            f"    title: {{da: x, en: x}}\n    expr: {expr}\n")
    return text + textwrap.indent(textwrap.dedent(extra), "    ") if extra else text
