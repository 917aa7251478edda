"""The editing loop: `lsp` (findings in the editor as you type) and `serve` (a live preview)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from generator import repository
from generator.cli.common import CASES


@click.command()
def lsp() -> int:
    """Run the language server for case files (over stdio).

    Editors start it themselves, beside the YAML language server: it reports
    what `actionplan lint` finds as you type, explains fields and findings on
    hover, offers certain fixes and completes evidence and root-cause ids.
    docs/editors.md shows the set-up for VS Code, Neovim, Helix and Zed.

    \b
    Example (what an editor runs):
      actionplan lsp
    """
    from generator import lsp as server

    server.main()
    return 0


@click.command()
@click.argument("case", required=False, type=click.Path(dir_okay=False))
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 (0: any free one).",
)
def serve(case: str | None, port: int) -> int:
    """Preview plans in the browser, updated on every save.

    Serves http://127.0.0.1:PORT/ on this computer only: an index of the
    cases, and for each the plan with a panel of its findings, its PDF and
    submission PDF. The page follows every save of the case, its evidence,
    actionplan.yaml or the templates without a reload; a save that breaks
    the case keeps the last good plan, with the errors above it. Stop with
    Ctrl-C.

    \b
    Example:
      actionplan serve cases/asin-recall.yaml
      actionplan serve
    """
    from generator import serve as preview

    top = repository.find_top(Path(case) if case else Path.cwd())
    cases = top / repository.CASES if top else CASES
    page = ""
    if case is not None:
        file = Path(case)
        if not file.is_file() or file.suffix != ".yaml":
            raise click.BadParameter(f"no case file {case}", param_hint="CASE")
        if not file.resolve().is_relative_to(cases.resolve()):
            cases = file.parent  # a case outside a plans repository: its own folder
        page = f"case/{file.resolve().relative_to(cases.resolve()).with_suffix('').as_posix()}/"
    elif not cases.is_dir():
        raise click.UsageError(
            "no cases/ folder here; name a case file or run it in a plans repository"
        )
    config = repository.find_config(cases)
    try:
        server = preview.Server(cases, config.parent if config else Path(), port)
    except OSError as exc:
        click.echo(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}; choose another --port",
            err=True,
        )
        return 1
    server.start()
    click.echo(f"serving {server.url}{page} (Ctrl-C to stop)", err=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.stop()
    return 0
