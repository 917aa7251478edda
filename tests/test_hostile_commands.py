"""Every command opens a case through the same guarded open, and fails with a diagnostic,
never a traceback or a hang, on a full or read-only disk or a path that is no case file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

COMMANDS = {
    "validate": ["validate"],
    "lint": ["lint"],
    "build": ["build", "--out", "{out}"],
    "bundle": ["bundle", "--out", "{out}"],
}


def actionplan(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the command in a process of its own (a hang is killed and fails the test)."""
    import tempfile
    import threading

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", *args],
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
        timer = threading.Timer(timeout, process.kill)  # a hang fails instead of blocking
        timer.start()
        _, status, _ = os.wait4(process.pid, 0)
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(
            args, process.returncode, out.read().decode(), err.read().decode()
        )
    assert process.returncode != -9, f"killed after {timeout} s: it hung"
    return done


def args_for(command: str, path: Path, out: Path) -> list[str]:
    return [a.format(out=out) for a in COMMANDS[command]] + [str(path)]


# --------------------------------------------------------------------------------------------
# 8. What is not a small regular file is refused before it is read


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_named_pipe_is_refused_without_waiting(command: str, tmp_path: Path) -> None:
    pipe = tmp_path / "plan.yaml"
    os.mkfifo(pipe)
    done = actionplan(args_for(command, pipe, tmp_path / "out"), timeout=30)
    assert done.returncode == 1, done.stderr
    assert "error [io.not-a-file]" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_endless_device_is_refused(command: str, tmp_path: Path) -> None:
    done = actionplan(args_for(command, Path("/dev/zero"), tmp_path / "out"), timeout=30)
    assert done.returncode == 1, done.stderr
    assert "error [io.not-a-file]" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_three_gigabyte_file_is_refused_in_small_memory(command: str, tmp_path: Path) -> None:
    big = tmp_path / "plan.yaml"
    with big.open("wb") as handle:  # sparse: no disk used
        handle.write(b"structure: 4d\n")
        handle.truncate(3 * 10**9)
    from tests.test_hostile_files import peak_memory_of_tree

    code, peak, stderr = peak_memory_of_tree(
        [sys.executable, "-m", "generator", *args_for(command, big, tmp_path / "out")], 60
    )
    assert code == 1, stderr
    assert "error [yaml.size]" in stderr and "Traceback" not in stderr
    assert peak < 300 * 2**20, f"{peak / 2**20:.0f} MiB"


# --------------------------------------------------------------------------------------------
# 10. A full or read-only disk in the commands that write, and `text` on what is no case file

import errno  # noqa: E402
import shutil  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from generator.cli import main  # noqa: E402
from tests.conftest import TESTS  # noqa: E402
from tests.test_hostile import FullDisk  # noqa: E402


def cli(*args: str) -> tuple[int, str, str, str]:
    """Exit code, stdout, stderr and any traceback of the command run in-process."""
    import traceback

    result = CliRunner().invoke(main, list(args), prog_name="actionplan")
    shown = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        assert result.exc_info is not None
        shown = "".join(traceback.format_exception(*result.exc_info))
    return result.exit_code, result.stdout, result.stderr, shown


def _read_only(*args: object, **kwargs: object) -> object:
    raise OSError(errno.EROFS, os.strerror(errno.EROFS))


FAULTS = {
    "full-disk": lambda patch: patch.setattr("generator.write.os.fdopen", FullDisk(from_call=1)),
    "read-only": lambda patch: patch.setattr("generator.write.tempfile.mkstemp", _read_only),
}


@pytest.fixture
def plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of plans with one 4D case, as the working directory."""
    (tmp_path / "cases").mkdir()
    shutil.copy(TESTS / "minimal-4d.yaml", tmp_path / "cases" / "a.yaml")
    shutil.copytree(TESTS / "minimal-4d", tmp_path / "cases" / "a")
    monkeypatch.chdir(tmp_path)
    from generator.cli import plans as plan_commands

    monkeypatch.setattr(plan_commands, "CASES", Path("cases"))
    return tmp_path


def _assert_clean_failure(code: int, stderr: str, traceback: str) -> None:
    assert traceback == "", traceback
    assert code == 1, stderr
    assert "error [io.write]" in stderr


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_new_on_a_full_or_read_only_disk(
    plans: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    FAULTS[fault](monkeypatch)
    code, _, stderr, traceback = cli("new", "b", "--structure", "4d", "--reason", "product-safety")
    _assert_clean_failure(code, stderr, traceback)
    assert not (plans / "cases" / "b.yaml").exists()  # nothing that blocks the next try
    monkeypatch.undo()
    monkeypatch.chdir(plans)
    from generator.cli import plans as plan_commands

    monkeypatch.setattr(plan_commands, "CASES", Path("cases"))
    code, _, stderr, traceback = cli("new", "b", "--structure", "4d", "--reason", "product-safety")
    assert code == 0 and traceback == "", stderr + traceback


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_convert_on_a_full_or_read_only_disk(
    plans: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    FAULTS[fault](monkeypatch)
    code, _, stderr, traceback = cli("convert", "cases/a.yaml", "--to", "8d")
    _assert_clean_failure(code, stderr, traceback)
    assert not (plans / "cases" / "a-8d.yaml").exists()
    assert not (plans / "cases" / "a-8d").exists()
    assert (plans / "cases" / "a.yaml").read_bytes() == (TESTS / "minimal-4d.yaml").read_bytes()


def test_convert_that_fails_copying_the_evidence_leaves_nothing(
    plans: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object, **kwargs: object) -> object:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(shutil, "copyfile", full)
    code, _, stderr, traceback = cli("convert", "cases/a.yaml", "--to", "8d")
    _assert_clean_failure(code, stderr, traceback)
    assert not (plans / "cases" / "a-8d.yaml").exists() and not (plans / "cases" / "a-8d").exists()


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_diff_on_a_full_or_read_only_disk(
    plans: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    other = plans / "old.yaml"
    other.write_text((plans / "cases" / "a.yaml").read_text().replace("Closed", "Removed"))
    FAULTS[fault](monkeypatch)
    code, _, stderr, traceback = cli("diff", "cases/a.yaml", "--from", str(other))
    _assert_clean_failure(code, stderr, traceback)


@pytest.mark.parametrize("what", ["missing", "folder", "pipe"])
def test_text_on_what_is_no_case_file(tmp_path: Path, what: str) -> None:
    path = tmp_path / "plan.yaml"
    if what == "folder":
        path.mkdir()
    elif what == "pipe":
        os.mkfifo(path)
    done = actionplan(["text", str(path)], timeout=30)
    assert done.returncode == 1, done.stderr
    assert "error [io." in done.stderr and "Traceback" not in done.stderr


def test_text_of_a_broken_case_prints_no_control_characters(tmp_path: Path) -> None:
    """A case that does not load is printed as it is, for `git diff`, but never its escape
    sequences (raw bytes of a broken file go straight to the terminal)."""
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"structure: 4d\nsummary: \x1b[2J\x1b]0;owned\x07 \xff\n")
    done = actionplan(["text", str(path)], timeout=30)
    assert done.returncode == 0
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "structure: 4d\nsummary: \\u001b[2J" in done.stdout


# --------------------------------------------------------------------------------------------
# 3. convert copies the case's folder without following a link


@pytest.mark.parametrize("what", ["link-to-root", "link-inside", "folder-is-a-link", "pipe"])
def test_convert_refuses_a_folder_with_links_or_special_files(
    plans: Path, what: str, tmp_path: Path
) -> None:
    folder = plans / "cases" / "a"
    if what == "link-to-root":
        (folder / "evidence" / "root").symlink_to("/")
    elif what == "link-inside":
        (folder / "evidence" / "again.pdf").symlink_to("lab-report.pdf")
    elif what == "folder-is-a-link":
        shutil.move(folder, tmp_path / "elsewhere")
        folder.symlink_to(tmp_path / "elsewhere")
    else:
        os.mkfifo(folder / "evidence" / "pipe")
    code, _, stderr, traceback = cli("convert", "cases/a.yaml", "--to", "8d")
    assert traceback == "" and code == 1, stderr + traceback
    assert "error [convert." in stderr
    assert not (plans / "cases" / "a-8d.yaml").exists() and not (plans / "cases" / "a-8d").exists()


class _HalfWrites:
    """A file whose write stores half of what it is given, then fails as a full disk does."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def write(self, data: bytes) -> int:
        self.handle.write(data[: len(data) // 2])
        self.handle.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)

    def __enter__(self) -> _HalfWrites:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def test_init_on_a_full_disk_leaves_no_half_file_for_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`init` keeps every file it finds, so a file cut off by a full disk would stay cut off:
    each is written whole or not at all, and the failure is a diagnostic."""
    import generator.write

    real_fdopen, real_open = os.fdopen, Path.open

    def half_fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        return _HalfWrites(real_fdopen(fd, *args, **kwargs))

    def half_open(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        opened = real_open(self, mode, *args, **kwargs)
        return _HalfWrites(opened) if "b" in mode and ("x" in mode or "w" in mode) else opened

    folder = tmp_path / "plans"
    with monkeypatch.context() as patch:
        patch.setattr(generator.write.os, "fdopen", half_fdopen)
        patch.setattr(Path, "open", half_open)
        code, _, stderr, traceback = cli("init", str(folder))
    assert traceback == "" and code == 1 and "error [io.write]" in stderr, stderr
    assert not [p for p in folder.rglob("*") if p.is_file() and ".git" not in p.parts]
    code, _, stderr, _ = cli("init", str(folder))  # the disk has room again
    clean = tmp_path / "clean"
    assert cli("init", str(clean))[0] == 0 and code == 0, stderr
    for path in clean.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            assert (folder / path.relative_to(clean)).read_bytes() == path.read_bytes(), path
