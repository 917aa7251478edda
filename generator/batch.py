"""Many cases at once: a pool of worker processes that check or build them (pipeline.py does
one), and a per-user cache of lint results for cases that did not change.

Each worker process keeps its compiled schema validator, Jinja environment, phrase lists and Typst
compiler (with its fonts) and a running pandoc (convert.write_texts) for all the cases it builds.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from generator import lint, pipeline, user_cache
from generator.diagnostics import Diagnostic, Severity
from generator.pipeline import Options, Result

LINT_CACHE_DAYS = 30

_settings: lint.Settings | None = None


def _start_worker(settings: lint.Settings) -> None:
    global _settings
    _settings = settings


def _lint_one(file: str) -> Result:
    assert _settings is not None
    return Result(file, check_cached(file, _settings))


def _build_one(options: Options, file: str) -> Result:
    assert _settings is not None
    return pipeline.build_case(file, _settings, options)


def check_cached(file: str, settings: lint.Settings) -> list[Diagnostic]:
    """What `pipeline.check_case` finds, from the per-user cache when nothing it reads changed.

    An agency lints hundreds of cases on every push, and few of them changed. A result is kept
    with its key (the case file's path and bytes, the settings, the engine) and the size, time
    and inode of each evidence file; it is used again only if all of them are the same.
    """
    from generator.diagnostics import UserError
    from generator.loader import read_case_bytes

    try:
        source = read_case_bytes(file)  # the guarded open: no pipe, device or 3 GB read
    except UserError:
        return pipeline.check_case(file, settings).diagnostics  # which says what is wrong
    key = b"\0".join(
        [
            pipeline.engine_fingerprint().encode(),
            repr(settings).encode(),
            os.path.abspath(file).encode(),
            source,
        ]
    )
    name = "lint/" + hashlib.sha256(key).hexdigest()
    cached = _stored_result(user_cache.load_json(name, key))
    if cached is not None:
        user_cache.mark_used(name)
        return cached
    checked = pipeline.check_source(file, source, settings, decode=False)  # a build decodes
    if _cacheable(checked):
        paths = [str(item.path) for item in checked.evidence]
        found = [{**vars(d), "severity": d.severity.value} for d in checked.diagnostics]
        entry = {"paths": paths, "evidence": _evidence_stats(paths), "found": found}
        user_cache.save_json(name, key, entry, durable=False)
    return checked.diagnostics


def _stored_result(stored: Any) -> list[Diagnostic] | None:
    """The diagnostics of a stored lint result whose evidence is unchanged; None for anything
    else, including an entry of the wrong shape (damaged, or written by someone else)."""
    try:
        if stored["evidence"] != _evidence_stats([str(path) for path in stored["paths"]]):
            return None
        found = [_stored_diagnostic(d) for d in stored["found"]]
    except (TypeError, KeyError, ValueError, AttributeError, IndexError):
        return None
    return None if None in found else found  # type: ignore[return-value]


_TEXT_FIELDS = ("file", "code", "path", "message", "hint")


def _stored_diagnostic(stored: dict[str, Any]) -> Diagnostic | None:
    end = stored.get("end")
    diagnostic = Diagnostic(
        **{
            **stored,
            "severity": Severity(stored["severity"]),
            "end": None if end is None else (int(end[0]), int(end[1])),
        }
    )
    usable = all(isinstance(getattr(diagnostic, name), str) for name in _TEXT_FIELDS) and all(
        isinstance(getattr(diagnostic, name), int) for name in ("line", "column")
    )
    return diagnostic if usable else None


def _cacheable(checked: pipeline.Checked) -> bool:
    """Not if an evidence file was refused (it may appear), nor if the last submission was
    rejected (that check reads git, whose tags move)."""
    refused = (d for d in checked.diagnostics if d.code not in lint.rules())  # not a rule: a file
    if any(d.code.startswith("evidence.") for d in refused):
        return False
    submissions = checked.case.data.get("submissions", []) if checked.case else []
    return not any(s.get("outcome") == "rejected" for s in submissions)


def _evidence_stats(paths: list[str]) -> list[list[int] | None]:
    stats: list[list[int] | None] = []
    for path in paths:
        try:
            link, target = os.lstat(path), os.stat(path)
        except OSError:
            stats.append(None)
            continue
        stats.append([link.st_ino, link.st_mode, target.st_ino, target.st_size, target.st_mtime_ns])
    return stats


def lint_many(
    files: list[str], settings: lint.Settings, jobs: int, on_result: Callable[[int, Result], None]
) -> list[Result]:
    """Check every case (`actionplan lint`), `jobs` at a time, from the cache where it can."""
    # Each edit of a case leaves a result behind: those unused for a month go.
    user_cache.prune("lint", days=LINT_CACHE_DAYS)
    return _run(_lint_one, files, settings, jobs, on_result)


def build_many(
    files: list[str],
    settings: lint.Settings,
    options: Options,
    jobs: int,
    on_result: Callable[[int, Result], None],
) -> list[Result]:
    """Build every case (`actionplan build`, `bundle`), `jobs` at a time."""
    return _run(functools.partial(_build_one, options), files, settings, jobs, on_result)


def _work_chunk(task: Callable[[str], Result], files: list[str]) -> list[Result]:
    return [task(file) for file in files]


def _run(
    task: Callable[[str], Result],
    files: list[str],
    settings: lint.Settings,
    jobs: int,
    on_result: Callable[[int, Result], None],
) -> list[Result]:
    """`task` for every file; `on_result` hears of each case as it finishes; the list returned
    is in the order given."""
    results: list[Result] = []
    if jobs <= 1 or len(files) <= 1:
        _start_worker(settings)
        for file in files:
            results.append(task(file))
            on_result(len(results), results[-1])
        return results
    # Not fork: the parent may hold threads (the Typst compiler's), which a forked child inherits
    # in whatever state they were, sometimes holding a lock.
    context = multiprocessing.get_context("forkserver" if os.name == "posix" else "spawn")
    if os.name == "posix":
        # Imported once in the fork server, which has no threads, instead of in every worker.
        context.set_forkserver_preload(["generator.batch"])
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_start_worker, initargs=(settings,)
    ) as pool:
        # Fewer round trips for many cases, yet small enough that no worker is left alone with a
        # long last chunk while the others wait.
        chunk = max(1, min(32, len(files) // (jobs * 16)))
        futures = [
            pool.submit(_work_chunk, task, files[i : i + chunk])
            for i in range(0, len(files), chunk)
        ]
        for future in as_completed(futures):
            for result in future.result():
                results.append(result)
                on_result(len(results), result)
    order = {file: index for index, file in enumerate(files)}
    return sorted(results, key=lambda result: order[result.file])


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
