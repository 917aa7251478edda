"""Every command opens a case through the same guarded open, and fails with a diagnostic,
never a traceback or a hang, on a full or read-only disk or a path that is no case file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

COMMANDS = {
    "validate": ["validate"],
    "lint": ["lint"],
    "build": ["build", "--out", "{out}"],
    "bundle": ["bundle", "--out", "{out}"],
}


def actionplan(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the command in a process of its own; `.peak` is that process's peak memory (bytes)."""
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
        _, status, usage = os.wait4(process.pid, 0)
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(
            args, process.returncode, out.read().decode(), err.read().decode()
        )
    assert process.returncode != -9, f"killed after {timeout} s: it hung"
    done.peak = usage.ru_maxrss * 1024  # type: ignore[attr-defined]
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
    done = actionplan(args_for(command, big, tmp_path / "out"))
    assert done.returncode == 1, done.stderr
    assert "error [yaml.size]" in done.stderr and "Traceback" not in done.stderr
    assert done.peak < 300 * 2**20, f"{done.peak / 2**20:.0f} MiB"  # type: ignore[attr-defined]
