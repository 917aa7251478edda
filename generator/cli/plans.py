"""The `actionplan` commands for plans kept in git: start a case, turn a 4D case into an 8D one,
print a case as text for `git diff`, and compare two versions of a plan."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import click

from generator import convert, pipeline, render, repository, structures
from generator.cli.common import CASES, out_option, report
from generator.diagnostics import Diagnostic, UserError, write_error
from generator.loader import load_case
from generator.report import use_colour
from generator.resources import schema_enum
from generator.validate import validate_case

# Control characters but tab and newline, and bidirectional overrides (as diagnostics.printable).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@click.command()
@click.argument("name")
@click.option(
    "--structure",
    type=click.Choice(structures.STRUCTURES),
    help="4D or 8D (default: what Amazon expects for the reason, e.g. 8d for a performance "
    "metric of the account, 4d for a listing or for seller information).",
)
@click.option(
    "--reason",
    type=click.Choice(schema_enum("notice", "properties", "reason")),
    required=True,
    help="The reason given in Amazon's notice.",
)
@click.option(
    "--scope",
    type=click.Choice(schema_enum("notice", "properties", "scope")),
    help="What was suspended (default: what the reason usually suspends, e.g. account for "
    "seller-information).",
)
@click.option(
    "--marketplace",
    default="amazon.com",
    show_default=True,
    type=click.Choice(schema_enum("notice", "properties", "marketplace")),
)
@click.option(
    "--language", default="en", show_default=True, type=click.Choice(schema_enum("language"))
)
def new(name: str, **choices: Any) -> int:
    """Start a new case from a commented template.

    Writes cases/NAME.yaml with every required field, a comment in the
    plan's language saying what to write there, and what Amazon expects for
    the reason. Refuses to overwrite a case.

    \b
    Example:
      actionplan new asin-recall --reason product-safety
      actionplan new konto --reason late-shipment-rate --language de --marketplace amazon.de
    """
    import datetime
    import re

    from generator import scaffold

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise click.BadParameter(
            "use lower-case letters, digits and hyphens, e.g. asin-recall", param_hint="NAME"
        )
    # The options are scaffold.new_case's: structure, reason, scope, marketplace, language.
    structure = choices["structure"] or structures.EXPECTED[choices["reason"]].structure
    # In the plans repository's cases/, wherever in it the command runs.
    top = repository.find_top(Path.cwd())
    cases = Path(os.path.relpath(top / CASES, Path.cwd())) if top is not None else CASES
    path = cases / f"{name}.yaml"
    text = scaffold.new_case(
        name,
        **{**choices, "structure": structure},
        today=datetime.date.today(),
        schema=repository.schema_reference(path, structure),
    )
    try:
        scaffold.write_new(path, text)
    except FileExistsError:
        click.echo(f"{path}: already exists; not overwritten (choose another name)", err=True)
        return 1
    except OSError as exc:
        report([write_error(str(path), exc, "nothing was written")])
        return 1
    try:
        (cases / name / "evidence").mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        report([write_error(str(cases / name / "evidence"), exc, f"{path} was written")])
        return 1
    click.echo(f"wrote {path}")
    click.echo(
        f"evidence goes in {cases / name / 'evidence'}/; next: edit the file, then "
        f"`actionplan lint {path}` and `actionplan build {path}`"
    )
    return 0


@click.command()
@click.argument("file", type=click.Path())
@click.option(
    "--to", "target", type=click.Choice(["8d"]), required=True, help="The structure to convert to."
)
@click.option(
    "--in-place", is_flag=True, help="Replace the case file itself (git keeps the old version)."
)
def convert_command(file: str, *, target: str, in_place: bool) -> int:
    """Turn a 4D case into an 8D skeleton, keeping everything it says.

    Writes cases/NAME-8d.yaml (and copies the evidence folder), or with
    --in-place replaces the case. Parts that 8D adds are marked TODO for the
    lint to find. Comments in the old file are not carried over.

    \b
    Example:
      actionplan convert cases/asin-recall.yaml --to 8d
    """
    import shutil

    from generator import scaffold

    checked = pipeline.check_case(file)
    report(checked.diagnostics)
    if not checked.ok or checked.case is None:
        return 1
    case = checked.case
    if case.data["structure"] == target:
        click.echo(f"{file}: already {target}", err=True)
        return 1
    path = Path(file) if in_place else Path(file).with_name(f"{case.name}-{target}.yaml")
    text = scaffold.dump_case(
        scaffold.to_8d(case.data),
        f"Converted from 4D ({Path(file).name}); fill in every TODO.",
        schema=repository.schema_reference(path, target),
    )
    if in_place:
        from generator.write import write_atomic

        try:
            write_atomic(Path(file), text.encode("utf-8"))
        except OSError as exc:
            report([write_error(str(Path(file)), exc, "the case was left as it was")])
            return 1
        click.echo(f"wrote {file}")
        return 0
    folder = case.folder.with_name(f"{case.name}-{target}")
    if path.exists() or folder.exists():
        click.echo(
            f"{path if path.exists() else folder}: already exists; not overwritten", err=True
        )
        return 1
    problems = _uncopyable(case.folder, file)
    if problems:
        report(problems)
        return 1
    try:
        scaffold.write_new(path, text)
        if case.folder.is_dir():
            # No link is followed (there is none, checked above; one made since is copied as a
            # link), and a pipe made since fails the copy instead of blocking it.
            shutil.copytree(case.folder, folder, symlinks=True)
    except OSError as exc:
        if not isinstance(exc, FileExistsError):
            path.unlink(missing_ok=True)  # all or nothing: the next try is not blocked
            shutil.rmtree(folder, ignore_errors=True)
        report([write_error(str(path), exc, "nothing was written")])
        return 1
    click.echo(f"wrote {path}")
    return 0


def _uncopyable(folder: Path, file: str) -> list[Diagnostic]:
    """Why the case's folder cannot be copied as it is: it, or anything in it, is a link (a
    copy would take what it points to, a link to / the whole disk) or no regular file."""
    import os
    import stat

    def problem(code: str, where: str, what: str, hint: str) -> Diagnostic:
        return Diagnostic.error(file, f"convert.{code}", f"{where} {what}", hint)

    if folder.is_symlink():
        return [problem("link", str(folder), "is a link", "make it a real folder")]
    found: list[Diagnostic] = []
    for root, folders, files in os.walk(folder):  # does not follow links
        for name in folders + files:
            entry = Path(root) / name
            mode = entry.lstat().st_mode
            if stat.S_ISLNK(mode):
                found.append(
                    problem("link", str(entry), "is a link", "copy the file it points to instead")
                )
            elif not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
                found.append(
                    problem("not-a-file", str(entry), "is not a regular file", "remove it")
                )
    return found


@click.command()
@click.argument("file", type=click.Path())
def text(file: str) -> int:
    """Print a case as plain text (a git textconv driver).

    Ends with the case's lint exceptions (with their reasons) and its
    submissions, for reviewers. A case that does not validate is printed as
    it is, so `git diff` always shows something.

    \b
    Example:
      actionplan text cases/asin-recall.yaml
      (`actionplan init` sets it as git's textconv driver)
    """
    from generator.loader import read_case_bytes

    checked = pipeline.check_case(file)
    if not checked.ok or checked.case is None:
        try:
            raw = read_case_bytes(file)  # the guarded open: no folder, pipe or device
        except UserError as exc:
            report(exc.diagnostics)
            return 1
        # Printed as it is, but for its control characters: a broken file's bytes go straight
        # to the terminal of whoever runs `git diff`.
        shown = _CONTROL.sub(
            lambda m: f"\\u{ord(m.group(0)):04x}", raw.decode("utf-8", errors="replace")
        )
        click.echo(shown, nl=False)
        return 0
    from generator import diff

    markdown = render.render_markdown(checked.case.data)
    marks = pipeline.text_marks(checked.case.data)
    click.echo(convert.write_texts(markdown, [], ("plain",), marks)["plain"], nl=False)
    # What reviewers of a change need besides the plan: rules silenced and why, and each
    # submission with Amazon's answer.
    click.echo(diff.render_review(checked.case.data), nl=False)
    return 0


@click.command(name="diff")
@click.argument("file", type=click.Path())
@click.option(
    "--from",
    "old",
    required=True,
    metavar="REV",
    help="The earlier version: a commit, tag or branch, or another file.",
)
@click.option(
    "--to", "new", metavar="REV", help="The later version (default: the file as it is now)."
)
@out_option
@click.option(
    "--color/--no-color",
    default=None,
    help="Colour the terminal output (default: on a terminal, unless NO_COLOR is set).",
)
def diff_command(file: str, *, old: str, new: str | None, out_dir: str, color: bool | None) -> int:
    """Show what changed in a plan between two versions.

    Compares section by section.

    Lists added, removed and changed actions, root causes, evidence and
    fields, with the changed words marked, and writes the same as
    build/<case>/<case>-diff.html for a reviewer.

    \b
    Example:
      actionplan diff cases/asin-recall.yaml --from asin-recall/submitted-1
      actionplan diff cases/asin-recall.yaml --from HEAD~3 --to HEAD
    """
    from generator import diff, history
    from generator.write import write_atomic

    try:
        before = history.load_version(file, old)
        after = history.load_version(file, new) if new else load_case(file)
    except UserError as exc:
        report(exc.diagnostics)
        return 1
    problems = [d for case in (before, after) for d in validate_case(case)]
    if problems:
        report(problems)
        return 1
    sections = diff.diff_cases(before.data, after.data)
    title = f"{file}: {old} → {new or 'working tree'}"
    colour = use_colour("auto", sys.stdout) if color is None else color
    text = diff.render_diff(sections, title, after.data["language"], html=False, colour=colour)
    click.echo(text.rstrip("\n"))
    page = diff.render_diff(sections, title, after.data["language"], html=True)
    path = Path(out_dir) / repository.output_key(file) / f"{after.name}-diff.html"
    try:
        write_atomic(path, page.encode("utf-8"))
    except OSError as exc:
        report([write_error(str(path), exc, "the previous page was kept")])
        return 1
    click.echo(f"wrote {path}", err=True)
    return 0
