"""The commands that check cases: validate (the schema), lint (the content rules) and rules (the
list of them)."""

from __future__ import annotations

from pathlib import Path

import click

from generator import catalogue, lint, pipeline, report
from generator.cli.common import jobs_option, strict_option
from generator.cli.output import (
    check_piped,
    config_option,
    read_stdin,
    reporting,
    select_cases,
    settings_groups,
    shard_option,
    stdin_option,
)
from generator.report import Reporter


@click.command()
@click.argument("files", nargs=-1, type=click.Path())
@stdin_option
@reporting
def validate(files: tuple[str, ...], *, stdin_filename: str | None, reporter: Reporter) -> int:
    """Check case files against their schema.

    Checks the files given, or every case of the plans repository (cases/,
    folders too). Prints one line per problem as file:line:column and exits 1
    if there is any; `-` reads a case from standard input.

    \b
    Example:
      actionplan validate cases/asin-recall.yaml
      actionplan validate --output-format json > report.json
    """
    piped = read_stdin(files, stdin_filename)
    if piped is not None:
        reporter.case(piped[0], check_piped(piped).diagnostics)
    else:
        for file in select_cases(files):
            reporter.case(file, pipeline.check_case(file).diagnostics)
    reporter.finish()
    return 1 if reporter.failed else 0


@click.command(name="lint")
@click.argument("files", nargs=-1, type=click.Path())
@strict_option
@jobs_option("checked")
@config_option
@shard_option("checked")
@stdin_option
@reporting
def lint_command(
    files: tuple[str, ...],
    *,
    strict: bool,
    jobs: int | None,
    config: Path | None,
    shard: tuple[int, int] | None,
    stdin_filename: str | None,
    reporter: Reporter,
) -> int:
    """Check what a plan says against the content rules.

    Validates each case, then applies the content rules (`actionplan rules`
    lists them) and checks its evidence files. Exits 1 if there is an error,
    or any finding with --strict. Each case takes the settings of the nearest
    actionplan.yaml above it, or those of --config.

    \b
    Example:
      actionplan lint cases/asin-recall.yaml
      actionplan lint --strict --output-format github
    """
    from generator import batch

    piped = read_stdin(files, stdin_filename)
    cases = [piped[0]] if piped else select_cases(files, shard)
    groups = settings_groups(cases, config, reporter)
    if groups is None:
        return 1

    def heard(_: int, result: pipeline.Result) -> None:
        reporter.case(
            result.file, lint.strict(result.diagnostics) if strict else result.diagnostics
        )

    for settings, group in groups:
        if piped is not None:
            heard(1, pipeline.Result(piped[0], check_piped(piped, settings).diagnostics))
            continue
        # A pool pays off from a few dozen cases on; below that, starting it costs more.
        workers = jobs or (batch.default_jobs() if len(group) >= 50 else 1)
        batch.lint_many(group, settings, workers, heard)
    reporter.finish(findings_summary=True)
    return 1 if reporter.failed else 0


@click.command()
@click.argument("code", required=False)
@click.option("--markdown", is_flag=True, help="Print the full rule reference as Markdown.")
def rules(code: str | None, *, markdown: bool) -> int:
    """List the content rules, or explain one (CODE).

    \b
    Example:
      actionplan rules
      actionplan rules lint.promise
      actionplan rules --markdown > docs/rules.md
    """
    if markdown:
        click.echo(lint.rules_markdown(), nl=False)
        return 0
    if code is not None:
        text = report.explain(code)
        if text is None:
            close = catalogue.closest(code)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise click.BadParameter(
                f"no rule {code}{hint} (`actionplan rules` lists them)", param_hint="CODE"
            )
        click.echo(text)
        return 0
    for rule in lint.rules().values():
        click.echo(f"{rule.code:<24} {rule.severity:<8} {rule.title}")
    return 0
