"""Shared fixtures; `pytest --update-golden` rewrites golden files (review the diff after)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
CASES = sorted((ROOT / "cases").glob("*.yaml"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite golden files from the current output"
    )


@pytest.fixture(autouse=True, scope="session")
def _own_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The suite's own per-user cache, so no test reads what another run (or the user) left."""
    from generator import user_cache

    os.environ["ACTIONPLAN_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    user_cache.folder.cache_clear()


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    # Case paths in diagnostics are relative to where the tool runs, as for a user.
    monkeypatch.chdir(ROOT)


@pytest.fixture
def golden(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Compare text with a golden file, or rewrite it under --update-golden."""
    update = request.config.getoption("--update-golden") or os.environ.get("UPDATE_GOLDEN") == "1"

    def check(path: Path, actual: str) -> None:
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        assert path.exists(), f"{path} is missing; run pytest --update-golden and review it"
        assert actual == path.read_text(encoding="utf-8")

    return check
