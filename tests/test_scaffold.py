"""actionplan new and convert: a scaffold validates, its placeholders are lint findings, and a
4D case grown into 8D keeps everything it said."""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

import pytest
import yaml

from generator import pipeline
from generator.loader import load_case
from generator.structures import EXPECTED
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
    # The notice's date is not today's, which would read as real: a stand-in lint reports.
    assert f"\n  date: {datetime.date.today().isoformat()}" not in text
    assert run("validate", "cases/my-case.yaml") == (0, "", "1 case checked: no problems\n")
    code, _, err = run("lint", "--strict", "cases/my-case.yaml")
    assert code == 1
    assert err.count("[lint.placeholder]") >= 10
    assert "[lint.placeholder] $.notice.date: placeholder text '1980-01-01'" in err
    assert "[schema." not in err
    # Every string field is checked, not only the prose the phrase rules read.
    for where in ("notice.reference", "notice.policies[0]", "seller.contact"):
        assert f"[lint.placeholder] $.{where}: placeholder text 'TODO'" in err
    assert "[lint.placeholder] $.evidence[0].description: placeholder text 'TODO'" in err


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


def test_seller_information_scaffold_is_for_the_account_without_asins_or_8d_advice(
    repo: Path,
) -> None:
    code, _, _ = run("new", "details", "--reason", "seller-information")
    assert code == 0
    text = (repo / "cases" / "details.yaml").read_text()
    assert "\nstructure: 4d\n" in text and "  scope: account  #" in text
    assert "B0XXXXXXXX" not in text and "asins:" not in text
    assert "# What Amazon expects for this reason: the account" in text
    path = repo / "cases" / "details.yaml"
    path.write_text(text.replace("1980-01-01", "2026-10-28"))
    code, _, err = run("lint", "cases/details.yaml")
    assert "[lint.structure]" not in err and "8D" not in err


@pytest.mark.parametrize("reason", sorted(EXPECTED))
def test_each_reason_starts_the_plan_amazon_expects_for_it(repo: Path, reason: str) -> None:
    code, _, err = run("new", "x", "--reason", reason)
    assert code == 0, err
    text = (repo / "cases" / "x.yaml").read_text()
    expected = EXPECTED[reason]
    assert f"\nstructure: {expected.structure}\n" in text
    assert f"  scope: {expected.scope}  #" in text
    assert ("B0XXXXXXXX" in text) == (expected.scope == "listing")
    path = repo / "cases" / "x.yaml"
    path.write_text(text.replace("1980-01-01", "2026-10-28"))
    assert run("validate", "cases/x.yaml") == (0, "", "1 case checked: no problems\n")
    assert "[lint.structure]" not in run("lint", "cases/x.yaml")[2]


def test_the_reasons_table_covers_the_schemas_reasons() -> None:
    import json

    defs = json.loads((ROOT / "schemas" / "defs.schema.json").read_text())["$defs"]
    assert set(EXPECTED) == set(defs["notice"]["properties"]["reason"]["enum"])
    for language in ("en", "de", "fr", "es", "it"):
        words = yaml.safe_load((ROOT / "templates/scaffold/i18n" / f"{language}.yaml").read_text())
        assert set(words["reasons"]) == set(EXPECTED), language


@pytest.mark.parametrize("language", ["de", "fr", "es", "it"])
@pytest.mark.parametrize("structure", ["4d", "8d"])
def test_scaffold_comments_are_in_the_plans_language(
    repo: Path, language: str, structure: str
) -> None:
    english = yaml.safe_load((ROOT / "templates/scaffold/i18n/en.yaml").read_text())
    own = yaml.safe_load((ROOT / "templates/scaffold/i18n" / f"{language}.yaml").read_text())
    assert set(own["comments"]) == set(english["comments"])
    args = ["--structure", structure, "--language", language]
    assert run("new", "y", "--reason", "inauthentic", *args)[0] == 0
    text = (repo / "cases" / "y.yaml").read_text(encoding="utf-8")
    comments = [line.split("#", 1)[1].strip() for line in text.splitlines() if "# " in line]
    hints = [line.split('"')[1] for line in text.splitlines() if ': "TODO' in line]
    assert len(comments) > 15 and len(hints) > 10
    shared = {"TODO", english["comments"]["merchant_token"]}  # the same words in Seller Central
    for key, phrase in english["comments"].items():
        if (
            isinstance(phrase, str)
            and phrase not in shared
            and key not in ("role", "kind", "merchant_token")
        ):
            probe = max(re.split(r"\{\w+\}", phrase), key=len)  # the words around a {field}
            assert probe not in text, (key, phrase)
    assert own["comments"]["causes"] in text and own["comments"]["problems"] in text
    path = repo / "cases" / "y.yaml"
    path.write_text(text.replace("1980-01-01", "2026-10-28"), encoding="utf-8")
    assert run("validate", "cases/y.yaml") == (0, "", "1 case checked: no problems\n")
    assert run("lint", "cases/y.yaml")[2].count("[lint.placeholder]") >= 10
