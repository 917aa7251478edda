"""A bug in actionplan, as opposed to a problem in the input: its own exit code, the traceback,
and where to report it."""

from __future__ import annotations

import platform
import sys
import traceback
from typing import Any

import click

from generator import __version__, about

# 0 ok, 1 a problem in the input, 2 wrong usage: a crash is none of them.
EXIT_CRASH = 3


def report_crash(error: BaseException) -> None:
    """Print the traceback and how to report it, on standard error."""
    click.echo("".join(traceback.format_exception(error)).rstrip(), err=True)
    click.echo(
        f"\nactionplan {__version__} stopped on an internal error (a bug, not a problem in "
        f"your case). Please report it at {about.url('Issues')} with the command you ran, "
        "the lines above and, if you can share it, the case file.\n"
        f"(Python {platform.python_version()}, {platform.platform()})",
        err=True,
    )


class CrashReporting(click.Group):
    """A command group whose commands' unexpected exceptions end in `report_crash`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            raise  # output piped into `head`: click ends quietly
        except Exception as error:  # a bug: anything a user can cause is a diagnostic
            report_crash(error)
            sys.exit(EXIT_CRASH)
