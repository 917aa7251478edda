"""What changed in a plan between two versions, section by section, as a reviewer reads it.

Records are matched by id where they have one (problems, root causes, evidence), else by the
similarity of their text (actions, options, lessons), so a reworded action shows as changed,
not as one removed and one added.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from generator import structures
from generator.render import locale

SIMILAR = 0.5  # text similarity from which two records count as the same, reworded


@dataclass
class Change:
    kind: str  # added, removed or changed
    label: str
    text: str = ""  # the record as one line (added or removed)
    fields: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)


@dataclass
class Section:
    title: str
    changes: list[Change] = field(default_factory=list)


def diff_cases(old: dict[str, Any], new: dict[str, Any]) -> list[Section]:
    """Every plan-level change from `old` to `new`, grouped by section, empty sections left out."""
    words = locale(new["language"])
    sections = [
        Section(words["title"], [*_fields_change("", _front(old), _front(new))]),
    ]
    # The plan's own parts (8D's team and lessons), if either version has them: the team comes
    # before the problems, the lessons after.
    outer = {
        part.key: part
        for structure in (old["structure"], new["structure"])
        for part in structures.plan_parts(structure)
    }.values()
    first = structures.problem_parts(new["structure"])[0].d
    sections += [_plan_part(part, old, new, words) for part in outer if part.d < first]
    old_problems = {p["id"]: p for p in old["problems"]}
    for problem in new["problems"]:
        before = old_problems.pop(problem["id"], None)
        title = f"{words['problem']} {problem['id']}: {problem['title']}"
        if before is None:
            sections.append(Section(title, [Change("added", title, _line(problem["problem"]))]))
            continue
        for name, old_part, new_part in _problem_parts(before, problem, new["structure"], words):
            sections.append(Section(f"{title} · {name}", _compare(old_part, new_part)))
    for gone in old_problems.values():
        title = f"{words['problem']} {gone['id']}: {gone['title']}"
        sections.append(Section(title, [Change("removed", title, _line(gone["problem"]))]))
    sections += [_plan_part(part, old, new, words) for part in outer if part.d > first]
    for key, label in (("suppliers", "suppliers"), ("evidence", "evidence_index")):
        before, after = old.get(key, []), new.get(key, [])
        sections.append(Section(words["labels"][label], _records(before, after, _id, _id)))
    sections += _review_sections(old, new)
    return [section for section in sections if section.changes]


# Not part of the plan Amazon reads, but what a reviewer of a change needs: a rule silenced
# and why, and each time the plan was sent. Tool wording, in English like the diff's own.
EXCEPTIONS = "Lint exceptions"
SUBMISSIONS = "Submissions"


def _exception_key(exception: dict[str, Any]) -> str:
    where = exception.get("path")
    return f"{exception['rule']} at {where}" if where else str(exception["rule"])


def _review_sections(old: dict[str, Any], new: dict[str, Any]) -> list[Section]:
    def exceptions(data: dict[str, Any]) -> list[Any]:
        return list(data.get("lint", {}).get("exceptions", []))

    return [
        Section(
            EXCEPTIONS,
            _records(exceptions(old), exceptions(new), _exception_key, _exception_key),
        ),
        Section(
            SUBMISSIONS,
            _records(
                old.get("submissions", []),
                new.get("submissions", []),
                lambda s: s["version"],
                lambda s: s["version"],
            ),
        ),
    ]


def render_review(data: dict[str, Any]) -> str:
    """The lint exceptions with their reasons and the submission history, as text after the plan
    (`actionplan text`, so `git diff` shows them); empty if the case has neither."""
    from generator.render import environment

    exceptions = data.get("lint", {}).get("exceptions", [])
    submissions = sorted(data.get("submissions", []), key=lambda s: s["date"])
    if not exceptions and not submissions:
        return ""
    return (
        environment()
        .get_template("review.txt.j2")
        .render(
            exceptions=exceptions,
            submissions=submissions,
            titles={"exceptions": EXCEPTIONS, "submissions": SUBMISSIONS},
        )
    )


def _front(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "structure": data["structure"],
        "language": data["language"],
        "date": data["date"],
        **{f"notice.{k}": v for k, v in data["notice"].items()},
        **{f"seller.{k}": v for k, v in data["seller"].items()},
    }


def _plan_part(
    part: structures.Part, old: dict[str, Any], new: dict[str, Any], words: dict[str, Any]
) -> Section:
    """A part of the plan as a whole: team members matched by name, lessons by their text."""
    key = (lambda member: member["name"]) if part.role is structures.Role.TEAM else None
    before, after = old.get(part.key, []), new.get(part.key, [])
    return Section(part.heading(words), _records(before, after, key, key or _label))


def _problem_parts(
    old: dict[str, Any], new: dict[str, Any], structure: str, words: dict[str, Any]
) -> list[tuple[str, Any, Any]]:
    """The sections of a problem in the order of the plan, each with its heading."""
    keys = [("title", words["problem"])]
    keys += [(key, part.heading(words)) for key, part in structures.sections(structure).items()]
    return [(name, old.get(key), new.get(key)) for key, name in keys]


def _compare(old: Any, new: Any) -> list[Change]:
    if isinstance(old, list) or isinstance(new, list):
        old, new = old or [], new or []
        if all(isinstance(r, dict) and "id" in r for r in old + new):
            return _records(old, new, lambda r: r["id"], lambda r: r["id"])
        return _records(old, new, None, _label)
    if isinstance(old, dict) and isinstance(new, dict):
        changes: list[Change] = []
        scalars_old = {k: v for k, v in old.items() if not _is_records(v)}
        scalars_new = {k: v for k, v in new.items() if not _is_records(v)}
        changes += _fields_change("", scalars_old, scalars_new)
        for key in dict.fromkeys([*old, *new]):
            if _is_records(old.get(key)) or _is_records(new.get(key)):
                changes += _compare(old.get(key), new.get(key))
        return changes
    if old != new:
        return [Change("changed", "", fields=[("", _words_diff(_text(old), _text(new)))])]
    return []


def _is_records(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(item, dict) for item in value)


def _fields_change(label: str, old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    fields = [
        (key, _words_diff(_text(old.get(key)), _text(new.get(key))))
        for key in dict.fromkeys([*old, *new])
        if old.get(key) != new.get(key)
    ]
    return [Change("changed", label, fields=fields)] if fields else []


def _records(old: list[Any], new: list[Any], key: Any, label: Any) -> list[Change]:
    """Added, removed and changed records: matched by key, or else by similar text."""
    pairs: list[tuple[Any, Any]] = []
    rest_old = list(old)
    unmatched_new = []
    for item in new:
        match = None
        if key is not None:
            match = next((o for o in rest_old if key(o) == key(item)), None)
        else:
            match = next((o for o in rest_old if o == item), None)
            if match is None:
                scored = [
                    (difflib.SequenceMatcher(None, _line(o), _line(item)).ratio(), i)
                    for i, o in enumerate(rest_old)
                ]
                best = max(scored, default=(0.0, -1))
                if best[0] >= SIMILAR:
                    match = rest_old[best[1]]
        if match is None:
            unmatched_new.append(item)
        else:
            rest_old.remove(match)
            pairs.append((match, item))
    changes = []
    for before, after in pairs:
        if before == after:
            continue
        if isinstance(after, dict):
            changes += _fields_change(label(after), before, after)
        else:
            fields = [("", _words_diff(_text(before), _text(after)))]
            changes.append(Change("changed", label(after), fields=fields))
    # Records without an id are named by their text, which the line shows in full anyway.
    name = label if key is not None else (lambda item: "")
    changes += [Change("added", name(item), _line(item)) for item in unmatched_new]
    changes += [Change("removed", name(item), _line(item)) for item in rest_old]
    return changes


def _id(record: Any) -> str:
    return str(record["id"])


def _label(record: Any) -> str:
    if isinstance(record, dict):
        for key in ("id", "name", "metric", "source"):
            if key in record:
                return str(record[key])
        text = _text(record.get("action") or record.get("option") or "")
        return text if len(text) <= 60 else text[:59].rstrip() + "…"
    return ""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        # Steps of a 5-Whys chain or other records read one after the other; plain values
        # (ASINs, orders) as a list.
        joiner = " / " if any(isinstance(v, dict) for v in value) else ", "
        return joiner.join(_text(v) for v in value)
    if isinstance(value, dict):
        if set(value) == {"question", "answer"}:  # a why and its answer read as a sentence pair
            return f"{_text(value['question'])} {_text(value['answer'])}"
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    return " ".join(str(value).split())


def _line(record: Any) -> str:
    if isinstance(record, dict):
        main = next(
            (
                record[k]
                for k in (
                    *("action", "cause", "summary", "option", "description", "name", "metric"),
                    *("reason", "outcome", "quote"),
                )
                if k in record
            ),
            "",
        )
        rest = [
            _text(record[k])
            for k in ("before", "after", "period", "date", "owner", "status", "feedback", "source")
            if k in record
        ]
        return " · ".join([_text(main), *rest]) if main else _text(record)
    return _text(record)


_TOKEN = re.compile(r"\S+|\s+")
# A sentence with the spaces after it: up to . ! or ? followed by a space or the end.
_SENTENCE = re.compile(r".+?(?:[.!?]+(?=\s|$)|$)\s*", re.DOTALL)
# Below this share of its words kept, a sentence reads as replaced, not edited word by word.
KEPT = 0.5


def _words_diff(old: str, new: str) -> list[tuple[str, str]]:
    """The change from old to new text as runs of ("same"|"del"|"ins", text): sentence by
    sentence, then word by word inside a sentence that kept most of its words; a rewritten
    sentence is shown as one sentence replaced by another, not as interleaved single words."""
    a, b = _SENTENCE.findall(old), _SENTENCE.findall(new)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(a[i1:i2])))
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for index in range(max(len(olds), len(news))):
            before = olds[index] if index < len(olds) else ""
            after = news[index] if index < len(news) else ""
            if before and after and _kept(before, after) >= KEPT:
                out += _tokens_diff(before, after)
            else:
                out += [("del", before)] if before else []
                out += [("ins", after)] if after else []
    return _merge(out)


def _kept(old: str, new: str) -> float:
    """The share of the old sentence's words that are still there, in order."""
    a, b = old.split(), new.split()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(a), 1)


def _tokens_diff(old: str, new: str) -> list[tuple[str, str]]:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(a[i1:i2])))
        else:
            if i2 > i1:
                out.append(("del", "".join(a[i1:i2])))
            if j2 > j1:
                out.append(("ins", "".join(b[j1:j2])))
    return out


def _merge(runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Adjacent runs of one kind as one; deletions before insertions where they meet."""
    merged: list[tuple[str, str]] = []
    for op, text in runs:
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        elif op == "del" and len(merged) >= 2 and merged[-1][0] == "ins" and merged[-2][0] == "del":
            merged[-2] = ("del", merged[-2][1] + text)
        else:
            merged.append((op, text))
    return merged


def counts(sections: list[Section]) -> dict[str, int]:
    totals = {"added": 0, "removed": 0, "changed": 0}
    for section in sections:
        for change in section.changes:
            totals[change.kind] += 1
    return totals


def render_diff(
    sections: list[Section], title: str, language: str, html: bool, colour: bool = False
) -> str:
    """The changes as terminal text (coloured if asked) or as a standalone HTML page."""
    import click

    from generator.render import environment

    env = environment().overlay()
    env.filters["style"] = (
        (lambda text, **kw: click.style(text, **kw)) if colour else (lambda text, **kw: text)
    )
    template = env.get_template("diff.html.j2" if html else "diff.txt.j2")
    return template.render(
        sections=sections, title=title, language=language, totals=counts(sections)
    )
