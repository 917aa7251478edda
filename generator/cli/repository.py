"""The commands that set up a plans repository: init (the files and git settings an agency's
repository needs) and schemas (the schema copies, refreshed after an upgrade)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from generator import repository
from generator.cli.common import report
from generator.diagnostics import write_error


@click.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path) -> int:
    """Set up a plans repository: an agency's own repository of cases.

    Writes cases/, a commented actionplan.yaml, .gitignore, .gitattributes,
    .pre-commit-config.yaml (pinned to this version), a GitHub Actions
    workflow, editor settings, a copy of the schemas and a README. Makes the
    folder a git repository if it is none, and sets git's textconv driver to
    this actionplan by its absolute path, so `git diff` shows plan text. Never
    overwrites a file: run it again in every new clone.

    \b
    Example:
      actionplan init plans
      cd plans && actionplan new asin-recall --structure 4d --reason product-safety
    """
    try:
        steps = repository.init_repository(folder, sys.executable)
    except OSError as exc:
        done = "the files written are complete: run init again once it can write"
        report([write_error(str(folder), exc, done)])
        return 1
    for step in steps:
        if step.done != "kept":
            click.echo(f"{step.done} {step.path}", err=True)
    kept = [step.path for step in steps if step.done == "kept"]
    if kept:
        click.echo(f"kept {len(kept)} existing file(s) as they were", err=True)
    here = "" if folder == Path(".") else f"cd {folder} && "
    click.echo(
        f"next: {here}actionplan new <name> --structure 4d --reason <reason>; "
        "`pre-commit install` checks the plans on every commit (README.md)",
        err=True,
    )
    return 0


@click.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
def schemas(folder: Path) -> int:
    """Refresh a plans repository's schema copies after an upgrade.

    Replaces the files in FOLDER/schemas/ with this version's, which editors
    read through the first line of each case. They are actionplan's own
    files; nothing else is touched.

    \b
    Example:
      actionplan schemas
    """
    top = repository.find_top(folder) or folder
    for step in repository.copy_schemas(top):
        click.echo(f"{step.done} {step.path}", err=True)
    return 0
