"""The `actionplan` command: a thin layer over the pipeline.

Checking and building are here; the commands for plans kept in git are in cli_plans.py."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator import cli_plans, lint, pipeline
from generator.cli_common import CASES, out_option, report
from generator.diagnostics import Diagnostic, Severity, UserError


def _case_files(files: tuple[str, ...]) -> list[str]:
    if files:
        return list(files)
    found = sorted(str(path) for path in CASES.glob("*.yaml"))
    if not found:
        raise click.UsageError("no case files given and none found in cases/")
    return found


def _settings() -> lint.Settings:
    try:
        return lint.load_settings()
    except UserError as exc:
        report(exc.diagnostics)
        sys.exit(1)


def _summary(diagnostics: list[Diagnostic], cases: int) -> None:
    if diagnostics:
        errors = sum(d.severity is Severity.ERROR for d in diagnostics)
        notes = sum(d.severity is Severity.NOTE for d in diagnostics)
        warnings = len(diagnostics) - errors - notes
        noted = f", {notes} note(s)" if notes else ""
        click.echo(f"{errors} error(s), {warnings} warning(s){noted} in {cases} case(s)", err=True)


def jobs_option(done: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--jobs for a command that handles cases `done` (checked, built) by a pool of workers."""
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        help=f"Cases {done} at once (default: the number of cores, for many cases).",
    )


strict_option = click.option(
    "--strict", is_flag=True, help="Treat warnings as errors (for the CI of a plans repository)."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="actionplan")
def main() -> None:
    """Plans of Action for Amazon sellers, kept as code.

    A case is a YAML file under cases/; actionplan checks it and renders it to Markdown, HTML and
    PDF under build/<case>/.

    \b
    Example:
      actionplan lint cases/asin-recall.yaml
      actionplan build cases/asin-recall.yaml
    """


@main.command()
@click.argument("files", nargs=-1, type=click.Path())
def validate(files: tuple[str, ...]) -> None:
    """Check case files against their schema.

    Checks the files given, or every case in cases/. Prints one line per
    problem as file:line:column and exits 1 if there is any.

    \b
    Example:
      actionplan validate cases/asin-recall.yaml
    """
    failed = False
    for file in _case_files(files):
        checked = pipeline.check_case(file)
        report(checked.diagnostics)
        failed = failed or not checked.ok
    sys.exit(1 if failed else 0)


@main.command(name="lint")
@click.argument("files", nargs=-1, type=click.Path())
@strict_option
@jobs_option("checked")
def lint_command(files: tuple[str, ...], strict: bool, jobs: int | None) -> None:
    """Check what a plan says against the content rules.

    Validates each case, then applies the content rules (`actionplan rules`
    lists them) and checks its evidence files. Exits 1 if there is an error,
    or any finding with --strict.

    \b
    Example:
      actionplan lint cases/asin-recall.yaml
      actionplan lint --strict
    """
    from generator import batch

    settings = _settings()
    cases = _case_files(files)
    found: list[Diagnostic] = []

    def heard(_: int, result: batch.Result) -> None:
        diagnostics = lint.strict(result.diagnostics) if strict else result.diagnostics
        report(diagnostics)
        found.extend(diagnostics)

    # A pool pays off from a few dozen cases on; below that, starting it costs more.
    workers = jobs or (batch.default_jobs() if len(cases) >= 50 else 1)
    batch.build_many(cases, settings, None, workers, heard)
    _summary(found, len(cases))
    sys.exit(1 if any(d.severity is Severity.ERROR for d in found) else 0)


def _build(
    files: tuple[str, ...],
    out_dir: str,
    formats: tuple[str, ...],
    strict: bool,
    allow_lint_errors: bool,
    jobs: int | None = 1,
    force: bool = False,
) -> None:
    from generator import batch

    settings = _settings()
    cases = _case_files(files)
    options = batch.Options(Path(out_dir), formats, strict, allow_lint_errors, force)
    progress = len(cases) > 1 and not os.environ.get("CI") and sys.stderr.isatty()

    def heard(done: int, result: batch.Result) -> None:
        report(result.diagnostics)
        for path in result.written:
            click.echo(f"wrote {path}")
        if result.failed and not result.written:
            click.echo(f"{result.file}: not built", err=True)
        elif result.skipped and len(cases) == 1:
            click.echo(f"{result.file}: up to date (--force rebuilds)", err=True)
        if progress:
            state = "failed" if result.failed else "up to date" if result.skipped else "built"
            click.echo(f"[{done}/{len(cases)}] {result.file}: {state}", err=True)

    results = batch.build_many(cases, settings, options, jobs or batch.default_jobs(), heard)
    for note in dict.fromkeys(note for result in results for note in result.notes):
        click.echo(f"note: {note}", err=True)  # once for the run, not once per case
    if len(cases) > 1:
        failed = sum(result.failed for result in results)
        skipped = sum(result.skipped for result in results)
        click.echo(
            f"{len(cases) - failed - skipped} built, {skipped} up to date, {failed} not built",
            err=True,
        )
    sys.exit(1 if any(result.failed for result in results) else 0)


force_option = click.option(
    "--force", is_flag=True, help="Rebuild even if the inputs did not change."
)
allow_option = click.option(
    "--allow-lint-errors",
    is_flag=True,
    help="Build even if the content lint finds errors (they are still printed).",
)


@main.command()
@click.argument("files", nargs=-1, type=click.Path())
@out_option
@click.option(
    "--format",
    "formats",
    default=",".join(pipeline.FORMATS),
    show_default=True,
    help="Comma-separated output formats.",
)
@strict_option
@allow_option
@jobs_option("built")
@force_option
def build(
    files: tuple[str, ...],
    out_dir: str,
    formats: str,
    strict: bool,
    allow_lint_errors: bool,
    jobs: int | None,
    force: bool,
) -> None:
    """Render cases to Markdown, HTML, PDF and plain text.

    Validates and lints each case and checks its evidence files, then writes
    build/<case>/<case>.md, .html, .pdf and .txt (paste-ready, with
    -counts.txt). A case that cannot be built keeps its previous outputs;
    one whose text is over the limit under --strict is written (to be read)
    but fails the run. Unchanged cases are skipped.

    \b
    Example:
      actionplan build cases/asin-recall.yaml
      actionplan build --format pdf cases/asin-recall.yaml
    """
    chosen = tuple(part.strip() for part in formats.split(",") if part.strip())
    if not chosen or set(chosen) - set(pipeline.FORMATS):
        choices = ", ".join(pipeline.FORMATS)
        raise click.BadParameter(f"choose from {choices}", param_hint="--format")
    _build(files, out_dir, chosen, strict, allow_lint_errors, jobs, force)


@main.command()
@click.argument("files", nargs=-1, type=click.Path())
@out_option
@strict_option
@allow_option
@jobs_option("built")
@force_option
def bundle(
    files: tuple[str, ...],
    out_dir: str,
    strict: bool,
    allow_lint_errors: bool,
    jobs: int | None,
    force: bool,
) -> None:
    """Build everything to send to Amazon, evidence included.

    Writes every format of `build`, plus build/<case>/<case>.docx (Word),
    <case>-submission.pdf (the plan, then each evidence file behind a header,
    with bookmarks and the originals attached) and <case>-evidence.zip (the
    files under stable names with manifest.json and their SHA-256).

    \b
    Example:
      actionplan bundle cases/asin-recall.yaml
    """
    _build(
        files, out_dir, pipeline.FORMATS + pipeline.BUNDLE, strict, allow_lint_errors, jobs, force
    )


@main.command()
@click.argument("file", type=click.Path())
@out_option
@click.option("--interval", default=0.5, show_default=True, help="Seconds between checks.")
def watch(file: str, out_dir: str, interval: float) -> None:
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
                with contextlib.suppress(SystemExit):  # a failed build is reported; go on
                    _build((file,), out_dir, pipeline.FORMATS, False, True)
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@main.command()
@click.option("--markdown", is_flag=True, help="Print the full rule reference as Markdown.")
def rules(markdown: bool) -> None:
    """List the content rules with their codes and severities.

    \b
    Example:
      actionplan rules
      actionplan rules --markdown > docs/rules.md
    """
    catalogue = lint.rules().values()
    if markdown:
        click.echo(lint.rules_markdown(), nl=False)
        return
    for rule in catalogue:
        click.echo(f"{rule.code:<24} {rule.severity:<8} {rule.title}")


for command in (cli_plans.new, cli_plans.convert_command, cli_plans.text, cli_plans.diff_command):
    main.add_command(command)
