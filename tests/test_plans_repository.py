"""An agency's own plans repository, end to end: the wheel built from this checkout, installed in
a fresh virtual environment, used in an empty folder outside this repository, as the README of
`actionplan init` tells an agency to.

One wheel and one environment serve the whole module (pip's own cache makes the installs
quick); the pre-commit hooks install that same wheel into their environment.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest
import yaml
from jsonschema import Draft7Validator

from generator import __version__, repository

ROOT = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = json.loads((ROOT / "tests" / "sarif-schema-2.1.0.json").read_text())
GIT = shutil.which("git")

pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")


@dataclass
class Installed:
    wheel: Path
    bin: Path
    home: Path  # HOME and caches of the agency's machine

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(self.home),
            "ACTIONPLAN_CACHE": str(self.home / "actionplan-cache"),
            "GIT_AUTHOR_NAME": "Jana Weber",
            "GIT_AUTHOR_EMAIL": "jana@weber-power.example",
            "GIT_COMMITTER_NAME": "Jana Weber",
            "GIT_COMMITTER_EMAIL": "jana@weber-power.example",
            "GIT_CONFIG_NOSYSTEM": "1",
            # pip's cache and settings (indexes) as the user has them, for the hooks' installs.
            **{k: v for k, v in os.environ.items() if k.startswith(("PIP_", "XDG_CACHE"))},
            "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache/pip")),
            **extra,
        }


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("installed")
    wheels = work / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("actionplan-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "-c",
            str(ROOT / "requirements.lock"),
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    home = work / "home"
    home.mkdir()
    return Installed(wheel, venv / "bin", home)


@dataclass
class Shell:
    """Commands run in the plans repository, as the agency runs them."""

    installed: Installed
    cwd: Path

    def __call__(
        self, *args: str, ok: bool = True, env: dict[str, str] | None = None, stdin: str = ""
    ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            list(args),
            cwd=self.cwd,
            capture_output=True,
            text=True,
            check=False,
            env=env or self.installed.env(),
            input=stdin,
        )
        if ok:
            assert result.returncode == 0, f"{args}: {result.stdout}\n{result.stderr}"
        return result

    def actionplan(
        self, *args: str, ok: bool = True, stdin: str = ""
    ) -> subprocess.CompletedProcess[str]:
        return self(str(self.installed.bin / "actionplan"), *args, ok=ok, stdin=stdin)


@pytest.fixture(scope="module")
def plans(installed: Installed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shell]:
    """A plans repository made by `init` in an empty folder; the tests below work in it in turn
    (the agency's flow first, then the hooks and the formats on the plan it left)."""
    top = tmp_path_factory.mktemp("agency") / "plans"
    shell = Shell(installed, top.parent)
    result = shell.actionplan("init", "plans")
    assert "wrote actionplan.yaml" in result.stderr + result.stdout
    shell.cwd = top
    yield shell


def test_the_wheel_runs_from_its_own_environment(installed: Installed, plans: Shell) -> None:
    where = plans(
        str(installed.bin / "python"), "-c", "import generator; print(generator.__file__)"
    )
    assert str(installed.bin.parent) in where.stdout and str(ROOT) not in where.stdout
    version = plans.actionplan("-V")
    assert version.stdout.strip().endswith(__version__)


def test_init_writes_the_repository_and_keeps_it_on_a_second_run(plans: Shell) -> None:
    top = plans.cwd
    for name in [
        "actionplan.yaml",
        ".gitignore",
        ".gitattributes",
        ".pre-commit-config.yaml",
        ".github/workflows/actionplan.yml",
        ".vscode/settings.json",
        "README.md",
        "schemas/plan-4d.schema.json",
        "requirements.txt",
    ]:
        assert (top / name).is_file(), name
    assert (top / "cases").is_dir() and (top / ".git").is_dir()
    hooks = yaml.safe_load((top / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    assert all(h["additional_dependencies"] == [f"actionplan=={__version__}"] for h in hooks)
    again = plans.actionplan("init")
    assert not [line for line in again.stderr.splitlines() if line.startswith("wrote ")]
    files = len(repository.FILES) + 1 + len(repository.schema_sources())  # and cases/.gitkeep
    assert f"kept {files} existing file(s) as they were" in again.stderr
    assert plans.actionplan("lint").returncode == 0  # an empty repository: nothing to check


def test_the_agency_flow_from_a_new_case_to_a_revised_submission(plans: Shell) -> None:
    top = plans.cwd
    plans.actionplan("new", "asin-recall", "--structure", "4d", "--reason", "product-safety")
    case = top / "cases" / "asin-recall.yaml"
    first = case.read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/plan-4d.schema.json"
    assert (case.parent / first.split("=", 1)[1]).resolve().is_file()  # the editor finds it
    drafted = plans.actionplan("lint", "cases/asin-recall.yaml", ok=False)
    assert drafted.returncode == 1 and "$.notice.date" in drafted.stderr  # the seller's to write
    case.write_text(case.read_text().replace("YYYY-MM-DD", "2026-10-28"))
    drafted = plans.actionplan("lint", "cases/asin-recall.yaml", ok=False)
    assert drafted.returncode == 1 and "[lint.placeholder]" in drafted.stderr

    # The plan written (the example plan of this project, evidence and all).
    text = (ROOT / "cases" / "asin-recall.yaml").read_text()
    case.write_text(first + "\n" + text.split("\n", 1)[1])
    shutil.copytree(
        ROOT / "cases" / "asin-recall", top / "cases" / "asin-recall", dirs_exist_ok=True
    )
    checked = plans.actionplan("lint", "-v", "cases/asin-recall.yaml")
    summary = checked.stderr.splitlines()[-1]
    assert summary in ("1 case checked: no problems", "0 error(s), 1 warning(s) in 1 case(s)")
    plans.actionplan("build", "cases/asin-recall.yaml")
    assert (top / "build" / "asin-recall" / "asin-recall.pdf").is_file()
    assert not any(path.suffix == ".html" for path in (top / "cases").rglob("*"))

    plans("git", "add", "-A")
    plans("git", "commit", "-qm", "asin-recall: first plan")
    plans("git", "tag", "asin-recall/submitted-1")
    assert plans("git", "status", "--porcelain").stdout == ""  # build/ is ignored

    # Rejected: revise the immediate action and record the submission.
    revised = case.read_text().replace(
        "Closed the listing", "Closed the listing and removed all 212 units from sale"
    )
    revised += (
        "\nsubmissions:\n  - {date: 2026-11-08, version: asin-recall/submitted-1, "
        'outcome: rejected, feedback: "Your plan did not address the root cause."}\n'
    )
    assert revised != case.read_text()
    case.write_text(revised)
    changes = plans.actionplan(
        "diff", "cases/asin-recall.yaml", "--from", "asin-recall/submitted-1", "--no-color"
    )
    assert "removed all 212 units from sale" in changes.stdout
    assert "Submissions" in changes.stdout and "asin-recall/submitted-1" in changes.stdout

    # git diff shows the plan's text, through the interpreter's absolute path: no PATH needed
    # beyond git itself.
    assert GIT is not None
    minimal = {"PATH": str(Path(GIT).parent), "HOME": str(plans.installed.home)}
    shown = plans("git", "diff", env=minimal)
    assert "+Your plan did not address the root cause." not in shown.stdout  # not YAML
    assert "removed all 212 units from sale" in shown.stdout
    assert "submissions:" not in shown.stdout
    assert "Submissions" in shown.stdout and "rejected" in shown.stdout
    plans("git", "commit", "-qam", "asin-recall: revised after the rejection")


def test_the_hooks_refuse_a_commit_that_deletes_cited_evidence(plans: Shell) -> None:
    installed = plans.installed
    env = installed.env(
        PRE_COMMIT_HOME=str(installed.home / "pre-commit"),
        # The hooks' environment installs actionplan==<version>: this wheel.
        PIP_FIND_LINKS=" ".join(
            [str(installed.wheel.parent), os.environ.get("PIP_FIND_LINKS", "")]
        ).strip(),
    )
    plans(sys.executable, "-m", "pre_commit", "install", env=env)
    evidence = plans.cwd / "cases" / "asin-recall" / "evidence" / "lab-report-2026-11.pdf"
    plans("git", "rm", "-q", str(evidence.relative_to(plans.cwd)))
    refused = plans("git", "commit", "-qm", "drop the lab report", ok=False, env=env)
    said = refused.stdout + refused.stderr
    assert refused.returncode != 0
    assert "actionplan lint --strict" in said and "Failed" in said
    assert "error [evidence.missing]" in said and "lab-report-2026-11.pdf" in said
    assert plans("git", "log", "-1", "--format=%s").stdout.strip() != "drop the lab report"
    plans("git", "reset", "-q", "--hard")
    assert evidence.is_file()


@pytest.mark.parametrize("command", ["validate", "lint", "build"])
def test_each_output_format_for_machines(plans: Shell, command: str) -> None:
    draft = plans.cwd / "cases" / "draft.yaml"
    if not draft.exists():
        plans.actionplan("new", "draft", "--structure", "8d", "--reason", "late-shipment-rate")
        draft.write_text(draft.read_text().replace("YYYY-MM-DD", "2026-10-28"))
    (plans.cwd / "cases" / "broken.yaml").write_text("structure: 4d\nlanguage: en\n")
    try:
        results = {
            fmt: plans.actionplan(command, "--output-format", fmt, ok=False)
            for fmt in ("text", "json", "github", "sarif", "junit")
        }
    finally:
        (plans.cwd / "cases" / "broken.yaml").unlink()
    for fmt, result in results.items():
        assert result.returncode == 1, (fmt, result.stderr)
        assert "Traceback" not in result.stderr
    assert results["text"].stdout.count("broken.yaml:") == 0  # diagnostics are on stderr
    assert "cases/broken.yaml:1:1: error [schema.required]" in results["text"].stderr

    document = json.loads(results["json"].stdout)
    files = {case["file"] for case in document["cases"]}
    assert {"cases/broken.yaml", "cases/draft.yaml", "cases/asin-recall.yaml"} <= files
    assert document["summary"]["errors"] >= 1

    log = json.loads(results["sarif"].stdout)
    Draft7Validator(SARIF_SCHEMA).validate(log)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
    }
    assert "cases/broken.yaml" in uris

    lines = results["github"].stdout.splitlines()
    assert lines and all(line.startswith(("::error ", "::warning ")) for line in lines)
    assert any(line.startswith("::error file=cases/broken.yaml,line=1,col=1,") for line in lines)

    suites = ElementTree.fromstring(results["junit"].stdout)
    assert int(suites.get("failures", "0")) >= 1
    if command == "lint":
        assert any("[lint.placeholder]" in line for line in lines)


def test_a_case_from_standard_input_is_checked_under_its_given_name(plans: Shell) -> None:
    text = (plans.cwd / "cases" / "asin-recall.yaml").read_text()
    checked = plans.actionplan(
        "lint",
        "-",
        "--stdin-filename",
        "cases/asin-recall.yaml",
        "--output-format",
        "json",
        stdin=text.replace("Closed the listing", "We will close the listing"),
        ok=False,
    )
    document = json.loads(checked.stdout)
    (case,) = document["cases"]
    assert case["file"] == "cases/asin-recall.yaml"
    assert any(d["code"] == "lint.promise" for d in case["diagnostics"])
