"""The parts of a 4D and an 8D plan, in the order of the plan: the one table that the checks, the
diff, the scaffold, `convert`, validation and the CLI read. The templates spell the same order
out for layout; tests/test_structures.py holds them to this table."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """What a part does in the plan, whichever structure it stands in."""

    TEAM = "team"
    DESCRIPTION = "description"
    CAUSES = "causes"
    IMMEDIATE = "immediate actions"
    OPTIONS = "solutions"
    ACTIONS = "actions"  # the corrective actions as carried out
    PREVENTION = "prevention"
    PROOF = "proof"
    LESSONS = "lessons"


# The roles whose value is a list of dated, owned actions.
ACTION_ROLES = (Role.IMMEDIATE, Role.ACTIONS, Role.PREVENTION)


@dataclass(frozen=True)
class Part:
    path: tuple[str, ...]  # where it stands in a problem (in the plan itself if not per_problem)
    d: int  # the D number it belongs to
    label: tuple[str, ...]  # its heading's key in templates/i18n/<language>.yaml
    role: Role
    answers: str = ""  # for a list that must answer each root cause: what one entry is called
    per_problem: bool = True

    @property
    def key(self) -> str:
        """The key it stands under in a problem (or the plan)."""
        return self.path[0]

    def heading(self, words: dict[str, Any]) -> str:
        """Its heading in the plan's language (`words` from render.locale)."""
        node: Any = words
        for step in self.label:
            node = node[step]
        return str(node)


def _d(structure: str, number: int) -> tuple[str, ...]:
    return ("sections", structure, f"d{number}")


PARTS: dict[str, tuple[Part, ...]] = {
    # One listing: four disciplines; immediate actions are part of D2.
    "4d": (
        Part(("problem",), 1, _d("4d", 1), Role.DESCRIPTION),
        Part(("root_causes",), 2, _d("4d", 2), Role.CAUSES),
        Part(("immediate_actions",), 2, ("labels", "immediate_actions"), Role.IMMEDIATE),
        Part(("corrective_actions",), 3, _d("4d", 3), Role.ACTIONS, "corrective action"),
        Part(("effectiveness",), 4, _d("4d", 4), Role.PROOF),
    ),
    # An account: eight; the team and the lessons are the plan's, not a problem's.
    "8d": (
        Part(("team",), 1, _d("8d", 1), Role.TEAM, per_problem=False),
        Part(("problem",), 2, _d("8d", 2), Role.DESCRIPTION),
        Part(("immediate_actions",), 3, _d("8d", 3), Role.IMMEDIATE),
        Part(("root_causes",), 4, _d("8d", 4), Role.CAUSES),
        Part(("solutions",), 5, _d("8d", 5), Role.OPTIONS),
        Part(("implementation",), 6, _d("8d", 6), Role.ACTIONS, "implementation action"),
        Part(("prevention", "measures"), 7, _d("8d", 7), Role.PREVENTION, "prevention measure"),
        Part(("prevention", "effectiveness"), 7, ("labels", "effectiveness"), Role.PROOF),
        Part(("lessons_learned",), 8, _d("8d", 8), Role.LESSONS, per_problem=False),
    ),
}
STRUCTURES = tuple(PARTS)
# What each structure is for (`actionplan new` takes it as the default scope).
SCOPE = {"4d": "listing", "8d": "account"}


@dataclass(frozen=True)
class Expected:
    """The plan Amazon expects for a reason of a notice, and what that reason usually suspends."""

    structure: str
    scope: str


# Performance metrics and policy breaches of the whole account get a full 8D plan, a listing's
# problem a 4D plan; wrong seller details are answered with corrected details and documents, a
# short 4D plan for the account (no root-cause analysis of a process, no ASINs). `actionplan
# new` starts from these, and lint.structure asks for 8D for an account unless its reason's plan
# is the short one.
# Sources: Amazon's Seller Central help on plans of action, and appeal practice.
EXPECTED = {
    "late-shipment-rate": Expected("8d", "account"),
    "order-defect-rate": Expected("8d", "account"),
    "cancellation-rate": Expected("8d", "account"),
    "valid-tracking-rate": Expected("8d", "account"),
    "inauthentic": Expected("4d", "listing"),
    "product-safety": Expected("4d", "listing"),
    "intellectual-property": Expected("4d", "listing"),
    "restricted-product": Expected("4d", "listing"),
    "used-sold-as-new": Expected("4d", "listing"),
    "review-manipulation": Expected("8d", "account"),
    "off-amazon-communication": Expected("8d", "account"),
    "seller-information": Expected("4d", "account"),
    "other-policy": Expected("4d", "listing"),
}


def problem_parts(structure: str) -> tuple[Part, ...]:
    """The parts each problem of a plan has, in order."""
    return tuple(part for part in PARTS[structure] if part.per_problem)


def plan_parts(structure: str) -> tuple[Part, ...]:
    """The parts that belong to the plan as a whole (8D's team and lessons learned)."""
    return tuple(part for part in PARTS[structure] if not part.per_problem)


def part(structure: str, role: Role) -> Part:
    """The one part of a structure with this role."""
    return next(p for p in PARTS[structure] if p.role is role)


def sections(structure: str) -> dict[str, Part]:
    """Each key of a problem with its first part: what a reviewer reads as one section."""
    found: dict[str, Part] = {}
    for each in problem_parts(structure):
        found.setdefault(each.key, each)
    return found


def action_lists(
    problem: dict[str, Any], structure: str, base: tuple[str | int, ...]
) -> Iterator[tuple[Part, tuple[str | int, ...], list[Any]]]:
    """Each list of actions in a problem, with its part and its path below `base`."""
    for each in problem_parts(structure):
        if each.role in ACTION_ROLES:
            yield each, (*base, *each.path), get(problem, each.path)


def get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at `path`, or None where it is missing."""
    node: Any = data
    for step in path:
        if not isinstance(node, dict) or step not in node:
            return None
        node = node[step]
    return node
