"""Diagnostics as people and machines read them: text (coloured on a terminal), JSON, GitHub
workflow commands, SARIF 2.1.0 (code scanning) and JUnit XML (CI test reports).

Text and GitHub lines are printed as each case is checked; the JSON, SARIF and JUnit documents
need every case first and are printed whole at the end, on standard output, with nothing else
there (notes such as "wrote …" go to standard error then).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

import click

from generator import __version__, about
from generator.diagnostics import MAX_MESSAGE, Diagnostic, Severity, printable

FORMATS = ("text", "json", "github", "sarif", "junit")
COLOURS = ("auto", "always", "never")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def use_colour(choice: str, stream: IO[str]) -> bool:
    """--color: always, never, or auto (a terminal, unless NO_COLOR is set: no-color.org)."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


def format_text(diagnostic: Diagnostic, colour: bool) -> str:
    """The one-line form (Diagnostic.format), with the place, severity and code coloured."""
    line = diagnostic.format()
    if not colour:
        return line
    where = f"{printable(diagnostic.file)}:{diagnostic.line}:{diagnostic.column}:"
    severity = diagnostic.severity.value
    tag = f"[{diagnostic.code}]"
    rest = line[len(where) + len(severity) + len(tag) + 2 :]
    tint = {Severity.ERROR: "red", Severity.WARNING: "yellow"}.get(diagnostic.severity, "blue")
    return (
        f"{click.style(where, bold=True)} {click.style(severity, fg=tint, bold=True)} "
        f"{click.style(tag, fg='cyan')}{rest}"
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostic: Diagnostic) -> str:
    """A GitHub Actions workflow command: the finding becomes an annotation on the pull request."""
    level = {Severity.ERROR: "error", Severity.WARNING: "warning"}.get(
        diagnostic.severity, "notice"
    )
    # Text from the case is made safe to print as in the text format (annotations are shown).
    where = f"{printable(diagnostic.path)}: " if diagnostic.path else ""
    message = where + printable(diagnostic.message, MAX_MESSAGE)
    if diagnostic.hint:
        message += f": {diagnostic.hint}"
    properties = ",".join(
        f"{key}={_escape_property(value)}"
        for key, value in (
            ("file", printable(diagnostic.file)),
            ("line", str(diagnostic.line)),
            ("col", str(diagnostic.column)),
            ("title", f"actionplan [{diagnostic.code}]"),
        )
    )
    return f"::{level} {properties}::{_escape_data(message)}"


def _as_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        "file": diagnostic.file,
        "line": diagnostic.line,
        "column": diagnostic.column,
        "severity": diagnostic.severity.value,
        "code": diagnostic.code,
        "path": diagnostic.path,
        "message": diagnostic.message,
        "hint": diagnostic.hint,
    }


def counts(diagnostics: Iterable[Diagnostic]) -> tuple[int, int]:
    """(errors, warnings); notes are neither."""
    found = list(diagnostics)
    errors = sum(d.severity is Severity.ERROR for d in found)
    return errors, sum(d.severity is Severity.WARNING for d in found)


def to_json(files: dict[str, list[Diagnostic]]) -> str:
    """Every case checked, with its diagnostics, and the totals."""
    everything = [d for found in files.values() for d in found]
    errors, warnings = counts(everything)
    document = {
        "tool": "actionplan",
        "version": __version__,
        "summary": {"cases": len(files), "errors": errors, "warnings": warnings},
        "cases": [
            {
                "file": file,
                "ok": not any(d.severity is Severity.ERROR for d in found),
                "diagnostics": [_as_dict(d) for d in found],
            }
            for file, found in files.items()
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


@dataclass(frozen=True)
class RuleText:
    """What SARIF and `actionplan rules CODE` say about a code."""

    title: str
    help: str = ""
    severity: str = "error"


# SARIF's result levels by severity; anything below a warning is a note.
_LEVELS = {"error": "error", "warning": "warning", "note": "note"}


def _uri(file: str) -> str:
    """A path relative to where the tool runs (the repository's top, in CI), as a URI."""
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return path.as_uri()
    return path.as_posix()


def to_sarif(files: dict[str, list[Diagnostic]], describe: Callable[[str], RuleText]) -> str:
    """A SARIF 2.1.0 log of one run: a result per diagnostic, a rule per code found."""
    everything = [d for found in files.values() for d in found]
    codes = sorted({d.code for d in everything})
    index = {code: i for i, code in enumerate(codes)}
    rules = []
    for code in codes:
        text = describe(code)
        rule: dict[str, Any] = {
            "id": code,
            "shortDescription": {"text": text.title},
            "defaultConfiguration": {"level": _LEVELS.get(text.severity, "none")},
        }
        if text.help:
            rule["fullDescription"] = {"text": text.help}
            rule["help"] = {"text": text.help}
        rules.append(rule)
    results = []
    for d in everything:
        message = f"{d.path}: {d.message}" if d.path else d.message
        results.append(
            {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": _LEVELS.get(d.severity.value, "note"),
                "message": {"text": message + (f": {d.hint}" if d.hint else "")},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(d.file)},
                            "region": {"startLine": d.line, "startColumn": d.column},
                        }
                    }
                ],
            }
        )
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "actionplan",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": about.url("Homepage"),
                        "rules": rules,
                    }
                },
                "artifacts": [{"location": {"uri": _uri(file)}} for file in files],
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def to_junit(files: dict[str, list[Diagnostic]]) -> str:
    """JUnit XML: a test suite per case, a failed test per error, a passed one for a clean case.

    Warnings are reported as tests too (passed, with the finding in their output), so a CI's
    test view lists them without failing the run.
    """
    everything = [d for found in files.values() for d in found]
    errors, _ = counts(everything)
    root = ElementTree.Element("testsuites", name="actionplan", failures=str(errors))
    total = 0
    for file, found in files.items():
        suite = ElementTree.SubElement(root, "testsuite", name=file)
        failures = 0
        if not found:
            total += 1
            ElementTree.SubElement(suite, "testcase", name="actionplan", classname=file)
        for d in found:
            total += 1
            case = ElementTree.SubElement(
                suite, "testcase", name=f"[{d.code}] {d.line}:{d.column}", classname=file
            )
            text = printable(d.format())
            if d.severity is Severity.ERROR:
                failures += 1
                failure = ElementTree.SubElement(case, "failure", message=printable(d.message))
                failure.text = text
                failure.set("type", d.code)
            else:
                ElementTree.SubElement(case, "system-out").text = text
        suite.set("tests", str(len(found) or 1))
        suite.set("failures", str(failures))
    root.set("tests", str(total))
    ElementTree.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(
        root, encoding="unicode"
    )


@dataclass
class Reporter:
    """Prints what a command found in the chosen format, and its summary."""

    format: str = "text"
    colour: bool = False
    quiet: bool = False
    verbose: bool = False
    describe: Callable[[str], RuleText] = field(default=lambda code: describe(code))
    files: dict[str, list[Diagnostic]] = field(default_factory=dict)

    def case(self, file: str, diagnostics: list[Diagnostic]) -> None:
        """One case is done: text and GitHub lines now, the documents at the end."""
        self.files.setdefault(file, []).extend(diagnostics)
        if self.format == "text":
            for d in diagnostics:
                click.echo(format_text(d, self.colour), err=True, color=self.colour)
            if self.verbose and not diagnostics:
                click.echo(f"{file}: ok", err=True)
        elif self.format == "github":
            for d in diagnostics:
                click.echo(format_github(d))

    def wrote(self, path: Path) -> None:
        """An output written: on standard output for people, beside the document otherwise."""
        if not self.quiet:
            click.echo(f"wrote {path}", err=self.format != "text")

    def note(self, message: str, *, always: bool = False) -> None:
        """A line for the person watching (standard error), left out by -q."""
        if always or not self.quiet:
            click.echo(message, err=True)

    def detail(self, message: str) -> None:
        """A line shown only with -v."""
        if self.verbose:
            click.echo(message, err=True)

    def finish(self, summary: str | None = "", *, findings_summary: bool = False) -> None:
        """The document of a machine format, then the one-line summary on standard error: always
        when nothing was found ("3 cases checked: no problems"); when something was, at a
        terminal, with -v, or with `findings_summary` (lint's counts, which a log keeps). The
        findings' own lines are the report otherwise. None: the caller printed its own."""
        if self.format == "json":
            click.echo(to_json(self.files))
        elif self.format == "sarif":
            click.echo(to_sarif(self.files, self.describe))
        elif self.format == "junit":
            click.echo(to_junit(self.files))
        found = any(self.files.values())
        wanted = not found or findings_summary or self.verbose or sys.stderr.isatty()
        if wanted and not self.quiet and summary is not None:
            click.echo(summary or self.summary(), err=True)

    def summary(self) -> str:
        everything = [d for found in self.files.values() for d in found]
        errors, warnings = counts(everything)
        notes = len(everything) - errors - warnings
        cases = len(self.files)
        if not everything:
            return f"{cases} case{'s' if cases != 1 else ''} checked: no problems"
        noted = f", {notes} note(s)" if notes else ""
        return f"{errors} error(s), {warnings} warning(s){noted} in {cases} case(s)"

    @property
    def failed(self) -> bool:
        return any(d.severity is Severity.ERROR for found in self.files.values() for d in found)


# What the codes that are not content rules (those are in rules/rules.yaml) are about, by family.
FAMILIES = {
    "yaml": "The file cannot be read as the YAML of a case",
    "schema": "The case does not match its JSON Schema (schemas/)",
    "config": "actionplan.yaml does not match its schema (schemas/config.schema.json)",
    "evidence": "An evidence file is missing or cannot be used",
    "io": "A file cannot be read or written",
    "build": "A conversion step of the build failed",
    "diff": "A version of the case cannot be read",
}


def describe(code: str) -> RuleText:
    """The title, explanation and default severity of a diagnostic code."""
    from generator import lint

    rule = lint.rules().get(code)
    if rule is not None:
        text = f"{rule.why} Fix: {rule.fix}. Bad: {rule.bad} Good: {rule.good}"
        return RuleText(rule.title, text, rule.severity)
    family = code.partition(".")[0]
    return RuleText(FAMILIES.get(family, code), "", "error")


def explain(code: str) -> str | None:
    """`actionplan rules CODE`: one rule, as a person reads it; None for an unknown code."""
    from generator import lint

    rule = lint.rules().get(code)
    if rule is None:
        return None
    return "\n".join(
        [
            f"{rule.code}: {rule.title}",
            f"Default severity: {rule.severity}",
            "",
            f"Why Amazon cares: {rule.why}",
            f"Fix: {rule.fix}.",
            "",
            f"Bad:  {rule.bad}",
            f"Good: {rule.good}",
            "",
            "Re-grade it for the repository in actionplan.yaml "
            f"(lint: {{severity: {{{rule.code}: warning}}}}) or for one case in its "
            "lint.exceptions, with a reason.",
        ]
    )
