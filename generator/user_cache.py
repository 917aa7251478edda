"""A per-user cache of work that does not change between runs (compiled templates, the analysis
of the phrase lists), so a single build does not redo it. Anything may be deleted at any time;
a cache that cannot be written is simply not used."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
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
    return path if os.access(path, os.W_OK) else None


def subfolder(name: str, key: bytes) -> Path | None:
    """A folder of the cache that holds only what was made for exactly this `key`."""
    where = folder()
    if where is None:
        return None
    path = where / f"{name}-{_digest(key)[:16]}"
    try:
        path.mkdir(exist_ok=True)
    except OSError:
        return None
    return path


def load_json(name: str, key: bytes) -> Any:
    """What was stored under `name` for exactly this `key` (e.g. a file's content), or None."""
    where = folder()
    if where is None:
        return None
    try:
        stored = json.loads((where / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stored.get("value") if stored.get("key") == _digest(key) else None


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
        write_atomic(where / f"{name}.json", content, durable)


def _digest(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()


def prune(name: str, days: float) -> None:
    """Delete the entries under `name` that were neither made nor used for `days` days."""
    where = folder()
    if where is None or not (where / name).is_dir():
        return
    oldest = time.time() - days * 86400
    for entry in (where / name).iterdir():
        with contextlib.suppress(OSError):
            if entry.stat().st_mtime < oldest:
                entry.unlink()


def mark_used(name: str) -> None:
    """Record that an entry was used (its time), so `prune` keeps it."""
    where = folder()
    if where is not None:
        with contextlib.suppress(OSError):
            os.utime(where / f"{name}.json")
