"""The rule catalogue: its own schema, read once, and rule codes people write checked against it."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import yaml

from generator import catalogue, checks, lint
from generator.diagnostics import UserError
from generator.loader import parse_case
from generator.validate import validate_case
from tests.helpers import run


def _minimal() -> str:
    return Path("tests/minimal-4d.yaml").read_text()


def test_a_misspelt_rule_in_the_repository_config_is_an_error_naming_the_rule(
    tmp_path: Path,
) -> None:
    (tmp_path / "actionplan.yaml").write_text("lint:\n  severity:\n    lint.promse: warning\n")
    with pytest.raises(UserError) as caught:
        lint.load_settings(tmp_path)
    assert [d.format() for d in caught.value.diagnostics] == [
        f"{tmp_path / 'actionplan.yaml'}:3:5: error [schema.unknown-rule] "
        "$.lint.severity.lint.promse: unknown rule 'lint.promse': did you mean 'lint.promise'?"
    ]


def test_a_misspelt_rule_in_a_case_exception_is_an_error_and_the_finding_stays(
    tmp_path: Path,
) -> None:
    text = _minimal().replace("Closed the listing.", "We will close the listing.") + (
        "lint:\n  exceptions:\n    - rule: lint.promse\n      reason: quoted from the notice\n"
    )
    case = parse_case("x.yaml", text)
    found = validate_case(case)
    assert [d.format() for d in found] == [
        f"x.yaml:{text.count(chr(10)) - 1}:13: error [schema.unknown-rule] "
        "$.lint.exceptions[0].rule: unknown rule 'lint.promse': did you mean 'lint.promise'?"
    ]
    path = tmp_path / "x.yaml"
    path.write_text(text)
    code, _, err = run("lint", str(path))
    assert code == 1 and "did you mean 'lint.promise'?" in err


def test_a_rule_code_far_from_any_points_to_the_list() -> None:
    assert catalogue.unknown_code("lint.promise") is None
    assert catalogue.unknown_code("lint.zzzzzzzz") == "see `actionplan rules` for the rule codes"


def test_the_catalogue_rejects_unknown_keys(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    entries = yaml.safe_load(Path("rules/rules.yaml").read_text())
    entries[0]["severty"] = "error"
    (tmp_path / "rules.yaml").write_text(yaml.safe_dump(entries, allow_unicode=True))
    monkeypatch.setattr(catalogue, "RULES", tmp_path)
    catalogue.rules.cache_clear()
    try:
        with pytest.raises(catalogue.CatalogueError, match="severty"):
            catalogue.rules()
    finally:
        catalogue.rules.cache_clear()


def test_the_catalogue_is_the_one_list_of_rule_names() -> None:
    """The lint, the phrase lists, the corpus and the docs take the names from the catalogue."""
    assert checks.phrase_lists() == tuple(n.replace("-", "_") for n in catalogue.phrase_rules())
    assert set(checks.rule_scopes()) == set(catalogue.rules())
    for language in checks.languages():
        lists = set(checks._raw_phrases(language))
        assert set(checks.phrase_lists()) <= lists, language


def test_findings_speak_the_plans_language() -> None:
    text = Path("cases/de-marken-beschwerde.yaml").read_text(encoding="utf-8")
    case = parse_case("de.yaml", text + "\n" if not text.endswith("\n") else text)
    data = case.data
    assert data["language"] == "de"
    owner = data["problems"][0]["corrective_actions"][0]["owner"]
    bad = parse_case("de.yaml", text.replace(f"owner: {owner}", "owner: das Team", 1))
    found = [d for d in lint.lint_case(bad, lint.load_settings(Path("/nonexistent")))]
    assert [d.code for d in found] == ["lint.vague-owner"]
    assert found[0].message == "Verantwortlicher 'das Team' nennt keine Person und keine Rolle"
    assert found[0].hint.startswith("nennen Sie die verantwortliche Person")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_content_rule_has_its_wording_in_every_language() -> None:
    """lint.*, evidence.* and the problems of evidence files: the message, the fix and every
    variant of them in each language, naming exactly the English placeholders."""
    every = [*catalogue.rules().values(), *catalogue.rules().files.values()]
    assert sum(rule.code.startswith("evidence.") for rule in every) == 20  # 10 rules, 10 files
    for rule in every:
        assert set(rule.hints) == set(checks.languages()) - {"en"}, rule.code
        for language, hint in rule.hints.items():
            written = hint.get("variants", {})
            assert set(written) == set(rule.variants), (rule.code, language)
            for variant in ("", *rule.variants):
                where = (rule.code, language, variant)
                if variant:  # it rewords what the English variant rewords, no more, no less
                    assert set(written[variant]) == set(rule.variants[variant]), where
                english = [_placeholders(t) for t in rule.wording("en", variant)]
                local = [_placeholders(t) for t in rule.wording(language, variant)]
                assert local == english, where


def test_a_problem_of_an_evidence_file_is_worded_by_the_catalogue_but_never_regraded() -> None:
    damaged = catalogue.file_problem("evidence.damaged")
    assert damaged.severity == "error" and damaged.file
    assert damaged.wording("fr", "png-end") == (
        "'{file}' est un PNG endommagé ou tronqué (il n'a pas de fin)",
        "ouvrez-le et enregistrez-le ou exportez-le de nouveau",
    )
    assert "evidence.damaged" not in catalogue.rules()  # a build cannot use the file
    assert catalogue.unknown_code("evidence.damaged") is not None  # so no exception waives it


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("de", "der Text liest sich wie Englisch, die Sprache des Plans ist aber Deutsch"),
        ("fr", "le texte semble écrit en anglais, mais la langue du plan est français"),
        ("it", "il testo sembra in inglese, ma la lingua del piano è italiano"),
    ],
)
def test_the_language_found_is_named_in_the_plans_language(language: str, message: str) -> None:
    case = parse_case("x.yaml", _minimal().replace("language: en", f"language: {language}"))
    found = lint.lint_case(case, lint.load_settings(Path("/nonexistent")))
    assert [d.message for d in found if d.code == "lint.language"] == [message]
