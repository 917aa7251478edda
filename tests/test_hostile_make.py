"""make as an attacker or an impatient user drives it: failures and interrupts keep the previous
outputs, and a case name reaches no shell unless it is a case name."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, TESTS

OUTPUTS = ("a.md", "a.html", "a.txt", "a.pdf", "a.docx", "a-submission.pdf", "a-evidence.zip")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with one built plan, using this checkout's Makefile and environment."""
    for name in ("Makefile", "pyproject.toml", "requirements.lock", ".venv", "schemas"):
        (tmp_path / name).symlink_to(ROOT / name)
    for name in ("templates", "rules", "generator"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "cases").mkdir()
    shutil.copy(TESTS / "minimal-4d.yaml", tmp_path / "cases" / "a.yaml")
    shutil.copytree(TESTS / "minimal-4d", tmp_path / "cases" / "a")
    built = tmp_path / "build" / "a"
    built.mkdir(parents=True)
    for name in OUTPUTS:
        (built / name).write_text(f"previous {name}\n")
    # The outputs are older than the case, so make runs the tool.
    for name in OUTPUTS:
        os.utime(built / name, (1, 1))
    return tmp_path


def fake_tool(repo: Path, body: str) -> str:
    """A stand-in for actionplan: it replaces every output (as the real tool's rename does)
    and then fails or is interrupted, as a real build can after writing the plan's formats."""
    tool = repo / "fake-actionplan"
    touch = " ".join(f"build/a/{name}" for name in OUTPUTS)
    tool.write_text(f"#!/bin/sh\nfor f in {touch}; do echo new > $f; done\n{body}\n")
    tool.chmod(0o755)
    return f"ACTIONPLAN={tool}"


def make(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        start_new_session=True,  # an interrupt sent to the process group stays in it
        timeout=120,
    )


@pytest.mark.parametrize("target", ["build", "bundle"])
@pytest.mark.parametrize("ending", ["exit 1", "kill -INT 0; sleep 5"], ids=["failure", "interrupt"])
def test_failed_or_interrupted_make_keeps_the_outputs(repo: Path, target: str, ending: str) -> None:
    done = make(repo, target, "CASE=a", fake_tool(repo, ending))
    assert done.returncode != 0
    for name in OUTPUTS:
        assert (repo / "build" / "a" / name).exists(), f"make deleted {name}: {done.stderr}"


def test_failed_real_build_keeps_the_outputs(repo: Path) -> None:
    """The real tool on a case that no longer validates: make leaves the old outputs too."""
    case = repo / "cases" / "a.yaml"
    case.write_text(case.read_text().replace("structure: 4d", "structure: 5d"))
    done = make(repo, "build", "CASE=a")
    assert done.returncode != 0 and "error [" in done.stderr
    for name in OUTPUTS:
        assert (repo / "build" / "a" / name).read_text() == f"previous {name}\n"


@pytest.mark.parametrize(
    "case",
    [
        'x"; touch PWNED; echo "',
        "x'; touch PWNED; echo '",
        "$$(touch PWNED)",
        "`touch PWNED`",
        "a b",
        "../a",
        "A",
        "-a",
    ],
)
@pytest.mark.parametrize("target", ["build", "bundle", "watch", "diff", "new"])
def test_case_name_is_checked_before_a_shell_sees_it(repo: Path, case: str, target: str) -> None:
    done = make(repo, target, f"CASE={case}", "FROM=HEAD", "STRUCTURE=4d", "REASON=other")
    assert not (repo / "PWNED").exists()
    assert done.returncode == 2
    assert "not a case name" in done.stderr


@pytest.mark.parametrize("variable", ["FROM", "STRUCTURE", "REASON"])
def test_other_variables_reach_no_shell(repo: Path, variable: str) -> None:
    values = {"FROM": "HEAD", "STRUCTURE": "4d", "REASON": "other"}
    values[variable] = 'x"; touch PWNED; echo "'
    target = "diff" if variable == "FROM" else "new"
    make(
        repo,
        target,
        "CASE=a" if target == "diff" else "CASE=zz",
        *(f"{k}={v}" for k, v in values.items()),
    )
    assert not (repo / "PWNED").exists()
