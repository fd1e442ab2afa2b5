"""Completion in rule files: input, value and rule names, benefit and municipality codes in
expressions; paragraphs of the file's act (from `legal_refs/`) in citations. Entry point: `complete`."""
from __future__ import annotations

import re

import attrs

from engine.officer.editor.index import Index

WORD = re.compile(r"[A-Za-z0-9_.æøåÆØÅ-]*$")
CODE_INPUTS = ("citizen.benefit", "municipality")


@attrs.frozen
class Item:
    label: str
    detail: str
    kind: str          # "name", "code" or "citation"
    start_col: int     # 1-based column where the replaced text starts


def complete(index: Index, path: str, before: str) -> list[Item]:
    """What may be written at the end of `before` (the line up to the cursor) in a rule file."""
    if "§" in before or before.strip().startswith("ref:"):
        return _citations(index, path, before)
    prefix = WORD.search(before).group(0)  # type: ignore[union-attr]
    start = len(before) - len(prefix) + 1
    items = [Item(name, what, "name", start) for name, what in sorted(index.names().items())]
    for input_id in CODE_INPUTS:
        items += [Item(code, f"code of {input_id}", "code", start) for code in index.codes(input_id)]
    return [item for item in items if item.label.startswith(prefix)]


def _citations(index: Index, path: str, before: str) -> list[Item]:
    act = index.act_of_file(path)
    if act is None or not act.versions:
        return []
    at = before.rfind("§")
    start = at + 1 if at >= 0 else len(before) + 1
    typed = before[at:].strip() if at >= 0 else ""
    numbering = act.versions[-1].numbering
    items = [Item(f"§ {number}", f"{act.name}: {paragraph.title.get('da', '')}", "citation", start)
             for number, paragraph in sorted(numbering.paragraphs.items(), key=lambda kv: kv[0])]
    return [item for item in items if item.label.startswith(typed)]
