"""The command line of a plans repository: output formats, settings per case, shards, output
folders, standard input, rule explanations and crashes, as a user meets them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator import pipeline
from tests.conftest import ROOT, TESTS
from tests.helpers import run

MINIMAL = "tests/minimal-4d.yaml"


@pytest.fixture
def plans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A plans repository with two copies of the minimal case, one in a client's folder."""
    (tmp_path / ".git").mkdir()
    for name in ("cases/a.yaml", "cases/acme/a.yaml"):
        case = tmp_path / name
        case.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(TESTS / "minimal-4d.yaml", case)
        shutil.copytree(TESTS / "minimal-4d", case.with_suffix(""))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_version_has_a_short_option() -> None:
    code, out, _ = run("-V")
    assert code == 0 and out.startswith("actionplan, version ")


def test_lint_as_json_keeps_standard_output_for_the_document() -> None:
    code, out, err = run("lint", "--output-format", "json", "tests/lint/bad-plan.yaml", MINIMAL)
    assert code == 1
    document = json.loads(out)
    assert [case["file"] for case in document["cases"]] == ["tests/lint/bad-plan.yaml", MINIMAL]
    assert document["cases"][1] == {"file": MINIMAL, "ok": True, "diagnostics": []}
    assert document["summary"]["errors"] == sum(
        d["severity"] == "error" for d in document["cases"][0]["diagnostics"]
    )
    assert "[lint." not in err  # the findings are in the document, not repeated


def test_build_as_github_commands_notes_what_it_wrote_on_standard_error(tmp_path: Path) -> None:
    code, out, err = run(
        "build", "--output-format", "github", "--format", "md", "--out", str(tmp_path), MINIMAL
    )
    assert code == 0 and out == ""
    assert f"wrote {tmp_path / 'minimal-4d' / 'minimal-4d.md'}" in err
    code, out, _ = run(
        "build", "--output-format", "github", "--out", str(tmp_path), "tests/invalid/bad-asin.yaml"
    )
    assert code == 1
    assert out.startswith("::error file=tests/invalid/bad-asin.yaml,line=9,col=11,")


def test_quiet_and_verbose() -> None:
    assert run("lint", "-q", MINIMAL) == (0, "", "")
    code, _, err = run("lint", "-v", MINIMAL)
    assert code == 0
    assert err.splitlines() == [
        "settings: the defaults for 1 case(s)",
        f"{MINIMAL}: ok",
        "1 case checked: no problems",
    ]
    code, _, err = run("lint", "-q", "tests/lint/bad-language.yaml")
    assert code == 0 and err.count("\n") == 1  # the finding, no summary


def test_colour_is_asked_for_or_refused() -> None:
    _, _, coloured = run("validate", "--color", "always", "tests/invalid/bad-asin.yaml")
    assert "\x1b[" in coloured
    _, _, plain = run("validate", "--color", "never", "tests/invalid/bad-asin.yaml")
    assert "\x1b[" not in plain
    import click

    assert click.unstyle(coloured) == plain


def test_rules_explains_one_rule_and_suggests_a_near_code() -> None:
    code, out, _ = run("rules", "lint.promise")
    assert code == 0 and out.startswith("lint.promise: ") and "Good: " in out
    code, _, err = run("rules", "lint.promse")
    assert code == 2 and "did you mean lint.promise" in err


def test_a_crash_has_its_own_exit_code_and_asks_for_a_report(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(pipeline, "check_case", broken)
    code, _, err = run("validate", MINIMAL)
    assert code == 3
    assert "ZeroDivisionError: a bug" in err and "Traceback" in err
    assert "Please report it at " in err


def test_a_case_from_standard_input_takes_the_given_name() -> None:
    from click.testing import CliRunner

    from generator.cli import main

    text = (ROOT / MINIMAL).read_text().replace("Closed the listing", "We will close the listing")
    result = CliRunner().invoke(
        main, ["lint", "-", "--stdin-filename", MINIMAL], input=text, prog_name="actionplan"
    )
    assert result.exit_code == 1
    assert f"{MINIMAL}:" in result.stderr and "[lint.promise]" in result.stderr
    result = CliRunner().invoke(main, ["validate", MINIMAL, "-"], input=text)
    assert result.exit_code == 2


def test_each_case_takes_the_nearest_settings_above_it(plans: Path) -> None:
    (plans / "cases" / "acme" / "actionplan.yaml").write_text("lint: {max_words: {4d: 50}}\n")
    code, out, _ = run("lint", "--output-format", "json")
    document = {case["file"]: case for case in json.loads(out)["cases"]}
    assert set(document) == {"cases/a.yaml", "cases/acme/a.yaml"}
    assert document["cases/a.yaml"]["diagnostics"] == []
    codes = [d["code"] for d in document["cases/acme/a.yaml"]["diagnostics"]]
    assert codes == ["lint.length"] and code == 0  # a warning
    (plans / "actionplan.yaml").write_text("# all commented out\n# lint: {}\n")
    code, _, err = run("lint", "--config", "actionplan.yaml")
    assert code == 0, err
    code, _, err = run("lint", "--config", "nowhere.yaml")
    assert code == 1 and "nowhere.yaml:1:1: error [config.missing]" in err


def test_outputs_follow_the_case_s_folder_and_never_go_under_cases(plans: Path) -> None:
    code, _, err = run("build", "--format", "md")
    assert code == 0, err
    assert (plans / "build" / "a" / "a.md").is_file()
    assert (plans / "build" / "acme" / "a" / "a.md").is_file()
    code, _, err = run("build", "--out", "cases/out", "cases/a.yaml")
    assert code == 2 and "never go under cases/" in err
    assert not (plans / "cases" / "out").exists()


def test_cases_of_one_name_outside_cases_are_refused_not_overwritten(tmp_path: Path) -> None:
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        shutil.copy(TESTS / "minimal-4d.yaml", tmp_path / folder / "x.yaml")
        shutil.copytree(TESTS / "minimal-4d", tmp_path / folder / "x")
    files = [str(tmp_path / "one" / "x.yaml"), str(tmp_path / "two" / "x.yaml")]
    code, _, err = run("build", "--format", "md", "--out", str(tmp_path / "build"), *files)
    assert code == 1
    assert err.count("error [build.duplicate]") == 2 and "would write the same outputs" in err
    assert not (tmp_path / "build").exists()


def test_shards_build_every_case_once(plans: Path) -> None:
    for index in range(6):
        shutil.copy(TESTS / "minimal-4d.yaml", plans / "cases" / f"s{index}.yaml")
        shutil.copytree(TESTS / "minimal-4d", plans / "cases" / f"s{index}")
    seen: list[str] = []
    for shard in ("1/3", "2/3", "3/3"):
        code, out, _ = run("lint", "--shard", shard, "--output-format", "json")
        assert code == 0
        seen += [case["file"] for case in json.loads(out)["cases"]]
    assert sorted(seen) == sorted(
        str(p.relative_to(plans)) for p in (plans / "cases").rglob("*.yaml")
    )
    assert run("build", "--shard", "4/3")[0] == 2


def test_a_folder_stands_for_the_cases_in_it(plans: Path) -> None:
    code, out, _ = run("lint", "--output-format", "json", "cases/acme")
    assert code == 0
    assert [case["file"] for case in json.loads(out)["cases"]] == ["cases/acme/a.yaml"]


def test_schemas_refreshes_the_copies_and_nothing_else(plans: Path) -> None:
    (plans / "schemas").mkdir()
    (plans / "schemas" / "plan-4d.schema.json").write_text("{}")
    (plans / "schemas" / "ours.json").write_text("{}")
    code, _, err = run("schemas")
    assert code == 0 and "updated schemas/plan-4d.schema.json" in err
    copy = (plans / "schemas" / "plan-4d.schema.json").read_bytes()
    assert copy == (ROOT / "schemas" / "plan-4d.schema.json").read_bytes()
    assert (plans / "schemas" / "ours.json").read_text() == "{}"


def test_watch_refreshes_the_bundle_when_it_was_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import watching

    seen: list[tuple[Path, Path | None]] = []

    def once(case: Path, config: Path | None, rebuild: object, *_: object) -> None:
        seen.append((case, config))
        rebuild()  # type: ignore[operator]  # as the watcher does first, then on each change

    monkeypatch.setattr(watching, "watch_case", once)
    out = tmp_path / "out"
    code, _, err = run("watch", "--out", str(out), MINIMAL)
    assert code == 0, err
    assert seen == [(Path(MINIMAL), None)]
    assert (out / "minimal-4d" / "minimal-4d.pdf").is_file()
    assert not (out / "minimal-4d" / "minimal-4d.docx").exists()  # no bundle asked for yet
    assert run("bundle", "--out", str(out), MINIMAL)[0] == 0
    docx = out / "minimal-4d" / "minimal-4d.docx"
    docx.write_bytes(b"stale")
    (out / "minimal-4d" / ".inputs.sha256").unlink()  # as after an edit of the case
    assert run("watch", "--out", str(out), MINIMAL)[0] == 0
    assert docx.read_bytes() != b"stale"


def test_standard_input_gets_the_loader_s_encoding_check() -> None:
    from click.testing import CliRunner

    from generator.cli import main

    result = CliRunner().invoke(
        main, ["validate", "-", "--stdin-filename", "cases/x.yaml"], input=b"a: \xe9t\xe9\n"
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("cases/x.yaml:1:4: error [yaml.encoding]")
