"""A plans repository: what `init` writes, how settings and outputs are found, shards, watching."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from generator import __version__, repository
from generator.resources import SCHEMAS


def test_init_writes_a_repository_and_never_overwrites(tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    steps = repository.init_repository(folder, sys.executable)
    written = {step.path for step in steps if step.done == "wrote"}
    for name in [*repository.FILES, "cases/.gitkeep", "schemas/plan-4d.schema.json"]:
        assert name in written
    assert (folder / ".git").is_dir()
    assert (folder / ".gitignore").read_text().splitlines()[-1] == "build/"
    attributes = (folder / ".gitattributes").read_text()
    assert "cases/**/*.yaml diff=actionplan" in attributes and "*.pdf binary" in attributes
    hooks = yaml.safe_load((folder / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]
    assert {hook["id"] for hook in hooks} == {"actionplan-validate", "actionplan-lint"}
    for hook in hooks:
        assert hook["additional_dependencies"] == [f"actionplan=={__version__}"]
    lint_hook = next(hook for hook in hooks if hook["id"] == "actionplan-lint")
    assert lint_hook["always_run"] is True and lint_hook["pass_filenames"] is False
    workflow = yaml.safe_load((folder / ".github/workflows/actionplan.yml").read_text())
    build = workflow["jobs"]["build"]
    assert build["strategy"]["matrix"]["shard"] == [1, 2, 3, 4]
    assert any("--shard" in step.get("run", "") for step in build["steps"])
    lint_steps = workflow["jobs"]["lint"]["steps"]
    assert any(step.get("uses", "").startswith("actions/cache@") for step in lint_steps)
    assert any("--output-format github" in step.get("run", "") for step in lint_steps)
    settings = json.loads((folder / ".vscode/settings.json").read_text())
    assert "actionplan.yaml" in settings["yaml.schemas"]["./schemas/config.schema.json"]
    assert "cases/**/*.yaml" in settings["yaml.schemas"]["./schemas/plan.schema.json"]
    assert (folder / "requirements.txt").read_text().splitlines()[-1] == (
        f"actionplan=={__version__}"
    )
    for path in [*SCHEMAS.glob("plan-*.schema.json"), *SCHEMAS.glob("[cd]*.schema.json")]:
        assert (folder / "schemas" / path.name).read_bytes() == path.read_bytes()
    assert not (folder / "schemas" / "rules.schema.json").exists()  # the tool's own

    (folder / "README.md").write_text("ours\n")
    (folder / "schemas" / "defs.schema.json").write_text("{}")
    again = repository.init_repository(folder, sys.executable)
    assert {step.done for step in again} == {"kept"}
    assert (folder / "README.md").read_text() == "ours\n"
    assert (folder / "schemas" / "defs.schema.json").read_text() == "{}"  # init keeps it
    refreshed = repository.copy_schemas(folder)
    assert [s.path for s in refreshed if s.done == "updated"] == ["schemas/defs.schema.json"]
    assert (folder / "schemas/defs.schema.json").read_bytes() == (
        SCHEMAS / "defs.schema.json"
    ).read_bytes()


def test_textconv_is_the_absolute_interpreter_and_works_without_path(tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    repository.init_repository(folder, sys.executable)
    configured = subprocess.run(
        ["git", "-C", str(folder), "config", "diff.actionplan.textconv"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert configured == repository.textconv_command(sys.executable)
    assert os.path.isabs(sys.executable) and configured.startswith(sys.executable)
    case = folder / "cases" / "minimal.yaml"
    case.write_bytes((Path(__file__).parent / "minimal-4d.yaml").read_bytes())
    git = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "first"], check=True)
    case.write_text(case.read_text().replace("B07XYZ1234", "B07XYZ9999"))
    # Only git's own folder on PATH: not the virtual environment.
    git_dir = str(Path(subprocess.check_output(["which", "git"], text=True).strip()).parent)
    shown = subprocess.run(
        [*git, "diff"],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": git_dir, "HOME": str(tmp_path)},
    )
    assert shown.returncode == 0, shown.stderr
    assert "\n-Seven buyers reported that the charger B07XYZ1234 became hot.\n" in shown.stdout
    assert "\n+Seven buyers reported that the charger B07XYZ9999 became hot.\n" in shown.stdout
    assert "structure:" not in shown.stdout  # the plan's text, not its YAML


def test_settings_are_found_upward_up_to_the_repository_top(tmp_path: Path) -> None:
    top = tmp_path / "plans"
    (top / "cases" / "clients").mkdir(parents=True)
    (top / ".git").mkdir()
    case = top / "cases" / "clients" / "x.yaml"
    assert repository.find_config(case) is None
    (tmp_path / "actionplan.yaml").write_text("{}")  # above the repository: not its settings
    assert repository.find_config(case) is None
    (top / "actionplan.yaml").write_text("{}")
    assert repository.find_config(case) == (top / "actionplan.yaml").resolve()
    (top / "cases" / "actionplan.yaml").write_text("{}")
    assert repository.find_config(case) == (top / "cases" / "actionplan.yaml").resolve()


def test_outputs_are_keyed_by_the_path_below_cases() -> None:
    assert repository.output_key("cases/asin-recall.yaml") == "asin-recall"
    assert repository.output_key("/srv/plans/cases/acme/recall.yaml") == "acme/recall"
    assert repository.output_key("/srv/plans/cases/zeta/recall.yaml") == "zeta/recall"
    assert repository.output_key("tests/minimal-4d.yaml") == "minimal-4d"
    assert repository.output_key("cases/cases.yaml") == "cases"


def test_shards_split_the_cases_into_disjoint_stable_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    files = [f"cases/case-{i}.yaml" for i in range(200)]
    parts = [[f for f in files if repository.in_shard(f, k, 4, tmp_path)] for k in (1, 2, 3, 4)]
    assert sorted(f for part in parts for f in part) == sorted(files)
    assert all(20 < len(part) < 80 for part in parts)  # a hash spreads them
    # The same case gives the same shard when named from another working folder.
    monkeypatch.chdir(tmp_path.parent)
    named = [f"{tmp_path.name}/{f}" for f in parts[2]]
    assert all(repository.in_shard(f, 3, 4, tmp_path) for f in named)


@pytest.mark.parametrize("text", ["0/4", "5/4", "2", "a/b", "2/0", "/3"])
def test_a_wrong_shard_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        repository.parse_shard(text)


def test_a_new_case_points_at_the_schema_copy_or_else_the_stable_address(tmp_path: Path) -> None:
    repository.copy_schemas(tmp_path)
    (tmp_path / ".git").mkdir()
    nested = tmp_path / "cases" / "acme" / "x.yaml"
    nested.parent.mkdir(parents=True)
    assert repository.schema_reference(nested, "8d") == "../../schemas/plan-8d.schema.json"
    bare = tmp_path / "elsewhere"
    (bare / ".git").mkdir(parents=True)
    reference = repository.schema_reference(bare / "cases" / "x.yaml", "4d")
    schema = json.loads((SCHEMAS / "plan-4d.schema.json").read_text())
    assert reference == schema.get("$id", "plan-4d.schema.json")


def test_watch_rebuilds_on_a_change_of_the_case_its_evidence_or_settings(tmp_path: Path) -> None:
    from generator import watching

    case = tmp_path / "cases" / "x.yaml"
    (tmp_path / "cases" / "x" / "evidence").mkdir(parents=True)
    case.write_text("a: 1\n")
    config = tmp_path / "actionplan.yaml"
    config.write_text("{}\n")
    other = tmp_path / "cases" / "y.yaml"
    builds: list[float] = []
    stop = threading.Event()
    thread = threading.Thread(
        target=watching.watch_case,
        args=(case, config, lambda: builds.append(time.monotonic()), stop, 50),
    )
    thread.start()

    def after(change: Callable[[], object], wait: float = 10) -> int:
        count = len(builds)
        change()
        deadline = time.monotonic() + wait
        while len(builds) == count and time.monotonic() < deadline:
            time.sleep(0.05)
        return len(builds) - count

    try:
        while not builds:
            time.sleep(0.01)
        time.sleep(0.3)  # the watcher is set up after the first build
        assert (
            after(lambda: other.write_text("b: 2\n"), wait=1) == 0
        )  # another case: not this one's
        assert after(lambda: case.write_text("a: 2\n")) == 1
        assert after(lambda: (case.with_suffix("") / "evidence" / "e.csv").write_text("1")) == 1
        assert after(lambda: config.write_text("lint: {}\n")) == 1
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_cases_are_found_in_folders_but_not_inside_a_case_s_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ["a.yaml", "a/evidence/notes.yaml", "clients/acme/b.yaml", "actionplan.yaml"]:
        (tmp_path / "cases" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "cases" / name).write_text("{}")
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path / "cases" / "clients")
    assert repository.default_cases() == ["../a.yaml", "acme/b.yaml"]
    monkeypatch.chdir(tmp_path)
    assert repository.default_cases() == ["cases/a.yaml", "cases/clients/acme/b.yaml"]
    assert repository.under_cases(tmp_path / "cases" / "out")
    assert not repository.under_cases(tmp_path / "build")


def test_cases_are_grouped_by_the_settings_that_apply_to_them(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "cases" / "team").mkdir(parents=True)
    (tmp_path / "actionplan.yaml").write_text("{}")
    (tmp_path / "cases" / "team" / "actionplan.yaml").write_text("{}")
    files = [str(tmp_path / "cases" / "a.yaml"), str(tmp_path / "cases" / "team" / "b.yaml")]
    groups = repository.group_by_config(files, None)
    assert groups == {
        (tmp_path / "actionplan.yaml").resolve(): [files[0]],
        (tmp_path / "cases" / "team" / "actionplan.yaml").resolve(): [files[1]],
    }
    given = tmp_path / "other.yaml"
    assert repository.group_by_config(files, given) == {given: files}


def test_cases_of_one_name_outside_cases_would_share_an_output_folder() -> None:
    files = ["a/x.yaml", "b/x.yaml", "cases/p/x.yaml", "cases/q/x.yaml"]
    assert repository.clashing_outputs(files) == {"x": ["a/x.yaml", "b/x.yaml"]}


def test_the_ci_configurations_are_valid_for_github_and_gitlab(tmp_path: Path) -> None:
    """The workflow that `init` writes and the GitLab snippet of the docs, checked against the
    schemas the CI systems publish (vendored in check-jsonschema, so no network is needed)."""
    import re

    from tests.conftest import ROOT

    repository.init_repository(tmp_path, sys.executable)
    docs = (ROOT / "docs" / "plans-repository.md").read_text()
    snippet = re.search(r"```yaml\n(default:.*?)```", docs, re.DOTALL)
    assert snippet is not None
    (tmp_path / "gitlab-ci.yml").write_text(snippet.group(1))
    checker = str(Path(sys.executable).with_name("check-jsonschema"))
    for schema, file in [
        ("vendor.github-workflows", tmp_path / ".github/workflows/actionplan.yml"),
        ("vendor.gitlab-ci", tmp_path / "gitlab-ci.yml"),
    ]:
        done = subprocess.run(
            [checker, "--builtin-schema", schema, str(file)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_a_file_inside_a_case_folder_is_evidence_not_a_case(tmp_path: Path) -> None:
    from generator import lsp

    (tmp_path / "cases" / "recall").mkdir(parents=True)
    (tmp_path / "cases" / "recall.yaml").write_text("structure: 4d\n", encoding="utf-8")
    inside = tmp_path / "cases" / "recall" / "notes.yaml"
    assert not lsp.is_case(inside.as_uri(), "a: b\n")
    assert lsp.is_case((tmp_path / "cases" / "clients" / "x.yaml").as_uri(), "")
