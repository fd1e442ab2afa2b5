"""The compiled-rulebook cache: used when it matches, ignored and rebuilt when it does not."""
from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from click.testing import CliRunner

import engine
from engine.interfaces.cli import main
from engine.refusion import native
from engine.rulebook import cache, engine_version

REPO = Path(__file__).resolve().parent.parent.parent
CASE = REPO / "examples" / "hillerod-complex.yaml"


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    monkeypatch.setattr(native, "cache_folder", lambda: tmp_path / "native")  # `cache clear` leaves the user's kernels
    return folder


def only_file(folder: Path) -> Path:
    files = list(folder.glob("rulebook-*.cache"))
    assert len(files) == 1, files
    return files[0]


def test_second_load_comes_from_the_cache_and_decides_the_same(cache_dir: Path) -> None:
    built = engine.load()
    cached = engine.load()
    assert (built.from_cache, cached.from_cache) == (False, True)
    assert cached.fingerprint == built.fingerprint
    assert cached.evaluate(CASE).to_json() == built.evaluate(CASE).to_json()


@pytest.mark.parametrize("spoil", ["flip a payload byte", "truncate", "foreign magic", "other fingerprint"])
def test_a_spoilt_cache_file_is_ignored_and_rebuilt(cache_dir: Path, spoil: str) -> None:
    engine.load()
    path = only_file(cache_dir)
    data = path.read_bytes()
    if spoil == "flip a payload byte":
        data = data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:]
    elif spoil == "truncate":
        data = data[: len(data) // 2]
    elif spoil == "foreign magic":
        data = b"NOT-PARAGRAF\n" + data[len(cache.MAGIC):]
    else:
        data = data.replace(b'"fingerprint": "sha256:', b'"fingerprint": "sha256:0', 1)
    path.write_bytes(data)
    assert cache.read(engine.load(cache=False).fingerprint, engine_version()) is None
    rebuilt = engine.load()
    assert not rebuilt.from_cache
    assert engine.load().from_cache  # written again, whole


def test_a_pickle_that_fails_is_not_loaded(cache_dir: Path) -> None:
    """A header that matches a payload that is not a rulebook: rebuilt, not returned."""
    book = engine.load(cache=False)
    cache.write(book.fingerprint, engine_version(), "not a rulebook")
    assert not engine.load().from_cache


def test_a_changed_rule_file_is_not_served_from_the_old_cache(cache_dir: Path, rulebook_copy: Path) -> None:
    assert not engine.load(rulebook_copy).from_cache
    assert engine.load(rulebook_copy).from_cache
    rule_file = next((rulebook_copy / "rules").rglob("*.yaml"))
    rule_file.write_text(rule_file.read_text() + "\n# an edit\n")
    changed = engine.load(rulebook_copy)
    assert not changed.from_cache


def test_a_rulebook_with_problems_is_not_cached(cache_dir: Path, rulebook_copy: Path) -> None:
    rule_file = next((rulebook_copy / "rules").rglob("*.yaml"))
    rule_file.write_text(rule_file.read_text().replace("when:", "when: (", 1))
    assert engine.load(rulebook_copy).diagnostics
    assert not list(cache_dir.glob("rulebook-*.cache"))


def test_the_cache_can_be_switched_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.ENV, "off")
    assert cache.folder() is None
    assert not engine.load().from_cache and not engine.load().from_cache


def test_an_unwritable_cache_folder_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))
    assert engine.load().evaluate(CASE).obligations


def test_a_rulebook_pickles_after_evaluating(cache_dir: Path) -> None:
    book = engine.load()
    before = book.evaluate(CASE).to_json()
    again = pickle.loads(pickle.dumps(book))
    assert again.evaluate(CASE).to_json() == before


def test_cache_info_and_clear(cache_dir: Path) -> None:
    engine.load()
    runner = CliRunner()
    info = runner.invoke(main, ["cache", "info"])
    assert info.exit_code == 0 and str(cache_dir) in info.output and "1 file(s)" in info.output
    assert engine.load().fingerprint in info.output
    cleared = runner.invoke(main, ["cache", "clear"])
    assert cleared.exit_code == 0 and "removed 1 file(s)" in cleared.output
    assert not list(cache_dir.glob("rulebook-*.cache"))


def test_cache_info_and_clear_cover_the_native_kernels(cache_dir: Path) -> None:
    kernels = native.cache_folder()
    (kernels / "__pycache__").mkdir(parents=True)
    (kernels / "kernel_0123.py").write_text("# a kernel's source\n", encoding="utf-8")
    (kernels / "__pycache__" / "kernel_0123.kernel-1.py311.nbc").write_bytes(b"machine code")
    runner = CliRunner()
    info = runner.invoke(main, ["cache", "info"])
    assert info.exit_code == 0 and f"native refusion kernels: {kernels}" in info.output
    assert "1 kernel(s) in 2 file(s), 32 bytes" in info.output
    cleared = runner.invoke(main, ["cache", "clear"])
    assert cleared.exit_code == 0 and f"removed 2 kernel file(s) from {kernels}" in cleared.output
    assert native.kernel_files() == []


def test_a_cache_from_other_engine_code_is_not_used(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same version number, edited engine (an editable install): the old file is not trusted."""
    monkeypatch.setattr(cache, "code_digest", lambda: "0" * 64)
    engine.load()
    assert engine.load().from_cache
    monkeypatch.undo()
    monkeypatch.setenv(cache.ENV, str(cache_dir))
    assert not engine.load().from_cache


def test_the_gate_result_is_kept_in_the_cache_and_read_again(cache_dir: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.law import analysis
    from engine.rulebook import gate

    fresh = gate.inspect(engine.load(cache=False))
    first = engine.load()
    assert first.gate_result is None
    assert gate.inspect(first) == fresh
    monkeypatch.setattr(analysis, "analyse", lambda *_: pytest.fail("the kept gate result was not used"))
    again = engine.load()
    assert again.from_cache and again.gate_result == fresh
    assert gate.inspect(again) == fresh


def test_a_gate_result_is_not_kept_when_the_cache_is_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.rulebook import gate

    monkeypatch.setenv(cache.ENV, "off")
    gate.inspect(engine.load())
    assert engine.load().gate_result is None
