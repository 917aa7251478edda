"""What the commands that check cases share beyond common.py: the options of the report
(--output-format, --color, -q, -v), --config, --shard, which cases a run takes (those given,
standard input, or every case of the plans repository) and the settings that apply to each."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from generator import lint, loader, pipeline, report, repository
from generator.diagnostics import Diagnostic, UserError

STDIN = "-"


def reporting(command: Callable[..., int]) -> Callable[..., int]:
    """Give a command the report options; it receives a ready `reporter` instead."""

    @functools.wraps(command)
    def wrapper(
        *args: Any, output_format: str, color: str, quiet: bool, verbose: bool, **kwargs: Any
    ) -> int:
        reporter = report.Reporter(
            format=output_format,
            colour=report.use_colour(color, sys.stderr),
            quiet=quiet,
            verbose=verbose,
        )
        return command(*args, reporter=reporter, **kwargs)

    options = [
        _choice_option(
            "--output-format",
            report.FORMATS,
            "How to print the findings: text for people; json, github (annotations), "
            "sarif (code scanning) or junit (CI test reports) on standard output.",
            envvar="ACTIONPLAN_OUTPUT_FORMAT",
            show_envvar=True,
        ),
        _choice_option(
            "--color",
            report.COLOURS,
            "Colour the text; auto: on a terminal, unless NO_COLOR is set.",
        ),
        click.option(
            "-q", "--quiet", is_flag=True, help="Only the findings: no notes, no summary."
        ),
        click.option(
            "-v", "--verbose", is_flag=True, help="Also each clean case and the settings."
        ),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


def _choice_option(
    name: str, choices: tuple[str, ...], help: str, **more: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """An option taking one of `choices`, the first by default."""
    return click.option(
        name, type=click.Choice(choices), default=choices[0], show_default=True, help=help, **more
    )


config_option = click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The settings file for every case (default: the nearest actionplan.yaml above each).",
)
stdin_option = click.option(
    "--stdin-filename",
    metavar="PATH",
    help="With FILES `-`: the case's path, for its messages, settings and evidence folder.",
)


def shard_option(done: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def parse(_: click.Context, __: click.Parameter, value: str | None) -> tuple[int, int] | None:
        if value is None:
            return None
        try:
            return repository.parse_shard(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return click.option(
        "--shard",
        metavar="K/N",
        callback=parse,
        help=f"Only the cases of shard K of N (by a hash of their path): cases {done} in N "
        "parallel CI jobs.",
    )


def select_cases(files: tuple[str, ...], shard: tuple[int, int] | None = None) -> list[str]:
    """The files given (a folder: the cases in it), or every case of the plans repository;
    with a shard, its part."""
    if files:
        cases = []
        for file in files:  # a folder stands for the cases in it
            folder = Path(file)
            found = repository.find_cases(folder, folder) if folder.is_dir() else []
            cases += [str(path) for path in found] or [file]
    else:
        cases = repository.default_cases()
        # An empty plans repository (just made by `init`) is fine; no repository is not.
        if not cases and repository.find_top(Path.cwd()) is None:
            raise click.UsageError("no case files given and no cases/ folder here or above")
    if shard is not None:
        top = repository.find_top(Path.cwd()) or Path.cwd()
        cases = [file for file in cases if repository.in_shard(file, *shard, top)]
    return cases


def read_stdin(files: tuple[str, ...], stdin_filename: str | None) -> tuple[str, bytes] | None:
    """(name, bytes) when the case comes from standard input (`-`), else None."""
    if STDIN not in files:
        if stdin_filename:
            raise click.UsageError("--stdin-filename goes with `-` (read the case from stdin)")
        return None
    if files != (STDIN,):
        raise click.UsageError("`-` (standard input) is the only case of its run")
    # One byte over the loader's limit is enough for it to refuse the rest unread.
    raw = sys.stdin.buffer.read(loader.MAX_BYTES + 1)
    return stdin_filename or "stdin.yaml", raw


def check_piped(
    piped: tuple[str, bytes], settings: lint.Settings | None = None
) -> pipeline.Checked:
    """The checks of a case read from standard input, with the loader's size and encoding
    checks as for a file."""
    name, raw = piped
    try:
        case = loader.parse_bytes(name, raw)
    except UserError as exc:
        return pipeline.Checked(None, exc.diagnostics)
    return pipeline.check_loaded(case, settings)


def load_settings(config: Path | None, reporter: report.Reporter) -> lint.Settings | None:
    """The settings in `config` (the defaults for None), or None once their problems are
    reported as the file's diagnostics."""
    try:
        if config is None:
            return lint.load_settings(None)
        if not config.is_file():
            raise UserError([_missing_config(config)])
        return lint.load_settings(file=config)
    except UserError as exc:
        reporter.case(str(config), exc.diagnostics)
        return None


def _missing_config(path: Path) -> Diagnostic:
    return Diagnostic.error(
        str(path),
        "config.missing",
        "the settings file does not exist",
        "check the path given to --config",
    )


def settings_groups(
    cases: list[str], config: Path | None, reporter: report.Reporter
) -> list[tuple[lint.Settings, list[str]]] | None:
    """The cases by the settings that apply to each, or None if a settings file is wrong."""
    groups = []
    for path, files in repository.group_by_config(cases, config).items():
        settings = load_settings(path, reporter)
        if settings is None:
            return None
        reporter.detail(f"settings: {path or 'the defaults'} for {len(files)} case(s)")
        groups.append((settings, files))
    return groups


def refuse_clashes(cases: list[str], reporter: report.Reporter) -> list[str]:
    """The cases whose outputs would not overwrite another's; those that would are reported."""
    clashes = repository.clashing_outputs(cases)
    for key, files in clashes.items():
        for file in files:
            others = ", ".join(f for f in files if f != file)
            reporter.case(
                file,
                [
                    Diagnostic.error(
                        file,
                        "build.duplicate",
                        f"{others} would write the same outputs (build/{key}/)",
                        "keep cases under cases/ (outputs follow their folders there) or "
                        "rename one of them",
                    )
                ],
            )
    refused = {file for files in clashes.values() for file in files}
    return [file for file in cases if file not in refused]
