"""What the `actionplan` commands share: where cases are, the output folder option, and how
diagnostics are printed."""

from __future__ import annotations

from pathlib import Path

import click

from generator.diagnostics import Diagnostic

CASES = Path("cases")

out_option = click.option(
    "--out",
    "out_dir",
    default="build",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the outputs.",
)


def report(diagnostics: list[Diagnostic]) -> None:
    """Each diagnostic on its own line of standard error, as file:line:column: ..."""
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)
