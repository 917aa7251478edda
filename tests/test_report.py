"""Diagnostics for machines and people: each output format parsed as its consumer would."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from jsonschema import Draft7Validator

from generator import catalogue, report
from generator.diagnostics import Diagnostic, Severity

SARIF_SCHEMA = json.loads(
    (Path(__file__).parent / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)

PROMISE = Diagnostic(
    "cases/asin-recall.yaml",
    31,
    17,
    Severity.ERROR,
    "lint.promise",
    "$.problems[0].immediate_actions[0].action",
    "'We will' promises an action instead of reporting one",
    "report what was done, in the past tense, with its date",
)
FILLER = Diagnostic(
    "cases/asin-recall.yaml",
    12,
    3,
    Severity.WARNING,
    "lint.filler",
    "$.problems[0].problem.summary",
    "100%, colon: and, comma\nnew line",
    "",
)
MISSING = Diagnostic(
    "cases/other.yaml", 1, 1, Severity.ERROR, "io.missing", "", "file not found", "check the path"
)
FILES = {
    "cases/asin-recall.yaml": [FILLER, PROMISE],
    "cases/clean.yaml": [],
    "cases/other.yaml": [MISSING],
}


def test_sarif_is_valid_2_1_0_with_a_result_per_diagnostic_and_a_rule_per_code() -> None:
    log = json.loads(report.to_sarif(FILES, report.describe))
    Draft7Validator(SARIF_SCHEMA, format_checker=Draft7Validator.FORMAT_CHECKER).validate(log)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == ["io.missing", "lint.filler", "lint.promise"]
    promise = next(rule for rule in rules if rule["id"] == "lint.promise")
    assert promise["defaultConfiguration"]["level"] == "error"
    assert "Why" not in promise["help"]["text"] and "past tense" in promise["help"]["text"]
    results = run["results"]
    assert len(results) == 3
    first = next(r for r in results if r["ruleId"] == "lint.promise")
    assert rules[first["ruleIndex"]]["id"] == "lint.promise"
    assert first["level"] == "error"
    region = first["locations"][0]["physicalLocation"]
    assert region["artifactLocation"]["uri"] == "cases/asin-recall.yaml"
    assert region["region"] == {"startLine": 31, "startColumn": 17}
    assert [a["location"]["uri"] for a in run["artifacts"]] == list(FILES)


def test_sarif_of_a_clean_run_is_valid_and_empty() -> None:
    log = json.loads(report.to_sarif({"cases/clean.yaml": []}, report.describe))
    Draft7Validator(SARIF_SCHEMA).validate(log)
    assert log["runs"][0]["results"] == []


def test_sarif_names_an_absolute_path_outside_the_folder_by_its_file_uri(tmp_path: Path) -> None:
    file = str(tmp_path / "x.yaml")
    log = json.loads(
        report.to_sarif(
            {file: [MISSING.__class__(file, 1, 1, Severity.ERROR, "io.missing", "", "m")]},
            report.describe,
        )
    )
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == (tmp_path / "x.yaml").as_uri()


def test_json_lists_every_case_with_its_diagnostics_and_totals() -> None:
    document = json.loads(report.to_json(FILES))
    assert document["summary"] == {"cases": 3, "errors": 2, "warnings": 1}
    cases = {case["file"]: case for case in document["cases"]}
    assert cases["cases/clean.yaml"] == {"file": "cases/clean.yaml", "ok": True, "diagnostics": []}
    assert cases["cases/asin-recall.yaml"]["ok"] is False
    assert cases["cases/asin-recall.yaml"]["diagnostics"][1] == {
        "file": "cases/asin-recall.yaml",
        "line": 31,
        "column": 17,
        "severity": "error",
        "code": "lint.promise",
        "path": "$.problems[0].immediate_actions[0].action",
        "message": "'We will' promises an action instead of reporting one",
        "hint": "report what was done, in the past tense, with its date",
    }


def test_github_commands_escape_what_would_end_a_property_or_the_line() -> None:
    line = report.format_github(FILLER)
    assert line.startswith(
        "::warning file=cases/asin-recall.yaml,line=12,col=3,title=actionplan [lint.filler]::"
    )
    assert "\n" not in line
    message = line.split("::", 2)[2]
    assert message == "$.problems[0].problem.summary: 100%25, colon: and, comma\\u000anew line"
    assert report.format_github(PROMISE).startswith("::error ")
    odd = Diagnostic("a,b:c.yaml", 1, 1, Severity.ERROR, "io.missing", "", "m")
    assert "file=a%2Cb%3Ac.yaml," in report.format_github(odd)


def test_junit_fails_a_test_per_error_and_passes_a_clean_case() -> None:
    root = ElementTree.fromstring(report.to_junit(FILES))
    assert root.tag == "testsuites"
    assert root.get("failures") == "2" and root.get("tests") == "4"
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert suites["cases/clean.yaml"].get("failures") == "0"
    assert [case.get("name") for case in suites["cases/clean.yaml"]] == ["actionplan"]
    recall = suites["cases/asin-recall.yaml"]
    assert recall.get("tests") == "2" and recall.get("failures") == "1"
    failure = recall.find("testcase/failure")
    assert failure is not None and failure.get("type") == "lint.promise"
    assert failure.text == PROMISE.format()
    warning = [case for case in recall if case.find("failure") is None]
    assert warning[0].findtext("system-out") == report.printable(FILLER.format())


@pytest.mark.parametrize(
    ("choice", "no_color", "tty", "expected"),
    [
        ("auto", "", True, True),
        ("auto", "", False, False),
        ("auto", "1", True, False),
        ("always", "1", False, True),
        ("never", "", True, False),
    ],
)
def test_colour_follows_the_option_then_no_color_then_the_terminal(
    monkeypatch: pytest.MonkeyPatch, choice: str, no_color: str, tty: bool, expected: bool
) -> None:
    monkeypatch.setenv("NO_COLOR", no_color)

    class Stream:
        def isatty(self) -> bool:
            return tty

    assert report.use_colour(choice, Stream()) is expected  # type: ignore[arg-type]


def test_coloured_text_is_the_plain_line_with_escape_codes_around_its_parts() -> None:
    import click

    coloured = report.format_text(PROMISE, colour=True)
    assert "\x1b[31m" in coloured  # the error in red
    assert click.unstyle(coloured) == PROMISE.format()
    assert report.format_text(PROMISE, colour=False) == PROMISE.format()


def test_summary_counts_cases_errors_and_warnings() -> None:
    reporter = report.Reporter()
    for file, found in FILES.items():
        reporter.files[file] = found
    assert reporter.summary() == "2 error(s), 1 warning(s) in 3 case(s)"
    assert reporter.failed
    clean = report.Reporter(files={"cases/clean.yaml": []})
    assert clean.summary() == "1 case checked: no problems" and not clean.failed


def test_a_rule_is_explained_from_the_catalogue_and_other_codes_by_family() -> None:
    from generator import lint

    rule = lint.rules()["lint.promise"]
    text = report.explain("lint.promise")
    assert text is not None
    assert text.startswith(f"lint.promise: {rule.title}\n")
    assert rule.why in text and rule.bad in text and rule.good in text
    assert report.explain("lint.promse") is None
    assert catalogue.closest("lint.promse")[0] == "lint.promise"
    assert report.describe("schema.required").title == report.FAMILIES["schema"]
