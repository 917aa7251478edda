"""`actionplan watch`: rebuild a case when the operating system reports a change to what it is
made from (watchfiles: inotify, FSEvents, ReadDirectoryChangesW), instead of polling.

Watched: the case file, its own folder (evidence), the repository's actionplan.yaml, and the
tool's templates, schemas and rules (they change in a checkout of actionplan itself).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.resources import RULES, SCHEMAS, TEMPLATES


def _roots(case: Path, config: Path | None) -> list[Path]:
    roots = [case.resolve().parent]
    if config is not None:
        roots.append(config.resolve())
    roots += [TEMPLATES, SCHEMAS, RULES]
    return list(dict.fromkeys(roots))


def relevant(case: Path, config: Path | None) -> Callable[[Any, str], bool]:
    """A watchfiles filter: changes to the case, its folder, the settings or the tool's files
    (not other cases in the same folder, nor editors' swap files)."""
    file = case.resolve()
    folder = file.with_suffix("")
    settings = config.resolve() if config is not None else None
    tool = (TEMPLATES, SCHEMAS, RULES)

    def keep(_: Any, changed: str) -> bool:
        path = Path(changed)
        if path.name.endswith(("~", ".swp", ".swx", ".tmp")) or path.name.startswith(".#"):
            return False
        if path in (file, settings) or path.is_relative_to(folder):
            return True
        return any(path.is_relative_to(root) for root in tool)

    return keep


def watch_case(
    case: Path,
    config: Path | None,
    rebuild: Callable[[], None],
    stop: Any = None,
    debounce_ms: int = 300,
) -> None:
    """Build once, then again after each burst of changes, until `stop` is set or Ctrl-C."""
    import watchfiles

    rebuild()
    for _ in watchfiles.watch(
        *_roots(case, config),
        watch_filter=relevant(case, config),
        debounce=debounce_ms,
        stop_event=stop,
        raise_interrupt=False,
    ):
        rebuild()
