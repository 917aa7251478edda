"""The schemas' defaultSnippets: what an editor inserts is a valid skeleton of its part."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from generator import validate
from generator.resources import SCHEMAS

# Where each snippet is: the schema file and the JSON pointer of the part it inserts.
PARTS = {
    "a 4D problem": ("plan-4d.schema.json", "/properties/problems/items"),
    "an 8D problem": ("plan-8d.schema.json", "/properties/problems/items"),
    "an action": ("defs.schema.json", "/$defs/action"),
    "a corrective action": ("defs.schema.json", "/$defs/corrective_action"),
    "a root cause": ("defs.schema.json", "/$defs/root_cause"),
    "an evidence item": ("defs.schema.json", "/$defs/evidence_item"),
}


def _filled(value: Any) -> Any:
    """A snippet body as inserted and accepted: each tab stop's default, a choice's first."""
    if isinstance(value, str):
        value = re.sub(r"\$\{\d+:([^}]*)\}", r"\1", value)
        return re.sub(r"\$\{\d+\|([^,|]*)[^}]*\}", r"\1", value)
    if isinstance(value, list):
        return [_filled(item) for item in value]
    if isinstance(value, dict):
        return {key: _filled(item) for key, item in value.items()}
    return value


@pytest.mark.parametrize("part", sorted(PARTS))
def test_each_snippet_inserts_a_valid_skeleton(part: str) -> None:
    file, pointer = PARTS[part]
    node = json.loads((SCHEMAS / file).read_text(encoding="utf-8"))
    for key in pointer.strip("/").split("/"):
        node = node[key]
    (snippet,) = node["defaultSnippets"]
    assert snippet["label"] and snippet["description"]
    body = _filled(snippet["body"])
    assert "$" not in json.dumps(body)  # every tab stop was filled
    checker = Draft202012Validator(
        {"$ref": f"{file}#{pointer}"},
        registry=validate._registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    assert [error.message for error in checker.iter_errors(body)] == []
    assert set(node.get("required", [])) <= set(body)


def test_every_schema_of_a_case_has_a_stable_id_named_after_its_file() -> None:
    for path in [*SCHEMAS.glob("plan-*.schema.json"), *SCHEMAS.glob("[cd]*.schema.json")]:
        schema_id = json.loads(path.read_text(encoding="utf-8")).get("$id", "")
        assert schema_id.startswith("https://") and schema_id.endswith("/" + path.name), path
