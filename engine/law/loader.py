"""Rule files → model. Parses every expression and citation at its position in the file.

`load_rule_dir` never stops at the first problem: it returns the rules it could read and
every diagnostic, so `paragraf check` reports all mistakes at once.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Callable, Mapping

import attrs

from engine.law import legal_refs

from engine.lang import parser
from engine.lang.citations import Citation
from engine.lang.errors import Diagnostic, EngineError
from engine.law.model import ACTORS, CONFIDENCE, INPUT_TYPES, KINDS, PERIODS, InputSpec, Lift, Rule, RuleSet
from engine.lang.source import SourceCache
from engine.lang.files import UnreadableFile, read_regular
from engine.lang.yamlsource import MAX_FILE_BYTES, FieldReader, YNode, read_yaml

RULE_ID = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
PROPOSAL_ID = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$")  # switched on by name: --with tvaergaaende-borgerforloeb
COMMON_KEYS = {"id", "kind", "ref", "title", "valid_from", "valid_to", "confidence", "note", "proposal", "successor"}
KIND_KEYS = {
    "input": {"type", "values", "description"},
    "value": {"defines", "when", "expr", "priority", "total", "per", "supplies"},
    "obligation": {"actor", "when", "due", "fulfilled"},
    "exemption": {"when", "lifts"},
    "proposal": set(),
}
MAX_RULES_PER_FILE = 2000


def load_rule_dir(rules_dir: Path, legal_dir: Path, sources: SourceCache,
                  display: Callable[[Path], str] = str,
                  texts: Mapping[Path, str] | None = None) -> tuple[RuleSet, list[Diagnostic]]:
    """Load every rule file below `rules_dir` and the acts in `legal_dir`.

    `display` names a file in diagnostics; the fingerprint uses paths relative to each folder's
    parent, so it does not depend on where the rulebook is installed. `texts` stands in for the
    files an editor has open and not saved (by resolved path).
    """
    refs, diagnostics = legal_refs.load_legal_refs(legal_dir, sources, display)
    files = {_key(p, legal_dir): _digest(p) for p in sorted(legal_dir.glob("*.yaml"))}
    rules: list[Rule] = []
    paths = sorted(rules_dir.rglob("*.yaml"))
    if texts:  # open files are named by resolved path; a new one may not be on disk yet
        rules_dir = rules_dir.resolve()
        paths = sorted({p.resolve() for p in paths} | {p for p in texts if rules_dir in p.parents})
    for path in paths:
        text = texts.get(path) if texts else None
        files[_key(path, rules_dir)] = _digest(path) if text is None else hashlib.sha256(text.encode()).hexdigest()
        try:
            rules.extend(load_rule_file(read_yaml(path, display(path), text, sources=sources), diagnostics))
        except EngineError as exc:
            diagnostics.extend(exc.diagnostics)
    return RuleSet(tuple(rules), refs, files), diagnostics


def file_digests(rules_dir: Path, legal_dir: Path) -> dict[str, str]:
    """The sha256 of every rule and legal-reference file, keyed as `RuleSet.files` keys them,
    without parsing anything: what the rulebook's fingerprint is computed from."""
    files = {_key(p, legal_dir): _digest(p) for p in sorted(legal_dir.glob("*.yaml"))}
    files.update((_key(p, rules_dir), _digest(p)) for p in sorted(rules_dir.rglob("*.yaml")))
    return files


def _key(path: Path, folder: Path) -> str:
    return f"{folder.name}/{path.relative_to(folder).as_posix()}"


def _digest(path: Path) -> str:
    """The file's sha256; an unreadable file gets none here, and its located error from `read_yaml`."""
    try:
        return hashlib.sha256(read_regular(path, MAX_FILE_BYTES)).hexdigest()
    except UnreadableFile as exc:
        return f"unreadable: {exc}"


def load_rule_file(root: YNode, diagnostics: list[Diagnostic]) -> list[Rule]:
    """Read the rules of one parsed YAML file."""
    if root.kind != "map":
        diagnostics.append(Diagnostic("schema", "a rule file must be a mapping with 'rules:'", (root.span,)))
        return []
    header = FieldReader(root, "the rule file", diagnostics)
    header.check_keys({"act", "title", "rules", "note", "$schema"})
    default_act = header.text("act")
    nodes = header.items("rules", required=True)
    if len(nodes) > MAX_RULES_PER_FILE:
        header.problem(f"the file has more than {MAX_RULES_PER_FILE} rules", root.span, "split it")
        nodes = nodes[:MAX_RULES_PER_FILE]
    return [rule for node in nodes if (rule := _read_rule(node, default_act, diagnostics)) is not None]


def _read_rule(node: YNode, default_act: str | None, diagnostics: list[Diagnostic]) -> Rule | None:
    if node.kind != "map":
        diagnostics.append(Diagnostic("schema", "each rule must be a mapping", (node.span,)))
        return None
    id_node = node.get("id")
    rule_id = str(id_node.value) if id_node is not None and id_node.kind == "scalar" else None
    fields = FieldReader(node, f"rule '{rule_id}'" if rule_id else "a rule", diagnostics, rule_id)
    kind = fields.text("kind", required=True)
    if kind not in KINDS:
        if kind is not None:
            fields.problem(f"unknown rule kind '{kind}'", fields.node_of("kind").span, f"use one of: {', '.join(KINDS)}")  # type: ignore[union-attr]
        return None
    fields.check_keys(COMMON_KEYS | KIND_KEYS[kind])
    if rule_id is None or not (PROPOSAL_ID if kind == "proposal" else RULE_ID).match(rule_id):
        span = id_node.span if id_node is not None else node.span
        fields.problem(f"rule id {rule_id!r} is missing or malformed", span,
                       "ids are dotted lower-case names such as lab.kontaktforloeb.fire_samtaler")
        return None
    return Rule(
        id=rule_id, kind=kind, path=node.span.path, span=id_node.span if id_node is not None else node.span,
        title=fields.texts("title"),
        refs=tuple(_citations(fields, "ref", default_act, required=kind not in ("input", "proposal"))),
        valid_from=fields.date("valid_from"), valid_to=fields.date("valid_to"),
        confidence=_confidence(fields), note=fields.text("note"), proposal=fields.text("proposal"),
        input=_input_spec(fields) if kind == "input" else None,
        defines=fields.text("defines"),
        when=_expression(fields, "when"),
        expr=_expression(fields, "expr", required=kind == "value"),
        priority=_priority(fields),
        actor=_actor(fields) if kind == "obligation" else None,
        due=_expression(fields, "due"),
        fulfilled=_expression(fields, "fulfilled"),
        lifts=tuple(_lifts(fields, default_act)) if kind == "exemption" else (),
        total=_flag(fields, "total"), successor=fields.text("successor"),
        per=_per(fields), supplies=fields.text("supplies"),
    )


def _expression(fields: FieldReader, key: str, required: bool = False):  # type: ignore[no-untyped-def]
    node = fields.node_of(key, required)
    if node is None:
        return None
    if node.kind != "scalar" or node.origin is None:
        fields.problem(f"'{key}' must be an expression written as text", node.span)
        return None
    try:
        return parser.parse_expression(str(node.value), node.origin)
    except EngineError as exc:
        fields.diagnostics.extend(_with_rule(exc.diagnostics, fields.rule))
        return None


def _citations(fields: FieldReader, key: str, default_act: str | None, required: bool) -> list[Citation]:
    out = []
    for item in fields.items(key, required):
        try:
            out.append(parser.parse_citation(str(item.value), item.origin, default_act))
        except EngineError as exc:
            fields.diagnostics.extend(_with_rule(exc.diagnostics, fields.rule))
    return out


def _lifts(fields: FieldReader, default_act: str | None) -> list[Lift]:
    lifts = []
    for item in fields.items("lifts", required=True):
        text = str(item.value)
        if RULE_ID.match(text):
            lifts.append(Lift(item.span, rule_id=text))
            continue
        try:
            lifts.append(Lift(item.span, citation=parser.parse_citation(text, item.origin, default_act)))
        except EngineError as exc:
            fields.diagnostics.extend(_with_rule(exc.diagnostics, fields.rule))
    return lifts


def _input_spec(fields: FieldReader) -> InputSpec | None:
    kind = fields.text("type", required=True)
    type_node = fields.node_of("type")
    if kind not in INPUT_TYPES:
        if kind is not None and type_node is not None:
            fields.problem(f"unknown input type '{kind}'", type_node.span, f"use one of: {', '.join(INPUT_TYPES)}")
        return None
    values, titles = _allowed_values(fields)
    if kind == "code" and not values:
        fields.problem("a code input must list its allowed 'values'", fields.node.span, "add 'values: [...]'")
    return InputSpec(kind, values, titles, fields.texts("description"), type_node.span if type_node else None)


def _allowed_values(fields: FieldReader) -> tuple[tuple[str, ...], dict[str, str]]:
    node = fields.node_of("values")
    if node is None:
        return (), {}
    if node.kind == "map":  # code: title
        items = node.value.items()  # type: ignore[union-attr]
        return tuple(items_key for items_key, _ in items), {k: str(v.value) for k, v in items}
    return tuple(str(v.value) for v in fields.items("values")), {}


def _confidence(fields: FieldReader) -> str | None:
    value = fields.text("confidence")
    if value is not None and value not in CONFIDENCE:
        fields.problem(f"confidence must be one of {', '.join(CONFIDENCE)}", fields.node_of("confidence").span)  # type: ignore[union-attr]
    return value


def _actor(fields: FieldReader) -> str | None:
    actor = fields.text("actor", required=True)
    if actor is not None and actor not in ACTORS:
        fields.problem(f"unknown actor '{actor}'", fields.node_of("actor").span, f"use one of: {', '.join(ACTORS)}")  # type: ignore[union-attr]
    return actor


def _per(fields: FieldReader) -> str | None:
    value = fields.text("per")
    if value is not None and value not in PERIODS:
        fields.problem(f"per must be one of {', '.join(PERIODS)}", fields.node_of("per").span)  # type: ignore[union-attr]
        return None
    return value


def _flag(fields: FieldReader, key: str) -> bool:
    node = fields.node_of(key)
    if node is None:
        return False
    if node.kind != "scalar" or not node.tag.endswith(":bool"):
        fields.problem(f"'{key}' must be true or false", node.span)
        return False
    return str(node.value).lower() in ("true", "yes", "on")


def _priority(fields: FieldReader) -> int:
    text = fields.text("priority")
    if text is None:
        return 0
    if not re.fullmatch(r"-?\d{1,9}", text):
        fields.problem("priority must be a whole number of at most 9 digits", fields.node_of("priority").span)  # type: ignore[union-attr]
        return 0
    return int(text)


def _with_rule(diagnostics: tuple[Diagnostic, ...], rule: str | None) -> list[Diagnostic]:
    return [attrs.evolve(d, rule=d.rule or rule) for d in diagnostics]

