"""The same case gives byte-identical outputs on every run: a changed output is a changed plan."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from tests.conftest import CASES


def test_two_bundles_of_every_example_are_byte_identical(tmp_path: Path) -> None:
    files = [str(case.relative_to(case.parent.parent)) for case in CASES]
    for run in ("first", "second"):
        result = CliRunner().invoke(main, ["bundle", "--out", str(tmp_path / run), *files])
        assert result.exit_code == 0, result.stderr
    first = sorted(p.relative_to(tmp_path / "first") for p in (tmp_path / "first").rglob("*.*"))
    second = sorted(p.relative_to(tmp_path / "second") for p in (tmp_path / "second").rglob("*.*"))
    assert first == second and len(first) == len(CASES) * 9  # eight outputs and the inputs stamp
    for name in first:
        assert (tmp_path / "first" / name).read_bytes() == (
            tmp_path / "second" / name
        ).read_bytes(), name
