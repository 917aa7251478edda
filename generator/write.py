"""Write outputs all or nothing: a reader sees the old set of files or the new one.

Every file is first written in full to a temporary file beside it; only when all of them are
written are they renamed into place, with Ctrl-C held back for those few renames. A full disk,
a read-only folder or an interruption while writing leaves the previous outputs untouched.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path


def write_all(files: dict[Path, bytes], durable: bool = True, tidy: bool = True) -> None:
    """Replace every file with its new content, or none of them; raise OSError on failure.

    `durable` waits until the content is on disk before the rename, so a crash cannot leave an
    empty file in place of an output. `tidy` first removes what a killed run left beside them
    (a scan of each folder: a caller writing many files to one folder does it once instead)."""
    staged: list[tuple[str, Path]] = []
    for folder in {path.parent for path in files}:
        folder.mkdir(parents=True, exist_ok=True)
    if tidy:
        remove_leftovers(list(files))
    try:
        for path, content in files.items():
            staged.append((_stage(path, content, durable), path))
    except BaseException:
        for temporary, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        raise
    with _interrupt_deferred():
        for temporary, path in staged:
            os.replace(temporary, path)


def create_new(path: Path, content: bytes) -> None:
    """Create `path` with `content` in one step, or raise FileExistsError if anything is there
    (never overwritten) or OSError: the file appears complete or not at all, so a full disk
    cannot leave an empty file that blocks the next try."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = _stage(path, content, durable=True)
    try:
        os.link(temporary, path)  # fails if `path` exists, atomically
    finally:
        Path(temporary).unlink(missing_ok=True)


def write_atomic(path: Path, content: bytes, durable: bool = True, tidy: bool = True) -> None:
    """Replace one file with its new content through a temporary file and a rename."""
    write_all({path: content}, durable, tidy)


def temporary_name(path: Path, pid: int) -> str:
    """The name of a temporary file for `path` written by process `pid` (random part aside)."""
    return f".{path.name}.{pid}-{_RANDOM}.tmp"


_RANDOM = "r4nd0m"  # what tempfile's random part replaces in the pattern
# .<output>.<pid>-<random>.tmp, as written now; .<output>.<random>.tmp, as written before.
_LEFTOVER = re.compile(r"\.(?P<output>.+)\.(?:(?P<pid>[0-9]+)-)?[^.]+\.tmp")
STALE_SECONDS = 24 * 3600  # a temporary file without a process id is old after this


def remove_leftovers(paths: list[Path]) -> None:
    """Delete the temporary files a killed build left beside these outputs: those whose process
    is gone (a build still running keeps its own), and unnamed ones older than a day."""
    wanted: dict[Path, set[str]] = {}
    for path in paths:
        wanted.setdefault(path.parent, set()).add(path.name)
    for folder, names in wanted.items():
        try:
            entries = [e for e in os.scandir(folder) if e.name.endswith(".tmp")]
        except OSError:
            continue
        for entry in entries:
            match = _LEFTOVER.fullmatch(entry.name)
            if match is None or match["output"] not in names:
                continue
            stale = False
            if match["pid"] is not None:
                stale = not is_running(int(match["pid"]))
            else:
                with contextlib.suppress(OSError):
                    stale = time.time() - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS
            if stale:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def leftover_outputs(folder: Path) -> list[Path]:
    """The files of a folder that temporary files were written for (some perhaps left)."""
    try:
        names = [entry.name for entry in os.scandir(folder) if entry.name.endswith(".tmp")]
    except OSError:
        return []
    found = (_LEFTOVER.fullmatch(name) for name in names)
    return [folder / match["output"] for match in found if match is not None]


def is_running(pid: int) -> bool:
    """Whether a process of that id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _stage(path: Path, content: bytes, durable: bool) -> str:
    prefix, suffix = temporary_name(path, os.getpid()).split(_RANDOM)
    handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
            if durable:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return temporary


@contextlib.contextmanager
def _interrupt_deferred() -> Iterator[None]:
    """Hold Ctrl-C until the block is done (only the main thread can handle signals)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[object] = []
    previous = signal.signal(signal.SIGINT, lambda *args: received.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt
