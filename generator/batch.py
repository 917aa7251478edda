"""Build one case or many: a worker pool, and a fingerprint of the inputs to skip unchanged cases.

Each worker process keeps its compiled schema validator, Jinja environment, phrase lists and Typst
compiler (with its fonts) and a running pandoc (convert.write_texts) for all the cases it builds.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from generator import convert, lint, pipeline, repository, user_cache
from generator.diagnostics import Diagnostic, Severity
from generator.resources import RULES, SCHEMAS, TEMPLATES
from generator.write import write_all

STAMP = ".inputs.sha256"
LINT_CACHE_DAYS = 30


@dataclass(frozen=True)
class Options:
    out_dir: Path
    formats: tuple[str, ...]
    strict: bool = False
    allow_lint_errors: bool = False
    force: bool = False


@dataclass
class Result:
    """What became of one case."""

    file: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    failed: bool = False
    skipped: bool = False


@functools.cache
def engine_fingerprint() -> str:
    """Everything besides the case that decides its outputs: code, templates, rules, tools."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for root in (package, TEMPLATES, SCHEMAS, RULES):
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    for name in ("pypandoc-binary", "typst", "jinja2", "pyyaml", "jsonschema-rs", "jsonschema"):
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(name.encode())
    return digest.hexdigest()


def _fingerprint(checked: pipeline.Checked, formats: tuple[str, ...]) -> str:
    assert checked.case is not None
    digest = hashlib.sha256(engine_fingerprint().encode())
    digest.update(checked.case.source.encode("utf-8"))
    digest.update(repr(sorted(formats)).encode())
    for item in checked.evidence:
        digest.update(f"{item.id}:{item.relative}:{item.sha256}".encode())
    return digest.hexdigest()


def build_case(file: str, settings: lint.Settings, options: Options) -> Result:
    """Check one case and, if nothing blocks it and its inputs changed, write its outputs."""
    checked = pipeline.check_case(file, settings)
    diagnostics = lint.strict(checked.diagnostics) if options.strict else checked.diagnostics
    result = Result(file, list(diagnostics))
    blocking = [
        d
        for d in diagnostics
        if d.severity is Severity.ERROR
        and not (options.allow_lint_errors and d.code.startswith("lint."))
    ]
    if checked.case is None or blocking:
        result.failed = True
        return result
    case = checked.case
    key = repository.output_key(case.file)  # cases/acme/x.yaml: build/acme/x/
    stamp = options.out_dir / key / STAMP
    fingerprint = _fingerprint(checked, options.formats)
    if not options.force and _up_to_date(stamp, fingerprint, options, case.name):
        # Same inputs, same outputs: only their times move on, so make sees them as current.
        with contextlib.suppress(OSError):
            for path in stamp.parent.iterdir():
                os.utime(path)
        result.skipped = True
        return result
    try:
        outputs = pipeline.render_outputs(case, checked.evidence, options.formats)
    except convert.ConversionError as exc:
        result.diagnostics.append(pipeline.conversion_diagnostic(case, exc))
        result.failed = True
        return result
    if "txt" in outputs:
        length = pipeline.text_length(case, outputs["txt"], settings)
        result.diagnostics += lint.strict(length) if options.strict else length
        result.failed = options.strict and bool(length)
    paths = pipeline.output_paths(case.name, options.out_dir, outputs, key)
    files = {paths[fmt]: outputs[fmt] for fmt in sorted(outputs, key=lambda fmt: fmt == "pdf")}
    if not result.failed:
        files[stamp] = fingerprint.encode() + b"\n"  # written with the outputs, all or none
    try:
        if result.failed:
            stamp.unlink(missing_ok=True)
        write_all(files)
    except OSError as exc:
        result.diagnostics.append(pipeline.write_diagnostic(case, exc))
        result.failed = True
        return result
    result.written = [path for path in files if path != stamp]
    return result


def _up_to_date(stamp: Path, fingerprint: str, options: Options, name: str) -> bool:
    try:
        recorded = stamp.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    if recorded != fingerprint:
        return False
    expected = pipeline.output_paths(name, stamp.parent, options.formats, ".")
    return all(path.exists() for path in expected.values())


_settings: lint.Settings | None = None


def _start_worker(settings: lint.Settings) -> None:
    global _settings
    _settings = settings


def _work(file: str, options: Options | None) -> Result:
    assert _settings is not None
    if options is None:  # lint only
        return Result(file, check_cached(file, _settings))
    return build_case(file, _settings, options)


def check_cached(file: str, settings: lint.Settings) -> list[Diagnostic]:
    """What `pipeline.check_case` finds, from the per-user cache when nothing it reads changed.

    An agency lints hundreds of cases on every push, and few of them changed. A result is kept
    with its key (the case file's path and bytes, the settings, the engine) and the size, time
    and inode of each evidence file; it is used again only if all of them are the same.
    """
    try:
        source = Path(file).read_bytes()
    except OSError:
        return pipeline.check_case(file, settings).diagnostics  # which says what is wrong
    key = b"\0".join(
        [
            engine_fingerprint().encode(),
            repr(settings).encode(),
            os.path.abspath(file).encode(),
            source,
        ]
    )
    name = "lint/" + hashlib.sha256(key).hexdigest()
    stored = user_cache.load_json(name, key)
    if stored is not None and stored["evidence"] == _evidence_stats(stored["paths"]):
        user_cache.mark_used(name)
        return [Diagnostic(**{**d, "severity": Severity(d["severity"])}) for d in stored["found"]]
    checked = pipeline.check_case(file, settings)
    if _cacheable(checked):
        paths = [str(item.path) for item in checked.evidence]
        found = [{**vars(d), "severity": d.severity.value} for d in checked.diagnostics]
        entry = {"paths": paths, "evidence": _evidence_stats(paths), "found": found}
        user_cache.save_json(name, key, entry, durable=False)
    return checked.diagnostics


def _cacheable(checked: pipeline.Checked) -> bool:
    """Not if an evidence file was refused (it may appear), nor if the last submission was
    rejected (that check reads git, whose tags move)."""
    if any(d.code.startswith("evidence.") for d in checked.diagnostics):
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


def _work_chunk(files: list[str], options: Options | None) -> list[Result]:
    return [_work(file, options) for file in files]


def build_many(
    files: list[str],
    settings: lint.Settings,
    options: Options | None,
    jobs: int,
    on_result: Callable[[int, Result], None],
) -> list[Result]:
    """Build (or with no options, only check) every case, `jobs` at a time.

    `on_result` hears of each case as it finishes; the list returned is in the order given.
    """
    results: list[Result] = []
    if options is None:
        # Each edit of a case leaves a result behind: those unused for a month go.
        user_cache.prune("lint", days=LINT_CACHE_DAYS)
    if jobs <= 1 or len(files) <= 1:
        _start_worker(settings)
        for file in files:
            results.append(_work(file, options))
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
            pool.submit(_work_chunk, files[i : i + chunk], options)
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
