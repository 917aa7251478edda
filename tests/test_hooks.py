"""The pre-commit hooks this repository offers (.pre-commit-hooks.yaml), run as pre-commit runs
them: the entry, then the staged files its `files` pattern selects, in a repository of plans."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT, TESTS

HOOKS = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}


@pytest.fixture
def plans(tmp_path: Path) -> Path:
    """A repository of plans: one clean case, with its evidence folder."""
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(TESTS / "minimal-4d.yaml", cases / "good.yaml")
    shutil.copytree(TESTS / "minimal-4d", cases / "good")
    return tmp_path


def run_hook(hook: dict[str, Any], repo: Path) -> subprocess.CompletedProcess[str]:
    """The hook's entry with the files of `repo` that its pattern selects, as pre-commit passes
    them (relative to the repository's top), or none if it takes no file names."""
    files = sorted(str(p.relative_to(repo)) for p in repo.rglob("*") if p.is_file())
    include, exclude = hook.get("files", ""), hook.get("exclude", "^$")  # pre-commit's defaults
    selected = [f for f in files if re.search(include, f) and not re.search(exclude, f)]
    if not hook.get("pass_filenames", True):
        selected = []  # the command finds the cases itself
    entry = shlex.split(hook["entry"])
    # The command the package installs (language: python), from this environment.
    command = Path(sys.executable).with_name(entry[0])
    assert command.exists(), f"{entry[0]} is not installed beside {sys.executable}"
    return subprocess.run(
        [str(command), *entry[1:], *selected],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )


def test_every_hook_is_a_python_hook_of_the_actionplan_command() -> None:
    assert set(HOOKS) == {"actionplan-validate", "actionplan-lint"}
    for hook in HOOKS.values():
        assert hook["language"] == "python"
        assert shlex.split(hook["entry"])[0] == "actionplan"


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_a_hook_passes_clean_cases_and_selects_only_case_files(hook: str, plans: Path) -> None:
    (plans / "cases" / "good" / "notes.yaml").write_text("not: [a case")  # not selected
    done = run_hook(HOOKS[hook], plans)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == "1 case checked: no problems\n"  # the notes.yaml beside it is none


@pytest.mark.parametrize(
    ("hook", "change", "code"),
    [
        ("actionplan-validate", ("title: Overheating charger", "title: 42"), "schema.type"),
        # A warning fails the commit: the lint hook runs with --strict.
        ("actionplan-lint", ("Closed the listing.", "We will close the listing."), "lint.promise"),
    ],
)
def test_a_hook_stops_a_commit_with_a_problem_and_names_it(
    hook: str, change: tuple[str, str], code: str, plans: Path
) -> None:
    case = plans / "cases" / "bad.yaml"
    shutil.copytree(plans / "cases" / "good", plans / "cases" / "bad")
    case.write_text((TESTS / "minimal-4d.yaml").read_text().replace(*change))
    done = run_hook(HOOKS[hook], plans)
    assert done.returncode == 1
    assert "cases/bad.yaml:" in done.stderr and f"[{code}]" in done.stderr
    assert "cases/good.yaml" not in done.stderr
    assert "Traceback" not in done.stderr


def test_the_lint_hook_runs_on_every_commit_and_sees_a_deleted_evidence_file(plans: Path) -> None:
    hook = HOOKS["actionplan-lint"]
    # git hands a deleted file to no hook: only a hook that always runs can see it.
    assert hook["always_run"] is True and hook["pass_filenames"] is False
    (plans / "cases" / "good" / "evidence" / "lab-report.pdf").unlink()
    done = run_hook(hook, plans)
    assert done.returncode == 1
    assert "cases/good.yaml:" in done.stderr and "[evidence.missing]" in done.stderr
