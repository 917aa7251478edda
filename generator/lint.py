"""The content lint: run the checks, grade each finding, and point at the words in the YAML.

Severity comes from rules/rules.yaml, re-graded by the repository's actionplan.yaml and then by
the case's own `lint.exceptions` (each with a reason, so a reviewer sees it in the diff).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import catalogue, checks, history, rules_doc
from generator.diagnostics import Diagnostic, Severity, UserError, json_path
from generator.loader import LoadedCase, load_case
from generator.repository import CONFIG_FILE as CONFIG_FILE  # named here for the editors
from generator.resources import SCHEMAS
from generator.validate import validate_config

Rule = catalogue.Rule
rules = catalogue.rules


@dataclass(frozen=True)
class Settings:
    """Repository-wide lint settings, with the schema's defaults filled in."""

    severity: dict[str, str]
    max_words: dict[str, int]
    max_section_words: int
    max_chars: int


def _config_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(
        (SCHEMAS / "config.schema.json").read_text(encoding="utf-8")
    )
    return schema


def load_settings(folder: Path | None = Path(), file: Path | None = None) -> Settings:
    """Read `file`, or else actionplan.yaml in `folder` if it exists (folder None: neither);
    the schema holds every default, which a file of comments alone leaves as they are."""
    schema = _config_schema()
    props = schema["properties"]["lint"]["properties"]
    raw: dict[str, Any] = {}
    path = file or (folder / CONFIG_FILE if folder is not None else None)
    if path is not None and path.exists() and not _only_comments(path):
        config = load_case(path)  # same loader: positions, duplicate keys, no tags
        problems = validate_config(config)  # and the same explanations as a case's
        if problems:
            raise UserError(problems)
        raw = config.data.get("lint", {})
        unknown = catalogue.unknown_in_config(config)
        if unknown:
            raise UserError(unknown)
    budgets = props["max_words"]["properties"]
    return Settings(
        severity=dict(raw.get("severity", {})),
        max_words={k: raw.get("max_words", {}).get(k, v["default"]) for k, v in budgets.items()},
        max_section_words=raw.get("max_section_words", props["max_section_words"]["default"]),
        max_chars=raw.get("max_chars", props["max_chars"]["default"]),
    )


def _only_comments(path: Path) -> bool:
    """Whether a settings file says nothing (as `actionplan init` writes it: all commented)."""
    if not path.is_file():
        return False  # the loader says what it is instead
    with path.open("rb") as handle:
        head = handle.read(64 * 1024)
    lines = head.decode("utf-8", "replace").splitlines()
    return len(head) < 64 * 1024 and all(
        not line.strip() or line.lstrip().startswith("#") for line in lines
    )


def find(data: dict[str, Any], settings: Settings) -> Iterator[checks.Finding]:
    """Every finding of every rule, before grading."""
    language = data["language"]
    lists = checks.phrases(language)
    prose = list(checks.texts(data))
    for text in prose:
        yield from checks.phrase_findings(text, language)
        yield from checks.character_findings(text)
    yield from checks.placeholder_findings(data, language, prose)
    yield from checks.notice_date_findings(data)
    yield from checks.action_findings(data)
    yield from checks.traceability_findings(data, prose)
    yield from checks.proof_findings(data)
    yield from checks.symptom_findings(data, lists["stopwords"])
    yield from checks.structure_findings(data)
    total = data.get("lint", {}).get("max_words", settings.max_words[data["structure"]])
    yield from checks.length_findings(data, prose, total, settings.max_section_words)
    yield from checks.owner_findings(data, lists["vague_owners"])
    yield from checks.asin_findings(data, prose)
    from generator import evidence_checks  # which imports this module

    replaced = evidence_checks.replaced_rules(data["notice"]["reason"])
    yield from (f for f in checks.evidence_findings(data) if f.code not in replaced)
    if "XXXX" in repr(data):  # cheaper than walking every value of every case
        yield from checks.identifier_findings(data)
    yield from checks.language_findings(data, prose)


def lint_case(case: LoadedCase, settings: Settings) -> list[Diagnostic]:
    """The graded findings of a valid case, as diagnostics sorted by position."""
    found = [*find(case.data, settings), *history.resubmission_findings(case)]
    return _graded(case, found, settings)


def lint_text(case: LoadedCase, text: str, settings: Settings) -> list[Diagnostic]:
    """The graded findings of the paste-ready text a case was built to (its length)."""
    limit = case.data.get("lint", {}).get("max_chars", settings.max_chars)
    return _graded(case, checks.text_length_findings(text, limit), settings)


def _graded(
    case: LoadedCase, found: Iterable[checks.Finding], settings: Settings
) -> list[Diagnostic]:
    """Findings graded, the ones turned off dropped, sorted by position."""
    graded = (grade(case, finding, settings) for finding in found)
    return sorted({d for d in graded if d is not None})


def grade(case: LoadedCase, finding: checks.Finding, settings: Settings) -> Diagnostic | None:
    """A finding as a diagnostic at its severity after config and case exceptions, or None."""
    rule = rules()[finding.code]
    language = case.data["language"]
    severity = settings.severity.get(rule.code, catalogue.severity(rule, language))
    where = json_path(finding.path)
    for exception in case.data.get("lint", {}).get("exceptions", []):
        if exception["rule"] == rule.code and where.startswith(exception.get("path", "$")):
            severity = exception.get("severity", "off")
    if severity == "off":
        return None
    (line, column), end = _position(case, finding)
    message, fix = rule.wording(language)
    message = message.format(match=finding.match, **finding.fields)
    return Diagnostic(
        case.file, line, column, Severity(severity), rule.code, where, message, fix, end
    )


def _position(
    case: LoadedCase, finding: checks.Finding
) -> tuple[tuple[int, int], tuple[int, int] | None]:
    """The words themselves (start and end) where they can be found in the source, else the
    value's start."""
    if finding.needle:
        start, end = case.span(finding.path)
        pattern = r"\s+".join(re.escape(part) for part in finding.needle.split())
        matches = re.compile(pattern, re.IGNORECASE).finditer(
            case.source, start, max(end, start + 1)
        )
        for index, found in enumerate(matches):
            if index == finding.occurrence:
                return case.position(found.start()), case.position(found.end())
    return case.locate(finding.path), None


def strict(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """--strict: every warning becomes an error (notes stay notes)."""
    return [
        dataclasses.replace(d, severity=Severity.ERROR) if d.severity is Severity.WARNING else d
        for d in diagnostics
    ]


rules_markdown = rules_doc.rules_markdown
