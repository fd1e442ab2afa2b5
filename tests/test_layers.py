"""The package layout: imports run one way, from the command line down to the language.

The layer order is written once, here. A module may import from its own subpackage (without a
circle) and from the layers before its own; never from a later one, and never from the public
facade `engine` itself, which exists for callers outside the package. A subpackage nested in a
layer (`engine.rulebook.caseload`, `engine.interfaces.cli`) belongs to that layer, and inside the
layer the nested subpackages have an order of their own (`INNER`), checked the same way.
"""
from __future__ import annotations

import ast
import graphlib
import shutil
from pathlib import Path

import attrs
import pytest

import engine

LAYERS = ("lang", "law", "report", "decide", "refusion", "rulebook", "audit", "officer", "planning", "interfaces")
# inside a layer, lowest first; "" is the layer's own modules, outside any nested subpackage
INNER = {"rulebook": ("", "caseload"), "interfaces": ("", "service", "cli")}
ROOT_MODULES = ("engine", "engine.__main__")  # the facade and `python -m engine`: they may import anything
MAX_LINES = 450
PACKAGE = Path(engine.__file__).parent


@attrs.frozen
class Import:
    source: str      # the importing module, e.g. engine.law.loader
    target: str      # the imported module, e.g. engine.decide.casefile
    where: str       # file:line
    text: str        # the import statement as written


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str, root: Path) -> bool:
    relative = Path(*name.split(".")[1:])
    return (root / relative).with_suffix(".py").is_file() or (root / relative / "__init__.py").is_file()


def imports_of(path: Path, root: Path) -> list[Import]:
    """Every import of a paragraf module in a file, at any depth (functions and TYPE_CHECKING too)."""
    source = module_name(path, root)
    package = source if path.name == "__init__.py" else source.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        where, text = f"{path.relative_to(root.parent)}:{getattr(node, 'lineno', 0)}", ast.unparse(node)
        if isinstance(node, ast.Import):
            found += [Import(source, alias.name, where, text) for alias in node.names if alias.name.split(".")[0] == "engine"]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            if base.split(".")[0] != "engine":
                continue
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.append(Import(source, target if is_module(target, root) else base, where, text))
    return found


def layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def inner(module: str) -> str:
    """The nested subpackage of its layer a module sits in, "" for the layer's own modules."""
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[2] in INNER.get(parts[1], ()) else ""


def violations(root: Path) -> list[str]:
    """Imports that point up the layers or into the facade, and circles inside a subpackage."""
    problems, graph = [], {}
    for path in sorted(root.rglob("*.py")):
        for found in imports_of(path, root):
            graph.setdefault(found.source, set()).add(found.target)
            problems += upward(found)
    problems += circles(graph)
    return problems


def upward(found: Import) -> list[str]:
    if found.source in ROOT_MODULES:
        return []
    mine, theirs = layer(found.source), layer(found.target)
    order = " < ".join(LAYERS)
    if mine is None:
        return [f"{found.where}: {found.source} belongs to no layer; put it in a subpackage of {order}"]
    if theirs is None:
        return [f"{found.where}: `{found.text}` imports the public facade {found.target}; "
                f"import from the layer that owns the name instead"]
    if LAYERS.index(theirs) > LAYERS.index(mine):
        return [f"{found.where}: `{found.text}` imports {found.target}, but {mine} may not import {theirs} "
                f"(layers: {order})"]
    if theirs == mine and mine in INNER:
        return inward(found, INNER[mine])
    return []


def inward(found: Import, inside: tuple[str, ...]) -> list[str]:
    mine, theirs = inner(found.source), inner(found.target)
    if inside.index(theirs) > inside.index(mine):
        name = ".".join(found.source.split(".")[:3 if mine else 2])
        order = " < ".join(part or "the rest of the layer" for part in inside)
        return [(f"{found.where}: `{found.text}` imports {found.target}, but {name} may not import "
                 f"{theirs} (inside {layer(found.source)}: {order})")]
    return []


def circles(graph: dict[str, set[str]]) -> list[str]:
    same_package = {source: {t for t in targets if layer(t) == layer(source) and t != source}
                    for source, targets in graph.items()}
    try:
        graphlib.TopologicalSorter(same_package).prepare()
    except graphlib.CycleError as exc:
        return [f"modules import each other in a circle: {' -> '.join(exc.args[1])}"]
    return []


def test_imports_run_one_way() -> None:
    problems = violations(PACKAGE)
    assert not problems, "\n".join(problems)


def planted(tmp_path: Path, module: str, text: str) -> tuple[list[str], Path]:
    """The violations of a copy of the package with `text` appended to `module`, and its path."""
    copy = tmp_path / "engine"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "data"))
    path = copy / module
    path.write_text(path.read_text() + text)
    return violations(copy), path


def test_an_upward_import_is_named(tmp_path: Path) -> None:
    problems, _ = planted(tmp_path, "lang/values.py", "\n\ndef planted():\n    from engine.decide import evaluator\n")
    assert len(problems) == 1
    assert problems[0].startswith("engine/lang/values.py:")
    assert "`from engine.decide import evaluator` imports engine.decide.evaluator, but lang may not import decide" \
        in problems[0]


def test_a_circle_inside_a_subpackage_is_named(tmp_path: Path) -> None:
    problems, _ = planted(tmp_path, "lang/values.py", "\nfrom engine.lang import compiler\n")
    assert len(problems) == 1
    assert problems[0].startswith("modules import each other in a circle:")
    assert "engine.lang.values" in problems[0] and "engine.lang.compiler" in problems[0]


def test_an_upward_import_inside_a_layer_is_named(tmp_path: Path) -> None:
    problems, _ = planted(tmp_path, "interfaces/service/app.py", "\n\ndef planted():\n    from engine.interfaces.cli import group\n")
    assert len(problems) == 1
    assert problems[0].startswith("engine/interfaces/service/app.py:")
    assert "imports engine.interfaces.cli.group, but engine.interfaces.service may not import cli " \
        "(inside interfaces: the rest of the layer < service < cli)" in problems[0]


def test_the_rest_of_the_rulebook_does_not_import_its_caseloads(tmp_path: Path) -> None:
    problems, _ = planted(tmp_path, "rulebook/gate.py", "\nfrom engine.rulebook.caseload import rows\n")
    assert len(problems) == 1
    assert "imports engine.rulebook.caseload.rows, but engine.rulebook may not import caseload" in problems[0]


def test_a_circle_through_a_nested_subpackage_is_named(tmp_path: Path) -> None:
    problems, _ = planted(tmp_path, "rulebook/rulebook.py", "\nfrom engine.rulebook.caseload import run\n")
    assert len(problems) == 2 and "may not import caseload" in problems[0]
    assert problems[1].startswith("modules import each other in a circle:")
    assert "engine.rulebook.rulebook" in problems[1] and "engine.rulebook.caseload.run" in problems[1]


def test_the_facade_is_not_imported_from_inside(tmp_path: Path) -> None:
    problems, loader = planted(tmp_path, "law/loader.py", "\nfrom engine import load\n")
    assert problems == [f"engine/law/loader.py:{len(loader.read_text().splitlines())}: "
                        "`from engine import load` imports the public facade engine; "
                        "import from the layer that owns the name instead"]


def test_every_module_sits_in_a_layer() -> None:
    top = sorted(p.name for p in PACKAGE.iterdir() if p.name not in ("__pycache__", "data"))
    assert top == sorted(["__init__.py", "__main__.py", "py.typed", *LAYERS])
    nested = {f"{name}/{part}": (PACKAGE / name / part / "__init__.py").is_file()
              for name in INNER for part in INNER[name] if part}
    assert all(nested.values()), f"INNER names a subpackage that does not exist: {nested}"


@pytest.mark.parametrize("name", [*LAYERS, *(f"{name}/{part}" for name in INNER for part in INNER[name] if part)])
def test_each_layer_says_what_it_owns(name: str) -> None:
    docstring = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text()))
    assert docstring and "import" in docstring, f"engine/{name}/__init__.py needs a docstring saying what it owns and may import"


def test_no_module_is_too_long() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines; split them: {long}"
