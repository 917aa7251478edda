"""What the `actionplan` commands share: where cases are, the options several commands take, and
how diagnostics are printed (the report options and the choice of cases: output.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

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
strict_option = click.option(
    "--strict", is_flag=True, help="Treat warnings as errors (for the CI of a plans repository)."
)
force_option = click.option(
    "--force", is_flag=True, help="Rebuild even if the inputs did not change."
)
allow_option = click.option(
    "--allow-lint-errors",
    is_flag=True,
    help="Build even if the content lint finds errors (they are still printed).",
)


def jobs_option(done: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--jobs for a command that handles cases `done` (checked, built) by a pool of workers."""
    return click.option(
        "--jobs",
        "-j",
        type=click.IntRange(min=1),
        help=f"Cases {done} at once (default: the number of cores, for many cases).",
    )


def report(diagnostics: list[Diagnostic]) -> None:
    """Each diagnostic on its own line of standard error, as file:line:column: ..."""
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)
