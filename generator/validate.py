"""Validate a loaded case against its JSON Schema, reporting every error at its YAML position."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:  # imported when needed: only a failing case needs the explaining validator
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from referencing import Registry

from generator import catalogue
from generator.diagnostics import Diagnostic, Severity, json_path
from generator.loader import LoadedCase
from generator.resources import SCHEMAS, schema_file
from generator.structures import STRUCTURES


@cache
def _registry() -> Registry:
    from referencing import Registry, Resource

    resources = []
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((path.name, Resource.from_contents(contents)))
    return Registry().with_resources(resources)


@cache
def validator(structure: str) -> Draft202012Validator:
    """The compiled validator of a structure's schema (built once per process)."""
    schema = json.loads(schema_file(structure).read_text(encoding="utf-8"))
    from jsonschema import Draft202012Validator

    return Draft202012Validator(
        schema,
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


@cache
def fast_validator(structure: str) -> Any:
    """The same schema compiled by jsonschema-rs: a pass/fail check a hundred times faster.

    Only a failing case goes on to the `jsonschema` validator, whose errors explain it; a test
    proves the two agree on every example and invalid case.
    """
    import jsonschema_rs

    def retrieve(uri: str) -> Any:
        return json.loads((SCHEMAS / uri.rsplit("/", 1)[-1]).read_text(encoding="utf-8"))

    path = schema_file(structure)
    schema = json.loads(path.read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(
        schema, validate_formats=True, retriever=retrieve, base_uri=path.resolve().as_uri()
    )


def validate_case(case: LoadedCase) -> list[Diagnostic]:
    """Every schema error of the case, one diagnostic each, sorted by position."""
    structure = case.data.get("structure")
    if structure not in STRUCTURES:
        line, column = case.locate(("structure",)) if "structure" in case.data else (1, 1)
        found = f"'{structure}'" if "structure" in case.data else "missing"
        return [
            Diagnostic(
                case.file,
                line,
                column,
                Severity.ERROR,
                "schema.structure",
                "$.structure",
                f"structure is {found}",
                "write `structure: 4d` (one listing) or `structure: 8d` (an account)",
            )
        ]
    if fast_validator(structure).is_valid(case.data):
        return catalogue.unknown_in_case(case)
    errors = validator(structure).iter_errors(case.data)
    found = {d for error in _leaves(errors) for d in _diagnose(case, error)}
    # A date that is no date at all also misses the range of years: one mistake, one message.
    not_dates = {d.path for d in found if d.code == "schema.format"}
    return sorted(d for d in found if not (d.code == "schema.date-range" and d.path in not_dates))


def _leaves(errors: Iterable[ValidationError]) -> Iterable[ValidationError]:
    """The errors a person can act on: inside anyOf/oneOf/allOf, the deepest ones."""
    for error in errors:
        if error.context:
            yield from _leaves(error.context)
        else:
            yield error


def _diagnose(case: LoadedCase, error: ValidationError) -> Iterable[Diagnostic]:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        # One diagnostic per unknown key, at the key itself.
        allowed = sorted(error.schema.get("properties", {}))  # type: ignore[union-attr]
        given = cast(dict[str, Any], error.instance)
        for key in sorted(set(given) - set(allowed)):
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(allowed)}"
            line, column = case.locate(path, key)
            yield Diagnostic(
                case.file,
                line,
                column,
                Severity.ERROR,
                "schema.unknown-key",
                json_path((*path, key)),
                f"unknown key '{key}'",
                hint,
            )
        return
    code, message, hint = _explain(case, error)
    line, column = case.locate(path)
    yield Diagnostic(
        case.file, line, column, Severity.ERROR, f"schema.{code}", json_path(path), message, hint
    )


def _examples(schema: dict[str, Any]) -> str:
    examples = schema.get("examples") or []
    return ", ".join(json.dumps(e, ensure_ascii=False) for e in examples[:2])


def _explain(case: LoadedCase, error: ValidationError) -> tuple[str, str, str]:
    """Code, message and hint for one schema error."""
    kind, schema, value = str(error.validator), error.schema, error.instance
    expected: Any = error.validator_value
    assert isinstance(schema, dict)
    if kind == "required":
        # jsonschema reports each missing property as its own error, named only in the message.
        match = re.match(r"^'(.+)' is a required property$", error.message)
        name = match.group(1) if match else "?"
        sub = schema.get("properties", {}).get(name, {})
        described = _describe(sub)
        return (
            "required",
            f"required property '{name}' is missing",
            f"add `{name}:`" + (f" ({described})" if described else ""),
        )
    if kind == "type":
        hint = f"write a {expected}" if isinstance(expected, str) else "check the value's type"
        if expected == "string" and not isinstance(value, (dict, list)):
            source = _source_text(case, tuple(error.absolute_path))
            hint = f'put it in quotes: "{source}"'
        return "type", f"expected a {expected}, found {_kind_of(value)}", hint
    if kind in ("enum", "const"):
        options = expected if kind == "enum" else [expected]
        shown = ", ".join(str(o) for o in options)
        close = difflib.get_close_matches(str(value), [str(o) for o in options], n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"use one of: {shown}"
        return "enum", f"'{value}' is not allowed here", hint
    if kind == "format":
        return (
            "format",
            f"'{value}' is not a valid {expected}",
            "write a real date as YYYY-MM-DD, e.g. 2026-11-20",
        )
    if kind == "pattern" and schema.get("format") == "date":
        return (
            "date-range",
            f"'{value}' is outside the range of dates a plan can carry",
            _describe(schema),
        )
    if kind == "pattern":
        if schema.get("minLength") and isinstance(value, str) and not value.strip():
            return "empty", "this text is empty", "write the content or remove the key"
        examples = _examples(schema)
        return (
            "pattern",
            f"'{value}' does not have the expected form",
            (_describe(schema) + (f"; e.g. {examples}" if examples else "")),
        )
    if kind in ("minItems", "minLength"):
        return "empty", "this is empty", f"add at least one entry ({_describe(schema)})"
    if kind == "uniqueItems":
        return "duplicate", "the list repeats an entry", "remove the repeated entry"
    return kind, error.message, _describe(schema)


def _describe(schema: dict[str, Any]) -> str:
    description = str(schema.get("description", ""))
    return description.split(". ")[0].rstrip(".")


def _kind_of(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    names = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }
    return names.get(type(value), type(value).__name__)


def _source_text(case: LoadedCase, path: tuple[str | int, ...]) -> str:
    start, end = case.span(path)
    return case.source[start:end].strip() or "..."
