"""The two forms of decision JSON, and the expansion every renderer reads.

``paragraf/decision@2`` (compact) writes each citation once, in the decision's ``legal_basis``
table (key → act, version, ELI), and each rule's titles once, in ``titles``; obligations,
exemptions and trace nodes name them by key. The explanation, when included, is a flat list of
trace nodes (``explanation.nodes``: each with its ``kind`` and ``name``, the rule or the value it
defines, and its ``rule`` only when the definition chosen has an id of its own), with the numbers
of the top-level nodes in ``explanation.roots`` and of the nodes a rule used in its
``children``, so a value used by twenty rules is written once, not twenty times; a node's place
is [file, line, column], the file a number into ``explanation.files``. (Decisions written before
the nodes were numbered keyed them ``kind:name`` and wrote places as text; both are read.) Titles
are rulebook data: a decision with its explanation carries them in ``titles`` (by rule id); the
compact form names rules by id only.

``paragraf/decision@1`` held all of it inline. `expand` turns either into the inline form, which
is what the sentence layer, the renderers and replay read; so the same explanation is shown
whichever form a decision or a record was stored in.
"""
from __future__ import annotations

from typing import Any

SCHEMA_V1 = "paragraf/decision@1"
SCHEMA_V2 = "paragraf/decision@2"


def expand(data: dict[str, Any]) -> dict[str, Any]:
    """The inline (decision@1-shaped) form of a decision@1 or decision@2 dict."""
    if data.get("schema") != SCHEMA_V2:
        return data
    if "explanation" not in data:
        raise ValueError("a report needs the decision with its explanation: "
                         "Decision.to_dict(include=('trace',)) or `paragraf eval --format json --explain`")
    basis, titles = data["legal_basis"], data["titles"]
    full = {key: value for key, value in data.items() if key not in ("legal_basis", "titles", "explanation")}
    full["obligations"] = [_obligation(o, basis, titles) for o in data["obligations"]]
    full["exemptions"] = [{**e, "title": titles[e["rule"]], "legal_basis": _cites(e["legal_basis"], basis)}
                          for e in data["exemptions"]]
    explanation = data["explanation"]
    nodes = explanation["nodes"]
    if isinstance(nodes, list):  # nodes by number, places by file number
        nodes = {number: _keyed(node, explanation["files"]) for number, node in enumerate(nodes)}
    full["explanation"] = [_node(nodes, key, basis, titles) for key in explanation["roots"]]
    return full


def _keyed(node: dict[str, Any], files: list[str]) -> dict[str, Any]:
    """A numbered node in the form of a node keyed `kind:name` (decisions written before the
    nodes were numbered): kind and name apart, places as `file:line:column`."""
    keyed = {key: value for key, value in node.items() if key not in ("kind", "name")}
    keyed["_kind"], keyed["_name"] = node["kind"], node["name"]
    keyed["at"] = _place(node["at"], files)
    if "failed" in node:
        keyed["failed"] = [{**part, "at": _place(part["at"], files)} for part in node["failed"]]
    return keyed


def _place(at: list[int], files: list[str]) -> str:
    file, line, column = at
    return f"{files[file]}:{line}:{column}"


def _cites(keys: list[str], basis: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"cite": key, **basis[key]} for key in keys]


def _obligation(item: dict[str, Any], basis: dict[str, Any], titles: dict[str, Any]) -> dict[str, Any]:
    full = {key: value for key, value in item.items() if key != "facts"}
    full["title"] = titles[item["rule"]]
    full["legal_basis"] = _cites(item["legal_basis"], basis)
    if "exempted_by" in item:
        by = item["exempted_by"]
        full["exempted_by"] = {**by, "title": titles[by["rule"]], "legal_basis": _cites(by["legal_basis"], basis)}
    return full


def _node(nodes: dict[Any, Any], key: Any, basis: dict[str, Any], titles: dict[str, Any]) -> dict[str, Any]:
    stored = dict(nodes[key])
    kind, name = (stored.pop("_kind"), stored.pop("_name")) if "_kind" in stored else key.split("#")[0].split(":", 1)
    node = {"kind": kind, "rule": name, **stored}
    if kind == "value":
        node["defines"] = name
    node["title"] = titles[node["rule"]]
    for field, expanded in (("cites", _cites(node.get("cites", []), basis)),
                            ("children", [_node(nodes, child, basis, titles) for child in node.get("children", [])]),
                            ("failed", [{**part, "cites": _cites(part.get("cites", []), basis)}
                                        for part in node.get("failed", [])])):
        if expanded:
            node[field] = expanded
    return node
