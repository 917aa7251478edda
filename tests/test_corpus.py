"""The phrase rules against the labelled corpus: the held-out part is held to the issue's targets
(precision 0.90, recall 0.85 per rule and language, false alarms on at most 3 % of good passages);
a cell the rules do not reach yet is held to the figure it reached (FLOORS), never below it."""

from __future__ import annotations

import pytest

from generator import catalogue
from tests.corpus import LANGUAGES, PARTS, QUALITY, RULES, evaluate, passages, quality_table, report

PRECISION, RECALL, FALSE_ALARMS = 0.90, 0.85, 0.03
# (language, rule or "good", measure): the figure reached on the held-out part where it is short
# of the target (measured on 658 held-out passages at the end of the second session of
# 1 December 2026; 25 cells were short before it, 17 after). These are the cells that miss the
# issue's targets; raise a floor when the rules improve, never lower one to let a change pass.
FLOORS: dict[tuple[str, str, str], float] = {
    ("en", "promise", "precision"): 0.89,
    ("en", "blame", "recall"): 0.73,
    ("en", "vague", "recall"): 0.76,
    ("de", "promise", "recall"): 0.78,
    ("de", "emotion", "precision"): 0.87,
    ("de", "filler", "recall"): 0.81,
    ("fr", "blame", "recall"): 0.64,
    ("fr", "emotion", "precision"): 0.87,
    ("es", "blame", "recall"): 0.76,
    ("es", "emotion", "precision"): 0.66,
    ("es", "vague", "recall"): 0.72,
    ("es", "good", "share"): 0.058,
    ("it", "emotion", "precision"): 0.85,
    ("it", "filler", "recall"): 0.80,
    ("it", "question", "precision"): 0.85,
    ("it", "support-case", "recall"): 0.80,
    ("it", "vague", "recall"): 0.66,
}


def test_corpus_is_large_split_and_labelled_with_known_rules() -> None:
    total = good = 0
    for language in LANGUAGES:
        both = passages(language, "dev") + passages(language, "holdout")
        assert len(both) >= 100, language
        total += len(both)
        good += sum(not p["expect"] for p in both)
        for passage in both:
            assert {"text", "field", "expect"} <= set(passage), passage
            assert set(passage["expect"]) <= set(RULES), passage
        # Every rule has development passages that should fire it, or a 1.0 means nothing.
        labelled = {rule for p in passages(language, "dev") for rule in p["expect"]}
        assert labelled == set(RULES), (language, set(RULES) - labelled)
    assert total >= 600
    assert good / total >= 0.40
    # Unread while tuning: the held-out part and the sealed parts, a share of all labelled text.
    sealed = sum(len(passages(language, part)) for language in LANGUAGES for part in SEALED)
    held_out = sum(len(passages(language, "holdout")) for language in LANGUAGES)
    assert (held_out + sealed) / (total + sealed) >= 0.30


@pytest.mark.parametrize("language", LANGUAGES)
def test_held_out_part_meets_the_targets(language: str) -> None:
    table = evaluate(language, "holdout")
    short = []
    for rule in RULES:
        row = table[rule]
        for measure, target in (("precision", PRECISION), ("recall", RECALL)):
            bar = FLOORS.get((language, rule, measure), target)
            if row[measure] < bar:
                short.append(f"{rule} {measure} {row[measure]:.2f} < {bar:.2f}")
    bar = FLOORS.get((language, "good", "share"), FALSE_ALARMS)
    if table["good"]["share"] > bar:
        short.append(f"false alarms {table['good']['share']:.1%} > {bar:.1%}")
    assert not short, "\n".join(short) + "\n" + report("holdout", (language,))


def test_floors_are_below_the_targets() -> None:
    """A floor is for a cell short of its target, not a way to lower a target that is met."""
    for (_, rule, measure), floor in FLOORS.items():
        target = {"precision": PRECISION, "recall": RECALL, "share": FALSE_ALARMS}[measure]
        assert (floor > target) if measure == "share" else (floor < target), (rule, measure)


def test_the_parts_are_separate_folders() -> None:
    assert PARTS["holdout"].parent == PARTS["dev"]
    for language in LANGUAGES:
        header = (PARTS["dev"] / f"{language}.yaml").read_text(encoding="utf-8")[:600]
        assert "development part" in header.lower(), language


def test_recorded_quality_is_the_held_out_measurement() -> None:
    """rules/quality.json (severity, docs/rules.md) is what the held-out part measures now."""
    assert QUALITY.read_text(encoding="utf-8") == quality_table(), (
        "run: python -m tests.corpus --record, then actionplan rules --markdown > docs/rules.md"
    )


def test_a_phrase_rule_is_an_error_only_where_it_is_precise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At the bar (0.95 with 3 findings) a phrase rule errs; just below either, it warns."""
    promise = catalogue.rules()["lint.promise"]
    rows = {
        "en": {"tp": 19, "fp": 1, "precision": 0.95},
        "de": {"tp": 19, "fp": 2, "precision": 0.904},
        "fr": {"tp": 2, "fp": 0, "precision": 1.0},
        "es": {"tp": 3, "fp": 0, "precision": 1.0},
    }
    monkeypatch.setattr(catalogue, "quality", lambda: {"promise": rows})
    got = {language: catalogue.severity(promise, language) for language in LANGUAGES}
    assert got == {"en": "error", "de": "warning", "fr": "warning", "es": "error", "it": "warning"}


# The sealed parts (tests/lint-corpus/sealed*/, 200 passages each), written blind to the rules and
# to every other passage and never tuned against: per rule over all five languages (precision,
# recall) and the share of good passages with a false alarm, as measured when the rules were done
# (sealed/ first on 1 December 2026 and again at the end of that day's changes, sealed-2/ after the
# first round of them, sealed-3/ once at the end, sealed-4/ written after the rules were final and
# measured once; sealed-5/ written blind at the start of the next session and measured once when
# its rules were done, sealed-6/ written blind late in that session and measured once after its
# last rules). A change to the rules must not make them worse.
SEALED: dict[str, tuple[dict[str, tuple[float, float]], float]] = {
    "sealed": (
        {
            "placeholder": (1.00, 1.00),
            "promise": (0.92, 0.96),
            "blame": (0.95, 0.81),
            "emotion": (0.87, 0.93),
            "filler": (0.80, 0.85),
            "question": (1.00, 1.00),
            "support-case": (1.00, 1.00),
            "vague": (1.00, 0.64),
        },
        0.050,
    ),
    "sealed-2": (
        {
            "placeholder": (1.00, 1.00),
            "promise": (1.00, 0.92),
            "blame": (0.87, 0.51),
            "emotion": (1.00, 0.86),
            "filler": (0.90, 0.95),
            "question": (1.00, 1.00),
            "support-case": (1.00, 1.00),
            "vague": (1.00, 0.88),
        },
        0.012,
    ),
    "sealed-3": (
        {
            "placeholder": (0.83, 1.00),
            "promise": (0.92, 1.00),
            "blame": (0.95, 0.76),
            "emotion": (0.77, 0.93),
            "filler": (1.00, 0.90),
            "question": (1.00, 1.00),
            "support-case": (1.00, 1.00),
            "vague": (1.00, 0.88),
        },
        0.023,
    ),
    "sealed-4": (
        {
            "placeholder": (1.00, 0.75),
            "promise": (1.00, 0.89),
            "blame": (0.95, 0.79),
            "emotion": (0.80, 0.80),
            "filler": (0.95, 0.95),
            "question": (1.00, 1.00),
            "support-case": (1.00, 1.00),
            "vague": (1.00, 0.84),
        },
        0.023,
    ),
    "sealed-5": (
        {
            "placeholder": (1.00, 1.00),
            "promise": (0.92, 1.00),
            "blame": (0.95, 0.73),
            "emotion": (0.94, 1.00),
            "filler": (0.95, 0.95),
            "question": (1.00, 1.00),
            "support-case": (1.00, 1.00),
            "vague": (0.91, 0.84),
        },
        0.034,
    ),
    "sealed-6": (
        {
            "placeholder": (1.00, 1.00),
            "promise": (1.00, 1.00),
            "blame": (1.00, 0.73),
            "emotion": (0.84, 0.94),
            "filler": (1.00, 1.00),
            "question": (1.00, 1.00),
            "support-case": (1.00, 1.00),
            "vague": (1.00, 0.84),
        },
        0.023,
    ),
}


@pytest.mark.parametrize("part", SEALED)
def test_the_sealed_parts_keep_the_figures_they_were_measured_at(part: str) -> None:
    from tests.corpus import totals

    bars, false_alarms = SEALED[part]
    table = totals(part)
    assert sum(len(passages(language, part)) for language in LANGUAGES) == 200
    assert set(bars) == set(RULES)
    short = [
        f"{rule} {measure} {table[rule][measure]:.2f} < {bar:.2f}"
        for rule, pair in bars.items()
        for measure, bar in zip(("precision", "recall"), pair, strict=True)
        if table[rule][measure] < bar
    ]
    if table["good"]["share"] > false_alarms:
        short.append(f"false alarms {table['good']['share']:.1%} > {false_alarms:.1%}")
    assert not short, "\n".join(short) + "\n" + report(part)
