"""`paragraf lsp`: the language server for rule files, over stdio (pygls).

Each open or changed rule file reloads its rulebook with the editor's unsaved texts in place
(`Rulebook(..., texts=...)`) and publishes the checker's diagnostics for every file of it, with
the same range, category (as the code) and hint as `paragraf check`; saving adds the static
analysis. Hover, go to definition, references, completion and the boundary-scenario code action
read an `Index` of the last load. Entry point: `serve`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from engine.officer.editor import scenarios
from engine.officer.editor.completion import complete
from engine.officer.editor.hover import hover_text
from engine.officer.editor.index import Index
from engine.lang.errors import Diagnostic, EngineError
from engine.lang.source import Span
from engine.law import analysis
from engine.rulebook import Rulebook, engine_version, folders

KINDS = {"name": types.CompletionItemKind.Variable, "code": types.CompletionItemKind.EnumMember,
         "citation": types.CompletionItemKind.Reference}


class RuleServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("paragraf", engine_version())
        self.lang = "da"
        self.index: Index | None = None
        self.published: set[str] = set()

    def reload(self, uri: str, analyse: bool = False) -> None:
        """Load the rulebook the file belongs to, with every open text, and publish its diagnostics."""
        root = rulebook_root(Path(to_fs_path(uri) or ""))
        if root is None:
            return
        texts = {Path(to_fs_path(d.uri) or "").resolve(): d.source for d in self.workspace.text_documents.values()}
        rules_dir, legal_dir = folders.find_folders(root)
        try:
            book = Rulebook(rules_dir.resolve(), legal_dir.resolve(), str(root), texts=texts)
        except EngineError as exc:  # say why in the editor, in one line; keep the last good index
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"paragraf: {exc}"))
            return
        self.index = Index(book)
        found = list(book.diagnostics)
        if analyse and not found:
            found += analysis.analyse(book.checked, book.program).diagnostics
        self.publish(book.rules_dir.parent, found, uri)

    def publish(self, root: Path, found: list[Diagnostic], opened: str) -> None:
        """Every file's diagnostics; an empty list clears a file's old ones (and tells the opened file it is clean)."""
        by_uri: dict[str, list[types.Diagnostic]] = {opened: []}
        for diagnostic in found:
            if diagnostic.span is not None:
                by_uri.setdefault(from_fs_path(str(root / diagnostic.span.path)) or "", []).append(lsp_diagnostic(diagnostic))
        for uri in self.published | set(by_uri):
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=by_uri.get(uri, [])))
        self.published = {uri for uri, listed in by_uri.items() if listed}

    def found_at(self, uri: str, position: types.Position) -> Any:
        if self.index is None:
            return None
        return self.index.at(relative(self.index, uri), position.line + 1, position.character + 1)


def rulebook_root(path: Path) -> Path | None:
    """The folder holding `rules/` that a rule file lies in."""
    for folder in path.resolve().parents:
        if folder.name == "rules" and (folder.parent / "legal_refs").is_dir():
            return folder.parent
    return None


def relative(index: Index, uri: str) -> str:
    return Path(to_fs_path(uri) or "").resolve().relative_to(index.root.resolve()).as_posix()


def lsp_range(span: Span) -> types.Range:
    end_col = span.end_col if (span.end_line, span.end_col) > (span.line, span.col) else span.col + 1
    return types.Range(start=types.Position(line=span.line - 1, character=span.col - 1),
                       end=types.Position(line=span.end_line - 1, character=end_col - 1))


def lsp_diagnostic(diagnostic: Diagnostic) -> types.Diagnostic:
    """The same message, range, category and hint as `paragraf check` prints."""
    severity = types.DiagnosticSeverity.Error if diagnostic.severity == "error" else types.DiagnosticSeverity.Warning
    message = diagnostic.message + (f"\nhint: {diagnostic.hint}" if diagnostic.hint else "")
    return types.Diagnostic(range=lsp_range(diagnostic.span), message=message, severity=severity,  # type: ignore[arg-type]
                            code=diagnostic.category, source="paragraf",
                            data={"hint": diagnostic.hint, "rule": diagnostic.rule})


def location(index: Index, span: Span) -> types.Location:
    return types.Location(uri=from_fs_path(str(index.path_of(span).resolve())) or "", range=lsp_range(span))


server = RuleServer()


@server.feature(types.INITIALIZE)
def initialize(ls: RuleServer, params: types.InitializeParams) -> None:
    options = params.initialization_options or {}
    ls.lang = options.get("lang", "da") if isinstance(options, dict) else "da"


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: RuleServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.reload(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: RuleServer, params: types.DidChangeTextDocumentParams) -> None:
    ls.reload(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: RuleServer, params: types.DidSaveTextDocumentParams) -> None:
    ls.reload(params.text_document.uri, analyse=True)


@server.feature(types.TEXT_DOCUMENT_HOVER)
def hover(ls: RuleServer, params: types.HoverParams) -> types.Hover | None:
    found = ls.found_at(params.text_document.uri, params.position)
    if found is None or ls.index is None:
        return None
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                    value=hover_text(ls.index, found, ls.lang)),
                       range=lsp_range(found.span))


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def definition(ls: RuleServer, params: types.DefinitionParams) -> list[types.Location] | None:
    found = ls.found_at(params.text_document.uri, params.position)
    if found is None or ls.index is None or found.kind == "citation":
        return None
    return [location(ls.index, rule.span) for rule in ls.index.definitions(found.text)] or None


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def references(ls: RuleServer, params: types.ReferenceParams) -> list[types.Location] | None:
    found = ls.found_at(params.text_document.uri, params.position)
    if found is None or ls.index is None or found.kind == "citation":
        return None
    spans = ls.index.references(found.text)
    if params.context.include_declaration:
        spans = [rule.span for rule in ls.index.definitions(found.text)] + spans
    return [location(ls.index, span) for span in spans]


@server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[".", "§"]))
def completion(ls: RuleServer, params: types.CompletionParams) -> types.CompletionList:
    if ls.index is None:
        ls.reload(params.text_document.uri)
    if ls.index is None:
        return types.CompletionList(is_incomplete=False, items=[])
    document = ls.workspace.get_text_document(params.text_document.uri)
    line = document.lines[params.position.line] if params.position.line < len(document.lines) else ""
    before = line[:params.position.character]
    items = complete(ls.index, relative(ls.index, params.text_document.uri), before)
    return types.CompletionList(is_incomplete=False, items=[_item(i, params.position) for i in items])


def _item(item: Any, position: types.Position) -> types.CompletionItem:
    start = types.Position(line=position.line, character=item.start_col - 1)
    return types.CompletionItem(label=item.label, detail=item.detail, kind=KINDS[item.kind],
                                text_edit=types.TextEdit(range=types.Range(start=start, end=position),
                                                         new_text=item.label))


@server.feature(types.TEXT_DOCUMENT_CODE_ACTION)
def code_action(ls: RuleServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    if ls.index is None:
        return None
    path = relative(ls.index, params.text_document.uri)
    action = scenarios.boundary_scenarios(ls.index, path, params.range.start.line + 1)
    if action is None:
        return None
    target = from_fs_path(str(action.path)) or ""
    edit = types.WorkspaceEdit(document_changes=[
        *([types.CreateFile(uri=target)] if action.create else []),
        types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=target, version=None),
            edits=[types.TextEdit(range=types.Range(start=types.Position(line=action.line, character=0),
                                                    end=types.Position(line=action.line, character=0)),
                                  new_text=action.text)])])
    return [types.CodeAction(title=action.title, kind=types.CodeActionKind.QuickFix, edit=edit)]


def serve() -> None:
    server.start_io()
