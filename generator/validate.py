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
from generator.diagnostics import Diagnostic
from generator.loader import LoadedCase
from generator.resources import SCHEMAS, schema_defs, schema_file
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
    return _explaining_validator(schema_file(structure).name)


@cache
def config_validator() -> Draft202012Validator:
    """The compiled validator of actionplan.yaml's schema."""
    return _explaining_validator("config.schema.json")


def _explaining_validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
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
        found = f"'{structure}'" if "structure" in case.data else "missing"
        return [
            Diagnostic.error(
                case.file,
                "schema.structure",
                f"structure is {found}",
                "write `structure: 4d` (one listing) or `structure: 8d` (an account)",
                at=case.locate(("structure",)) if "structure" in case.data else (1, 1),
                path=("structure",),
            )
        ]
    if fast_validator(structure).is_valid(case.data):
        return catalogue.unknown_in_case(case)
    return explain(case, validator(structure))


def validate_config(config: LoadedCase) -> list[Diagnostic]:
    """Every schema error of a repository's actionplan.yaml, explained as a case's are."""
    return explain(config, config_validator())


def explain(document: LoadedCase, checker: Draft202012Validator) -> list[Diagnostic]:
    """Every error of a YAML document against a schema: one diagnostic per mistake, at its
    YAML position, sorted."""
    errors = checker.iter_errors(document.data)
    found = {d for error in _leaves(errors) for d in _diagnose(document, error)}
    # A date that is no date at all also misses the range of years: one mistake, one message.
    not_dates = {d.path for d in found if d.code == "schema.format"}
    return sorted(d for d in found if not (d.code == "schema.date-range" and d.path in not_dates))


def _leaves(errors: Iterable[ValidationError]) -> Iterable[ValidationError]:
    """The errors a person can act on: inside allOf, each; inside anyOf/oneOf, the best match."""
    for error in errors:
        if error.validator in ("anyOf", "oneOf") and error.context:
            yield from _best_branch(error)
        elif error.context:
            yield from _leaves(error.context)
        else:
            yield error


def _best_branch(error: ValidationError) -> Iterable[ValidationError]:
    """The errors of the alternative the value was meant for (as check-jsonschema's reporter
    picks the best match): one whose type the value has, the one that got deepest into it.
    If the value has the type of none, the error itself, explained as one wrong type."""
    branches: dict[Any, list[ValidationError]] = {}
    for sub in error.context or []:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def wrong_type(sub: ValidationError) -> bool:
        return sub.validator == "type" and sub.absolute_path == error.absolute_path

    fitting = [subs for subs in branches.values() if not any(map(wrong_type, subs))]
    if not fitting:
        yield error
        return
    best = max(fitting, key=lambda subs: (max(len(e.absolute_path) for e in subs), -len(subs)))
    yield from _leaves(best)


def _diagnose(case: LoadedCase, error: ValidationError) -> Iterable[Diagnostic]:
    path = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        # One diagnostic per unknown key, at the key itself.
        allowed = sorted(error.schema.get("properties", {}))  # type: ignore[union-attr]
        given = cast(dict[str, Any], error.instance)
        for key in sorted(set(given) - set(allowed)):
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"allowed keys: {', '.join(allowed)}"
            yield Diagnostic.error(
                case.file,
                "schema.unknown-key",
                f"unknown key '{key}'",
                hint,
                at=case.locate(path, key),
                path=(*path, key),
            )
        return
    code, message, hint = _explain(case, error)
    yield Diagnostic.error(
        case.file, f"schema.{code}", message, hint, at=case.locate(path), path=path
    )


def _examples(schema: dict[str, Any]) -> str:
    examples = schema.get("examples") or []
    return ", ".join(json.dumps(e, ensure_ascii=False) for e in examples[:2])


# Each JSON type as a seller reads it, and what to write to give one.
_TYPES = {
    "string": ("text", "write text"),
    "number": ("a number", "write a number"),
    "integer": ("a whole number", "write a whole number"),
    "boolean": ("true or false", "write true or false"),
    "array": ("a list", "write a list"),
    "object": ("a mapping", "write keys with values, indented below"),
    "null": ("nothing", "leave it empty"),
}
# Barcode numbers (EAN-8, UPC-A, EAN-13, GTIN-14) that sellers paste where an ASIN belongs.
_BARCODE = re.compile(r"^[0-9]{8}$|^[0-9]{12,14}$")


def _explain(case: LoadedCase, error: ValidationError) -> tuple[str, str, str]:
    """Code, message and hint for one schema error."""
    kind, schema, value = str(error.validator), error.schema, error.instance
    expected: Any = error.validator_value
    assert isinstance(schema, dict)
    path = tuple(error.absolute_path)
    if schema == schema_defs()["asin"] and _BARCODE.match(_source_text(case, path).strip("\"'")):
        number = _source_text(case, path).strip("\"'")
        return (
            "asin",
            f"{number} is a barcode number (EAN/UPC), not an ASIN",
            "write the product's ASIN from its Amazon detail page: ten characters, e.g. B07XYZ1234",
        )
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
    if kind in ("type", "anyOf", "oneOf"):
        return _wrong_type(case, error)
    if kind in ("enum", "const"):
        options = expected if kind == "enum" else [expected]
        shown = ", ".join(str(o) for o in options)
        written = value if isinstance(value, str) else _source_text(case, path)
        close = difflib.get_close_matches(str(written), [str(o) for o in options], n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"use one of: {shown}"
        return "enum", f"'{written}' is not allowed here", hint
    if kind == "format":
        return (
            "format",
            f"'{value}' is not a valid {expected}",
            "write a real date as YYYY-MM-DD, e.g. 2026-11-20",
        )
    if isinstance(value, str) and not value.strip() and kind in ("pattern", "minLength"):
        return "empty", "this text is empty", "write the content or remove the key"
    if kind == "pattern" and schema.get("format") == "date":
        return (
            "date-range",
            f"'{value}' is outside the range of dates a plan can carry",
            _describe(schema),
        )
    if kind == "pattern":
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


def _wrong_type(case: LoadedCase, error: ValidationError) -> tuple[str, str, str]:
    """A value of the wrong type: what was expected (any of the alternatives), and how to
    write it, with the user's own value where it fits."""
    if error.validator == "type":
        alternatives = [error]
    else:  # anyOf/oneOf whose every alternative wants another type
        alternatives = [e for e in error.context or [] if e.validator == "type"]
    types: list[str] = []
    for each in alternatives:
        wanted: Any = each.validator_value
        types += [wanted] if isinstance(wanted, str) else list(wanted)
    types = [t for t in dict.fromkeys(types) if t in _TYPES] or ["string"]
    value = error.instance
    source = _source_text(case, tuple(error.absolute_path))
    message = f"expected {' or '.join(_TYPES[t][0] for t in types)}, found {_kind_of(value)}"
    if types[0] == "array" and len(types) == 1:
        items = error.schema.get("items", {}) if isinstance(error.schema, dict) else {}
        example = source if not isinstance(value, (dict, list)) else ""
        example = example or _examples(_resolve(items)).split(", ")[0].strip('"') or "…"
        return "type", message, f"write a list: [{example}]"
    if isinstance(value, str) and _unquoted(value) & set(types):
        # The right value in quotes, which makes it text: "6000", "true".
        return "type", message, f"write it without quotes: {value.strip()}"
    hints = [_TYPES[t][1] for t in types if t != "string"]
    if "string" in types:
        quoted = not isinstance(value, (dict, list))
        hints.append(f'put it in quotes: "{source}"' if quoted else _TYPES["string"][1])
    return "type", message, ", or ".join(hints)


def _unquoted(text: str) -> set[str]:
    """The JSON types that `text` would have without its quotes (a number, true or false)."""
    text = text.strip()
    if text in ("true", "false"):
        return {"boolean"}
    if re.fullmatch(r"-?[0-9]+", text):
        return {"integer", "number"}
    return {"number"} if re.fullmatch(r"-?[0-9]+\.[0-9]+", text) else set()


def _resolve(schema: Any) -> dict[str, Any]:
    """A schema with a reference into defs.schema.json followed (for its examples)."""
    if not isinstance(schema, dict):
        return {}
    ref = str(schema.get("$ref", ""))
    if "#/$defs/" in ref:
        return {**schema_defs()[ref.rsplit("/", 1)[-1]], **schema}
    return schema


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
