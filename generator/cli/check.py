"""The commands that check cases: validate (the schema), lint (the content rules) and rules (the
list of them)."""

from __future__ import annotations

import click

from generator import lint, pipeline
from generator.cli.common import case_files, jobs_option, report, settings, strict_option, summary
from generator.diagnostics import Diagnostic, Severity


@click.command()
@click.argument("files", nargs=-1, type=click.Path())
def validate(files: tuple[str, ...]) -> int:
    """Check case files against their schema.

    Checks the files given, or every case in cases/. Prints one line per
    problem as file:line:column and exits 1 if there is any.

    \b
    Example:
      actionplan validate cases/asin-recall.yaml
    """
    failed = False
    for file in case_files(files):
        checked = pipeline.check_case(file)
        report(checked.diagnostics)
        failed = failed or not checked.ok
    return 1 if failed else 0


@click.command(name="lint")
@click.argument("files", nargs=-1, type=click.Path())
@strict_option
@jobs_option("checked")
def lint_command(files: tuple[str, ...], *, strict: bool, jobs: int | None) -> int:
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

    chosen = settings()
    if chosen is None:
        return 1
    cases = case_files(files)
    found: list[Diagnostic] = []

    def heard(_: int, result: pipeline.Result) -> None:
        diagnostics = lint.strict(result.diagnostics) if strict else result.diagnostics
        report(diagnostics)
        found.extend(diagnostics)

    # A pool pays off from a few dozen cases on; below that, starting it costs more.
    workers = jobs or (batch.default_jobs() if len(cases) >= 50 else 1)
    batch.lint_many(cases, chosen, workers, heard)
    summary(found, len(cases))
    return 1 if any(d.severity is Severity.ERROR for d in found) else 0


@click.command()
@click.option("--markdown", is_flag=True, help="Print the full rule reference as Markdown.")
def rules(*, markdown: bool) -> int:
    """List the content rules with their codes and severities.

    \b
    Example:
      actionplan rules
      actionplan rules --markdown > docs/rules.md
    """
    if markdown:
        click.echo(lint.rules_markdown(), nl=False)
        return 0
    for rule in lint.rules().values():
        click.echo(f"{rule.code:<24} {rule.severity:<8} {rule.title}")
    return 0
