"""`paragraf lsp` driven through the LSP protocol: pygls's client starts the server as a
subprocess and speaks JSON-RPC to it over stdio, as an editor would."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from tests.test_golden import three_mistakes

RULE_FILE = Path("rules/lab/ret_og_pligt_2019.yaml")
KONTAKT = Path("rules/lab/kontaktforloeb_2019.yaml")


class Session:
    """One server process, with the diagnostics it published."""

    def __init__(self) -> None:
        self.client = LanguageClient("paragraf-test", "1")
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self.published = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.diagnostics[params.uri] = params.diagnostics
            self.published.set()

    async def start(self, root: Path, lang: str = "en") -> None:
        await self.client.start_io(sys.executable, "-m", "engine", "lsp")
        await self.client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(), root_uri=from_fs_path(str(root)),
            initialization_options={"lang": lang}))
        self.client.initialized(types.InitializedParams())

    async def open(self, path: Path, text: str | None = None) -> str:
        uri = from_fs_path(str(path)) or ""
        self.published.clear()
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(
            uri=uri, language_id="yaml", version=1, text=text if text is not None else path.read_text(encoding="utf-8"))))
        await asyncio.wait_for(self.published.wait(), 60)
        return uri

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()


def position_of(path: Path, needle: str, offset: int = 0) -> types.Position:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if needle in line:
            return types.Position(line=number, character=line.index(needle) + offset)
    raise AssertionError(f"{needle!r} not in {path}")


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_a_misspelt_input_is_reported_at_its_range_with_the_hint(rulebook_copy: Path) -> None:
    path = rulebook_copy / KONTAKT
    text = path.read_text(encoding="utf-8").replace(
        "lab.maalgruppe == 9 and citizen.benefit == ledighedsydelse", "lab.maalgruppe == 9 and citizen.benefti == ledighedsydelse",
        1)

    async def scenario() -> list[types.Diagnostic]:
        session = Session()
        await session.start(rulebook_copy)
        uri = await session.open(path, text)  # unsaved: the file on disk is still right
        await session.stop()
        return session.diagnostics[uri]

    found = run(scenario())
    [diagnostic] = found
    line = next(i for i, row in enumerate(text.splitlines()) if "citizen.benefti" in row)
    col = text.splitlines()[line].index("citizen.benefti")
    assert diagnostic.range == types.Range(start=types.Position(line=line, character=col),
                                           end=types.Position(line=line, character=col + len("citizen.benefti")))
    assert diagnostic.code == "name" and diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.message == "unknown name 'citizen.benefti'\nhint: did you mean 'citizen.benefit'?"


def test_the_three_mistakes_match_paragraf_check(rulebook_copy: Path) -> None:
    three_mistakes(rulebook_copy)

    async def scenario() -> list[types.Diagnostic]:
        session = Session()
        await session.start(rulebook_copy)
        uri = await session.open(rulebook_copy / RULE_FILE)
        await session.stop()
        return session.diagnostics[uri]

    found = sorted(run(scenario()), key=lambda d: d.range.start.line)
    assert [(d.code, d.range.start.line + 1, d.range.start.character + 1) for d in found] == [
        ("citation", 8, 10), ("name", 31, 11), ("syntax", 51, 41)]   # as in tests/golden/check-three-mistakes.txt
    assert found[2].message.endswith("hint: remove the ')' or add the matching '('")


def test_hover_definition_references_and_completion(rulebook_copy: Path) -> None:
    kontakt = rulebook_copy / KONTAKT
    citation = position_of(kontakt, "ref: § 31, stk. 1", 7)
    name = position_of(kontakt, "lab.maalgruppe in {2, 3, 4, 5, 7, 8, 10}", 4)
    text = kontakt.read_text(encoding="utf-8")

    async def scenario() -> dict[str, Any]:
        session = Session()
        await session.start(rulebook_copy)
        uri = await session.open(kontakt)
        doc = types.TextDocumentIdentifier(uri=uri)
        out = {
            "hover_citation": await session.client.text_document_hover_async(types.HoverParams(text_document=doc, position=citation)),
            "hover_name": await session.client.text_document_hover_async(types.HoverParams(text_document=doc, position=name)),
            "definition": await session.client.text_document_definition_async(types.DefinitionParams(text_document=doc, position=name)),
            "references": await session.client.text_document_references_async(types.ReferenceParams(
                text_document=doc, position=name, context=types.ReferenceContext(include_declaration=False))),
        }
        # type `citizen.` on a new line of an expression, unsaved
        typed = text.replace("    due: lab.kontaktforloeb.seks_maaneder\n", "    due: citizen.\n", 1)
        line = next(i for i, row in enumerate(typed.splitlines()) if row == "    due: citizen.")
        session.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=typed)]))
        out["completion"] = await session.client.text_document_completion_async(types.CompletionParams(
            text_document=doc, position=types.Position(line=line, character=len("    due: citizen."))))
        await session.stop()
        return out

    out = run(scenario())
    hover = out["hover_citation"].contents.value
    assert "LOV nr 548 af 07/05/2019 (LOV 548/2019)" in hover
    assert "ELI: https://www.retsinformation.dk/eli/lta/2019/548" in hover
    assert "§ 31:" in hover
    assert "**lab.maalgruppe**: value (number)" in out["hover_name"].contents.value
    targets = {(Path(loc.uri).name, loc.range.start.line + 1) for loc in out["definition"]}
    assert ("maalgrupper_2019.yaml", 7) in targets  # lab.maalgruppe.nr1, the first definition
    assert all(Path(loc.uri).name.startswith("maalgrupper_2019") for loc in out["definition"])
    assert len(out["references"]) > 10
    labels = {item.label for item in out["completion"].items}
    assert {"citizen.benefit", "citizen.birth_date", "citizen.talks"} <= labels
    assert all(label.startswith("citizen.") for label in labels)


def test_the_code_action_adds_boundary_scenarios_that_pass(rulebook_copy: Path) -> None:
    """On a rule comparing an age with 30, the action appends three scenarios (29 with 30 tomorrow, 30
    today, 31 today) to the rule file's scenario file; `paragraf test` then runs them green."""
    import shutil

    from click.testing import CliRunner

    from engine.interfaces.cli import main

    scenarios = rulebook_copy / "tests" / "scenarios" / "lab"
    scenarios.mkdir(parents=True)
    shutil.copy(Path(__file__).parent / "scenarios" / "lab" / "ret_og_pligt_2015.yaml", scenarios)
    rules = rulebook_copy / "rules" / "lab" / "ret_og_pligt_2015.yaml"
    line = position_of(rules, "when: lab2015.maalgruppe == 1 and age(citizen.birth_date, as_of) < 30").line

    async def scenario() -> list[types.CodeAction]:
        session = Session()
        await session.start(rulebook_copy)
        uri = await session.open(rules)
        actions = await session.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=line, character=0), end=types.Position(line=line, character=0)),
            context=types.CodeActionContext(diagnostics=[])))
        await session.stop()
        return actions

    [action] = run(scenario())
    assert action.title == "Add boundary scenarios for citizen.birth_date at 30 (lab2015.ret_og_pligt.dagpenge_under_30)"
    [change] = action.edit.document_changes
    [edit] = change.edits
    target = scenarios / "ret_og_pligt_2015.yaml"
    lines = target.read_text(encoding="utf-8").splitlines(keepends=True)
    target.write_text("".join(lines[:edit.range.start.line]) + edit.new_text + "".join(lines[edit.range.start.line:]),
                      encoding="utf-8")
    assert '"lab2015.ret_og_pligt.dagpenge_under_30": "applies"' in edit.new_text.split("\n  - ")[0]
    assert edit.new_text.count('"lab2015.ret_og_pligt.dagpenge_under_30": "not_applicable"') == 2
    result = CliRunner().invoke(main, ["test", str(target), "--rules", str(rulebook_copy)])
    assert result.exit_code == 0, result.output
