"""The `actionplan` group. Every command returns its exit code (0 ok, 1 an input problem; 2 is
wrong usage, 3 a crash: crash.py) and the group exits with it, so a helper can be called again
(as `watch` does) without SystemExit."""

from __future__ import annotations

from typing import Any

import click

from generator.cli import build, check, live, plans, repository
from generator.crash import CrashReporting


@click.group(cls=CrashReporting, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(None, "-V", "--version", package_name="actionplan")
def main() -> None:
    """Plans of Action for Amazon sellers, kept as code.

    A case is a YAML file under cases/; actionplan checks it and renders it to Markdown, HTML and
    PDF under build/<case>/.

    \b
    Example:
      actionplan lint cases/asin-recall.yaml
      actionplan build cases/asin-recall.yaml
    """


@main.result_callback()
def _exit_with(code: int | None, **_: Any) -> None:
    click.get_current_context().exit(code or 0)


for command in (
    check.validate,
    check.lint_command,
    build.build,
    build.bundle,
    build.watch,
    check.rules,
    plans.new,
    plans.convert_command,
    plans.text,
    plans.diff_command,
    live.lsp,
    live.serve,
    repository.init,
    repository.schemas,
):
    main.add_command(command)
