"""A plans repository: an agency's own git repository of cases, with actionplan installed as a
package. `init` writes one (templates/repository/), `schemas` refreshes its copy of the schemas,
and the rest finds things in one: its settings file, where a case's outputs go, which shard of
the cases a CI job builds.

Nothing here overwrites a file the agency may have edited; the schema copies are the tool's own.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import jinja2

from generator import __version__, about
from generator.resources import SCHEMAS, TEMPLATES

CONFIG_FILE = "actionplan.yaml"
CASES = "cases"
SCHEMA_FOLDER = "schemas"
# What `init` writes, from templates/repository/: destination → template.
FILES = {
    CONFIG_FILE: "actionplan.yaml",
    ".gitignore": "gitignore",
    ".gitattributes": "gitattributes",
    "requirements.txt": "requirements.txt",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
    ".github/workflows/actionplan.yml": "workflow.yml",
    ".vscode/settings.json": "vscode-settings.json",
    ".vscode/extensions.json": "vscode-extensions.json",
    "README.md": "README.md",
}
# Beside the tool's schemas: the one editors map to a folder of cases (4D or 8D by structure).
EDITOR_SCHEMA = "plan.schema.json"


@dataclass(frozen=True)
class Step:
    """One thing `init` did or left alone."""

    path: str
    done: str  # "wrote", "made", "set", "kept" (it existed), "updated"


def _environment() -> jinja2.Environment:
    # Other delimiters than Jinja's: GitHub workflows use ${{ … }} themselves.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "repository"),
        undefined=jinja2.StrictUndefined,
        variable_start_string="@{",
        variable_end_string="}@",
        keep_trailing_newline=True,
        autoescape=False,
    )


def textconv_command(python: str) -> str:
    """The textconv driver: this very interpreter, by its absolute path, so `git diff` works
    without the virtual environment on PATH."""
    return f"{shlex.quote(python)} -m generator text"


def init_repository(folder: Path, python: str) -> list[Step]:
    """Write a plans repository into `folder` (made if missing); existing files are kept."""
    folder.mkdir(parents=True, exist_ok=True)
    steps: list[Step] = []
    env = _environment()
    values = {"version": __version__, "homepage": about.url("Homepage")}
    for destination, template in FILES.items():
        text = env.get_template(template).render(values)
        steps.append(_write_new(folder / destination, text.encode("utf-8"), destination))
    (folder / CASES).mkdir(exist_ok=True)
    steps.append(_write_new(folder / CASES / ".gitkeep", b"", f"{CASES}/.gitkeep"))
    steps += copy_schemas(folder, refresh=False)
    steps += set_up_git(folder, python)
    return steps


def _write_new(path: Path, content: bytes, name: str) -> Step:
    """Write a file the repository lacks, whole or not at all: a full disk must not leave a
    half file that the next `init` keeps as it is."""
    from generator.write import create_new

    try:
        create_new(path, content)
    except FileExistsError:
        return Step(name, "kept")
    return Step(name, "wrote")


def schema_sources() -> dict[str, Path]:
    """The schema files a plans repository keeps a copy of, by name."""
    # What a case and actionplan.yaml refer to; not the tool's own (the rule catalogue's).
    names = ["config.schema.json", "defs.schema.json"]
    names += sorted(path.name for path in SCHEMAS.glob("plan-*.schema.json"))
    found = {name: SCHEMAS / name for name in names}
    found[EDITOR_SCHEMA] = TEMPLATES / "repository" / EDITOR_SCHEMA
    return found


def copy_schemas(folder: Path, refresh: bool = True) -> list[Step]:
    """Copy this version's schemas into folder/schemas/; with `refresh`, replace older copies
    (they are the tool's, not the agency's: an upgrade brings new fields)."""
    from generator.write import write_atomic

    target = folder / SCHEMA_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    steps = []
    for name, source in schema_sources().items():
        content = source.read_bytes()
        path = target / name
        label = f"{SCHEMA_FOLDER}/{name}"
        if not path.exists():
            write_atomic(path, content)
            steps.append(Step(label, "wrote"))
        elif refresh and path.read_bytes() != content:
            write_atomic(path, content)
            steps.append(Step(label, "updated"))
        else:
            steps.append(Step(label, "kept"))
    return steps


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, check=False
    )


def set_up_git(folder: Path, python: str) -> list[Step]:
    """A git repository (made if `folder` is in none) whose textconv driver is this actionplan.

    The driver is set in the clone's own configuration, not in a committed file: the
    interpreter's path is this machine's.
    """
    if shutil.which("git") is None:
        return [Step("git (not found: set the textconv driver by hand, see README.md)", "kept")]
    steps = []
    if _git(folder, "rev-parse", "--is-inside-work-tree").returncode != 0:
        _git(folder, "init", "--quiet")
        steps.append(Step("a git repository (git init)", "made"))
    command = textconv_command(python)
    current = _git(folder, "config", "--local", "diff.actionplan.textconv").stdout.strip()
    if current != command:
        # Not cachetextconv: git would commit its cache as notes, which fails where no author
        # identity is set (a CI runner), and `git diff` with it.
        _git(folder, "config", "--local", "diff.actionplan.textconv", command)
        steps.append(Step(f"git config diff.actionplan.textconv {command}", "set"))
    return steps


def find_config(start: Path) -> Path | None:
    """actionplan.yaml in `start`'s folder or the nearest one above it, as ruff and pre-commit
    find theirs; the search ends at the top of a git repository."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        path = candidate / CONFIG_FILE
        if path.is_file():
            return path
        if (candidate / ".git").exists():
            return None
    return None


def find_top(start: Path) -> Path | None:
    """The plans repository `start` is in: the nearest folder above it that holds a cases/
    folder (up to the top of a git repository), else the folder of its settings file."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / CASES).is_dir():
            return candidate
        if (candidate / ".git").exists():
            break
    config = find_config(start)
    return config.parent if config is not None else None


def output_key(file: str | Path) -> str:
    """Where a case's outputs go under the output folder: its path below cases/, without the
    suffix (cases/clients/acme/recall.yaml -> clients/acme/recall), so two cases of one name in
    different folders keep apart; a case outside any cases/ folder goes by its name."""
    path = Path(os.path.abspath(file))
    folders = path.parent.parts
    if CASES not in folders:
        return path.stem
    last = len(folders) - 1 - folders[::-1].index(CASES)
    return "/".join([*folders[last + 1 :], path.stem])


def in_shard(file: str, shard: int, shards: int, top: Path | None = None) -> bool:
    """Whether a case belongs to shard `shard` of `shards` (1-based), by a hash of its path
    relative to the repository's top, which is the same on every machine and run."""
    base = top or find_top(Path(file)) or Path.cwd()
    relative = Path(os.path.relpath(os.path.abspath(file), base)).as_posix()
    digest = hashlib.sha256(relative.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards == shard - 1


def parse_shard(text: str) -> tuple[int, int]:
    """K/N (1 <= K <= N) as (K, N); ValueError for anything else."""
    left, slash, right = text.partition("/")
    if not slash or not left.strip().isdigit() or not right.strip().isdigit():
        raise ValueError("write K/N, e.g. 2/4 for the second of four shards")
    shard, shards = int(left), int(right)
    if not 1 <= shard <= shards:
        raise ValueError(f"K must be between 1 and N ({text})")
    return shard, shards


def schema_reference(case_file: Path, structure: str) -> str:
    """What a new case's modeline names: the repository's schema copy, relative to the case
    (../schemas/plan-4d.schema.json from cases/x.yaml), else the schema's stable address."""
    name = f"plan-{structure}.schema.json"
    folder = case_file.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / SCHEMA_FOLDER / name).is_file():
            return Path(os.path.relpath(candidate / SCHEMA_FOLDER / name, folder)).as_posix()
        if (candidate / ".git").exists():
            break
    import json

    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return str(schema.get("$id", name))


def in_cases(path: Path) -> bool:
    """Whether a file stands where find_cases looks: anywhere under a cases/ folder, in folders
    too, but not inside a case's own folder (its evidence)."""
    root = next((folder for folder in path.parents if folder.name == CASES), None)
    return root is not None and not _in_case_folder(path, root)


def find_cases(top: Path, root: Path | None = None) -> list[Path]:
    """Every case under top/cases/ (or the folder `root` in it), in folders too
    (cases/clients/acme/recall.yaml), sorted; not the files inside a case's own folder (its
    evidence), nor a settings file."""
    root = root or top / CASES
    return [
        path
        for path in sorted(root.rglob("*.yaml"))
        if path.name != CONFIG_FILE and not _in_case_folder(path, root)
    ]


def _in_case_folder(path: Path, root: Path) -> bool:
    """Whether a folder between root and path is a case's own (cases/x/… belongs to x.yaml)."""
    inside = path.relative_to(root).parents
    return any((root / parent).with_suffix(".yaml").is_file() for parent in inside if parent.parts)


def default_cases(where: Path | None = None) -> list[str]:
    """The cases a command without files checks: those of the plans repository it runs in,
    named relative to the current folder (cases/x.yaml at the repository's top)."""
    here = Path.cwd()
    top = find_top(where or here) or here
    return [os.path.relpath(path, here) for path in find_cases(top)]


def group_by_config(files: list[str], config: Path | None) -> dict[Path | None, list[str]]:
    """The cases by the settings file that applies to each: `config` for all if given, else the
    nearest actionplan.yaml above each case (None: the defaults)."""
    groups: dict[Path | None, list[str]] = {}
    by_folder: dict[str, Path | None] = {}  # a folder's cases share their settings
    for file in files:
        folder = os.path.dirname(file) or "."
        if config is None and folder not in by_folder:
            by_folder[folder] = find_config(Path(folder))
        key = config if config is not None else by_folder[folder]
        groups.setdefault(key, []).append(file)
    return groups


def clashing_outputs(files: list[str]) -> dict[str, list[str]]:
    """Output folders that more than one of `files` would write (cases of one name outside any
    cases/ folder), with the cases that would share each."""
    by_key: dict[str, list[str]] = {}
    for file in files:
        by_key.setdefault(output_key(file), []).append(file)
    return {key: found for key, found in by_key.items() if len(set(found)) > 1}


def under_cases(folder: Path) -> bool:
    """Whether `folder` is inside the cases/ folder of the repository it is in (outputs must
    never go there: nothing but the cases and their evidence lives in it)."""
    path = Path(os.path.abspath(folder))
    top = find_top(Path.cwd()) or Path.cwd()
    return path.is_relative_to((top / CASES).resolve()) or path.is_relative_to(top / CASES)
