"""actionplan new and convert: a scaffold validates, its placeholders are lint findings, and a
4D case grown into 8D keeps everything it said."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.loader import load_case
from tests.conftest import ROOT
from tests.helpers import run


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A plans repository: cases/ and the copy of the schemas that `init` makes."""
    (tmp_path / "cases").mkdir()
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("structure", "reason"), [("4d", "product-safety"), ("8d", "late-shipment-rate")]
)
def test_new_case_validates_and_lint_lists_every_placeholder(
    repo: Path, structure: str, reason: str
) -> None:
    code, out, _ = run("new", "my-case", "--structure", structure, "--reason", reason)
    assert code == 0 and out.startswith("wrote cases/my-case.yaml")
    text = (repo / "cases" / "my-case.yaml").read_text()
    assert text.startswith(
        f"# yaml-language-server: $schema=../schemas/plan-{structure}.schema.json"
    )
    assert "Typical for" in text  # the reason's guidance
    assert run("validate", "cases/my-case.yaml") == (0, "", "1 case checked: no problems\n")
    code, _, err = run("lint", "cases/my-case.yaml")
    assert code == 1
    assert err.count("[lint.placeholder]") >= 10
    assert "[schema." not in err


def test_new_refuses_to_overwrite_a_case(repo: Path) -> None:
    (repo / "cases" / "taken.yaml").write_text("structure: 4d\n")
    code, _, err = run("new", "taken", "--structure", "4d", "--reason", "inauthentic")
    assert code == 1 and "already exists; not overwritten" in err
    assert (repo / "cases" / "taken.yaml").read_text() == "structure: 4d\n"


def test_new_rejects_a_bad_name_and_an_unknown_reason(repo: Path) -> None:
    assert run("new", "Bad Name", "--structure", "4d", "--reason", "inauthentic")[0] == 2
    assert run("new", "ok", "--structure", "4d", "--reason", "bad-luck")[0] == 2


def test_convert_to_8d_keeps_every_text_of_the_4d_case(repo: Path) -> None:
    shutil.copy(ROOT / "cases" / "asin-recall.yaml", repo / "cases")
    shutil.copytree(ROOT / "cases" / "asin-recall", repo / "cases" / "asin-recall")
    code, out, err = run("convert", "cases/asin-recall.yaml", "--to", "8d")
    assert code == 0, err
    assert out == "wrote cases/asin-recall-8d.yaml\n"
    old = load_case("cases/asin-recall.yaml").data
    new = load_case("cases/asin-recall-8d.yaml").data
    assert new["structure"] == "8d" and new["notice"] == old["notice"]
    for before, after in zip(old["problems"], new["problems"], strict=True):
        assert after["problem"] == before["problem"]
        assert after["immediate_actions"] == before["immediate_actions"]
        assert after["implementation"] == before["corrective_actions"]
        assert after["prevention"]["effectiveness"] == before["effectiveness"]
        assert [c["cause"] for c in after["root_causes"]] == [
            c["cause"] for c in before["root_causes"]
        ]
    assert new["evidence"] == old["evidence"]
    checked = pipeline.check_case("cases/asin-recall-8d.yaml")
    assert checked.ok, [d.format() for d in checked.diagnostics]
    assert (repo / "cases" / "asin-recall-8d" / "evidence").is_dir()
    # The original is untouched, and a second conversion does not overwrite the first.
    assert (repo / "cases" / "asin-recall.yaml").read_bytes() == (
        ROOT / "cases" / "asin-recall.yaml"
    ).read_bytes()
    first = (repo / "cases" / "asin-recall-8d.yaml").read_bytes()
    code, _, err = run("convert", "cases/asin-recall.yaml", "--to", "8d")
    assert code == 1 and "already exists; not overwritten" in err
    assert (repo / "cases" / "asin-recall-8d.yaml").read_bytes() == first
