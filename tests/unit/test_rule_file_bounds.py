"""Rule files and legal references that crashed, hung or were silently accepted (issue 12, item 5):
each now gets a located diagnostic from `check`, or a located evaluation error from `eval`."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner
from rulebook_files import HEADER, input_rule, value_rule

import engine
from engine.interfaces.cli import main
from engine.lang import parser
from engine.lang.errors import RuleSyntaxError
from engine.law import magnitude

INPUTS = HEADER + input_rule("citizen.hours", "number") + input_rule("citizen.start", "date")
BIG = "9" * 5000


def diagnostics(folder: Path) -> list[engine.Diagnostic]:
    return engine.load(folder).diagnostics


def messages(folder: Path) -> str:
    return "\n".join(f"{d.span.path if d.span else ''}: {d.category}: {d.message}" for d in diagnostics(folder))


def test_a_5000_digit_priority(write_rulebook: Callable[..., Path]) -> None:
    folder = write_rulebook({"r.yaml": INPUTS + value_rule("x", "1", f"priority: {BIG}\n")})
    assert "priority must be a whole number of at most 9 digits" in messages(folder)
    folder = write_rulebook({"r.yaml": INPUTS + value_rule("x", "1", "priority: 999999999\n")})
    assert diagnostics(folder) == []


@pytest.mark.parametrize("citation", [f"LAB § {BIG}", f"LAB § 6, stk. {BIG}", f"LAB §§ 1-{BIG}",
                                      f"LAB kap. {BIG}", f"BEK {BIG}/2019 § 1", "LAB § 1234567"])
def test_huge_numbers_in_a_citation_are_a_syntax_error(citation: str) -> None:
    with pytest.raises(RuleSyntaxError) as caught:
        parser.parse_citation(citation)
    assert caught.value.diagnostics[0].spans


def test_a_six_digit_paragraph_still_parses() -> None:
    assert parser.parse_citation("LAB § 123456").first.number == 123456


def test_a_huge_citation_in_a_rule_file(write_rulebook: Callable[..., Path]) -> None:
    rule = value_rule("x", "1").replace("ref: LAB § 6", f"ref: LAB § {BIG}")
    assert "syntax: cannot read the citation" in messages(write_rulebook({"r.yaml": INPUTS + rule}))


@pytest.mark.parametrize("expr, words", [
    (f"citizen.hours * {BIG}", "longer than 4000 characters"),
    (f"citizen.hours * {'9' * 29}", "at most 28 digits"),
    (f"citizen.hours * 0.{'1' * 11}", "at most 28 digits"),
    (f"citizen.start + {'9' * 100} days", "a duration counts at most 5 digits"),
    ("citizen.start + 100000 days", "a duration counts at most 5 digits"),
])
def test_literals_are_bounded_at_check(write_rulebook: Callable[..., Path], expr: str, words: str) -> None:
    assert words in messages(write_rulebook({"r.yaml": INPUTS + value_rule("x", expr)}))


def test_chained_squarings_are_a_bound_error_at_check(write_rulebook: Callable[..., Path]) -> None:
    rules = value_rule("a", "citizen.hours * 1000") + value_rule("b", "a * a") + value_rule("c", "b * b")
    assert diagnostics(write_rulebook({"r.yaml": INPUTS + rules})) == []  # 18, 36 and 72 digits
    rules += value_rule("d", "c * c") + value_rule("e", "d * d")              # 144 digits, and more
    found = [d for d in diagnostics(write_rulebook({"r.yaml": INPUTS + rules})) if d.category == "bound"]
    assert [d.rule for d in found] == ["d", "e"]
    assert all(d.spans and "digits" in d.message for d in found)


def test_the_bound_itself(write_rulebook: Callable[..., Path]) -> None:
    """Six 15-digit facts multiplied reach 90 digits: times a 10-digit literal it is at the bound
    (100), times an 11-digit one over it; dividing by 0.01 adds 2 digits, by a fact 10."""
    six = " * ".join(["citizen.hours"] * 6)
    rules = (value_rule("at", f"{six} * 1000000000") + value_rule("over", f"{six} * 10000000000")
             + value_rule("small_divisor", f"{six} / 0.01") + value_rule("fact_divisor", f"{six} / citizen.hours"))
    found = {d.rule for d in diagnostics(write_rulebook({"r.yaml": INPUTS + rules})) if d.category == "bound"}
    assert found == {"over"} and magnitude.MAX_DIGITS == 100
    rules = value_rule("x", f"{six} * 10 / citizen.hours")
    assert {d.rule for d in diagnostics(write_rulebook({"r.yaml": INPUTS + rules}))} == {"x"}


def test_overflow_at_eval_is_a_located_evaluation_error(write_rulebook: Callable[..., Path]) -> None:
    """Below the check's bound nothing overflows; past it, eval still answers with a position."""
    folder = write_rulebook({"r.yaml": INPUTS + value_rule("later", "citizen.start + 99999 years")})
    book = engine.load(folder)
    with pytest.raises(engine.EngineError) as caught:
        book.evaluate({"case": "t", "as_of": "2024-01-01", "citizen": {"start": "2024-01-01"}})
    (found,) = caught.value.diagnostics
    assert found.category == "evaluation" and found.spans and "cannot be computed" in found.message


def _legal_refs_folder(write_rulebook: Callable[..., Path], text: str, name: str = "lab.yaml") -> Path:
    folder = write_rulebook({"r.yaml": INPUTS})
    (folder / "legal_refs" / name).write_text(text, encoding="utf-8")
    return folder


def test_an_indented_versions_line(write_rulebook: Callable[..., Path]) -> None:
    lab = (Path(__file__).parents[2] / "legal_refs" / "lab.yaml").read_text(encoding="utf-8")
    folder = _legal_refs_folder(write_rulebook, lab.replace("\nversions:", "\n  versions:"))
    text = messages(folder)
    assert "numbering 'versions' must be a mapping" in text and "the act has no 'versions'" in text


def test_a_second_file_for_the_same_act(write_rulebook: Callable[..., Path]) -> None:
    lab = (Path(__file__).parents[2] / "legal_refs" / "lab.yaml").read_text(encoding="utf-8")
    folder = _legal_refs_folder(write_rulebook, lab, "lab-copy.yaml")
    assert "lab.yaml: schema: act 'LAB' is already described in legal_refs/lab-copy.yaml" in messages(folder)


@pytest.mark.parametrize("kind", ["dangling", "fifo", "zero", "folder"])
def test_rule_files_that_are_not_regular_files(write_rulebook: Callable[..., Path], kind: str) -> None:
    folder = write_rulebook({"r.yaml": INPUTS})
    odd = folder / "rules" / "odd.yaml"
    {"dangling": lambda: odd.symlink_to(folder / "nothing"), "fifo": lambda: os.mkfifo(odd),
     "zero": lambda: odd.symlink_to("/dev/zero"), "folder": lambda: odd.mkdir()}[kind]()
    assert "odd.yaml: schema: cannot read the file: " in messages(folder)


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_eval_of_a_device_or_fifo(tmp_path: Path, target: str) -> None:
    if target == "fifo":
        target = str(tmp_path / "case.yaml")
        os.mkfifo(target)
    result = CliRunner().invoke(main, ["eval", target])
    assert result.exit_code == 2 and "not a regular file" in result.output and "internal error" not in result.output


def test_a_number_past_the_bound_at_eval_is_a_located_evaluation_error(write_rulebook: Callable[..., Path]) -> None:
    """The safety net under the check: with the bound errors set aside, squaring a 15-digit fact
    over and over stops with a located evaluation error at the first result past 100 digits (v3),
    before Decimal's exponent could overflow or a huge number be printed."""
    rules = value_rule("v0", "citizen.hours") + "".join(value_rule(f"v{i}", f"v{i - 1} * v{i - 1}") for i in range(1, 18))
    book = engine.load(write_rulebook({"r.yaml": INPUTS + rules}))
    assert {d.category for d in book.diagnostics} == {"bound"}
    book.diagnostics = []
    with pytest.raises(engine.EngineError) as caught:
        book.evaluate({"case": "t", "as_of": "2024-01-01", "citizen": {"hours": "999999999999999"}})
    (found,) = caught.value.diagnostics
    assert found.category == "evaluation" and found.rule is None and "more than 100 digits" in found.message
    assert found.spans[0].line == rules.count("\n", 0, rules.index("expr: v2 * v2")) + INPUTS.count("\n") + 1
