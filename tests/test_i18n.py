"""Every language has every label; each renders the same plan with its own words and dates."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import i18n, pipeline, render
from generator.loader import load_case
from generator.resources import RULES, TEMPLATES
from tests.conftest import TESTS

LANGUAGES = i18n.languages()  # the schema's list


def test_rules_and_labels_have_a_file_for_exactly_the_schemas_languages() -> None:
    assert set(LANGUAGES) == {"en", "de", "fr", "es", "it"}
    labels = {path.stem for path in (TEMPLATES / "i18n").glob("*.yaml")}
    phrases = {path.stem for path in RULES.glob("*.yaml")} - {"rules", "evidence"}
    assert labels == set(LANGUAGES)
    assert phrases == set(LANGUAGES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_names_every_language(language: str) -> None:
    names = render.locale(language)["languages"]
    assert set(names) == set(LANGUAGES)
    assert names[language] != names["en" if language != "en" else "de"]


def _shape(node: Any, path: str = "") -> set[str]:
    """Every key path of a nested mapping, with list lengths, for comparing label files."""
    if path == ".spaces":  # marks that take a space before them: their own in each language
        return {path}
    if isinstance(node, dict):
        return {p for key, value in node.items() for p in _shape(value, f"{path}.{key}")}
    if isinstance(node, list):
        return {f"{path}[{len(node)}]"}
    return {path}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_exactly_the_english_keys(language: str) -> None:
    english = yaml.safe_load((TEMPLATES / "i18n" / "en.yaml").read_text(encoding="utf-8"))
    other = yaml.safe_load((TEMPLATES / "i18n" / f"{language}.yaml").read_text(encoding="utf-8"))
    assert _shape(other) == _shape(english)
    empty = [
        path
        for path, value in _leaves(other)
        if not str(value).strip() and not path.startswith(".spaces.")  # a space is its value
    ]
    assert not empty, f"empty labels: {empty}"


def _leaves(node: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every value of a nested mapping with its key path."""
    if isinstance(node, dict):
        return [leaf for key, value in node.items() for leaf in _leaves(value, f"{path}.{key}")]
    if isinstance(node, list):
        return [leaf for i, value in enumerate(node) for leaf in _leaves(value, f"{path}[{i}]")]
    return [(path, node)]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_has_phrase_lists_for_every_rule(language: str) -> None:
    english = yaml.safe_load((RULES / "en.yaml").read_text(encoding="utf-8"))
    other = yaml.safe_load((RULES / f"{language}.yaml").read_text(encoding="utf-8"))
    assert set(other) == set(english)
    for key, value in other.items():
        assert value, f"rules/{language}.yaml: {key} is empty"


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_plan_in_each_language_matches_its_golden(language: str, golden) -> None:  # type: ignore[no-untyped-def]
    case = load_case("cases/asin-recall.yaml")
    data = copy.deepcopy(case.data)
    data["language"] = language
    golden(TESTS / "golden" / "i18n" / f"asin-recall.{language}.md", render.render_markdown(data))


def test_missing_label_is_a_build_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2

    words = copy.deepcopy(render.locale("en"))
    del words["sections"]["4d"]["d3"]
    monkeypatch.setattr(render, "locale", lambda language: words)
    with pytest.raises(jinja2.UndefinedError):
        render.render_markdown(load_case("cases/asin-recall.yaml").data)


def test_dates_follow_the_language() -> None:
    expected = {
        "en": "26 November 2026",
        "de": "26. November 2026",
        "fr": "26 novembre 2026",
        "es": "26 de noviembre de 2026",
        "it": "26 novembre 2026",
    }
    for language, text in expected.items():
        assert render.format_date("2026-11-26", render.locale(language)["date"]) == text


def test_html_and_pdf_carry_the_language(tmp_path: Path) -> None:
    case = load_case("cases/asin-recall.yaml")
    case.data = copy.deepcopy(case.data)
    case.data["language"] = "de"
    outputs = pipeline.render_outputs(case, [], ("html", "pdf"))
    assert b'<html lang="de">' in outputs["html"]
    assert b"/Lang (de)" in outputs["pdf"] or b"/Lang(de)" in outputs["pdf"]
    assert "Maßnahmenplan".encode() in outputs["html"]
