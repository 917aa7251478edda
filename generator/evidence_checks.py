"""Does the evidence prove the case? What the notice's reason needs (rules/evidence.yaml), checked.

The files themselves are checked by evidence.py; this module reads only the case's data: which
items cover which ASIN, how old each invoice is, and whether its supplier is fully named. Every
finding is graded like a lint rule (rules/rules.yaml, codes evidence.*), at the field it is about.
"""

from __future__ import annotations

import datetime
import difflib
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

import yaml

from generator import i18n, lint
from generator.checks import _EVIDENCE_ID, Finding, Path_, _evidence_lists, covers, texts
from generator.diagnostics import Diagnostic
from generator.loader import YAML_LOADER, LoadedCase
from generator.resources import RULES, SCHEMAS


@dataclass(frozen=True)
class Requirement:
    kinds: tuple[str, ...]
    per: str  # asin, problem or plan
    within_days: int | None = None
    unless: str | None = None


@dataclass(frozen=True)
class Needs:
    """What one notice reason needs."""

    supplier_details: tuple[str, ...]
    require: tuple[Requirement, ...]


@functools.cache
def _all_needs() -> dict[str, Needs]:
    """rules/evidence.yaml, read and checked against its schema once per process."""
    from jsonschema import Draft202012Validator

    from generator.validate import _registry

    with (RULES / "evidence.yaml").open(encoding="utf-8") as handle:
        raw = yaml.load(handle, Loader=YAML_LOADER)
    schema = json.loads((SCHEMAS / "evidence-rules.schema.json").read_text(encoding="utf-8"))
    errors = list(Draft202012Validator(schema, registry=_registry()).iter_errors(raw))
    if errors:  # a broken package, not a user's mistake
        raise RuntimeError(f"rules/evidence.yaml: {errors[0].json_path}: {errors[0].message}")
    return {
        reason: Needs(
            tuple(entry.get("supplier_details", [])),
            tuple(
                Requirement(tuple(r["kinds"]), r["per"], r.get("within_days"), r.get("unless"))
                for r in entry["require"]
            ),
        )
        for reason, entry in raw.items()
    }


def needs(reason: str) -> Needs | None:
    """What a notice reason needs, or None where only the general checks apply."""
    return _all_needs().get(reason)


def replaced_rules(reason: str) -> frozenset[str]:
    """The general lint rules that a reason's own requirements replace."""
    wanted = needs(reason)
    rules = wanted.require if wanted else ()
    replaced = {"lint.asin-evidence"} if any(r.per == "asin" for r in rules) else set()
    if any("invoice" in r.kinds and r.within_days for r in rules):
        replaced.add("lint.old-invoice")
    return frozenset(replaced)


def check_case(case: LoadedCase, settings: lint.Settings) -> list[Diagnostic]:
    """Every evidence finding of a valid case, graded, as diagnostics."""
    suppliers = [s["id"] for s in case.data.get("suppliers", [])]
    language = case.data["language"]
    out = []
    for finding in find(case.data):
        graded = lint.grade(case, finding, settings)
        if graded is None:
            continue
        if finding.code == "evidence.unknown-supplier":
            graded = replace(graded, hint=_did_you_mean(finding.match, suppliers, language))
        out.append(graded)
    return sorted(out)


def _did_you_mean(name: str, known: list[str], language: str) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    variant = "close" if close else "known" if known else "none"
    fix = lint.rules()["evidence.unknown-supplier"].wording(language, variant)[1]
    return fix.format(close=close[0] if close else "", known=", ".join(known))


def find(data: dict[str, Any]) -> Iterator[Finding]:
    """Every evidence finding of a case, before grading."""
    wanted = needs(data["notice"]["reason"])
    reason = _value(data["notice"]["reason"])
    yield from _supplier_references(data)
    yield from _unlisted_asins(data)
    yield from _quantities(data)
    if wanted is None:
        return
    for requirement in wanted.require:
        if requirement.unless == "brand_owner" and data["seller"].get("brand_owner"):
            continue
        kinds = _either(requirement.kinds, data["language"])
        if requirement.per == "asin":
            yield from _per_asin(data, requirement, kinds, reason)
        elif requirement.per == "problem":
            yield from _per_problem(data, requirement, kinds, reason)
        else:
            yield from _per_plan(data, requirement, kinds, reason)
    if wanted.supplier_details:
        yield from _supplier_details(data, wanted.supplier_details, reason)


def _value(value: str) -> str:
    """A value of the case as the seller types it ('invoice'), in a message in any language."""
    return f"'{value}'"


def _either(values: tuple[str, ...], language: str) -> str:
    """Values of the case as alternatives, in the plan's language: 'a' or 'b'."""
    return f" {i18n.locale(language)['or']} ".join(map(_value, values))


def _age(data: dict[str, Any], item: dict[str, Any]) -> int:
    plan = datetime.date.fromisoformat(data["date"])
    return (plan - datetime.date.fromisoformat(item["date"])).days


def _cutoff(data: dict[str, Any], days: int) -> str:
    plan = datetime.date.fromisoformat(data["date"])
    return (plan - datetime.timedelta(days=days)).isoformat()


def _per_asin(
    data: dict[str, Any], requirement: Requirement, kinds: str, reason: str
) -> Iterator[Finding]:
    items = list(enumerate(data.get("evidence", [])))
    days = requirement.within_days
    current: dict[str, list[str]] = {}  # ASIN -> ids of qualifying items
    old: list[tuple[int, dict[str, Any]]] = []
    for e, item in items:
        if item["kind"] not in requirement.kinds:
            continue
        if days is not None and _age(data, item) > days:
            old.append((e, item))
            continue
        for asin in covers(item):
            current.setdefault(asin, []).append(item["id"])
    notice = data["notice"].get("asins", [])
    outdated_for: set[str] = set()
    for e, item in old:
        assert days is not None
        fields = {
            "date": item["date"],
            "age": str(_age(data, item)),
            "days": str(days),
            "cutoff": _cutoff(data, days),
        }
        uncovered = [a for a in covers(item) if a in notice and a not in current]
        if uncovered:
            outdated_for.update(uncovered)
            yield Finding(
                "evidence.outdated",
                ("evidence", e, "date"),
                item["id"],
                fields={**fields, "asins": ", ".join(uncovered)},
            )
        else:
            newer = sorted({i for a in covers(item) for i in current.get(a, [])})
            yield Finding(
                "evidence.older",
                ("evidence", e, "date"),
                item["id"],
                fields={**fields, "newer": ", ".join(newer) or "-"},
            )
    for i, asin in enumerate(notice):
        if asin not in current and asin not in outdated_for:
            yield Finding(
                "evidence.asin-uncovered",
                ("notice", "asins", i),
                asin,
                fields={"kinds": kinds, "reason": reason},
            )


def _cited(data: dict[str, Any], p: int) -> set[str]:
    """Evidence ids a problem cites, in its `evidence` lists or in its text."""
    problem = data["problems"][p]
    cited = {ref for _, ids in _evidence_lists(problem) for ref in ids}
    for text in texts(problem):
        cited.update(found.group(0) for found in _EVIDENCE_ID.finditer(text.value))
    return cited


def _per_problem(
    data: dict[str, Any], requirement: Requirement, kinds: str, reason: str
) -> Iterator[Finding]:
    kind_of = {item["id"]: item["kind"] for item in data.get("evidence", [])}
    for p, problem in enumerate(data["problems"]):
        if not any(kind_of.get(ref) in requirement.kinds for ref in _cited(data, p)):
            yield Finding(
                "evidence.problem-uncovered",
                ("problems", p, "id"),
                problem["id"],
                fields={"kinds": kinds, "reason": reason},
            )


def _per_plan(
    data: dict[str, Any], requirement: Requirement, kinds: str, reason: str
) -> Iterator[Finding]:
    if not any(item["kind"] in requirement.kinds for item in data.get("evidence", [])):
        path: Path_ = ("evidence",) if "evidence" in data else ("notice", "reason")
        yield Finding("evidence.plan-uncovered", path, kinds, fields={"reason": reason})


def _supplier_references(data: dict[str, Any]) -> Iterator[Finding]:
    known = {s["id"] for s in data.get("suppliers", [])}
    seen: set[str] = set()
    for s, supplier in enumerate(data.get("suppliers", [])):
        if supplier["id"] in seen:
            yield Finding("lint.duplicate-id", ("suppliers", s, "id"), supplier["id"])
        seen.add(supplier["id"])
    for e, item in enumerate(data.get("evidence", [])):
        if "supplier" in item and item["supplier"] not in known:
            yield Finding(
                "evidence.unknown-supplier", ("evidence", e, "supplier"), item["supplier"]
            )


def _supplier_details(
    data: dict[str, Any], details: tuple[str, ...], reason: str
) -> Iterator[Finding]:
    suppliers = {s["id"]: s for s in data.get("suppliers", [])}
    named: set[str] = set()
    for e, item in enumerate(data.get("evidence", [])):
        if item["kind"] != "invoice":
            continue
        if "supplier" not in item:
            yield Finding(
                "evidence.supplier-missing", ("evidence", e), item["id"], fields={"reason": reason}
            )
        elif item["supplier"] in suppliers:
            named.add(item["supplier"])
    for s, supplier in enumerate(data.get("suppliers", [])):
        missing = [field for field in details if field not in supplier]
        if supplier["id"] in named and missing:
            yield Finding(
                "evidence.supplier-details",
                ("suppliers", s),
                supplier["id"],
                fields={"missing": ", ".join(map(_value, missing)), "reason": reason},
            )


def _unlisted_asins(data: dict[str, Any]) -> Iterator[Finding]:
    notice = set(data["notice"].get("asins", []))
    for e, item in enumerate(data.get("evidence", [])):
        for i, asin in enumerate(item.get("asins", [])):
            if asin not in notice:
                yield Finding(
                    "evidence.asin-unlisted",
                    ("evidence", e, "asins", i),
                    asin,
                    fields={"item": item["id"], "kind": _value(item["kind"])},
                )
        for i, line in enumerate(item.get("quantities", [])):
            if line["asin"] not in notice and line["asin"] not in item.get("asins", []):
                yield Finding(
                    "evidence.asin-unlisted",
                    ("evidence", e, "quantities", i, "asin"),
                    line["asin"],
                    fields={"item": item["id"], "kind": _value(item["kind"])},
                )


def _quantities(data: dict[str, Any]) -> Iterator[Finding]:
    """Units invoiced per ASIN against the units sold, where the case gives them."""
    invoiced: dict[str, int] = {}
    for item in data.get("evidence", []):
        if item["kind"] == "invoice":
            for line in item.get("quantities", []):
                invoiced[line["asin"]] = invoiced.get(line["asin"], 0) + line["quantity"]
    for p, problem in enumerate(data["problems"]):
        for i, sold in enumerate(problem["problem"].get("units_sold", [])):
            total = invoiced.get(sold["asin"], 0)
            if total < sold["units"]:
                yield Finding(
                    "evidence.quantity",
                    ("problems", p, "problem", "units_sold", i, "units"),
                    sold["asin"],
                    fields={"invoiced": str(total), "sold": str(sold["units"])},
                )
