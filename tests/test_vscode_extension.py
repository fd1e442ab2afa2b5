"""The VS Code extension folder: its manifest starts `paragraf lsp`, and its injected grammar finds
the rule language in the keys that hold expressions (checked with Python's re; no npm install)."""
from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from engine.interfaces.cli import main

FOLDER = Path(__file__).resolve().parent.parent / "editors" / "vscode"


def test_the_manifest_starts_paragraf_lsp() -> None:
    manifest = json.loads((FOLDER / "package.json").read_text(encoding="utf-8"))
    assert (FOLDER / manifest["main"]).is_file()
    assert manifest["contributes"]["configuration"]["properties"]["paragraf.command"]["default"] == ["paragraf", "lsp"]
    assert CliRunner().invoke(main, ["lsp", "--help"]).exit_code == 0
    [grammar] = manifest["contributes"]["grammars"]
    assert (FOLDER / grammar["path"]).is_file() and grammar["injectTo"] == ["source.yaml"]


def test_the_grammar_marks_expression_values_only() -> None:
    grammar = json.loads((FOLDER / "syntaxes" / "paragraf-expression.injection.json").read_text(encoding="utf-8"))
    value = grammar["repository"]["expression-value"]
    begin = re.compile(value["begin"])
    assert begin.match("    when: lab.maalgruppe == 1") and begin.match("  - expr: 80%")
    assert begin.match("    fulfilled: >-") and not begin.match("    whenever: x") and not begin.match("    title: x")
    scopes = {p["name"]: re.compile(p["match"]) for p in value["patterns"]}
    line = 'count(citizen.talks, citizen.benefit_since, as_of, "jobsamtale") >= 4 and not citizen.complex_case'
    found = {name for name, pattern in scopes.items() if pattern.search(line)}
    assert {"support.function.paragraf", "variable.other.paragraf", "string.quoted.double.paragraf",
            "keyword.operator.paragraf", "keyword.operator.word.paragraf", "constant.language.paragraf"} <= found
    assert scopes["constant.numeric.paragraf"].search("citizen.benefit_since + 8 weeks").group(0) == "8 weeks"
    assert scopes["constant.numeric.date.paragraf"].search("as_of >= 2024-01-01").group(0) == "2024-01-01"
