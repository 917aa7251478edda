"""New cases from a template, and a 4D case grown into an 8D skeleton: text for a new file only.

Neither ever writes over an existing file: a case is the user's, and git is their undo.
"""

from __future__ import annotations

import copy
import datetime
from pathlib import Path
from typing import Any

import yaml

from generator.render import environment
from generator.resources import TEMPLATES
from generator.structures import EXPECTED, Role, get, problem_parts

TODO = "TODO"


def new_case(
    name: str,
    structure: str | None,
    reason: str,
    scope: str | None,
    marketplace: str,
    language: str,
    today: datetime.date,
    schema: str = "",
) -> str:
    """The text of a new case with every required field, and comments in the plan's language
    that say what to write and what Amazon expects for the reason. The reason gives the
    structure and scope unless they are named; `schema` is what its first line points editors
    at (default: ../schemas/, as in cases/)."""
    expected = EXPECTED[reason]
    structure = structure or expected.structure
    with (TEMPLATES / "scaffold" / "i18n" / f"{language}.yaml").open(encoding="utf-8") as handle:
        words = yaml.safe_load(handle)
    from generator.evidence_checks import needs

    template = environment().get_template("scaffold/case.yaml.j2")
    return template.render(
        needs=needs(reason),
        name=name,
        structure=structure,
        reason=reason,
        scope=scope or expected.scope,
        marketplace=marketplace,
        language=language,
        today=today.isoformat(),
        c=words["comments"],
        g=words["reasons"][reason],
        schema=schema or f"../schemas/plan-{structure}.schema.json",
    )


def to_8d(data: dict[str, Any]) -> dict[str, Any]:
    """An 8D case holding everything a 4D case says, with TODOs where 8D asks for more."""
    out: dict[str, Any] = {"structure": "8d"}
    for key in ("language", "date", "notice", "seller"):
        out[key] = copy.deepcopy(data[key])
    contact = data["seller"].get("contact", f"{TODO}: name")
    out["team"] = [{"name": contact, "role": "leader", "function": f"{TODO}: job title"}]
    out["problems"] = [_problem_to_8d(problem) for problem in data["problems"]]
    out["lessons_learned"] = [f"{TODO}: what the business now does differently"]
    for key in ("suppliers", "evidence", "submissions", "lint"):
        if key in data:
            out[key] = copy.deepcopy(data[key])
    return out


def _problem_to_8d(problem: dict[str, Any]) -> dict[str, Any]:
    """A 4D problem's parts moved to the 8D parts of the same role; what 8D adds is TODO."""
    four = {part.role: copy.deepcopy(get(problem, part.path)) for part in problem_parts("4d")}
    causes, corrective = four[Role.CAUSES], four[Role.ACTIONS]
    for cause in causes:
        cause.setdefault("method", f"{TODO}: how this cause was found")
    eight = {
        **four,
        Role.OPTIONS: {
            "criteria": [f"{TODO}: a criterion for choosing a solution"],
            "options": [
                {"option": action["action"], "assessment": action["why"], "chosen": True}
                for action in corrective
            ],
        },
        Role.PREVENTION: [
            {
                "action": f"{TODO}: the control that keeps the causes from coming back",
                "why": f"{TODO}: why it prevents recurrence",
                "addresses": [cause["id"] for cause in causes],
                "date": four[Role.IMMEDIATE][0]["date"],
                "owner": f"{TODO}: name, role",
                "status": "ongoing",
            }
        ],
    }
    out: dict[str, Any] = {"id": problem["id"], "title": problem["title"]}
    for part in problem_parts("8d"):
        *parents, last = part.path
        node = out
        for step in parents:
            node = node.setdefault(step, {})
        node[last] = eight[part.role]
    return out


def dump_case(data: dict[str, Any], note: str, schema: str = "") -> str:
    """YAML text of a case, with the schema line for editors and a note on where it came from."""
    body = yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
    schema = schema or f"../schemas/plan-{data['structure']}.schema.json"
    return f"# yaml-language-server: $schema={schema}\n# {note}\n{body}"


def write_new(path: Path, text: str) -> None:
    """Create `path` with `text` complete or not at all; refuse if anything is there already."""
    from generator.write import create_new

    create_new(path, text.encode("utf-8"))
