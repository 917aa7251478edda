"""The editor's helpers (generator/editor.py): spans, paths, schema help, completion contexts and
the certain fixes, each applied to a real case and checked again by the pipeline."""

from __future__ import annotations

import pytest

from generator import editor, lint, pipeline
from generator.diagnostics import Diagnostic
from generator.loader import parse_case
from tests.conftest import ROOT

CASE = ROOT / "cases" / "asin-recall.yaml"
NAME = str(CASE.relative_to(ROOT))


def _check(text: str) -> pipeline.Checked:
    return pipeline.check_text(NAME, text, lint.load_settings())


def _apply(text: str, fix: editor.Fix) -> str:
    for edit in sorted(fix.edits, key=lambda e: e.start, reverse=True):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def _only(checked: pipeline.Checked, code: str) -> Diagnostic:
    (found,) = [d for d in checked.diagnostics if d.code == code]
    return found


def test_a_lint_finding_spans_its_words() -> None:
    text = CASE.read_text(encoding="utf-8").replace("Closed the listing", "We will close it", 1)
    checked = _check(text)
    start, end = editor.span(text, checked.case, _only(checked, "lint.promise"))
    assert text[start:end] == "We will"


def test_a_schema_error_spans_its_value() -> None:
    text = CASE.read_text(encoding="utf-8").replace("status: done", "status: finished", 1)
    checked = _check(text)
    start, end = editor.span(text, checked.case, _only(checked, "schema.enum"))
    assert text[start:end] == "finished"


@pytest.mark.parametrize(
    ("written", "iso"),
    [
        ("20.11.2026", "2026-11-20"),
        ("3.4.2026", "2026-04-03"),
        ("11/20/2026", "2026-11-20"),
        ("02/30/2026", None),  # no such day
        ("20/11/2026", None),  # not MM/DD/YYYY: left to the author
        ("2026.11.20", None),
    ],
)
def test_dates_are_rewritten_only_when_certain(written: str, iso: str | None) -> None:
    assert editor.iso_date(written) == iso


def test_a_quoted_us_date_is_rewritten_without_its_quotes() -> None:
    text = CASE.read_text(encoding="utf-8").replace("date: 2026-11-20", 'date: "11/20/2026"', 1)
    checked = _check(text)
    (fix,) = editor.fixes(text, checked.case, _only(checked, "schema.format"))
    fixed = _apply(text, fix)
    assert "date: 2026-11-20\n" in fixed and _check(fixed).diagnostics == []


def test_a_missing_key_is_inserted_as_a_skeleton_to_fill_in() -> None:
    original = CASE.read_text(encoding="utf-8")
    text = original.replace("  legal_name: Weber Power Supplies LLC\n", "", 1)
    checked = _check(text)
    (fix,) = editor.fixes(text, checked.case, _only(checked, "schema.required"))
    fixed = _apply(text, fix)
    assert '  contact: "Jana Weber, compliance@weber-power.example"\n  legal_name: "TODO: ' in fixed
    after = _check(fixed)
    assert after.case is not None and after.case.data["seller"]["legal_name"].startswith("TODO")
    assert [d.code for d in after.diagnostics] == ["lint.placeholder"]  # still to be written


def test_a_missing_list_of_objects_gets_one_item_with_its_required_keys() -> None:
    original = CASE.read_text(encoding="utf-8")
    checked = _check(original)
    assert checked.case is not None
    start, end = checked.case.span(("problems", 0, "corrective_actions"))
    key = original.rindex("corrective_actions:", 0, start)
    text = original[:key] + original[end:]
    broken = _check(text)
    required = [
        d for d in broken.diagnostics if d.message.endswith("'corrective_actions' is missing")
    ]
    (fix,) = editor.fixes(text, broken.case, required[0])
    fixed = _apply(text, fix)
    parsed = parse_case(NAME, fixed)
    (item,) = parsed.data["problems"][0]["corrective_actions"]
    assert set(item) == {"action", "why", "addresses", "date", "owner", "status"}


def test_a_lint_exception_is_added_with_a_reason_to_write() -> None:
    text = CASE.read_text(encoding="utf-8").replace("Closed the listing", "We will close it", 1)
    checked = _check(text)
    (fix,) = editor.fixes(text, checked.case, _only(checked, "lint.promise"))
    fixed = _apply(text, fix)
    after = _check(fixed)
    assert after.diagnostics == []
    assert after.case is not None
    (exception,) = after.case.data["lint"]["exceptions"]
    assert exception["rule"] == "lint.promise"
    assert exception["path"] == "$.problems[0].immediate_actions[0].action"
    assert exception["reason"].startswith("TODO")


@pytest.mark.parametrize(
    "lint_block",
    [
        "lint:\n  max_words: 900\n",
        "lint:\n  exceptions:\n    - rule: lint.length\n      reason: Amazon asked for it all\n",
        "lint:\n  exceptions: []\n",
    ],
)
def test_a_lint_exception_joins_an_existing_lint_block(lint_block: str) -> None:
    text = CASE.read_text(encoding="utf-8").replace("Closed the listing", "We will close it", 1)
    text += lint_block
    checked = _check(text)
    (fix,) = editor.fixes(text, checked.case, _only(checked, "lint.promise"))
    after = _check(_apply(text, fix))
    assert after.diagnostics == []
    assert after.case is not None
    rules = [e["rule"] for e in after.case.data["lint"]["exceptions"]]
    assert rules[-1] == "lint.promise" and len(rules) == (2 if "length" in lint_block else 1)


def test_hover_help_comes_from_the_schema() -> None:
    schema = editor.schema_at("4d", ("problems", 0, "corrective_actions", 0, "addresses"))
    assert schema is not None
    assert editor.describe("addresses", schema).startswith(
        "**addresses**\n\nThe root causes of this problem that this action removes."
    )
    assert editor.schema_at("4d", ("no_such_key",)) is None


def test_the_path_under_the_cursor() -> None:
    text = CASE.read_text(encoding="utf-8")
    case = parse_case(NAME, text)
    at = text.index("A2WEBERPOWER7Q")
    assert editor.path_at(case, at + 3) == (("seller", "merchant_token"), False)
    assert editor.path_at(case, text.index("merchant_token")) == (
        ("seller", "merchant_token"),
        True,
    )


@pytest.mark.parametrize(
    ("before", "expected"),
    [
        ("        evidence: [", "evidence"),
        ("        evidence: [E1, ", "evidence"),
        ("      - action: x\n        addresses: [", "addresses"),
        ("    addresses:\n      - RC1\n      - ", "addresses"),
        ("evidence: [", None),  # the case's own list of files
        ("        owner: [", None),
        ("    summary: the evidence: [", None),
    ],
)
def test_where_ids_are_completed(before: str, expected: str | None) -> None:
    text = "structure: 4d\n" + before
    assert editor.id_list_at(text, len(text)) == expected


def test_ids_are_completed_from_the_text_while_it_does_not_parse() -> None:
    text = "evidence:\n  - id: E1\n  - id: E7\n    file: x\nproblems: [\n  addresses: ["
    assert editor.id_choices(text, len(text), "evidence", None) == [("E1", ""), ("E7", "")]


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("status: done", "status: dnoe", "schema.enum"),
        ("scope: listing", "scope: listng", "schema.enum"),
    ],
)
def test_a_misspelt_choice_is_changed_to_the_suggestion(old: str, new: str, code: str) -> None:
    text = CASE.read_text(encoding="utf-8").replace(old, new, 1)
    checked = _check(text)
    (fix,) = editor.fixes(text, checked.case, _only(checked, code))
    assert fix.title == f"Change to '{old.split(': ')[1]}'"
    assert _check(_apply(text, fix)).diagnostics == []


def test_a_misspelt_rule_code_in_an_exception_is_changed() -> None:
    text = CASE.read_text(encoding="utf-8")
    text += "lint:\n  exceptions:\n    - rule: lint.lenght\n      reason: Amazon asked for it all\n"
    checked = _check(text)
    (fix,) = editor.fixes(text, checked.case, _only(checked, "schema.unknown-rule"))
    assert fix.title == "Change to 'lint.length'"
    assert "rule: lint.length\n" in _apply(text, fix)


def test_a_suggested_value_is_quoted_where_yaml_would_read_it_otherwise() -> None:
    assert editor._scalar("done") == "done"
    assert editor._scalar("no") == '"no"'
    assert editor._scalar("2026-11-20") == "2026-11-20"  # dates stay text in a case
    assert editor._scalar("a: b") == '"a: b"'


@pytest.mark.parametrize("structure", ["4d", "8d"])
def test_a_whole_skeleton_is_yaml_with_every_required_key(structure: str) -> None:
    schema = editor.schema_at(structure, ("problems",))
    assert schema is not None
    lines = editor._skeleton("problems", schema, structure, ("problems",))
    (problem,) = parse_case("skeleton.yaml", "\n".join(lines) + "\n").data["problems"]
    assert set(problem) == set(schema["items"]["required"])
    # 8D root causes need their method (an allOf in the schema).
    (cause,) = problem["root_causes"]
    assert set(cause) == ({"id", "cause", "method"} if structure == "8d" else {"id", "cause"})


def test_a_skeleton_of_objects_nested_in_objects_stops_at_the_guard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A schema whose object requires itself (a $ref cycle) must not recurse for ever."""
    looping = {"type": "object", "required": ["inner"]}
    monkeypatch.setattr(editor, "schema_at", lambda structure, path: looping)
    lines = editor._skeleton("outer", looping, "4d", ("outer",))
    assert len(lines) == editor.MAX_SKELETON_DEPTH + 1  # "outer:", then one line a level


def test_every_finding_of_a_bad_plan_spans_what_it_is_about() -> None:
    name = "tests/lint/bad-plan.yaml"
    text = (ROOT / name).read_text(encoding="utf-8")
    checked = pipeline.check_text(name, text, lint.load_settings())
    spans = {}
    for diagnostic in checked.diagnostics:
        start, end = editor.span(text, checked.case, diagnostic)
        assert text[start:end].strip(), diagnostic
        spans.setdefault(diagnostic.code, text[start:end])
    assert spans["lint.unaddressed-cause"] == "id: RC2"  # the root cause, by its id
    assert spans["lint.action-status"] == "planned"
    assert spans["evidence.missing"] == "evidence/invoice.pdf"
