"""Runs the `paragraf` command line at build time and saves what it prints, for the docs to include.

Two sets of transcripts go to `docs/catalogue/` (not committed), so no page shows output that
the current engine would not print:

* `_tutorial/<name>.txt`: the commands of `tutorial.md` and `architecture.md`, run on the
  bundled examples and on the tutorial's rulebook in `docs/tutorial/`.
* `_errors/<category>.txt`: each planted mistake of `docs/errors/` run through the CLI. The rule
  files are added to a temporary copy of the bundled rulebook under `mybook/rules/demo/`. If a
  planted mistake no longer yields a diagnostic of its category, the build fails.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from click.testing import CliRunner

from engine import rulebook
from engine.interfaces import cli

CHECKED = ("syntax", "schema", "name", "type", "bound", "citation", "cycle", "conflict", "exemption")
TOY = ["--rules", "docs/tutorial/rules"]
TUTORIAL = {
    "eval-hillerod": ["eval", "examples/hillerod-complex.yaml", "--lang", "en"],
    "explain-aarhus": ["explain", "examples/aarhus-complex.yaml", "lab.ret_og_pligt.unge",
                       "--lang", "en"],
    "check-toy": ["check", *TOY],
    "eval-anna": ["eval", "docs/tutorial/anna.yaml", *TOY, "--lang", "en"],
    "explain-anna": ["explain", "docs/tutorial/anna.yaml", "tutorial.fire_samtaler", *TOY,
                     "--lang", "en"],
    "eval-bo": ["eval", "docs/tutorial/bo.yaml", *TOY, "--lang", "en"],
    "explain-bo": ["explain", "docs/tutorial/bo.yaml", "tutorial.fire_samtaler", *TOY,
                   "--lang", "en"],
    "eval-anna-2019": ["eval", "docs/tutorial/anna.yaml", *TOY, "--as-of", "2019-06-01"],
    "test-toy": ["test", "docs/tutorial/checks.yaml", *TOY],
    "json-anna": ["eval", "docs/tutorial/anna.yaml", *TOY, "--format", "json"],
}


def generate(srcdir: str | Path) -> list[Path]:
    """Write every transcript; return the files written."""
    docs = Path(srcdir).resolve()
    texts = {f"_tutorial/{name}.txt": transcript(args, docs.parent)
             for name, args in TUTORIAL.items()}
    with tempfile.TemporaryDirectory(prefix="paragraf-docs-") as tmp:
        errors = error_transcripts(docs / "errors", Path(tmp))
    texts.update((f"_errors/{category}.txt", text) for category, text in errors.items())
    return [write(docs / "catalogue" / name, text) for name, text in sorted(texts.items())]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def run(args: list[str], base: Path) -> tuple[int, str]:
    """Run the CLI in-process with paths taken from `base`; `base` is left out of the output."""
    real = [str(base / a) if (base / a).exists() else a for a in args]
    result = CliRunner().invoke(cli.main, real)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise RuntimeError(f"paragraf {' '.join(args)} crashed: {result.exception!r}")
    output = result.output
    for prefix in {str(base), str(base.resolve()), os.path.relpath(base)} - {"."}:
        output = output.replace(prefix + os.sep, "")
    return result.exit_code, output


def transcript(args: list[str], base: Path) -> str:
    return shown(args, *run(args, base))


def shown(args: list[str], code: int, output: str) -> str:
    """`$ paragraf ARGS`, what it printed, and the exit status when it is not 0."""
    status = f"\n(exit status {code})\n" if code else ""
    return f"$ paragraf {' '.join(args)}\n{output.rstrip()}\n{status}"


def planted_rulebook(root: Path, files: list[Path]) -> None:
    """`root/mybook/rules`: a copy of the bundled rules with `files` added under demo/."""
    rules_dir, _ = rulebook.find_folders(None)
    shutil.copytree(rules_dir, root / "mybook" / "rules")
    (root / "mybook" / "rules" / "demo").mkdir()
    for file in files:
        shutil.copy(file, root / "mybook" / "rules" / "demo" / file.name)


def demo_file(category: str) -> str:
    return f"mybook/rules/demo/{category}.yaml:"


def error_transcripts(examples: Path, tmp: Path) -> dict[str, str]:
    check = ["check", "--rules", "mybook/rules"]
    planted_rulebook(tmp / "check", [examples / f"{c}.yaml" for c in CHECKED])
    code, output = run(check, tmp / "check")
    if output.startswith("rulebook: "):  # the line naming the rulebook is not one of the blocks
        output = output.split("\n", 1)[1]
    blocks = output.strip().split("\n\n")
    texts = {c: shown(check, code, "\n\n".join(b for b in blocks if b.startswith(demo_file(c))))
             for c in CHECKED}
    planted_rulebook(tmp / "evaluation", [examples / "evaluation.yaml"])
    shutil.copy(examples / "evaluation-case.yaml", tmp / "evaluation")
    evaluate = ["eval", "evaluation-case.yaml", "--rules", "mybook/rules"]
    texts["evaluation"] = transcript(evaluate, tmp / "evaluation")
    texts["case"] = transcript(["eval", "case.yaml"], examples)
    for category, text in texts.items():
        if f"error[{category}]" not in text:
            raise RuntimeError(f"docs/errors: the example for '{category}' no longer yields "
                               f"error[{category}]:\n{text}")
    return texts
