"""Safe YAML with positions: every node keeps its span, every scalar its text origin.

Rule files are data. They are composed with PyYAML's safe composer only (no object
construction), anchors, aliases and custom tags are refused, and sizes are bounded.
"""
from __future__ import annotations

import bisect
import datetime as dt
import difflib
from decimal import Decimal
from pathlib import Path
from typing import Any, Union

import attrs
import yaml

from engine.lang import values
from engine.lang.errors import Diagnostic, RuleFileError
from engine.lang.files import UnreadableFile, read_regular
from engine.lang.source import SourceCache, Span, TextOrigin

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 200_000
_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null", "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq",
}


@attrs.frozen
class YNode:
    """A YAML node: `value` is a dict of YNode (mapping), a list of YNode, or the scalar text."""

    kind: str  # "map", "seq" or "scalar"
    value: Union[dict[str, "YNode"], list["YNode"], str]
    span: Span
    tag: str = ""
    origin: TextOrigin | None = None  # scalars only: where each character of the text sits
    key_spans: dict[str, Span] = attrs.field(factory=dict)

    @property
    def is_null(self) -> bool:
        return self.kind == "scalar" and self.tag.endswith(":null")

    def get(self, key: str) -> YNode | None:
        return self.value.get(key) if isinstance(self.value, dict) else None

    def to_python(self) -> Any:
        """Plain data (dicts, lists, strings) for values whose positions are not needed."""
        if isinstance(self.value, dict):
            return {k: v.to_python() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.to_python() for v in self.value]
        if self.is_null:
            return None
        if self.tag.endswith(":bool"):
            return self.value.lower() in ("true", "yes", "on")
        if self.tag.endswith(":int") and self.value.lstrip("-").isdigit():
            return int(self.value)
        return self.value  # floats and dates stay text, so nothing is rounded or reinterpreted


def read_yaml(path: Path, display: str | None = None, text: str | None = None,
              sources: SourceCache | None = None) -> YNode:
    """Read one YAML file; raise `RuleFileError` with a position for anything malformed.

    `sources`, when given, keeps the text so that diagnostics can quote its lines.
    """
    name = display or str(path)
    if text is None:
        text = _read_text(path, name)
    if sources is not None:
        sources.add(name, text)
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise _fail(f"the file is larger than {MAX_FILE_BYTES} bytes", Span.point(name), "split it into several files")
    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        span = Span.point(name, mark.line + 1, mark.column + 1) if mark else Span.point(name)
        raise _fail(f"not valid YAML: {exc.problem or exc.context}", span,
                    "check the indentation and quoting on this line") from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow; it knows the offset only
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise _fail(f"not valid YAML: the character #x{exc.character:04x} is not allowed here" if isinstance(
            exc.character, int) else "not valid YAML: a character YAML does not allow", Span.point(name, line, col),
            "remove the control character, or write the text in quotes with an escape") from None
    except yaml.YAMLError as exc:
        raise _fail(f"not valid YAML: {' '.join(str(exc).split())}", Span.point(name), None) from None
    if root is None:
        raise _fail("the file is empty", Span.point(name), None)
    return _Converter(name, text).convert(root)


_TAG = "tag:yaml.org,2002:"
_PLAIN_LIMIT = 10_000  # nodes (and ten times as many characters): larger data takes the YAML path


def from_plain(data: dict[str, Any], name: str = "<case>") -> YNode | None:
    """The node tree that `read_yaml` gives for ``json.dumps(data, default=str)``, built without
    writing and parsing that text; None when the data holds anything whose JSON/YAML round trip is
    not plain (floats, non-text keys, control or astral characters, other types) or is large.

    Every node sits at the start of `name`: a reader that finds a problem reads the text instead,
    to report it with its place."""
    budget = [_PLAIN_LIMIT, 10 * _PLAIN_LIMIT]
    try:
        return _plain(data, Span.point(name), budget)
    except (_NotPlain, ValueError, RecursionError):  # too deep, or an int too long to write: the text path says so
        return None


class _NotPlain(Exception):
    pass


def _plain(value: Any, span: Span, budget: list[int]) -> YNode:
    budget[0] -= 1
    if budget[0] < 0:
        raise _NotPlain
    kind = type(value)
    if kind is str:
        budget[1] -= len(value)
        if budget[1] < 0 or not value.isprintable() or (not value.isascii() and max(value) > "\uffff"):
            raise _NotPlain
        return YNode("scalar", value, span, _TAG + "str")
    if kind is bool:
        return YNode("scalar", "true" if value else "false", span, _TAG + "bool")
    if kind is int:
        text = str(value)
        budget[1] -= len(text)
        return YNode("scalar", text, span, _TAG + "int")
    if value is None:
        return YNode("scalar", "null", span, _TAG + "null")
    if kind in (dt.date, Decimal):  # JSON writes them with str(), as quoted text
        return YNode("scalar", str(value), span, _TAG + "str")
    if kind in (list, tuple):
        return YNode("seq", [_plain(item, span, budget) for item in value], span, _TAG + "seq")
    if kind is dict and all(type(key) is str and key != "<<" for key in value):
        return YNode("map", {key: _plain(item, span, budget) for key, item in value.items()}, span, _TAG + "map",
                     key_spans=dict.fromkeys(value, span))
    raise _NotPlain


def _read_text(path: Path, name: str) -> str:
    try:
        return read_regular(path, MAX_FILE_BYTES).decode("utf-8")
    except UnicodeDecodeError:
        raise _fail("the file is not UTF-8 text", Span.point(name), "save it as UTF-8") from None
    except UnreadableFile as exc:
        raise _fail(f"cannot read the file: {exc}", Span.point(name),
                    f"give a regular file of at most {MAX_FILE_BYTES} bytes") from None


def _fail(message: str, span: Span, hint: str | None) -> RuleFileError:
    return RuleFileError([Diagnostic("schema", message, (span,), hint)])


class _Converter:
    def __init__(self, name: str, text: str) -> None:
        self.name, self.text, self.count = name, text, 0
        self.lines = text.splitlines(keepends=True)
        self.line_starts = [0]
        for line in self.lines:
            self.line_starts.append(self.line_starts[-1] + len(line))
        self.seen: set[int] = set()

    def offset(self, mark: yaml.Mark) -> int:
        """Character offset of a mark (libyaml's `index` counts bytes, so use line and column)."""
        return self.line_starts[min(mark.line, len(self.line_starts) - 1)] + mark.column

    def span(self, node: yaml.Node) -> Span:
        start, end = node.start_mark, node.end_mark
        return Span(self.name, start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def convert(self, node: yaml.Node) -> YNode:
        self.count += 1
        if self.count > MAX_NODES:
            raise _fail(f"the file has more than {MAX_NODES} YAML nodes", self.span(node), "split it")
        if node.tag not in _PLAIN_TAGS:
            raise _fail(f"YAML tag {node.tag!r} is not allowed in rule files", self.span(node), "remove the tag")
        if id(node) in self.seen:  # an alias: the composer hands back the anchored node again
            raise _fail("YAML anchors and aliases are not allowed in rule files", self.span(node),
                        "write the value out where it is used")
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return YNode("seq", [self.convert(n) for n in node.value], self.span(node), node.tag)
        assert isinstance(node, yaml.ScalarNode)
        return YNode("scalar", node.value, self.span(node), node.tag, self._origin(node))

    def _mapping(self, node: yaml.MappingNode) -> YNode:
        items: dict[str, YNode] = {}
        key_spans: dict[str, Span] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise _fail("mapping keys must be plain text", self.span(key_node), None)
            key = key_node.value
            if key == "<<":
                raise _fail("YAML merge keys ('<<') are not allowed in rule files", self.span(key_node), None)
            if key in items:
                raise _fail(f"the key {key!r} appears twice in this mapping", self.span(key_node),
                            "remove or rename one of them")
            items[key] = self.convert(value_node)
            key_spans[key] = self.span(key_node)
        return YNode("map", items, self.span(node), node.tag, key_spans=key_spans)

    def _origin(self, node: yaml.ScalarNode) -> TextOrigin:
        """Map each character of the scalar's value to its line and column in the file."""
        start = node.start_mark
        offset = 1 if node.style in ("'", '"') else 0
        first = self.offset(start) + offset
        if node.style not in ("|", ">") and self.text[first:first + len(node.value)] == node.value:  # one line, no escapes
            return TextOrigin.standalone(node.value, self.name, start.line + 1, start.column + 1 + offset)
        return self._folded_origin(node, offset)

    def _folded_origin(self, node: yaml.ScalarNode, offset: int) -> TextOrigin:
        """Block, multi-line and escaped scalars: each character of the value sits at the
        next equal character of the source (whitespace at whitespace), which skips quotes, escape
        backslashes, indentation and line breaks. A character with no match (an escape such as
        \\u00e6) stays where the previous one ended."""
        start_line = node.start_mark.line + 1 if node.style in ("|", ">") else None  # skip the block header
        begin = self.line_starts[min(start_line, len(self.lines))] if start_line else self.offset(node.start_mark) + offset
        end, indices, j = self.offset(node.end_mark), [], begin
        for char in node.value:
            k, limit = j, min(end, j + 200)
            while k < limit and self.text[k] != char and not (char.isspace() and self.text[k].isspace()):
                k += 1
            j = k if k < limit else j
            indices.append(j)
            j += 1
        indices.append(j)
        return TextOrigin(self.name, tuple(self._line_col(i) for i in indices))

    def _line_col(self, index: int) -> tuple[int, int]:
        line = max(0, min(bisect.bisect_right(self.line_starts, index) - 1, len(self.lines) - 1))
        return line + 1, index - self.line_starts[line] + 1


class FieldReader:
    """Reads the fields of one YAML mapping, collecting a diagnostic for each problem."""

    def __init__(self, node: YNode, what: str, diagnostics: list[Diagnostic], rule: str | None = None) -> None:
        self.node, self.what, self.diagnostics, self.rule = node, what, diagnostics, rule

    def problem(self, message: str, span: Span, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic("schema", message, (span,), hint, self.rule))

    def check_keys(self, allowed: set[str]) -> None:
        if not isinstance(self.node.value, dict):  # e.g. a key indented under the one before it
            self.problem(f"{self.what} must be a mapping of {', '.join(sorted(allowed))}", self.node.span,
                         "check the indentation: each field on its own line, indented under its parent")
            return
        for key, span in self.node.key_spans.items():
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(sorted(allowed))}"
                self.problem(f"unknown key '{key}' in {self.what}", span, hint)

    def node_of(self, key: str, required: bool = False) -> YNode | None:
        child = self.node.get(key)
        if child is None or child.is_null:
            if required:
                self.problem(f"{self.what} has no '{key}'", self.node.span, f"add '{key}:'")
            return None
        return child

    def text(self, key: str, required: bool = False) -> str | None:
        child = self.node_of(key, required)
        if child is None:
            return None
        if child.kind != "scalar":
            self.problem(f"'{key}' of {self.what} must be text", child.span)
            return None
        return str(child.value)

    def date(self, key: str, required: bool = False) -> dt.date | None:
        child = self.node_of(key, required)
        if child is None:
            return None
        try:
            return values.parse_date(str(child.value)) if child.kind == "scalar" else None
        except ValueError:
            self.problem(f"'{key}' of {self.what} is not a date: {child.value!r}", child.span,
                         "write dates as YYYY-MM-DD, for example 2020-01-01")
            return None

    def texts(self, key: str, required: bool = True) -> dict[str, str]:
        """A {da, en} pair of titles or descriptions."""
        child = self.node_of(key, required)
        if child is None:
            return {}
        if child.kind != "map":
            self.problem(f"'{key}' of {self.what} must have a Danish and an English text",
                         child.span, f"write '{key}: {{da: ..., en: ...}}'")
            return {}
        out = {lang: str(v.value) for lang, v in child.value.items() if v.kind == "scalar"}  # type: ignore[union-attr]
        for extra in sorted(set(out) - {"da", "en"}):
            self.problem(f"'{key}' of {self.what} has an unexpected key '{extra}'", child.key_spans[extra],
                         "put texts holding a comma in quotes: {da: \"…, …\", en: \"…\"}")
        for lang in ("da", "en"):
            if lang not in out:
                self.problem(f"'{key}' of {self.what} has no '{lang}' text", child.span, f"add '{lang}:'")
        return out

    def items(self, key: str, required: bool = False) -> list[YNode]:
        """A list; a single scalar counts as a one-item list."""
        child = self.node_of(key, required)
        if child is None:
            return []
        if child.kind == "seq":
            return list(child.value)  # type: ignore[arg-type]
        if child.kind == "scalar":
            return [child]
        self.problem(f"'{key}' of {self.what} must be a list", child.span)
        return []

