"""Capitals that shout and capitals that name, and the figures a satisfaction claim lacks."""

from __future__ import annotations

import pytest

from generator import judge, lemmas


@pytest.mark.parametrize(
    ("language", "word"),
    [
        ("en", "IMMEDIATELY"),
        ("en", "PLEASE"),
        ("de", "NIEMALS"),
        ("de", "ALLE"),
        ("fr", "IMMÉDIATEMENT"),
        ("fr", "TOUTES"),
        ("es", "TODAS"),
        ("es", "GRAVÍSIMO"),
        ("it", "TUTTE"),
        ("it", "FONDAMENTALE"),
    ],
)
def test_a_word_of_the_language_is_known_in_capitals(language: str, word: str) -> None:
    assert lemmas.known(word, language)


@pytest.mark.parametrize(
    ("language", "word"),
    [
        ("en", "FLEXICORE"),
        ("de", "EUROFINS"),
        ("de", "KAIMANN"),
        ("fr", "COFRAC"),
        ("es", "BIOSANA"),
        ("es", "KORVEN"),
        ("it", "KIDDOFUN"),
        ("it", "LINOVA"),
    ],
)
def test_a_name_is_no_word_of_the_language(language: str, word: str) -> None:
    assert not lemmas.known(word, language)


@pytest.mark.parametrize(
    ("language", "sentence", "figure"),
    [
        (
            "es",
            "Desde el 2 de febrero de 2026, con recogida a las 15:00, los clientes están contentos",
            False,
        ),
        ("de", "Seit dem 3. März 2026 (12.02.2026) sind die Kunden zufrieden", False),
        ("en", "Since 4 March 2026 customers are 20 % happier", True),
        ("es", "El 3 de marzo, 14 clientes estaban contentos", True),
    ],
)
def test_dates_and_times_are_no_figure_of_an_effect(
    language: str, sentence: str, figure: bool
) -> None:
    assert judge._has_figure(sentence, judge._grammar(language)) is figure
