"""The commands that write outputs: build (the plan's formats), bundle (everything to send to
Amazon) and watch (build again on every change)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator import pipeline
from generator.cli.common import (
    allow_option,
    case_files,
    force_option,
    jobs_option,
    out_option,
    report,
    settings,
    strict_option,
)


class FormatList(click.ParamType[tuple[str, ...]]):
    """A comma-separated list of output formats, each one of pipeline.FORMATS."""

    name = "formats"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[str, ...]:
        if isinstance(value, tuple):
            return value
        chosen = tuple(part.strip() for part in str(value).split(",") if part.strip())
        if not chosen or set(chosen) - set(pipeline.FORMATS):
            self.fail(f"choose from {', '.join(pipeline.FORMATS)}", param, ctx)
        return chosen


def run_build(
    files: tuple[str, ...],
    *,
    out_dir: str,
    formats: tuple[str, ...],
    strict: bool,
    allow_lint_errors: bool,
    jobs: int | None = 1,
    force: bool = False,
) -> int:
    """Build the cases, print what happened to each, and return the exit code."""
    from generator import batch

    chosen = settings()
    if chosen is None:
        return 1
    cases = case_files(files)
    options = pipeline.Options(
        out_dir=Path(out_dir),
        formats=formats,
        strict=strict,
        allow_lint_errors=allow_lint_errors,
        force=force,
    )
    progress = len(cases) > 1 and not os.environ.get("CI") and sys.stderr.isatty()

    def heard(done: int, result: pipeline.Result) -> None:
        report(result.diagnostics)
        for path in result.written:
            click.echo(f"wrote {path}")
        if result.skipped and len(cases) == 1:
            click.echo(f"{result.file}: up to date (--force rebuilds)", err=True)
        elif result.failed and not result.written:
            click.echo(f"{result.file}: not built", err=True)
        if progress:
            state = "failed" if result.failed else "up to date" if result.skipped else "built"
            click.echo(f"[{done}/{len(cases)}] {result.file}: {state}", err=True)

    results = batch.build_many(cases, chosen, options, jobs or batch.default_jobs(), heard)
    for note in dict.fromkeys(note for result in results for note in result.notes):
        click.echo(f"note: {note}", err=True)  # once for the run, not once per case
    if len(cases) > 1:
        failed = sum(result.failed for result in results)
        skipped = sum(result.skipped and not result.failed for result in results)
        click.echo(
            f"{len(cases) - failed - skipped} built, {skipped} up to date, {failed} not built",
            err=True,
        )
    return 1 if any(result.failed for result in results) else 0


def build_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `build` and `bundle` share: each is a keyword of run_build."""
    for option in (force_option, jobs_option("built"), allow_option, strict_option, out_option):
        command = option(command)
    return command


@click.command()
@click.argument("files", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "formats",
    type=FormatList(),
    default=",".join(pipeline.FORMATS),
    show_default=True,
    help="Comma-separated output formats.",
)
@build_options
def build(files: tuple[str, ...], *, formats: tuple[str, ...], **flags: Any) -> int:
    """Render cases to Markdown, HTML, PDF and plain text.

    Validates and lints each case and checks its evidence files, then writes
    build/<case>/<case>.md, .html, .pdf and .txt (paste-ready, with
    -counts.txt). A case that cannot be built keeps its previous outputs;
    one whose text is over the limit, if lint.length is an error there (or
    under --strict), is written (to be read) but fails the run. Unchanged
    cases are skipped; the text's length is checked on every run.

    \b
    Example:
      actionplan build cases/asin-recall.yaml
      actionplan build --format pdf cases/asin-recall.yaml
    """
    return run_build(files, formats=formats, **flags)


@click.command()
@click.argument("files", nargs=-1, type=click.Path())
@build_options
def bundle(files: tuple[str, ...], **flags: Any) -> int:
    """Build everything to send to Amazon, evidence included.

    Writes every format of `build`, plus build/<case>/<case>.docx (Word),
    <case>-submission.pdf (the plan, then each evidence file behind a header,
    with bookmarks and the originals attached) and <case>-evidence.zip (the
    files under stable names with manifest.json and their SHA-256).

    \b
    Example:
      actionplan bundle cases/asin-recall.yaml
    """
    return run_build(files, formats=pipeline.FORMATS + pipeline.BUNDLE, **flags)


@click.command()
@click.argument("file", type=click.Path())
@out_option
@click.option("--interval", default=0.5, show_default=True, help="Seconds between checks.")
def watch(file: str, *, out_dir: str, interval: float) -> int:
    """Rebuild a case whenever it or its inputs change.

    Watches the case, its evidence folder, the templates and the schemas.

    Prints the diagnostics of each build; stop with Ctrl-C.

    \b
    Example:
      actionplan watch cases/asin-recall.yaml
    """
    import time

    from generator.resources import RULES, SCHEMAS, TEMPLATES

    case = Path(file)
    roots = [case, case.with_suffix(""), TEMPLATES, SCHEMAS, RULES]

    def state() -> dict[str, float]:
        stamps: dict[str, float] = {}
        for root in roots:
            paths = [root] if root.is_file() else (root.rglob("*") if root.is_dir() else [])
            for path in paths:
                with contextlib.suppress(OSError):
                    stamps[str(path)] = path.stat().st_mtime
        return stamps

    seen: dict[str, float] = {}
    click.echo(f"watching {file} (Ctrl-C to stop)", err=True)
    try:
        while True:
            now = state()
            if now != seen:
                seen = now
                click.echo(f"--- {time.strftime('%H:%M:%S')} building {file}", err=True)
                # A failed build has been reported: go on watching.
                run_build(
                    (file,),
                    out_dir=out_dir,
                    formats=pipeline.FORMATS,
                    strict=False,
                    allow_lint_errors=True,
                )
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    return 0
