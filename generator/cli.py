"""The `actionplan` command: a thin layer over the pipeline."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from generator import convert, lint, pipeline, render
from generator.diagnostics import Diagnostic, Severity, UserError
from generator.loader import load_case
from generator.validate import validate_case

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


def _settings() -> lint.Settings:
    try:
        return lint.load_settings()
    except UserError as exc:
        _report(exc.diagnostics)
        sys.exit(1)


def _summary(diagnostics: list[Diagnostic], cases: int) -> None:
    if diagnostics:
        errors = sum(d.severity is Severity.ERROR for d in diagnostics)
        warnings = len(diagnostics) - errors
        click.echo(f"{errors} error(s), {warnings} warning(s) in {cases} case(s)", err=True)


strict_option = click.option(
    "--strict", is_flag=True, help="Treat warnings as errors (for the CI of a plans repository)."
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="actionplan")
def main() -> None:
    """Plans of Action for Amazon sellers, kept as code.

    A case is a YAML file under cases/; actionplan checks it and renders it to Markdown, HTML and
    PDF under build/<case>/.

    \b
    Example:
      actionplan lint cases/asin-recall.yaml
      actionplan build cases/asin-recall.yaml
    """


@main.command()
@click.argument("files", nargs=-1, type=click.Path())
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


@main.command(name="lint")
@click.argument("files", nargs=-1, type=click.Path())
@strict_option
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Cases checked at once (default: the number of cores, for many cases).",
)
def lint_command(files: tuple[str, ...], strict: bool, jobs: int | None) -> None:
    """Check what a plan says against the content rules.

    Validates each case, then applies the content rules (`actionplan rules`
    lists them) and checks its evidence files. Exits 1 if there is an error,
    or any finding with --strict.

    \b
    Example:
      actionplan lint cases/asin-recall.yaml
      actionplan lint --strict
    """
    from generator import batch

    settings = _settings()
    cases = _case_files(files)
    found: list[Diagnostic] = []

    def report(_: int, result: batch.Result) -> None:
        diagnostics = lint.strict(result.diagnostics) if strict else result.diagnostics
        _report(diagnostics)
        found.extend(diagnostics)

    # A pool pays off from a few dozen cases on; below that, starting it costs more.
    workers = jobs or (batch.default_jobs() if len(cases) >= 50 else 1)
    batch.build_many(cases, settings, None, workers, report)
    _summary(found, len(cases))
    sys.exit(1 if any(d.severity is Severity.ERROR for d in found) else 0)


def _build(
    files: tuple[str, ...],
    out_dir: str,
    formats: tuple[str, ...],
    strict: bool,
    allow_lint_errors: bool,
    jobs: int | None = 1,
    force: bool = False,
) -> None:
    from generator import batch

    settings = _settings()
    cases = _case_files(files)
    options = batch.Options(Path(out_dir), formats, strict, allow_lint_errors, force)
    progress = len(cases) > 1 and not os.environ.get("CI") and sys.stderr.isatty()

    def report(done: int, result: batch.Result) -> None:
        _report(result.diagnostics)
        for path in result.written:
            click.echo(f"wrote {path}")
        if result.failed and not result.written:
            click.echo(f"{result.file}: not built", err=True)
        elif result.skipped and len(cases) == 1:
            click.echo(f"{result.file}: up to date (--force rebuilds)", err=True)
        if progress:
            state = "failed" if result.failed else "up to date" if result.skipped else "built"
            click.echo(f"[{done}/{len(cases)}] {result.file}: {state}", err=True)

    results = batch.build_many(cases, settings, options, jobs or batch.default_jobs(), report)
    if len(cases) > 1:
        failed = sum(result.failed for result in results)
        skipped = sum(result.skipped for result in results)
        click.echo(
            f"{len(cases) - failed - skipped} built, {skipped} up to date, {failed} not built",
            err=True,
        )
    sys.exit(1 if any(result.failed for result in results) else 0)


out_option = click.option(
    "--out",
    "out_dir",
    default="build",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the outputs.",
)
jobs_option = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Cases built at once (default: the number of cores, for more than one case).",
)
force_option = click.option(
    "--force", is_flag=True, help="Rebuild even if the inputs did not change."
)
allow_option = click.option(
    "--allow-lint-errors",
    is_flag=True,
    help="Build even if the content lint finds errors (they are still printed).",
)


@main.command()
@click.argument("files", nargs=-1, type=click.Path())
@out_option
@click.option(
    "--format",
    "formats",
    default=",".join(pipeline.FORMATS),
    show_default=True,
    help="Comma-separated output formats.",
)
@strict_option
@allow_option
@jobs_option
@force_option
def build(
    files: tuple[str, ...],
    out_dir: str,
    formats: str,
    strict: bool,
    allow_lint_errors: bool,
    jobs: int | None,
    force: bool,
) -> None:
    """Render cases to Markdown, HTML, PDF and plain text.

    Validates and lints each case and checks its evidence files, then writes
    build/<case>/<case>.md, .html, .pdf and .txt (paste-ready, with
    -counts.txt). Outputs are written only when the whole case built; a
    failed build keeps the previous ones. Unchanged cases are skipped.

    \b
    Example:
      actionplan build cases/asin-recall.yaml
      actionplan build --format pdf cases/asin-recall.yaml
    """
    chosen = tuple(part.strip() for part in formats.split(",") if part.strip())
    if not chosen or set(chosen) - set(pipeline.FORMATS):
        choices = ", ".join(pipeline.FORMATS)
        raise click.BadParameter(f"choose from {choices}", param_hint="--format")
    _build(files, out_dir, chosen, strict, allow_lint_errors, jobs, force)


@main.command()
@click.argument("files", nargs=-1, type=click.Path())
@out_option
@strict_option
@allow_option
@jobs_option
@force_option
def bundle(
    files: tuple[str, ...],
    out_dir: str,
    strict: bool,
    allow_lint_errors: bool,
    jobs: int | None,
    force: bool,
) -> None:
    """Build everything to send to Amazon, evidence included.

    Writes every format of `build`, plus build/<case>/<case>.docx (Word),
    <case>-submission.pdf (the plan, then each evidence file behind a header,
    with bookmarks and the originals attached) and <case>-evidence.zip (the
    files under stable names with manifest.json and their SHA-256).

    \b
    Example:
      actionplan bundle cases/asin-recall.yaml
    """
    _build(
        files, out_dir, pipeline.FORMATS + pipeline.BUNDLE, strict, allow_lint_errors, jobs, force
    )


def _schema_enum(*path: str) -> list[str]:
    """Allowed values of a field, read from the schema (the one place they are defined)."""
    import json

    from generator.resources import SCHEMAS

    node = json.loads((SCHEMAS / "defs.schema.json").read_text(encoding="utf-8"))["$defs"]
    for part in path:
        node = node[part]
    return list(node["enum"])


@main.command()
@click.argument("name")
@click.option(
    "--structure",
    type=click.Choice(["4d", "8d"]),
    required=True,
    help="4d for one listing, 8d for a suspended account.",
)
@click.option(
    "--reason",
    type=click.Choice(_schema_enum("notice", "properties", "reason")),
    required=True,
    help="The reason given in Amazon's notice.",
)
@click.option(
    "--scope",
    type=click.Choice(["listing", "account"]),
    help="What was suspended (default: listing for 4d, account for 8d).",
)
@click.option(
    "--marketplace",
    default="amazon.com",
    show_default=True,
    type=click.Choice(_schema_enum("notice", "properties", "marketplace")),
)
@click.option(
    "--language", default="en", show_default=True, type=click.Choice(_schema_enum("language"))
)
def new(
    name: str, structure: str, reason: str, scope: str | None, marketplace: str, language: str
) -> None:
    """Start a new case from a commented template.

    Writes cases/NAME.yaml with every required field, a comment saying what
    to write there, and hints for the reason. Refuses to overwrite a case.

    \b
    Example:
      actionplan new asin-recall --structure 4d --reason product-safety
    """
    import datetime
    import re

    from generator import scaffold

    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise click.BadParameter(
            "use lower-case letters, digits and hyphens, e.g. asin-recall", param_hint="NAME"
        )
    scope = scope or ("listing" if structure == "4d" else "account")
    text = scaffold.new_case(
        name, structure, reason, scope, marketplace, language, datetime.date.today()
    )
    path = CASES / f"{name}.yaml"
    try:
        scaffold.write_new(path, text)
    except FileExistsError:
        click.echo(f"{path}: already exists; not overwritten (choose another name)", err=True)
        sys.exit(1)
    (CASES / name / "evidence").mkdir(parents=True, exist_ok=True)
    click.echo(f"wrote {path}")
    click.echo(
        f"evidence goes in {CASES / name / 'evidence'}/; next: edit the file, then "
        f"`make lint` and `make build CASE={name}`"
    )


@main.command()
@click.argument("file", type=click.Path())
@click.option(
    "--to", "target", type=click.Choice(["8d"]), required=True, help="The structure to convert to."
)
@click.option(
    "--in-place", is_flag=True, help="Replace the case file itself (git keeps the old version)."
)
def convert_command(file: str, target: str, in_place: bool) -> None:
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
    _report(checked.diagnostics)
    if not checked.ok or checked.case is None:
        sys.exit(1)
    case = checked.case
    if case.data["structure"] == target:
        click.echo(f"{file}: already {target}", err=True)
        sys.exit(1)
    text = scaffold.dump_case(
        scaffold.to_8d(case.data), f"Converted from 4D ({Path(file).name}); fill in every TODO."
    )
    if in_place:
        from generator.write import write_atomic

        write_atomic(Path(file), text.encode("utf-8"))
        click.echo(f"wrote {file}")
        return
    path = Path(file).with_name(f"{case.name}-{target}.yaml")
    folder = case.folder.with_name(f"{case.name}-{target}")
    if path.exists() or folder.exists():
        click.echo(
            f"{path if path.exists() else folder}: already exists; not overwritten", err=True
        )
        sys.exit(1)
    scaffold.write_new(path, text)
    if case.folder.is_dir():
        shutil.copytree(case.folder, folder)
    click.echo(f"wrote {path}")


@main.command()
@click.argument("file", type=click.Path())
@out_option
@click.option("--interval", default=0.5, show_default=True, help="Seconds between checks.")
def watch(file: str, out_dir: str, interval: float) -> None:
    """Rebuild a case whenever it or its inputs change.

    Watches the case, its evidence folder, the templates and the schemas.

    Prints the diagnostics of each build; stop with Ctrl-C.

    \b
    Example:
      actionplan watch cases/asin-recall.yaml
    """
    import time

    from generator.resources import RULES, SCHEMAS, TEMPLATES

    case = Path(file)
    roots = [case, case.with_suffix(""), TEMPLATES, SCHEMAS, RULES]

    def state() -> dict[str, float]:
        stamps: dict[str, float] = {}
        for root in roots:
            paths = [root] if root.is_file() else (root.rglob("*") if root.is_dir() else [])
            for path in paths:
                with contextlib.suppress(OSError):
                    stamps[str(path)] = path.stat().st_mtime
        return stamps

    seen: dict[str, float] = {}
    click.echo(f"watching {file} (Ctrl-C to stop)", err=True)
    try:
        while True:
            now = state()
            if now != seen:
                seen = now
                click.echo(f"--- {time.strftime('%H:%M:%S')} building {file}", err=True)
                with contextlib.suppress(SystemExit):  # a failed build is reported; go on
                    _build((file,), out_dir, pipeline.FORMATS, False, True)
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@main.command()
@click.argument("file", type=click.Path())
def text(file: str) -> None:
    """Print a case as plain text (a git textconv driver).

    A case that does not validate is printed as it is, so `git diff` always
    shows something.

    \b
    Example:
      git config diff.actionplan.textconv "actionplan text"
    """
    checked = pipeline.check_case(file)
    if not checked.ok or checked.case is None:
        click.echo(Path(file).read_text(encoding="utf-8", errors="replace"), nl=False)
        return
    markdown = render.render_markdown(checked.case.data)
    click.echo(convert.write_texts(markdown, [], ("plain",))["plain"], nl=False)


@main.command(name="diff")
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
    help="Colour the terminal output (default: when it is a terminal).",
)
def diff_command(file: str, old: str, new: str | None, out_dir: str, color: bool | None) -> None:
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
    from generator import diff
    from generator.write import write_atomic

    try:
        before = diff.load_version(file, old)
        after = diff.load_version(file, new) if new else load_case(file)
    except UserError as exc:
        _report(exc.diagnostics)
        sys.exit(1)
    problems = [d for case in (before, after) for d in validate_case(case)]
    if problems:
        _report(problems)
        sys.exit(1)
    sections = diff.diff_cases(before.data, after.data)
    title = f"{file}: {old} → {new or 'working tree'}"
    colour = sys.stdout.isatty() if color is None else color
    text = diff.render_diff(sections, title, after.data["language"], html=False, colour=colour)
    click.echo(text.rstrip("\n"))
    page = diff.render_diff(sections, title, after.data["language"], html=True)
    path = Path(out_dir) / after.name / f"{after.name}-diff.html"
    write_atomic(path, page.encode("utf-8"))
    click.echo(f"wrote {path}", err=True)


@main.command()
@click.option("--markdown", is_flag=True, help="Print the full rule reference as Markdown.")
def rules(markdown: bool) -> None:
    """List the content rules with their codes and severities.

    \b
    Example:
      actionplan rules
      actionplan rules --markdown > docs/rules.md
    """
    catalogue = lint.rules().values()
    if markdown:
        click.echo(lint.rules_markdown(), nl=False)
        return
    for rule in catalogue:
        click.echo(f"{rule.code:<24} {rule.severity:<8} {rule.title}")
