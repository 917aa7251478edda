"""A plan's history: an earlier version of it (a git revision or another file), its submissions
to Amazon, and whether a rejected plan is being sent again as it was (lint.resubmission)."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from generator.checks import Finding
from generator.diagnostics import Diagnostic, UserError
from generator.loader import LoadedCase, load_case, parse_bytes

# What a submission does not change about the plan that was sent.
_NOT_THE_PLAN = ("submissions", "lint")


def load_version(file: str, revision: str, other_file: bool = True) -> LoadedCase:
    """A case as it was at a git revision (commit, tag, branch), or with `other_file` from
    another file (a path given on the command line; never one written in a case)."""
    if other_file and Path(revision).is_file():
        return load_case(revision)
    path = Path(file)
    folder = str(path.parent or ".")
    # Only what git itself takes for a commit is used, as its hash: a text from a case could
    # otherwise be read by git as an option (--output=… writes a file).
    result = subprocess.run(
        [
            "git",
            "-C",
            folder,
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            f"{revision}^{{commit}}",
        ],
        capture_output=True,
        check=False,
    )
    commit = result.stdout.decode("ascii", "replace").strip()
    if result.returncode == 0 and re.fullmatch(r"[0-9a-f]{40,64}", commit):
        result = subprocess.run(
            ["git", "-C", folder, "show", f"{commit}:./{path.name}"],
            capture_output=True,
            check=False,
        )
    elif result.returncode == 0 or not result.stderr:
        result = subprocess.CompletedProcess(result.args, 1, b"", b"not a git revision")
    if result.returncode != 0:
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise UserError(
            [
                Diagnostic.error(
                    file,
                    "diff.revision",
                    f"cannot read '{revision}': {reason[-1] if reason else ''}",
                    "give a commit, tag or branch that has this file, "
                    "or the path of another version",
                )
            ]
        )
    return parse_bytes(f"{revision}:{file}", result.stdout)


def last_submission(data: dict[str, Any]) -> int | None:
    """The index of the latest submission (by date), or None if the plan was never sent."""
    submissions = data.get("submissions", [])
    if not submissions:
        return None
    return max(range(len(submissions)), key=lambda i: submissions[i]["date"])


def unchanged_since(case: LoadedCase, version: str) -> bool:
    """Whether the plan is what git holds as `version` (its submissions and lint aside)."""
    try:
        then = load_version(case.file, version, other_file=False)
    except (UserError, OSError):
        return False  # not a git revision, or no git: nothing to compare with

    def plan(data: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k not in _NOT_THE_PLAN}

    return plan(then.data) == plan(case.data)


def resubmission_findings(case: LoadedCase) -> Iterator[Finding]:
    """After a rejection, the plan must have changed: one finding if it is the rejected version
    itself, or else if it is still dated no later than the rejection."""
    data = case.data
    last = last_submission(data)
    if last is None or data["submissions"][last]["outcome"] != "rejected":
        return
    sent = data["submissions"][last]
    if unchanged_since(case, sent["version"]):
        message = f"the plan is unchanged since '{sent['version']}', which was rejected"
    elif data["date"] <= sent["date"]:
        message = (
            f"the plan is dated {data['date']}, not after its rejected submission of {sent['date']}"
        )
    else:
        return
    yield Finding("lint.resubmission", ("submissions", last), message)
