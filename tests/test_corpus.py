"""The phrase rules reach 0.9 precision and recall on the labelled corpus, per rule and language."""

from __future__ import annotations

import pytest

from tests.corpus import RULES as PHRASE_RULES
from tests.corpus import evaluate, passages, report

LANGUAGES = ["en", "de", "fr", "es", "it"]
BAR = 0.9


def test_corpus_is_large_and_labelled_with_known_rules() -> None:
    assert len(passages("en")) >= 40
    for language in LANGUAGES:
        labelled = passages(language)
        assert len(labelled) >= 15, language
        for passage in labelled:
            assert set(passage) == {"text", "field", "expect"}
            assert set(passage["expect"]) <= set(PHRASE_RULES), passage
        # Every rule has passages that should fire it, or its score of 1.0 would mean nothing.
        labelled_rules = {rule for passage in labelled for rule in passage["expect"]}
        assert labelled_rules == set(PHRASE_RULES), (language, set(PHRASE_RULES) - labelled_rules)


@pytest.mark.parametrize("language", LANGUAGES)
def test_precision_and_recall_per_rule(language: str) -> None:
    table = evaluate(language)
    weak = {
        rule: row for rule, row in table.items() if row["precision"] < BAR or row["recall"] < BAR
    }
    assert not weak, "\n" + report([language])
