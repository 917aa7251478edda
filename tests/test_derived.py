"""The lint's tables built at set-up (generator/derived.py) against those derived from the rules."""

from __future__ import annotations

import pickle
import re
from pathlib import Path
from typing import Any

import pytest

from generator import checks, derived, i18n, judge
from generator.loader import load_case


def _view(tables: dict[str, Any]) -> dict[str, Any]:
    """What a language's phrase tables hold, as plain values."""
    names = (*checks.phrase_lists(), "vague_owners")
    lists = {
        name: [(p.source, p.prefixes, p.required, p.at_word) for p in tables[name]]
        for name in names
    }
    # Filed in the order of sets of strings, which differs from process to process.
    trigger = {
        k: {w: sorted(e) for w, e in v.items()} if isinstance(v, dict) else sorted(v)
        for k, v in vars(tables["trigger"]).items()
        if k != "_known"
    }
    rest = {k: v for k, v in tables.items() if k not in (*names, "trigger")}
    return {"lists": lists, "trigger": trigger, "rest": rest}


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "tables.pickle"
    monkeypatch.setattr(derived, "PATH", path)
    derived._table.cache_clear()
    derived.build(path)
    yield path
    derived._table.cache_clear()


def test_built_tables_equal_those_derived_from_the_rules(built: Path) -> None:
    for language in i18n.languages():
        loaded = derived.phrases(language, checks.phrases_key(language))
        assert loaded is not None
        assert _view(loaded) == _view(checks.derive_phrases(language))


def test_tables_of_other_rules_or_another_python_are_not_used(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = checks.phrases_key("en")
    assert derived.phrases("en", key + b"\n# a rule edited since") is None
    data = pickle.loads(built.read_bytes())
    built.write_bytes(pickle.dumps({**data, "engine": "another Python"}))
    derived._table.cache_clear()
    assert derived.phrases("en", key) is None
    built.write_bytes(b"torn")
    derived._table.cache_clear()
    assert derived.phrases("en", key) is None
    assert derived.compile_pattern("a+b", 0).pattern == "a+b"


def test_kept_compiled_patterns_match_as_compiled_ones(built: Path) -> None:
    """Every kept pattern and cue, rebuilt from its kept form, finds what re.compile finds."""
    texts = [text.value for path in sorted(Path("cases").glob("*.yaml"))
             for text in checks.texts(load_case(path).data)]  # fmt: skip
    kept = pickle.loads(built.read_bytes())["code"]
    assert len(kept) > 2000
    for (source, flags), _ in kept.items():
        assert flags in (checks.PHRASE_FLAGS, judge.CUE_FLAGS)
        fresh, loaded = re.compile(source, flags), derived.compile_pattern(source, flags)
        assert loaded is not fresh  # not re's own cache
        same = (loaded.pattern, loaded.flags, loaded.groups, loaded.groupindex)
        assert same == (fresh.pattern, fresh.flags, fresh.groups, fresh.groupindex)
        for text in texts[:: max(1, len(texts) // 40)]:
            assert [m.span() for m in loaded.finditer(text)] == [
                m.span() for m in fresh.finditer(text)
            ]


def test_the_set_up_tables_if_current_are_the_rules_own() -> None:
    """The file `make setup` writes: used only while it matches the rules (else derived)."""
    derived._table.cache_clear()
    for language in i18n.languages():
        loaded = derived.phrases(language, checks.phrases_key(language))
        if loaded is not None:
            assert _view(loaded) == _view(checks.derive_phrases(language))
