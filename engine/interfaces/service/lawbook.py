"""The legal officer's pages as data: acts → act (versions, paragraphs, the rules citing each)
→ rule (formula, conditions in words, citations with ELI, window, scenarios) → scenario.

Which rule implements which paragraph and which scenarios exercised a rule come from
`engine.officer.act_index`, as in the generated law catalogue of the docs. The scenarios are
those of `tests/scenarios/` beside the rulebook's `rules/` folder; they are run once per
rulebook and folder (a few seconds), on the first page that needs them.
"""
from __future__ import annotations

import difflib
import threading
from pathlib import Path
from typing import Any

import yaml

from engine.lang import ast
from engine.law.model import Rule
from engine.officer import act_index, scenarios as testing
from engine.officer.verbalise import verbalise
from engine.interfaces.service.pages import NotFound

_EXERCISED: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {}
_LOCK = threading.Lock()


def acts(book: Any, lang: str) -> list[dict[str, Any]]:
    return [{"name": act.name, "slug": act_index.slug(act.name), "title": act.title.get(lang, ""),
             "versions": len(act.versions)} for act in act_index.acts_of(book)]


def act(book: Any, name: str, lang: str) -> dict[str, Any]:
    """One act: its versions, and per numbering its paragraphs with the rules citing each."""
    found = {act_index.slug(a.name): a for a in act_index.acts_of(book)}
    chosen = found.get(name)
    if chosen is None:
        raise NotFound(f"no act {name!r}" + _nearest(name, found))
    rules = act_index.citing_rules(book)
    return {"name": chosen.name, "title": chosen.title.get(lang, ""),
            "versions": [_version(v) for v in chosen.versions],
            "numberings": [_numbering(numbering, versions, chosen, rules, book, lang)
                           for numbering, versions in act_index.numberings(chosen)]}


def _version(version: Any) -> dict[str, Any]:
    return {"designation": version.designation, "short": version.short, "eli": version.eli,
            "start": version.start.isoformat(), "end": version.end.isoformat() if version.end else None}


def _numbering(numbering: Any, versions: list[Any], chosen: Any, rules: list[Rule], book: Any,
               lang: str) -> dict[str, Any]:
    paragraphs = []
    for number in act_index.paragraphs_of(numbering, chosen, rules, book):
        paragraph = numbering.paragraphs.get(number)
        citing = [r for r in rules if act_index.implements(r, number, chosen, versions, book)]
        paragraphs.append({"number": str(number), "title": paragraph.title.get(lang, "") if paragraph else "",
                           "repealed": paragraph is not None and paragraph.repealed is not None,
                           "rules": [{"id": r.id, "kind": r.kind, "title": r.title.get(lang, "")} for r in citing]})
    return {"versions": [_version(v) for v in versions], "paragraphs": paragraphs}


def rule(book: Any, rule_id: str, lang: str) -> dict[str, Any]:
    """One rule: titles, window, citations with their act versions' ELI, formula, conditions in
    words, and the scenarios in which it applied."""
    found = {r.id: r for r in book.checked.ruleset.rules}
    chosen = found.get(rule_id)
    if chosen is None:
        raise NotFound(f"no rule {rule_id!r}" + _nearest(rule_id, found))
    refs = book.checked.legal_refs
    folder, root = scenario_folder(book)
    exercised = exercised_by(book).get(chosen.id, ()) if folder is not None else None
    cites = [{"text": c.text, "act": act_index.slug(a.name) if (a := refs.act_of(c)) else None,
              "act_name": a.name if a else None,
              "versions": [_version(v) for v in act_index.versions_for(chosen, c, refs)]} for c in chosen.refs]
    return {
        "id": chosen.id, "kind": chosen.kind, "title": chosen.title.get(lang, ""), "path": chosen.path,
        "valid_from": _day(chosen.valid_from), "valid_to": _day(chosen.valid_to), "proposal": chosen.proposal,
        "confidence": chosen.confidence, "note": chosen.note, "actor": chosen.actor,
        "cites": cites, "acts": list(dict.fromkeys((c["act"], c["act_name"]) for c in cites if c["act"])),
        "formula": [{"field": field, "source": ast.to_source(node),
                     "words": verbalise(node, book.checked, lang) if field in ("when", "fulfilled") else None}
                    for field, node in chosen.expressions()],
        "scenarios": None if exercised is None else [_scenario_link(label) for label in
                                                     act_index.nearest_first(chosen, exercised)],
    }


def _day(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def _scenario_link(label: str) -> dict[str, Any]:
    """`tests/scenarios/lab/x.yaml:12 name` -> its file, line and name."""
    where, _, name = label.partition(" ")
    file, _, line = where.rpartition(":")
    return {"file": file, "line": int(line), "name": name}


def scenario(book: Any, file: str, line: int) -> dict[str, Any]:
    """One scenario of the rulebook's scenario folder: its case, expectations and the rules that applied."""
    folder, root = scenario_folder(book)
    if folder is None or root is None:
        raise NotFound("this rulebook has no scenario folder (tests/scenarios beside rules/)")
    path = (root / file).resolve()
    if not path.is_relative_to(folder.resolve()) or path not in {p.resolve() for p in testing.scenario_files([folder])}:
        raise NotFound(f"no scenario file {file!r} below {folder.relative_to(root)}")
    chosen = next((s for s in testing.read_scenarios(path) if s.line == line), None)
    if chosen is None:
        raise NotFound(f"{file}: no scenario starts on line {line}")
    label = f"{file}:{line} {chosen.name}"
    applied = sorted(rule_id for rule_id, labels in exercised_by(book).items() if label in labels)
    return {"file": file, "line": line, "name": chosen.name, "as_of": chosen.as_of, "proposals": chosen.proposals,
            "case": _yaml(chosen.case), "expect": _yaml(chosen.expect), "rules": applied}


def _yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


def scenario_folder(book: Any) -> tuple[Path | None, Path | None]:
    """`tests/scenarios` beside the rulebook's rules folder, and the folder holding both, if there is one."""
    root = Path(book.rules_dir).resolve().parent
    folder = root / "tests" / "scenarios"
    return (folder, root) if folder.is_dir() else (None, None)


def exercised_by(book: Any) -> dict[str, tuple[str, ...]]:
    """Rule id -> the scenarios in which it applied; computed once per rulebook and folder."""
    folder, root = scenario_folder(book)
    if folder is None:
        return {}
    key = (book.fingerprint, str(folder))
    with _LOCK:
        if key not in _EXERCISED:
            _EXERCISED[key] = act_index.scenarios_by_rule(book, folder, root)
        return _EXERCISED[key]


def _nearest(name: str, known: dict[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(known), n=3)
    return f"; did you mean {', '.join(close)}?" if close else ""
