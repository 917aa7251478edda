"""The schemas are the contract: valid JSON Schema, documented, with examples that pass."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from generator.resources import SCHEMAS
from generator.validate import validator

FILES = sorted(SCHEMAS.glob("*.schema.json"))


def _properties(node: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield f"{where}.{name}", sub
        for key, sub in node.items():
            yield from _properties(sub, f"{where}/{key}")
    elif isinstance(node, list):
        for i, sub in enumerate(node):
            yield from _properties(sub, f"{where}[{i}]")


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    if "#/$defs/" in ref:
        target = defs
        for part in ref.split("#/$defs/")[1].split("/"):
            target = target[part] if part in target else target["properties"][part]
        return {**_resolve(target, defs), **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_schema_passes_its_metaschema(path: Path) -> None:
    Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_property_is_described_and_leaves_have_examples(path: Path) -> None:
    defs = json.loads((SCHEMAS / "defs.schema.json").read_text(encoding="utf-8"))["$defs"]
    schema = json.loads(path.read_text(encoding="utf-8"))
    for where, sub in _properties(schema):
        resolved = _resolve(sub, defs)
        assert resolved.get("description"), f"{path.name}{where} has no description"
        is_leaf = resolved.get("type") not in ("object", "array") and "properties" not in resolved
        if is_leaf and "const" not in resolved:
            assert resolved.get("examples"), f"{path.name}{where} has no examples"


@pytest.mark.parametrize("structure", ["4d", "8d"])
def test_unknown_keys_are_rejected_everywhere(structure: str) -> None:
    schema = json.loads((SCHEMAS / f"plan-{structure}.schema.json").read_text(encoding="utf-8"))
    defs = json.loads((SCHEMAS / "defs.schema.json").read_text(encoding="utf-8"))["$defs"]
    checked = 0
    for where, node in _objects(schema, defs):
        assert node.get("additionalProperties") is False, where
        checked += 1
    assert checked >= 10  # the root, its sections, and the objects inside lists


def _objects(node: Any, defs: dict[str, Any], where: str = "") -> Iterator[tuple[str, Any]]:
    """Every object schema reachable from `node`, references followed (each definition once)."""
    seen: set[str] = set()

    def walk(node: Any, where: str) -> Iterator[tuple[str, Any]]:
        if isinstance(node, list):
            for i, sub in enumerate(node):
                yield from walk(sub, f"{where}[{i}]")
            return
        if not isinstance(node, dict):
            return
        ref = node.get("$ref", "")
        if ref:
            if ref in seen:
                return
            seen.add(ref)
        resolved = _resolve(node, defs)
        if resolved.get("type") == "object" or "properties" in resolved:
            yield where or "$", resolved
        for key, sub in resolved.items():
            if key not in ("$ref", "examples", "default", "enum", "const"):
                yield from walk(sub, f"{where}/{key}")

    yield from walk(node, where)


def test_examples_in_defs_are_valid_for_their_own_definition() -> None:
    defs = json.loads((SCHEMAS / "defs.schema.json").read_text(encoding="utf-8"))["$defs"]
    registry_validator = validator("4d")
    for name, definition in defs.items():
        sub = registry_validator.evolve(schema={"$ref": f"defs.schema.json#/$defs/{name}"})
        for example in definition.get("examples", []):
            errors = list(sub.iter_errors(example))
            assert not errors, f"{name}: example {example!r}: {errors[0].message}"


def test_fast_and_full_validators_agree_on_every_example_and_invalid_case() -> None:
    from pathlib import Path

    from generator.diagnostics import UserError
    from generator.loader import load_case
    from generator.validate import fast_validator

    files = [
        *Path("cases").glob("*.yaml"),
        *Path("tests/invalid").glob("*.yaml"),
        *Path("tests").glob("minimal-*.yaml"),
        *Path("tests/lint").glob("*.yaml"),
    ]
    compared = 0
    for file in files:
        try:
            data = load_case(file).data
        except UserError:  # YAML-level failures never reach the validators
            continue
        structure = data.get("structure")
        if structure not in ("4d", "8d"):
            continue
        full = not list(validator(structure).iter_errors(data))
        assert fast_validator(structure).is_valid(data) == full, file
        compared += 1
    assert compared >= 12
