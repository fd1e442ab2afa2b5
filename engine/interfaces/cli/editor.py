"""`paragraf lsp`: the language server for rule files, for any editor that speaks LSP."""
from __future__ import annotations

from engine.interfaces.cli.group import main


@main.command(name="lsp")
def lsp() -> None:
    """Run the language server for rule files over stdio (diagnostics, hover, definitions, completion)."""
    from engine.officer.editor.server import serve

    serve()
