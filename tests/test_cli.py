"""The command line: exit codes, messages and outputs, as a user meets them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import fake_pandoc, run

MINIMAL = "tests/minimal-4d.yaml"


def test_help_and_each_subcommand_help_show_an_example() -> None:
    code, out, _ = run("--help")
    assert code == 0 and "Example" in out
    from generator.cli import main

    assert len(main.commands) >= 10
    for command in main.commands:
        code, out, _ = run(command, "--help")
        assert code == 0 and "Example" in out and f"actionplan {command}" in out


def test_python_dash_m_is_the_same_command() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--help"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "80"},
    )
    assert result.returncode == 0
    assert result.stdout == run("--help")[1]


def test_validate_valid_case_says_so_in_one_line_and_exits_0() -> None:
    assert run("validate", MINIMAL) == (0, "", "1 case checked: no problems\n")
    assert run("validate", "-q", MINIMAL) == (0, "", "")
    assert run("validate", "-v", MINIMAL) == (
        0,
        "",
        f"{MINIMAL}: ok\n1 case checked: no problems\n",
    )


def test_validate_missing_file_is_a_diagnostic() -> None:
    code, _, err = run("validate", "cases/no-such-case.yaml")
    assert code == 1
    assert err == (
        "cases/no-such-case.yaml:1:1: error [io.missing] file not found: "
        "check the path; cases live in cases/<name>.yaml\n"
    )


def test_validate_reports_problems_of_several_files_in_one_run() -> None:
    code, _, err = run("validate", "tests/invalid/bad-asin.yaml", "tests/invalid/wrong-type.yaml")
    assert code == 1
    assert err.count("bad-asin.yaml:") == 2 and err.count("wrong-type.yaml:") == 1


def test_build_writes_every_format(tmp_path: Path) -> None:
    code, out, err = run("build", "--out", str(tmp_path), MINIMAL)
    assert code == 0, err
    folder = tmp_path / "minimal-4d"
    names = (
        "minimal-4d.md",
        "minimal-4d.html",
        "minimal-4d.txt",
        "minimal-4d-counts.txt",
        "minimal-4d.pdf",
    )
    assert out.splitlines() == [f"wrote {folder / name}" for name in names]
    assert (folder / "minimal-4d.pdf").read_bytes().startswith(b"%PDF-")


def test_build_of_invalid_case_writes_nothing(tmp_path: Path) -> None:
    code, out, err = run("build", "--out", str(tmp_path), "tests/invalid/wrong-type.yaml")
    assert code == 1 and out == ""
    assert err.endswith("tests/invalid/wrong-type.yaml: not built\n")
    assert not any(tmp_path.iterdir())


def test_unknown_format_is_bad_usage() -> None:
    code, _, err = run("build", "--format", "odt", MINIMAL)
    assert code == 2 and "--format" in err


def test_failing_pandoc_keeps_previous_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("build", "--out", str(tmp_path), MINIMAL)[0] == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "minimal-4d").iterdir()}
    fake_pandoc(tmp_path, "echo 'pandoc: out of memory' >&2\nexit 83\n", monkeypatch)
    code, out, err = run("build", "--force", "--out", str(tmp_path), MINIMAL)
    assert code == 1 and out == ""
    assert "error [build.convert] pandoc (html5, typst, plain) failed: pandoc: out of memory" in err
    assert "Traceback" not in err
    after = {p.name: p.read_bytes() for p in (tmp_path / "minimal-4d").iterdir()}
    assert after == before


def test_a_failed_build_returns_its_exit_code_so_watch_can_go_on(tmp_path: Path) -> None:
    from generator.cli.build import run_build

    code = run_build(
        ("tests/invalid/wrong-type.yaml",),
        out_dir=str(tmp_path),
        formats=("md",),
        strict=False,
        allow_lint_errors=True,
    )
    assert code == 1 and not any(tmp_path.iterdir())


def _over_long(tmp_path: Path, severity: str) -> Path:
    """The minimal case with a character limit its paste-ready text (1,100+) is over, and
    lint.length graded `severity` for it."""
    case = tmp_path / "minimal-4d.yaml"
    shutil.copytree("tests/minimal-4d", tmp_path / "minimal-4d")
    exception = (
        f"    - rule: lint.length\n      severity: {severity}\n      reason: the form is short\n"
    )
    case.write_text(
        Path(MINIMAL).read_text() + f"lint:\n  max_chars: 500\n  exceptions:\n{exception}"
    )
    return case


def test_an_over_long_text_as_an_error_fails_the_build_on_every_run(tmp_path: Path) -> None:
    case = _over_long(tmp_path, "error")
    out = tmp_path / "out"
    for _ in range(2):  # the second run has nothing to rebuild, and still fails
        code, _, err = run("build", "--format", "txt", "--out", str(out), str(case))
        assert code == 1
        assert "error [lint.length] $.problems: the paste-ready text has" in err
        assert err.count("[lint.length]") == 1
    assert (out / "minimal-4d" / "minimal-4d.txt").exists()  # written, to be read and cut
    assert (
        run("build", "--format", "txt", "--allow-lint-errors", "--out", str(out), str(case))[0] == 0
    )


def test_an_over_long_text_as_a_warning_is_reported_also_when_up_to_date(
    tmp_path: Path,
) -> None:
    case = _over_long(tmp_path, "warning")
    out = tmp_path / "out"
    code, _, err = run("build", "--format", "txt", "--out", str(out), str(case))
    assert code == 0 and "warning [lint.length]" in err
    code, _, err = run("build", "--format", "txt", "--out", str(out), str(case))
    assert code == 0 and "warning [lint.length]" in err and "up to date" in err
    code, _, err = run("build", "--strict", "--format", "txt", "--out", str(out), str(case))
    assert code == 1 and "error [lint.length]" in err
