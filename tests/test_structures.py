"""The table of 4D and 8D parts (generator/structures.py) against what spells them out again for
layout: the plan template, the scaffold and the schemas."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
import yaml

from generator import render, scaffold, structures
from generator.loader import load_case
from generator.resources import schema_file

MINIMAL = {"4d": "tests/minimal-4d.yaml", "8d": "tests/minimal-8d.yaml"}


def _first_text(value: Any) -> str:
    """The first piece of text in a value, as the plan shows it (white space folded)."""
    if isinstance(value, dict):
        return next(filter(None, map(_first_text, value.values())), "")
    if isinstance(value, list):
        return next(filter(None, map(_first_text, value)), "")
    return " ".join(str(value).split()) if isinstance(value, str) else ""


@pytest.mark.parametrize("structure", structures.STRUCTURES)
def test_the_plan_shows_each_part_under_its_heading_in_the_table_order(structure: str) -> None:
    data = load_case(MINIMAL[structure]).data
    words = render.locale(data["language"])
    markdown = render.render_markdown(data)
    parts = structures.PARTS[structure]
    headings = {part.heading(words) for part in parts}
    found = [
        (match.group(1), match.end())
        for match in re.finditer(r"^#{2,4} (.+)$", markdown, re.MULTILINE)
        if match.group(1) in headings
    ]
    first = structures.problem_parts(structure)[0].d
    expected = [
        *(p for p in structures.plan_parts(structure) if p.d < first),
        *(p for _ in data["problems"] for p in structures.problem_parts(structure)),
        *(p for p in structures.plan_parts(structure) if p.d > first),
    ]
    assert [title for title, _ in found] == [part.heading(words) for part in expected]
    problems = iter(data["problems"])
    problem: dict[str, Any] = {}
    for index, part in enumerate(expected):
        if part is structures.problem_parts(structure)[0]:
            problem = next(problems)
        value = structures.get(problem if part.per_problem else data, part.path)
        start = found[index][1]
        end = found[index + 1][1] if index + 1 < len(found) else len(markdown)
        assert _first_text(value)[:30] in " ".join(markdown[start:end].split()), part


@pytest.mark.parametrize("structure", structures.STRUCTURES)
def test_the_scaffold_has_the_parts_in_order_with_their_d_numbers(structure: str) -> None:
    text = scaffold.new_case(
        "x", structure, "product-safety", "listing", "amazon.com", "en", datetime.date(2026, 1, 1)
    )
    data = yaml.safe_load(text)
    problem = data["problems"][0]
    assert [key for key in problem if key not in ("id", "title")] == list(
        structures.sections(structure)
    )
    # Each part's key is introduced by a comment naming its D number.
    for key, part in structures.sections(structure).items():
        comment = re.search(rf"# (D\d)[^\n]*\n(?:\s*#[^\n]*\n)*\s*{key}:", text)
        assert comment is not None and comment.group(1) == f"D{part.d}", key
    for part in structures.plan_parts(structure):
        comment = re.search(rf"# (D\d)[^\n]*\n(?:#[^\n]*\n)*{part.key}:", text)
        assert comment is not None and comment.group(1) == f"D{part.d}", part.key


@pytest.mark.parametrize("structure", structures.STRUCTURES)
def test_the_schema_requires_exactly_the_parts_of_the_table(structure: str) -> None:
    schema = json.loads(schema_file(structure).read_text(encoding="utf-8"))
    problem = schema["properties"]["problems"]["items"]
    assert problem["required"] == ["id", "title", *structures.sections(structure)]
    outer = [part.key for part in structures.plan_parts(structure)]
    assert set(outer) <= set(schema["required"])
    # A nested part (8D's prevention measures and proof) is required where it stands.
    for part in structures.problem_parts(structure):
        node = problem
        for step in part.path:
            assert step in node.get("required", []), part.path
            node = node["properties"][step]
            node = _resolve(node)


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    """A schema node with its $ref (into defs.schema.json) followed."""
    if "$ref" not in node:
        return node
    from generator.resources import SCHEMAS

    name = node["$ref"].rsplit("/", 1)[-1]
    defs = json.loads((SCHEMAS / "defs.schema.json").read_text(encoding="utf-8"))["$defs"]
    return dict(defs[name])


def test_8d_adds_only_the_team_solutions_prevention_and_lessons() -> None:
    """What `convert` fills with TODOs: the roles an 8D plan has and a 4D plan lacks."""
    four = {part.role for part in structures.PARTS["4d"]}
    eight = {part.role for part in structures.PARTS["8d"]}
    assert four <= eight
    assert eight - four == {
        structures.Role.TEAM,
        structures.Role.OPTIONS,
        structures.Role.PREVENTION,
        structures.Role.LESSONS,
    }
