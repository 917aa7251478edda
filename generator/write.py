"""Write outputs all or nothing: a reader sees the old set of files or the new one.

Every file is first written in full to a temporary file beside it; only when all of them are
written are they renamed into place, with Ctrl-C held back for those few renames. A full disk,
a read-only folder or an interruption while writing leaves the previous outputs untouched.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path


def write_all(files: dict[Path, bytes], durable: bool = True) -> None:
    """Replace every file with its new content, or none of them; raise OSError on failure.

    `durable` waits until the content is on disk before the rename, so a crash cannot leave an
    empty file in place of an output."""
    staged: list[tuple[str, Path]] = []
    for folder in {path.parent for path in files}:
        folder.mkdir(parents=True, exist_ok=True)
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


def write_atomic(path: Path, content: bytes, durable: bool = True) -> None:
    """Replace one file with its new content through a temporary file and a rename."""
    write_all({path: content}, durable)


def _stage(path: Path, content: bytes, durable: bool) -> str:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
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
