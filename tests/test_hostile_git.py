"""Versions named in a case reach git only as revisions: never as options, never as files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import TESTS
from tests.helpers import run


def git(folder: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=folder,
        check=True,
        capture_output=True,
    )


def rejected(version: str) -> str:
    text = (TESTS / "minimal-4d.yaml").read_text()
    quoted = version.replace("'", "''")
    return (
        text
        + f"submissions:\n  - date: 2026-11-21\n    version: '{quoted}'\n    outcome: rejected\n"
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding one case, committed and tagged."""
    shutil.copytree(TESTS / "minimal-4d", tmp_path / "plan")
    (tmp_path / "plan.yaml").write_text(rejected("sent-1"))
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "plan")
    git(tmp_path, "tag", "sent-1")
    return tmp_path


def lint(case: Path, version: str) -> tuple[int, str]:
    case.write_text(rejected(version))
    code, _, stderr = run("lint", str(case))
    return code, stderr


def test_a_real_revision_is_still_compared(repo: Path) -> None:
    _, stderr = lint(repo / "plan.yaml", "sent-1")
    assert "unchanged since" in stderr


@pytest.mark.parametrize("option", ["--output={out}", "--output", "-o{out}", "--ext-diff"])
def test_an_option_as_version_is_a_diagnostic_at_the_field(repo: Path, option: str) -> None:
    out = repo / "written-by-git"
    (repo / "written-by-git:.").mkdir()  # git would write to <out>:./plan.yaml
    code, stderr = lint(repo / "plan.yaml", option.format(out=out))
    assert not (repo / "written-by-git:." / "plan.yaml").exists()
    assert code == 1
    assert "$.submissions[0].version" in stderr and "plan.yaml:46:" in stderr


def test_a_path_as_version_is_not_opened(repo: Path) -> None:
    """A version naming a file (here a copy of the plan itself) is no revision: it is not read."""
    copy = repo / "copy.yaml"
    copy.write_text(rejected(str(copy)))
    _, stderr = lint(repo / "plan.yaml", str(copy))
    assert "unchanged since" not in stderr


def test_an_option_given_to_diff_is_no_option_for_git(repo: Path) -> None:
    (repo / "written-by-git:.").mkdir()
    code, _, stderr = run(
        "diff", str(repo / "plan.yaml"), "--from", f"--output={repo / 'written-by-git'}"
    )
    assert code == 1 and "error [diff.revision]" in stderr
    assert not (repo / "written-by-git:." / "plan.yaml").exists()
