"""What a reviewer of a change to a plan sees: rewritten sentences, exceptions, submissions."""

from __future__ import annotations

import copy

from generator import diff
from generator.loader import load_case


def test_a_rewritten_sentence_is_one_sentence_replaced_by_another() -> None:
    runs = diff._words_diff(
        "We closed the listing on 3 November. Stock was quarantined.",
        "The seller removed every offer after the notice arrived. Stock was quarantined.",
    )
    assert runs == [
        ("del", "We closed the listing on 3 November. "),
        ("ins", "The seller removed every offer after the notice arrived. "),
        ("same", "Stock was quarantined."),
    ]


def test_a_sentence_that_kept_most_of_its_words_is_shown_word_by_word() -> None:
    runs = diff._words_diff(
        "Refunded the 7 buyers who reported overheating.",
        "Refunded the 7 buyers who reported overheating and collected the chargers.",
    )
    assert runs == [
        ("same", "Refunded the 7 buyers who reported "),
        ("del", "overheating."),
        ("ins", "overheating and collected the chargers."),
    ]


def test_diff_and_text_show_lint_exceptions_with_reasons_and_the_submissions() -> None:
    before = load_case("tests/diff/asin-recall-v1.yaml").data
    after = copy.deepcopy(before)
    after["lint"] = {
        "exceptions": [{"rule": "lint.length", "reason": "Amazon asked for the full timeline."}]
    }
    after["submissions"] = [
        {
            "date": "2026-11-08",
            "version": "asin-recall/submitted-1",
            "outcome": "rejected",
            "feedback": "Your plan did not address the root cause.",
        },
    ]
    sections = {s.title: s for s in diff.diff_cases(before, after)}
    (exception,) = sections[diff.EXCEPTIONS].changes
    assert (exception.kind, exception.label) == ("added", "lint.length")
    assert exception.text == "Amazon asked for the full timeline."
    (submission,) = sections[diff.SUBMISSIONS].changes
    assert submission.kind == "added" and "did not address the root cause" in submission.text
    later = copy.deepcopy(after)
    later["submissions"][0]["outcome"] = "accepted"
    (changed,) = {s.title: s for s in diff.diff_cases(after, later)}[diff.SUBMISSIONS].changes
    assert changed.kind == "changed" and changed.fields[0][0] == "outcome"

    review = diff.render_review(after)
    assert review == (
        "\nLint exceptions\n- lint.length: off. Amazon asked for the full timeline.\n"
        "\nSubmissions\n- 2026-11-08 asin-recall/submitted-1: rejected. "
        'Amazon: "Your plan did not address the root cause."\n'
    )
    assert diff.render_review(before) == ""
