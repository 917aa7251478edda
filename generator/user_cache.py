"""A per-user cache of work that does not change between runs (compiled templates, the analysis
of the phrase lists), so a single build does not redo it. Anything may be deleted at any time;
a cache that cannot be written is simply not used."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Any

from generator import __version__


@cache
def folder() -> Path | None:
    """The user's cache folder for actionplan (platformdirs: ~/.cache/actionplan or
    $XDG_CACHE_HOME on Linux, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows), or
    $ACTIONPLAN_CACHE/actionplan; one folder per version, if writable."""
    if os.environ.get("ACTIONPLAN_CACHE") == "off":
        return None
    base = os.environ.get("ACTIONPLAN_CACHE")
    if base:
        root = Path(base) / "actionplan"
    else:
        import platformdirs

        root = Path(platformdirs.user_cache_dir("actionplan", appauthor=False))
    path = root / __version__
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    real = _real_folders(root.parent, root.name, __version__)
    return path if real and os.access(path, os.W_OK) else None


def _real_folders(base: Path, *parts: str) -> bool:
    """Whether each folder from `base` down through `parts` is a folder, not a link: a cache
    restored from elsewhere may hold links, through which entries would be written, and old
    files deleted, anywhere."""
    path = base
    for part in parts:
        path = path / part
        try:
            if not stat.S_ISDIR(path.lstat().st_mode):
                return False
        except OSError:
            return False
    return True


def _read_entry(path: Path) -> str | None:
    """An entry's text: a regular file, not a link, and never a pipe that would block."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return None
        return handle.read(MAX_ENTRY_BYTES + 1).decode("utf-8", "replace")


MAX_ENTRY_BYTES = 64 * 1024 * 1024  # far above any real entry; a bigger one is damaged


def _keyed_folder(where: Path | None, name: str, key: bytes, private: bool = False) -> Path | None:
    """`where`/<name>-<digest of key>, made if need be (and its parents, with `private`, for
    this user only), or None if it cannot be."""
    if where is None:
        return None
    path = where / f"{name}-{_digest(key)[:16]}"
    try:
        path.mkdir(parents=private, exist_ok=True, mode=0o700 if private else 0o777)
    except OSError:
        return None
    return path


@cache
def private_folder() -> Path | None:
    """A folder only this user can write: $XDG_RUNTIME_DIR/actionplan, else
    <temporary folder>/actionplan-<uid>; made 0700, and used only if it is a real folder owned
    by this user that no one else may write (checked on each process's first use), else None.

    Compiled templates live here, never in folder(): loading them runs code (Jinja unpickles a
    checksum and unmarshals code objects), and folder() may be shared, e.g. through a CI cache
    that a fork's branch can write."""
    if os.environ.get("ACTIONPLAN_CACHE") == "off" or not hasattr(os, "getuid"):
        return None
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime):
        path = Path(runtime) / "actionplan"
    else:
        path = Path(tempfile.gettempdir()) / f"actionplan-{os.getuid()}"
    with contextlib.suppress(OSError):
        path.mkdir(mode=0o700)
    try:
        status = path.lstat()
    except OSError:
        return None
    private = (
        stat.S_ISDIR(status.st_mode)
        and status.st_uid == os.getuid()
        and not status.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
    )
    return path / __version__ if private else None


def private_subfolder(name: str, key: bytes) -> Path | None:
    """A folder of private_folder() for exactly this `key`."""
    return _keyed_folder(private_folder(), name, key, private=True)


def load_json(name: str, key: bytes) -> Any:
    """What was stored under `name` for exactly this `key` (e.g. a file's content), or None.
    Anyone who can write the cache can write an entry: callers check the shape of the value,
    and treat one they cannot use as a miss."""
    where = folder()
    if where is None:
        return None
    parts = f"{name}.json".split("/")
    text = _read_entry(where / f"{name}.json") if _real_folders(where, *parts[:-1]) else None
    if text is None or len(text) > MAX_ENTRY_BYTES:
        return None
    try:
        stored = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != _digest(key):
        return None
    return stored.get("value")


def save_json(name: str, key: bytes, value: Any, durable: bool = True) -> None:
    """Store `value` for `key`; `durable=False` skips the flush to disk (for many small entries
    that are cheap to make again: a torn one reads as missing)."""
    where = folder()
    if where is None:
        return
    from generator.write import write_atomic

    content = json.dumps({"key": _digest(key), "value": value}).encode("utf-8")
    with contextlib.suppress(OSError):
        (where / name).parent.mkdir(parents=True, exist_ok=True)
        if _real_folders(where, *name.split("/")[:-1]):
            # Many small entries go to one folder: prune() tidies it once a run instead.
            write_atomic(where / f"{name}.json", content, durable, tidy=durable)


def _digest(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()


def prune(name: str, days: float) -> None:
    """Delete the entries under `name` that were neither made nor used for `days` days, and what
    a killed run left of the entries it was writing."""
    where = folder()
    if where is None or not _real_folders(where, name):
        return
    from generator.write import leftover_outputs, remove_leftovers

    remove_leftovers(leftover_outputs(where / name))
    oldest = time.time() - days * 86400
    for entry in (where / name).iterdir():
        with contextlib.suppress(OSError):
            status = entry.lstat()  # a link is not followed: only the cache's own files go
            regular = entry.suffix == ".json" and stat.S_ISREG(status.st_mode)
            if regular and status.st_mtime < oldest:
                entry.unlink()


def mark_used(name: str) -> None:
    """Record that an entry was used (its time), so `prune` keeps it."""
    where = folder()
    if where is not None:
        with contextlib.suppress(OSError):
            os.utime(where / f"{name}.json", follow_symlinks=False)
