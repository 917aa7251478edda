"""Lint results kept between runs: used again only when nothing the checks read has changed."""

from __future__ import annotations

import dataclasses
import os
import shutil
import time
from pathlib import Path

import pytest

from generator import batch, lint, pipeline, user_cache

SETTINGS = lint.load_settings()


@pytest.fixture
def case(tmp_path: Path) -> Path:
    shutil.copytree("cases/asin-recall", tmp_path / "asin-recall")
    target = tmp_path / "asin-recall.yaml"
    shutil.copy("cases/asin-recall.yaml", target)
    return target


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The cases that were really checked (not answered from the cache)."""
    seen: list[str] = []
    original = pipeline.check_source

    def counting(
        file: str, source: bytes, settings: lint.Settings | None = None, decode: bool = True
    ) -> pipeline.Checked:
        seen.append(str(file))
        return original(file, source, settings, decode)

    monkeypatch.setattr(pipeline, "check_source", counting)
    return seen


def test_an_unchanged_case_is_answered_from_the_cache(case: Path, calls: list[str]) -> None:
    case.write_text(case.read_text().replace("No injury or property", "We will check. No injury"))
    first = batch.check_cached(str(case), SETTINGS)
    second = batch.check_cached(str(case), SETTINGS)
    assert calls == [str(case)]
    assert [d.code for d in first] == ["lint.promise"]
    assert second == first  # line, column, severity, message and hint all come back


def test_an_edited_case_is_checked_again(case: Path, calls: list[str]) -> None:
    batch.check_cached(str(case), SETTINGS)
    case.write_text(case.read_text().replace("No injury", "We will check. No injury"))
    found = batch.check_cached(str(case), SETTINGS)
    assert len(calls) == 2
    assert any(d.code == "lint.promise" for d in found)


def test_a_changed_evidence_file_is_checked_again(case: Path, calls: list[str]) -> None:
    batch.check_cached(str(case), SETTINGS)
    report = case.parent / "asin-recall" / "evidence" / "lab-report-2026-11.pdf"
    report.write_bytes(b"not a pdf any more")
    found = batch.check_cached(str(case), SETTINGS)
    assert len(calls) == 2
    assert any(d.code == "evidence.type" for d in found)
    batch.check_cached(str(case), SETTINGS)  # a refused file is never cached: it may be fixed
    assert len(calls) == 3


def test_other_settings_are_another_result(case: Path, calls: list[str]) -> None:
    batch.check_cached(str(case), SETTINGS)
    quiet = dataclasses.replace(SETTINGS, severity={**SETTINGS.severity, "lint.no-figures": "off"})
    batch.check_cached(str(case), quiet)
    assert len(calls) == 2


def test_a_rejected_submission_is_never_cached(case: Path, calls: list[str]) -> None:
    text = case.read_text() + (
        "submissions:\n  - date: 2026-11-01\n    version: v1\n    outcome: rejected\n"
    )
    case.write_text(text)
    batch.check_cached(str(case), SETTINGS)
    batch.check_cached(str(case), SETTINGS)
    assert len(calls) == 2


def test_no_cache_when_it_is_off(
    case: Path, calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        patch.setenv("ACTIONPLAN_CACHE", "off")
        user_cache.folder.cache_clear()
        assert user_cache.folder() is None
        batch.check_cached(str(case), SETTINGS)
        batch.check_cached(str(case), SETTINGS)
    user_cache.folder.cache_clear()
    assert len(calls) == 2


def test_results_unused_for_a_month_are_deleted(case: Path, calls: list[str]) -> None:
    batch.check_cached(str(case), SETTINGS)
    folder = user_cache.folder()
    assert folder is not None
    stale = folder / "lint" / ("0" * 64 + ".json")  # another case's result, unused since
    stale.write_text('{"key": "", "value": null}')
    entries = list((folder / "lint").iterdir())
    assert len(entries) >= 2
    old = time.time() - 40 * 86400
    for entry in entries:
        os.utime(entry, (old, old))
    batch.check_cached(str(case), SETTINGS)  # used: it is kept, and dated again
    assert len(calls) == 1
    mine = [e for e in entries if e.stat().st_mtime > old]
    assert len(mine) == 1 and stale not in mine
    batch.lint_many([], SETTINGS, 1, lambda *_: None)  # a lint run prunes
    assert [e for e in entries if e.exists()] == mine
    assert not stale.exists()
