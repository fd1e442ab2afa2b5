"""Safe YAML with positions: what is refused (always as RuleFileError with a span), and where
each character of a scalar sits in the file."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.lang import yamlsource
from engine.lang.errors import EngineError, RuleFileError
from engine.lang.yamlsource import YNode, read_yaml


def read(text: str) -> YNode:
    return read_yaml(Path("test.yaml"), "test.yaml", text)


def refused(text: str) -> RuleFileError:
    with pytest.raises(RuleFileError) as caught:
        read(text)
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.category == "schema" and diagnostic.span is not None and diagnostic.span.path == "test.yaml"
    return caught.value


class TestRefused:
    def test_alias(self) -> None:
        error = refused("a: &x {b: 1}\nc: *x\n")
        assert "alias" in error.diagnostics[0].message
        # the composer hands back the anchored node itself for an alias, so the span is the anchor's
        assert error.diagnostics[0].span.line == 1  # type: ignore[union-attr]

    def test_alias_of_a_scalar(self) -> None:
        assert "alias" in refused("a: &x 1\nb: *x\n").diagnostics[0].message

    def test_billion_laughs_is_refused_quickly(self) -> None:
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
        refused("\n".join(lines) + "\n")

    @pytest.mark.parametrize("text", [
        "a: !!python/object:os.system ls\n",
        "a: !!python/object/apply:os.system [ls]\n",
        "a: !!python/name:os.system\n",
        "a: !foo 1\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!set {x: null}\n",
        "a: !!omap [{x: 1}]\n",
        "!!python/object:builtins.dict {}\n",
        "a: !<tag:example.com,2000:x> 1\n",
    ])
    def test_tags(self, text: str) -> None:
        assert "tag" in refused(text).diagnostics[0].message

    def test_merge_key(self) -> None:
        error = refused("a: 1\n<<: {b: 2}\n")
        assert "merge" in error.diagnostics[0].message and error.diagnostics[0].span.line == 2  # type: ignore[union-attr]

    def test_merge_key_with_alias(self) -> None:
        refused("base: &b {x: 1}\nrule:\n  <<: *b\n  y: 2\n")

    def test_duplicate_key_points_at_the_second(self) -> None:
        error = refused("rules:\n  a: 1\n  b: 2\n  a: 3\n")
        diagnostic = error.diagnostics[0]
        assert "'a' appears twice" in diagnostic.message and diagnostic.hint
        assert (diagnostic.span.line, diagnostic.span.col) == (4, 3)  # type: ignore[union-attr]

    def test_mapping_key_must_be_text(self) -> None:
        assert "keys" in refused("? [a, b]\n: 1\n").diagnostics[0].message

    def test_oversize_text(self) -> None:
        error = refused("a: " + "x" * yamlsource.MAX_FILE_BYTES + "\n")
        assert "larger than" in error.diagnostics[0].message and error.diagnostics[0].hint

    def test_oversize_file(self, tmp_path: Path) -> None:
        path = tmp_path / "big.yaml"
        path.write_text("a: " + "x" * yamlsource.MAX_FILE_BYTES + "\n", encoding="utf-8")
        with pytest.raises(RuleFileError) as caught:
            read_yaml(path)
        assert "larger than" in caught.value.diagnostics[0].message
        assert caught.value.diagnostics[0].span.path == str(path)  # type: ignore[union-attr]

    def test_too_many_nodes(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(yamlsource, "MAX_NODES", 10)
        assert "more than 10" in refused("a: [" + ", ".join("1" * 20) + "]\n").diagnostics[0].message

    def test_invalid_yaml_points_at_the_line(self) -> None:
        error = refused("a: 1\nb: [1, 2\nc: 3\n")
        assert error.diagnostics[0].message.startswith("not valid YAML")
        assert error.diagnostics[0].span.line >= 2  # type: ignore[union-attr]

    def test_bad_indentation(self) -> None:
        assert refused("a:\n  b: 1\n c: 2\n").diagnostics[0].span.line == 3  # type: ignore[union-attr]

    def test_empty(self) -> None:
        assert "empty" in refused("").diagnostics[0].message
        assert "empty" in refused("# only a comment\n").diagnostics[0].message

    def test_not_utf8(self, tmp_path: Path) -> None:
        path = tmp_path / "latin1.yaml"
        path.write_bytes("a: æøå\n".encode("latin-1"))
        with pytest.raises(RuleFileError) as caught:
            read_yaml(path)
        assert "UTF-8" in caught.value.diagnostics[0].message

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(RuleFileError) as caught:
            read_yaml(tmp_path / "nope.yaml")
        assert "cannot read" in caught.value.diagnostics[0].message

    def test_several_documents(self) -> None:
        refused("a: 1\n---\nb: 2\n")


class TestAccepted:
    def test_to_python_keeps_numbers_exact(self) -> None:
        node = read("i: 12\nf: 0.1\nd: 2024-01-31\nb: true\nn: null\ns: 'x'\nl: [1, two]\n")
        assert node.to_python() == {"i": 12, "f": "0.1", "d": "2024-01-31", "b": True, "n": None, "s": "x", "l": [1, "two"]}

    def test_spans_and_key_spans(self) -> None:
        node = read("rules:\n  - id: a.b\n    kind: value\n")
        rule = node.get("rules").value[0]  # type: ignore[union-attr,index]
        assert (rule.get("kind").span.line, rule.get("kind").span.col) == (3, 11)
        assert (rule.key_spans["kind"].line, rule.key_spans["kind"].col) == (3, 5)

    def test_an_anchor_that_is_never_used_is_harmless(self) -> None:
        assert read("a: &x 1\n").to_python() == {"a": 1}


def _char_at(text: str, line: int, col: int) -> str:
    return text.split("\n")[line - 1][col - 1]


STYLES = st.sampled_from([None, "'", '"', "|", ">"])
VALUES = st.text(alphabet="ab c1=:#-'\"\\æø{}[],.", min_size=1, max_size=60)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(VALUES, STYLES, st.integers(min_value=8, max_value=40), st.integers(min_value=0, max_value=6))
def test_every_character_of_a_scalar_maps_to_itself_in_the_file(value: str, style: str | None, width: int, indent: int) -> None:
    """However PyYAML quotes, escapes or folds a value, each visible character's position is that character."""
    body = yaml.safe_dump({"key": value}, default_style=style, width=width, allow_unicode=True)
    assume(yaml.safe_load(body) == {"key": value})  # PyYAML's emitter does not always round-trip '>'
    text = "".join(" " * indent + line if line.strip() else line for line in body.splitlines(keepends=True))
    text = "outer:\n" + text if indent else text
    node = read(text)
    scalar = (node.get("outer") if indent else node).get("key")  # type: ignore[union-attr]
    assert scalar is not None and scalar.value == value and scalar.origin is not None
    for i, char in enumerate(value):
        if not char.isspace():
            line, col = scalar.origin.positions[i]
            assert _char_at(text, line, col) == char, (i, char, text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_is_a_node_or_a_rule_file_error(text: str) -> None:
    try:
        node = read(text)
    except RuleFileError as error:
        assert error.diagnostics and all(d.spans for d in error.diagnostics)
        return
    except EngineError as error:  # pragma: no cover - reported as a failure below
        pytest.fail(f"unexpected {type(error).__name__}: {error}")
    assert node.kind in ("map", "seq", "scalar")


YAMLISH = st.lists(st.sampled_from(["a", ":", " ", "\n", "  ", "- ", "&x ", "*x", "!!str ", "!t ", "<<", "{", "}", "[", "]",
                                    ",", "'", '"', "|", ">", "#", "? ", "---", "...", "%YAML 1.1", "\t", "é", "\\"]),
                   max_size=40).map("".join)


@settings(max_examples=200, deadline=None)
@given(YAMLISH)
def test_yaml_shaped_text_is_a_node_or_a_rule_file_error(text: str) -> None:
    try:
        read(text)
    except RuleFileError as error:
        assert all(d.spans for d in error.diagnostics)
