"""The content lint: findings at the right place, grading by config and exceptions, the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from generator import lint, pipeline
from generator.diagnostics import Severity, UserError
from generator.loader import load_case, parse_case
from generator.validate import validate_case
from tests.helpers import run

LINT = Path("tests/lint")


BAD_PLANS = ("bad-plan", "bad-8d", "bad-language", "bad-evidence", "bad-seller")


@pytest.mark.parametrize("name", BAD_PLANS)
def test_bad_plans_give_exact_findings(name: str, golden) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run("lint", str(LINT / f"{name}.yaml"))
    assert code == (0 if name == "bad-language" else 1)  # that one has only a warning
    golden(LINT / f"{name}.expected", err)


def test_every_rule_is_exercised_by_the_bad_plans() -> None:
    expected = "".join((LINT / f"{n}.expected").read_text() for n in BAD_PLANS)
    for code in lint.rules():
        assert f"[{code}]" in expected, f"no test case produces {code}"


def test_findings_point_at_the_words() -> None:
    findings = (LINT / "bad-plan.expected").read_text().splitlines()
    source = (LINT / "bad-plan.yaml").read_text().splitlines()
    pointed = set()
    for line in findings[:-1]:  # the last line is the summary
        _, row, column, rest = line.split(":", 3)
        for code in ("lint.promise", "lint.blame", "lint.emotion"):
            if f"[{code}]" in rest:
                quoted = rest.split("'")[1]
                text = source[int(row) - 1][int(column) - 1 :]
                assert text.lower().startswith(quoted.lower()), (line, text)
                pointed.add(code)
    assert pointed == {"lint.promise", "lint.blame", "lint.emotion"}


def _case(text: str):  # type: ignore[no-untyped-def]
    return parse_case("x.yaml", text)


def _minimal() -> str:
    return Path("tests/minimal-4d.yaml").read_text()


def test_minimal_cases_lint_clean() -> None:
    for name in ("tests/minimal-4d.yaml", "tests/minimal-8d.yaml"):
        assert run("lint", name) == (0, "", "1 case checked: no problems\n")


def test_case_exception_turns_a_rule_off_with_a_reason() -> None:
    text = _minimal().replace("Closed the listing.", "We will close the listing.")
    settings = lint.load_settings(Path("/nonexistent"))
    codes = [d.code for d in lint.lint_case(_case(text), settings)]
    assert codes == ["lint.promise"]
    excepted = text + (
        "lint:\n  exceptions:\n    - rule: lint.promise\n"
        "      path: $.problems[0].immediate_actions\n      reason: quoted from the notice\n"
    )
    assert lint.lint_case(_case(excepted), settings) == []
    elsewhere = excepted.replace(
        "immediate_actions\n      reason", "corrective_actions\n      reason"
    )
    assert [d.code for d in lint.lint_case(_case(elsewhere), settings)] == ["lint.promise"]


def test_repository_config_regrades_and_sets_budgets(tmp_path: Path) -> None:
    (tmp_path / "actionplan.yaml").write_text(
        "lint:\n  severity:\n    lint.promise: warning\n  max_words: {4d: 50}\n"
    )
    settings = lint.load_settings(tmp_path)
    assert settings.max_words == {"4d": 50, "8d": 1500}
    text = _minimal().replace("Closed the listing.", "We will close the listing.")
    found = {d.code: d.severity for d in lint.lint_case(_case(text), settings)}
    assert found == {"lint.promise": Severity.WARNING, "lint.length": Severity.WARNING}


def test_an_unquoted_off_in_the_config_turns_a_rule_off(tmp_path: Path) -> None:
    # As the README writes it; YAML 1.1 read `off` as false, which the schema refused.
    (tmp_path / "actionplan.yaml").write_text("lint:\n  severity: {lint.promise: off}\n")
    settings = lint.load_settings(tmp_path)
    text = _minimal().replace("Closed the listing.", "We will close the listing.")
    assert "lint.promise" not in {d.code for d in lint.lint_case(_case(text), settings)}


def test_yes_and_no_are_words_true_and_false_booleans() -> None:
    from generator import loader

    data = loader.parse_case("x.yaml", "a: yes\nb: Off\nc: true\nd: FALSE\n").data
    assert data == {"a": "yes", "b": "Off", "c": True, "d": False}


def test_invalid_repository_config_is_a_diagnostic(tmp_path: Path) -> None:
    (tmp_path / "actionplan.yaml").write_text("lint:\n  severity:\n    lint.promise: loud\n")
    with pytest.raises(UserError) as caught:
        lint.load_settings(tmp_path)
    assert caught.value.diagnostics[0].format() == (
        f"{tmp_path / 'actionplan.yaml'}:3:19: error [schema.enum] $.lint.severity.lint.promise: "
        "'loud' is not allowed here: use one of: error, warning, note, off"
    )


def test_repository_config_is_explained_as_a_case_is(tmp_path: Path) -> None:
    """actionplan.yaml goes through the same schema explanations as a case: unknown keys with
    'did you mean', types in words, one line per mistake."""
    (tmp_path / "actionplan.yaml").write_text(
        "lint:\n  max_word: {4d: 50}\n  max_chars: lots\n  max_section_words: [300]\n"
        '  max_words: {8d: "1500"}\n'
    )
    with pytest.raises(UserError) as caught:
        lint.load_settings(tmp_path)
    config = tmp_path / "actionplan.yaml"
    assert [d.format() for d in caught.value.diagnostics] == [
        f"{config}:2:3: error [schema.unknown-key] $.lint.max_word: unknown key 'max_word': "
        "did you mean 'max_words'?",
        f"{config}:3:14: error [schema.type] $.lint.max_chars: expected a whole number, found "
        "text: write a whole number",
        f"{config}:4:22: error [schema.type] $.lint.max_section_words: expected a whole number, "
        "found a list: write a whole number",
        f"{config}:5:19: error [schema.type] $.lint.max_words.8d: expected a whole number, "
        "found text: write it without quotes: 1500",
    ]


def _variant(tmp_path: Path, old: str, new: str) -> Path:
    """The minimal 4D case with one change, beside a copy of its evidence folder."""
    shutil.copytree("tests/minimal-4d", tmp_path / "variant")
    path = tmp_path / "variant.yaml"
    path.write_text(_minimal().replace(old, new))
    return path


def test_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    path = _variant(tmp_path, "owner: Jana Weber, Compliance", "owner: the team")
    code, _, err = run("lint", str(path))
    assert code == 0 and "warning [lint.vague-owner]" in err
    code, _, err = run("lint", "--strict", str(path))
    assert code == 1 and "error [lint.vague-owner]" in err


def test_build_stops_on_lint_errors_unless_allowed(tmp_path: Path) -> None:
    # An action dated after the plan is an error in every language, whatever the corpus says.
    path = _variant(
        tmp_path,
        "        date: 2026-10-28\n        owner",
        "        date: 2026-12-28\n        owner",
    )
    out_dir = str(tmp_path / "out")
    code, out, err = run("build", "--out", out_dir, str(path))
    assert code == 1 and out == "" and err.endswith("variant.yaml: not built\n")
    code, out, err = run("build", "--allow-lint-errors", "--out", out_dir, str(path))
    assert code == 0 and "error [lint.action-date]" in err
    assert (tmp_path / "out" / "variant" / "variant.pdf").exists()


def test_evidence_errors_always_stop_the_build(tmp_path: Path) -> None:
    bad = str(LINT / "bad-8d.yaml")
    code, out, err = run("build", "--allow-lint-errors", "--out", str(tmp_path), bad)
    assert code == 1 and out == "" and "error [evidence.missing]" in err


def test_examples_lint_clean_with_strict() -> None:
    assert run("lint", "-q", "--strict") == (0, "", "")


def test_rules_reference_is_generated_from_the_rules_file() -> None:
    assert Path("docs/rules.md").read_text() == lint.rules_markdown(), (
        "regenerate: actionplan rules --markdown > docs/rules.md"
    )


def test_every_rule_is_documented_fully() -> None:
    raw = yaml.safe_load(Path("rules/rules.yaml").read_text())
    for entry in raw:
        for key in ("code", "severity", "title", "message", "fix", "why", "bad", "good"):
            assert entry.get(key), f"{entry.get('code')}: {key} is missing"
        assert entry["severity"] in ("error", "warning", "note")


def test_lint_runs_only_on_valid_cases() -> None:
    checked = pipeline.check_case("tests/invalid/wrong-type.yaml", lint.load_settings())
    assert {d.code for d in checked.diagnostics} == {"schema.type"}


def test_cached_analysis_of_the_phrase_lists_matches_a_fresh_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from generator import checks, i18n

    languages = i18n.languages()
    for language in languages:
        checks.derive_phrases(language)  # analysed and stored, or read from the store
    with monkeypatch.context() as patch:
        # Derived again, every analysis must come from the store: none is made.
        patch.setattr(checks, "analyse", lambda source: pytest.fail(f"analysed: {source}"))
        loaded = {language: checks.derive_phrases(language) for language in languages}
    count = 0
    for language in languages:
        for name in (*checks.phrase_lists(), "vague_owners"):
            for phrase in loaded[language][name]:
                prefixes, required, at_word = checks.analyse(phrase.source)
                assert phrase.prefixes == (None if prefixes is None else frozenset(prefixes))
                assert phrase.required == tuple(frozenset(g) for g in required)
                assert phrase.at_word == at_word
                count += 1
    assert count > 100


def test_the_prefilter_never_hides_a_match(monkeypatch: pytest.MonkeyPatch) -> None:
    """Findings with the prefilter (trigger words, required literals) equal those of every
    pattern run on every text: on each labelled passage of the corpus and each example field."""
    from generator import checks, prefilter
    from tests import corpus

    texts: dict[str, list[checks.Text]] = {}
    for language in checks.languages():
        texts[language] = [
            checks.Text(("text",), corpus.FIELD_KIND[p["field"]], p["text"])
            for p in corpus.passages(language, "dev")
        ]
    for path in sorted(Path("cases").glob("*.yaml")):
        data = load_case(path).data
        texts[data["language"]] += checks.texts(data)

    def findings() -> dict[str, list[set[checks.Finding]]]:
        return {
            language: [set(checks.phrase_findings(text, language)) for text in pieces]
            for language, pieces in texts.items()
        }

    filtered = findings()

    class Everything:
        def __init__(self, count: int) -> None:
            self.count = count

        def candidates(self, lowered: str) -> set[int]:
            return set(range(self.count))

    for language in texts:
        lists = checks.phrases(language)
        monkeypatch.setitem(lists, "trigger", Everything(len(lists["rule_of"])))
    monkeypatch.setattr(prefilter, "has_required", lambda required, lowered: True)
    assert sum(len(pieces) for pieces in texts.values()) > 500
    assert findings() == filtered


def test_a_notice_asin_in_isbn_form_named_in_the_text_counts_as_discussed() -> None:
    """The schema allows ten-digit ASINs (books): naming one in the problem is enough."""
    isbn = _minimal().replace("asins: [B07XYZ1234]", 'asins: ["3161484100"]')
    named = _case(isbn.replace("charger B07XYZ1234", "charger 3161484100"))
    unnamed = _case(isbn.replace("charger B07XYZ1234", "charger"))
    settings = lint.load_settings()
    assert not validate_case(named) and not validate_case(unnamed)
    assert "lint.asin-missing" not in {d.code for d in lint.lint_case(named, settings)}
    assert "lint.asin-missing" in {d.code for d in lint.lint_case(unnamed, settings)}
