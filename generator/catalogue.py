"""The rule catalogue (rules/rules.yaml): every content rule stated once, checked against its own
schema (schemas/rules.schema.json) and loaded once per process; with it, in every language, the
wording of the problems an evidence file itself can have.

The lint grades with it, the phrase rules take their names and scopes from it, docs/rules.md is
generated from it, and rule codes written by people (actionplan.yaml, a case's lint.exceptions)
are checked against it.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import yaml

from generator.diagnostics import Diagnostic
from generator.loader import YAML_LOADER, LoadedCase
from generator.resources import RULES, SCHEMAS


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str
    message: str
    fix: str
    why: str
    bad: str
    good: str
    not_in: frozenset[str] = frozenset()
    phrases: bool = False
    grammar: str = ""
    file: bool = False
    variants: dict[str, dict[str, str]] = field(default_factory=dict, hash=False, compare=False)
    hints: dict[str, dict[str, Any]] = field(default_factory=dict, hash=False, compare=False)

    @property
    def name(self) -> str:
        """The rule's name in rules/<language>.yaml and in the corpus labels."""
        return self.code.removeprefix("lint.")

    def wording(self, language: str, variant: str = "") -> tuple[str, str]:
        """The message and the fix in a plan's language (English where none is written); a
        variant is another sentence of the same problem, which keeps what it does not reword."""
        hint = self.hints.get(language, {})
        message, fix = hint.get("message", self.message), hint.get("fix", self.fix)
        if not variant:
            return message, fix
        english = self.variants[variant]
        local = hint.get("variants", {}).get(variant, {})
        if "message" in english:
            message = local.get("message", english["message"])
        if "fix" in english:
            fix = local.get("fix", english["fix"])
        return message, fix


class Rules(dict[str, Rule]):
    """The content rules by code, which settings may re-grade; and apart from them, in `files`,
    the problems of evidence files, which none may (a build cannot use the file). Both come
    from one reading, so clearing rules()'s cache refreshes both."""

    def __init__(self, rules: dict[str, Rule], files: dict[str, Rule]) -> None:
        super().__init__(rules)
        self.files = files


class CatalogueError(Exception):
    """rules/rules.yaml does not match its schema: a defect of the package, not of a case."""


@cache
def rules() -> Rules:
    """Every content rule, by code, in the catalogue's order (file problems in `.files`)."""
    with (RULES / "rules.yaml").open(encoding="utf-8") as handle:
        entries = yaml.load(handle, Loader=YAML_LOADER)
    import jsonschema_rs

    schema = json.loads((SCHEMAS / "rules.schema.json").read_text(encoding="utf-8"))
    problems = [str(error) for error in jsonschema_rs.validator_for(schema).iter_errors(entries)]
    codes = [str(entry.get("code")) for entry in entries if isinstance(entry, dict)]
    problems += [f"{code} is listed twice" for code in sorted(set(codes)) if codes.count(code) > 1]
    if problems:
        raise CatalogueError("rules/rules.yaml: " + "; ".join(problems))
    every = [_rule(entry) for entry in entries]
    return Rules({r.code: r for r in every if not r.file}, {r.code: r for r in every if r.file})


def file_problem(code: str) -> Rule:
    """The wording of a problem of an evidence file (evidence.missing, evidence.damaged, ...)."""
    return rules().files[code]


def _rule(entry: dict[str, Any]) -> Rule:
    return Rule(**{**entry, "not_in": frozenset(entry.get("not_in", []))})


ERROR_PRECISION = 0.95  # a phrase rule stops a build only where it is this precise
MIN_SUPPORT = 3  # findings on the held-out part before a precision counts as measured


@cache
def quality() -> dict[str, dict[str, dict[str, float]]]:
    """Measured precision and recall of each phrase rule per language on the held-out part of
    the labelled corpus (rules/quality.json, written by `python -m tests.corpus --record`)."""
    path = RULES / "quality.json"
    if not path.exists():
        return {}
    data: dict[str, dict[str, dict[str, dict[str, float]]]] = json.loads(
        path.read_text(encoding="utf-8")
    )
    return data.get("rules", {})


def severity(rule: Rule, language: str) -> str:
    """A rule's default severity in a language: a phrase rule is an error only where its
    measured held-out precision is at least ERROR_PRECISION; an unmeasured one warns."""
    if not rule.phrases or rule.severity != "error":
        return rule.severity
    row = quality().get(rule.name, {}).get(language)
    if row is None or row["tp"] + row["fp"] < MIN_SUPPORT or row["precision"] < ERROR_PRECISION:
        return "warning"
    return "error"


@cache
def phrase_rules() -> tuple[str, ...]:
    """The names of the phrase rules, in the catalogue's order."""
    return tuple(rule.name for rule in rules().values() if rule.phrases)


def closest(code: str, count: int = 3) -> list[str]:
    """Rule codes that look like a mistyped `code`, closest first."""
    return difflib.get_close_matches(code, list(rules()), n=count, cutoff=0.6)


def unknown_code(code: str) -> str | None:
    """None for a rule of the catalogue, else what to write instead ("did you mean …")."""
    if code in rules():
        return None
    close = closest(code, 1)
    if close:
        return f"did you mean '{close[0]}'?"
    return "see `actionplan rules` for the rule codes"


def _unknown(
    case: LoadedCase, code: str, where: tuple[str | int, ...], at: tuple[int, int]
) -> list[Diagnostic]:
    hint = unknown_code(code)
    if hint is None:
        return []
    message = f"unknown rule '{code}'"
    return [Diagnostic.error(case.file, "schema.unknown-rule", message, hint, at=at, path=where)]


def unknown_in_config(config: LoadedCase) -> list[Diagnostic]:
    """The rule codes of actionplan.yaml's `lint.severity` that the catalogue does not know."""
    codes = config.data.get("lint", {}).get("severity", {})
    base = ("lint", "severity")
    return [
        d
        for code in codes
        for d in _unknown(config, code, (*base, code), config.locate(base, code))
    ]


def unknown_in_case(case: LoadedCase) -> list[Diagnostic]:
    """The rule codes of a case's `lint.exceptions` that the catalogue does not know: a typo
    must not leave the finding it meant to re-grade silently in place."""
    out = []
    for i, exception in enumerate(case.data.get("lint", {}).get("exceptions", [])):
        where = ("lint", "exceptions", i, "rule")
        out += _unknown(case, exception["rule"], where, case.locate(where))
    return out
