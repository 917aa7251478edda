"""Precision and recall of the phrase rules on the labelled corpus in tests/lint-corpus/.

Run `python -m tests.corpus` for the table; tests/test_corpus.py holds the bar.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator import checks

CORPUS = Path(__file__).parent / "lint-corpus"
RULES = ("placeholder", "promise", "blame", "emotion", "filler", "question", "support-case")
# The corpus names fields as a writer thinks of them; the lint knows them by their YAML key.
FIELD_KIND = {"action": "action", "root_cause": "cause", "summary": "summary", "proof": "proof"}


def flagged(text: str, field: str, language: str) -> set[str]:
    piece = checks.Text(("text",), FIELD_KIND[field], text)
    return {f.code.removeprefix("lint.") for f in checks.phrase_findings(piece, language)}


def passages(language: str) -> list[dict[str, Any]]:
    """The labelled passages of a language: the corpus and the held-out set written blind."""
    out: list[dict[str, Any]] = []
    for folder in (CORPUS, CORPUS / "holdout"):
        path = folder / f"{language}.yaml"
        if path.exists():
            out += yaml.safe_load(path.read_text(encoding="utf-8"))
    return out


def evaluate(language: str) -> dict[str, dict[str, float]]:
    """Per rule: true/false positives, false negatives, precision and recall."""
    counts = {rule: {"tp": 0, "fp": 0, "fn": 0} for rule in RULES}
    for passage in passages(language):
        got = flagged(passage["text"], passage["field"], language)
        want = set(passage["expect"])
        for rule in RULES:
            if rule in got and rule in want:
                counts[rule]["tp"] += 1
            elif rule in got:
                counts[rule]["fp"] += 1
            elif rule in want:
                counts[rule]["fn"] += 1
    table: dict[str, dict[str, float]] = {}
    for rule, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        table[rule] = {**c, "precision": precision, "recall": recall}
    return table


def misses(language: str) -> list[str]:
    """Each passage the lint judges differently from its label, for tuning the phrase lists."""
    out = []
    for passage in passages(language):
        got = flagged(passage["text"], passage["field"], language)
        want = set(passage["expect"])
        if got != want:
            out.append(f"want {sorted(want)} got {sorted(got)}: {passage['text']}")
    return out


def report(languages: list[str]) -> str:
    lines = [f"{'lang':<5}{'rule':<14}{'tp':>4}{'fp':>4}{'fn':>4}{'precision':>11}{'recall':>8}"]
    for language in languages:
        for rule, row in evaluate(language).items():
            lines.append(
                f"{language:<5}{rule:<14}{row['tp']:>4}{row['fp']:>4}{row['fn']:>4}"
                f"{row['precision']:>11.2f}{row['recall']:>8.2f}"
            )
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    langs = sys.argv[1:] or sorted(p.stem for p in CORPUS.glob("*.yaml"))
    print(report(langs))
    if "-v" in sys.argv or len(sys.argv) == 2:
        for language in langs:
            for line in misses(language):
                print(language, line)
