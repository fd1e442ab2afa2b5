"""Sphinx configuration for the paragraf documentation (MyST Markdown).

The rule catalogue, the reference tables and the error examples are generated from the
bundled rulebook and the engine on every build (`builder-inited`), into `catalogue/`,
which is not committed. Build with warnings as errors:

    python -m sphinx -W --keep-going -n -b html docs docs/_build/html
"""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import catalogue_gen  # noqa: E402
import change_transcripts  # noqa: E402
import transcripts  # noqa: E402

project = "paragraf"
author = "the paragraf authors"
copyright = "the paragraf authors"

extensions = ["myst_parser", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "catalogue/_*"]
myst_heading_anchors = 3
myst_enable_extensions = ["deflist"]

html_theme = "alabaster"
html_title = "paragraf"
html_static_path: list[str] = []

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

nitpicky = True
# Types from the standard library and third-party packages: there is no intersphinx (the
# build runs offline), so these cannot resolve and are not ours to document.
nitpick_ignore_regex = [(r"py:class", r"(pathlib|datetime|decimal)\..*"),
                        (r"py:class", r"engine\.lang\.source\.SourceCache"),  # internal: the rulebook's file cache
                        (r"py:class", r"engine\.decide\.decision\.Origin"),  # internal: what a decision came from
                        (r"py:class", r"pyarrow\..*"),
                        (r"py:class", r"engine\.refusion\.payments\.(Payments|BadRow)")]  # internal: read payment records


def _generate(app) -> None:  # type: ignore[no-untyped-def]
    catalogue_gen.generate(app.srcdir)
    transcripts.generate(app.srcdir)
    change_transcripts.generate(app.srcdir)


def _type_alias(app, env, node, contnode):  # type: ignore[no-untyped-def]
    """Signatures name the alias `engine.lang.ast.Expr` as plain `Expr`; link it to its entry."""
    if node.get("refdomain") != "py" or node.get("reftarget") != "Expr":
        return None
    domain = env.get_domain("py")
    target = "engine.lang.ast.Expr"
    return domain.resolve_xref(env, node["refdoc"], app.builder, "obj", target, node, contnode)


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("builder-inited", _generate)
    app.connect("missing-reference", _type_alias)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
