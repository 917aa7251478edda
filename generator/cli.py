"""The `actionplan` command: a thin layer over the pipeline."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator import convert, pipeline
from generator.diagnostics import Diagnostic

CASES = Path("cases")


def _case_files(files: tuple[str, ...]) -> list[str]:
    if files:
        return list(files)
    found = sorted(str(path) for path in CASES.glob("*.yaml"))
    if not found:
        raise click.UsageError("no case files given and none found in cases/")
    return found


def _report(diagnostics: list[Diagnostic]) -> None:
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="actionplan")
def main() -> None:
    """Plans of Action for Amazon sellers, kept as code.

    A case is a YAML file under cases/; actionplan checks it and renders it to Markdown, HTML and
    PDF under build/<case>/.

    \b
    Example:
      actionplan validate cases/asin-recall.yaml
      actionplan build cases/asin-recall.yaml
    """


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
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
        _report(checked.diagnostics)
        failed = failed or not checked.ok
    sys.exit(1 if failed else 0)


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option(
    "--out",
    "out_dir",
    default="build",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the outputs.",
)
@click.option(
    "--format",
    "formats",
    default=",".join(pipeline.FORMATS),
    show_default=True,
    help="Comma-separated output formats.",
)
def build(files: tuple[str, ...], out_dir: str, formats: str) -> None:
    """Render cases to Markdown, HTML and PDF.

    Validates each case, then writes build/<case>/<case>.md, .html and .pdf.
    Outputs are written only when the whole case built; a failed build keeps
    the previous ones.

    \b
    Example:
      actionplan build cases/asin-recall.yaml
    """
    chosen = tuple(part.strip() for part in formats.split(",") if part.strip())
    unknown = sorted(set(chosen) - set(pipeline.FORMATS))
    if unknown or not chosen:
        choices = ", ".join(pipeline.FORMATS)
        raise click.BadParameter(f"choose from {choices}", param_hint="--format")
    failed = False
    for file in _case_files(files):
        checked = pipeline.check_case(file)
        _report(checked.diagnostics)
        if not checked.ok or checked.case is None:
            click.echo(f"{file}: not built", err=True)
            failed = True
            continue
        try:
            outputs = pipeline.render_outputs(checked.case, chosen)
        except convert.ConversionError as exc:
            _report([pipeline.conversion_diagnostic(checked.case, exc)])
            failed = True
            continue
        paths = pipeline.output_paths(checked.case, Path(out_dir), chosen)
        for path in pipeline.write_outputs(outputs, paths):
            click.echo(f"wrote {path}")
    sys.exit(1 if failed else 0)
