"""`make all` in a repository of plans: only what changed is passed to the tool."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, TESTS


def make(repo: Path, *args: str) -> str:
    # The environment is this checkout's, set up already: however old its stamp is beside
    # pyproject.toml (after a merge, say), it is not made again here, inside the test's repo.
    done = subprocess.run(
        ["make", "--no-print-directory", "--old-file=.venv/.ready", *args],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository of three plans using this checkout's Makefile, package and environment."""
    for name in (
        "Makefile",
        "pyproject.toml",
        "requirements.lock",
        ".venv",
        "schemas",
        "templates",
        "rules",
        "generator",
    ):
        (tmp_path / name).symlink_to(ROOT / name)
    cases = tmp_path / "cases"
    cases.mkdir()
    for name in ("a", "b", "c"):
        shutil.copy(TESTS / "minimal-4d.yaml", cases / f"{name}.yaml")
        shutil.copytree(TESTS / "minimal-4d", cases / name)
    age(list(cases.rglob("*")), 3600)
    return tmp_path


def age(paths: list[Path], seconds: float) -> None:
    then = time.time() - seconds
    for path in paths:
        os.utime(path, (then, then))


def touch(repo: Path, path: Path) -> None:
    """Only `path` changed since the last run. File times here are coarser than the test's
    steps, so they are set: the cases an hour back, the last run a second back (still after the
    checkout and set-up of this repository), `path` now."""
    age(list((repo / "cases").rglob("*")), 3600)
    age([repo / "build" / ".all-built", repo / "build" / ".cases"], 1)
    age([path], 0)


def command_line(output: str) -> str:
    return next(line for line in output.splitlines() if " build --out build" in line)


def test_all_passes_only_the_changed_cases(repo: Path) -> None:
    first = make(repo, "all")
    assert command_line(first).endswith("cases/a.yaml cases/b.yaml cases/c.yaml")
    assert " build --out build" not in make(repo, "all")  # nothing changed: no run
    touch(repo, repo / "cases" / "b.yaml")
    assert command_line(make(repo, "all")).endswith("build --out build cases/b.yaml")
    evidence = next((repo / "cases" / "c").rglob("*.*"))
    touch(repo, evidence)  # an evidence file names its case
    assert command_line(make(repo, "all")).endswith("build --out build cases/c.yaml")


def test_a_case_copied_with_its_old_time_is_still_built(repo: Path) -> None:
    make(repo, "all")
    shutil.copy2(repo / "cases" / "a.yaml", repo / "cases" / "d.yaml")  # keeps the old time
    shutil.copytree(repo / "cases" / "a", repo / "cases" / "d", copy_function=shutil.copy2)
    make(repo, "all")
    assert (repo / "build" / "d" / "d.pdf").exists()


def test_make_new_passes_language_marketplace_and_scope(repo: Path) -> None:
    make(repo, "new", "CASE=neu", "STRUCTURE=8d", "REASON=inauthentic", "LANGUAGE=de",
         "MARKETPLACE=amazon.de", "SCOPE=account")  # fmt: skip
    text = (repo / "cases" / "neu.yaml").read_text(encoding="utf-8")
    assert "\nlanguage: de\n" in text and "\nstructure: 8d\n" in text
    assert "  marketplace: amazon.de\n" in text and "  scope: account" in text
    # The locale's own LANGUAGE variable (en_US:en) is not a plan language given to make.
    done = subprocess.run(
        ["make", "--no-print-directory", "new", "CASE=plain", "STRUCTURE=4d", "REASON=inauthentic"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "LANGUAGE": "en_US:en"},
    )
    assert done.returncode == 0, done.stderr
    text = (repo / "cases" / "plain.yaml").read_text(encoding="utf-8")
    assert "\nlanguage: en\n" in text and "  marketplace: amazon.com\n" in text
