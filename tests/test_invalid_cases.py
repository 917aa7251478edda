"""Each file in tests/invalid/ produces exactly the diagnostics in its .expected file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main

INVALID = sorted((Path(__file__).parent / "invalid").glob("*.yaml"))


@pytest.mark.parametrize("case", INVALID, ids=lambda p: p.stem)
def test_invalid_case_gives_exact_diagnostics(case: Path, golden) -> None:  # type: ignore[no-untyped-def]
    relative = case.relative_to(Path.cwd())
    result = CliRunner().invoke(main, ["validate", str(relative)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    golden(case.with_suffix(".expected"), result.stderr)


def test_every_invalid_case_has_its_expectation() -> None:
    assert len(INVALID) >= 7
    for case in INVALID:
        assert case.with_suffix(".expected").exists(), case


def _leaves(data: object, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in _leaves(value, (*path, key))]
    if isinstance(data, list):
        return [p for index, value in enumerate(data) for p in _leaves(value, (*path, index))]
    return [path]


@pytest.mark.parametrize("structure", ["4d", "8d"])
def test_each_wrong_typed_value_is_one_diagnostic_at_its_place(
    structure: str, tmp_path: Path
) -> None:
    import copy

    import yaml

    from generator.diagnostics import json_path
    from generator.loader import load_case
    from generator.validate import validate_case

    data = load_case(f"tests/minimal-{structure}.yaml").data
    proof = data["problems"][0]["effectiveness" if structure == "4d" else "prevention"]
    proof = proof if structure == "4d" else proof["effectiveness"]
    # A value that may be text or a number (anyOf), in both forms.
    proof["metrics"] = [{"metric": "Units failing", "before": "4 of 20", "after": 0}]
    leaves = [path for path in _leaves(data) if path != ("structure",)]
    assert len(leaves) > 30
    for path in leaves:
        changed = copy.deepcopy(data)
        node = changed
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = "yes" if node[path[-1]] is True else True
        file = tmp_path / "case.yaml"
        file.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
        found = validate_case(load_case(file))
        assert [d.path for d in found] == [json_path(path)], (path, [d.format() for d in found])
