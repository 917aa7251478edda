"""The commands that write outputs: build (the plan's formats), bundle (everything to send to
Amazon) and watch (build again on every change)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator import pipeline, repository
from generator.cli.common import allow_option, force_option, jobs_option, out_option, strict_option
from generator.cli.output import (
    config_option,
    refuse_clashes,
    reporting,
    select_cases,
    settings_groups,
    shard_option,
)
from generator.report import Reporter


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
    config: Path | None = None,
    shard: tuple[int, int] | None = None,
    reporter: Reporter | None = None,
) -> int:
    """Build the cases, print what happened to each, and return the exit code."""
    from generator import batch

    reporter = reporter or Reporter()
    if repository.under_cases(Path(out_dir)):
        raise click.BadParameter(
            "the outputs never go under cases/ (it holds the cases and their evidence only)",
            param_hint="--out",
        )
    chosen = select_cases(files, shard)
    cases = refuse_clashes(chosen, reporter)
    groups = settings_groups(cases, config, reporter)
    if groups is None:
        return 1
    options = pipeline.Options(
        out_dir=Path(out_dir),
        formats=formats,
        strict=strict,
        allow_lint_errors=allow_lint_errors,
        force=force,
    )
    progress = len(cases) > 1 and not os.environ.get("CI") and sys.stderr.isatty()
    progress = progress and reporter.format == "text" and not reporter.quiet
    states = {"built": 0, "up to date": 0, "not built": 0}

    def heard(done: int, result: pipeline.Result) -> None:
        reporter.case(result.file, result.diagnostics)
        for path in result.written:
            reporter.wrote(path)
        state = "not built" if result.failed else "up to date" if result.skipped else "built"
        states[state] += 1
        if result.skipped and len(cases) == 1:
            reporter.note(f"{result.file}: up to date (--force rebuilds)")
        elif result.failed and not result.written:
            reporter.note(f"{result.file}: not built")
        if progress:
            reporter.note(f"[{sum(states.values())}/{len(cases)}] {result.file}: {state}")

    notes: list[str] = []
    for settings, group in groups:
        results = batch.build_many(group, settings, options, jobs or batch.default_jobs(), heard)
        notes += [note for result in results for note in result.notes]
    for note in dict.fromkeys(notes):
        reporter.note(f"note: {note}")  # once for the run, not once per case
    states["not built"] += len(chosen) - len(cases)
    built, skipped, failed = states.values()
    if len(chosen) > 1:
        reporter.note(f"{built} built, {skipped} up to date, {failed} not built")
    reporter.finish(None if len(chosen) > 1 else "")  # several cases: the line above sums up
    return 1 if failed else 0


def build_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `build` and `bundle` share: each is a keyword of run_build."""
    command = reporting(command)
    for option in (
        shard_option("built"),
        config_option,
        force_option,
        jobs_option("built"),
        allow_option,
        strict_option,
        out_option,
    ):
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
      actionplan build --shard 2/4 --output-format github
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
@config_option
def watch(file: str, *, out_dir: str, config: Path | None) -> int:
    """Rebuild a case whenever it or its inputs change.

    Watches the case, its evidence folder, the repository's actionplan.yaml,
    the templates and the schemas, and is told of each change by the system
    (no polling). Refreshes the bundle (Word, submission PDF, evidence zip)
    too if it was built before.

    Prints the diagnostics of each build; stop with Ctrl-C.

    \b
    Example:
      actionplan watch cases/asin-recall.yaml
    """
    import time

    from generator import watching

    case = Path(file)
    settings_file = config or repository.find_config(case)

    def rebuild() -> None:
        key = repository.output_key(case)
        bundled = pipeline.output_paths(case.stem, Path(out_dir), pipeline.BUNDLE, key)
        formats: tuple[str, ...] = pipeline.FORMATS
        if any(path.exists() for path in bundled.values()):
            formats += pipeline.BUNDLE
        click.echo(f"--- {time.strftime('%H:%M:%S')} building {file}", err=True)
        # A failed build has been reported: go on watching.
        run_build(
            (file,),
            out_dir=out_dir,
            formats=formats,
            strict=False,
            allow_lint_errors=True,
            config=config,
        )

    click.echo(f"watching {file} (Ctrl-C to stop)", err=True)
    watching.watch_case(case, settings_file, rebuild)
    click.echo("stopped", err=True)
    return 0
