"""The per-user cache as an attacker who can write it finds it (a CI cache a fork's branch can
fill): nothing in it runs code, and every entry that cannot be used is a miss."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from generator import render, user_cache
from generator.loader import load_case
from tests.conftest import ROOT, TESTS

TEMPLATE_NAMES = ("plan.md.j2", "plan.html.j2", "counts.txt.j2")


class _Payload:
    """Unpickling this runs a command: what a planted cache entry can do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (f"touch {self.marker}",)


def poisoned_bytecode(marker: Path) -> bytes:
    """A Jinja bytecode cache file whose checksum, unpickled on load, runs `touch marker`."""
    return jinja2.bccache.bc_magic + pickle.dumps(_Payload(marker), 2)


def plant(folder: Path, content: bytes) -> int:
    """Write `content` as the compiled form of every template, in `folder` and every folder
    below it (where a cache keyed on code would look)."""
    cache = jinja2.FileSystemBytecodeCache(str(folder))
    planted = 0
    for where in [folder, *[p for p in folder.rglob("*") if p.is_dir()]]:
        for name in TEMPLATE_NAMES:
            key = cache.get_cache_key(name, str(ROOT / "templates" / name))
            (where / (cache.pattern % key)).write_bytes(content)
            planted += 1
    return planted


def build(case_dir: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Build the minimal case in a new process: its templates are loaded (no output is kept
    from an earlier run, which would make the build a no-op)."""
    shutil.rmtree(case_dir / "out", ignore_errors=True)
    shutil.copy(TESTS / "minimal-4d.yaml", case_dir / "plan.yaml")
    shutil.copytree(TESTS / "minimal-4d", case_dir / "plan", dirs_exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "generator", "build", "--out", str(case_dir / "out"),
         str(case_dir / "plan.yaml")],
        capture_output=True, text=True, env={**os.environ, **environment}, timeout=120,
    )  # fmt: skip


@pytest.fixture
def shared(tmp_path: Path) -> dict[str, str]:
    """A cache folder as a CI cache restores it, and an empty private one, for a new process."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "tmp").mkdir()
    return {"ACTIONPLAN_CACHE": str(tmp_path / "shared"), "TMPDIR": str(tmp_path / "tmp"),
            "XDG_RUNTIME_DIR": ""}  # fmt: skip


def test_planted_bytecode_in_the_shared_cache_does_not_run(
    tmp_path: Path, shared: dict[str, str]
) -> None:
    first = build(tmp_path, shared)  # fills the cache as a first CI run does
    assert first.returncode == 0, first.stderr
    marker = tmp_path / "PWNED"
    assert plant(Path(shared["ACTIONPLAN_CACHE"]), poisoned_bytecode(marker)) > 0
    done = build(tmp_path, shared)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()


@pytest.mark.parametrize("fault", ["group-writable", "other-writable", "a-link", "not-mine"])
def test_private_folder_anyone_else_can_write_is_not_used(
    tmp_path: Path, shared: dict[str, str], fault: str
) -> None:
    first = build(tmp_path, shared)
    assert first.returncode == 0, first.stderr
    private = Path(shared["TMPDIR"]) / f"actionplan-{os.getuid()}"
    assert private.is_dir()  # the compiled templates went there
    if fault == "a-link":
        os.rename(private, tmp_path / "elsewhere")
        private.symlink_to(tmp_path / "elsewhere")
    elif fault == "not-mine":
        if os.getuid() != 0:
            pytest.skip("only root can give a folder to another user")
        os.chown(private, 12345, 12345)
    else:
        private.chmod(0o770 if fault == "group-writable" else 0o757)
    marker = tmp_path / "PWNED"
    plant(tmp_path / "elsewhere" if fault == "a-link" else private, poisoned_bytecode(marker))
    done = build(tmp_path, shared)
    assert done.returncode == 0, done.stderr
    assert not marker.exists()


def test_private_folder_is_made_for_this_user_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    user_cache.private_folder.cache_clear()
    try:
        where = user_cache.private_folder()
    finally:
        user_cache.private_folder.cache_clear()
    assert where is not None
    status = where.parent.lstat()
    assert status.st_uid == os.getuid() and status.st_mode & 0o777 == 0o700


@pytest.mark.parametrize(
    "damage", [b"", b"j2", jinja2.bccache.bc_magic, jinja2.bccache.bc_magic + b"\x80\x04junk",
               jinja2.bccache.bc_magic + pickle.dumps("x", 2) + b"not marshal"],
    ids=["empty", "short", "magic-only", "bad-pickle", "bad-code"],
)  # fmt: skip
def test_damaged_bytecode_is_a_miss(tmp_path: Path, shared: dict[str, str], damage: bytes) -> None:
    first = build(tmp_path, shared)
    assert first.returncode == 0, first.stderr
    damaged = 0
    for folder in (shared["TMPDIR"], shared["ACTIONPLAN_CACHE"]):  # wherever they were kept
        for entry in Path(folder).rglob("__jinja2_*.cache"):
            entry.write_bytes(damage)
            damaged += 1
    assert damaged >= len(TEMPLATE_NAMES)
    done = build(tmp_path, shared)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "entry", ["null", "[]", '"x"', "{}", '{"key": "K", "value": null}', '{"key": "K", "value": []}',
              '{"key": "K", "value": {"paths": 1, "evidence": [], "found": []}}',
              '{"key": "K", "value": {"paths": [], "evidence": [], "found": [{"code": 1}]}}',
              '{"key": "K", "value": {"paths": [], "evidence": [], "found": [1]}}',
              '{"key": "K", "value": {"paths": [], "evidence": [], "found": [{"file": "a", '
              '"line": "x", "column": 1, "severity": "error", "code": "c", "path": "", '
              '"message": "m", "hint": ""}]}}',
              "[[[[" * 10000],
    ids=["null", "list", "string", "empty", "null-value", "list-value", "bad-paths", "bad-found",
         "found-number", "line-text", "deep"],
)  # fmt: skip
def test_damaged_lint_result_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entry: str
) -> None:
    from generator import batch, lint

    monkeypatch.setenv("ACTIONPLAN_CACHE", str(tmp_path / "cache"))
    user_cache.folder.cache_clear()
    case = tmp_path / "plan.yaml"
    shutil.copy(TESTS / "minimal-4d.yaml", case)
    shutil.copytree(TESTS / "minimal-4d", tmp_path / "plan")
    settings = lint.load_settings()
    try:
        expected = batch.check_cached(str(case), settings)
        (stored,) = (tmp_path / "cache").rglob("lint/*.json")
        key = json.loads(stored.read_text())["key"]
        stored.write_text(entry.replace('"K"', json.dumps(key)))
        assert batch.check_cached(str(case), settings) == expected
    finally:
        user_cache.folder.cache_clear()


@pytest.mark.parametrize(
    "value", ["null", "[]", '{"vague_owners": 5}', '{"vague_owners": [[1, 2, 3]]}',
              '{"vague_owners": [["a"]]}', '{"vague_owners": "x"}'],
)  # fmt: skip
def test_damaged_phrase_analysis_is_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    from generator import checks

    monkeypatch.setenv("ACTIONPLAN_CACHE", str(tmp_path / "cache"))
    user_cache.folder.cache_clear()
    checks.phrases.cache_clear()
    try:
        expected = [p.source for p in checks.derive_phrases("en")["vague_owners"]]
        (stored,) = (tmp_path / "cache").rglob("phrases-en.json")
        key = json.loads(stored.read_text())["key"]
        stored.write_text(json.dumps({"key": key, "value": json.loads(value)}))
        checks.phrases.cache_clear()
        assert [p.source for p in checks.derive_phrases("en")["vague_owners"]] == expected
    finally:
        user_cache.folder.cache_clear()
        checks.phrases.cache_clear()


def test_the_cache_folder_of_the_running_suite_holds_no_bytecode() -> None:
    where = user_cache.folder()
    assert where is not None
    render.render_markdown(load_case(TESTS / "minimal-4d.yaml").data)
    assert not list(where.rglob("*.cache"))


@pytest.mark.parametrize("where", ["lint", "version"])
def test_links_planted_in_the_cache_lead_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A restored cache whose lint folder (or whole version folder) is a link to a project:
    the pruning of old entries must not delete the project's old files through it, and no
    entry is written there."""
    from generator import __version__, batch, lint

    project = tmp_path / "project"
    project.mkdir()
    old = project / "old-notes.txt"
    old.write_text("keep me")
    os.utime(old, (1, 1))
    shared = tmp_path / "cache"
    version = shared / "actionplan" / __version__
    if where == "lint":
        version.mkdir(parents=True)
        (version / "lint").symlink_to(project)
    else:
        version.parent.mkdir(parents=True)
        version.symlink_to(project)
        (project / "lint").mkdir()
        (project / "lint" / "old.json").write_text("{}")
        os.utime(project / "lint" / "old.json", (1, 1))
    monkeypatch.setenv("ACTIONPLAN_CACHE", str(shared))
    user_cache.folder.cache_clear()
    case = tmp_path / "plan.yaml"
    shutil.copy(TESTS / "minimal-4d.yaml", case)
    shutil.copytree(TESTS / "minimal-4d", tmp_path / "plan")
    try:
        batch.lint_many([str(case)], lint.load_settings(), 1, lambda index, result: None)
    finally:
        user_cache.folder.cache_clear()
    assert old.read_text() == "keep me"
    assert sorted(p.name for p in project.rglob("*")) == sorted(
        ["old-notes.txt"] + (["lint", "old.json"] if where == "version" else [])
    )


def test_a_pipe_planted_as_an_entry_does_not_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import batch, lint

    monkeypatch.setenv("ACTIONPLAN_CACHE", str(tmp_path / "cache"))
    user_cache.folder.cache_clear()
    case = tmp_path / "plan.yaml"
    shutil.copy(TESTS / "minimal-4d.yaml", case)
    shutil.copytree(TESTS / "minimal-4d", tmp_path / "plan")
    try:
        settings = lint.load_settings()
        expected = batch.check_cached(str(case), settings)
        (stored,) = (tmp_path / "cache").rglob("lint/*.json")
        stored.unlink()
        os.mkfifo(stored)
        assert batch.check_cached(str(case), settings) == expected  # would block on the pipe
    finally:
        user_cache.folder.cache_clear()
