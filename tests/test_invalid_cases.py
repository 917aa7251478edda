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
