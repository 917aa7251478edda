"""Precision and recall of the phrase rules on the labelled corpus in tests/lint-corpus/.

The corpus has two parts. The development part (tests/lint-corpus/<language>.yaml) is what the
rules are written against. The held-out part (tests/lint-corpus/holdout/<language>.yaml) is
written by someone who does not read the rules and is not read while tuning them: only the
aggregate figures below are looked at. `make lint-quality` prints both tables;
tests/test_corpus.py holds the held-out part to its bar.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from generator import catalogue, checks

CORPUS = Path(__file__).parent / "lint-corpus"
# sealed/: written without sight of the rules or of the other parts, measured once after the rules
# were done; never tuned against, not even in aggregate (the held-out part's aggregate figures
# were looked at while tuning, so it is less blind).
# sealed-2/ to sealed-4/: written the same way while the rules of 1 December 2026 changed again (the
# last once they were final), each measured once when the rules were done.
PARTS = {
    "dev": CORPUS,
    "holdout": CORPUS / "holdout",
    "sealed": CORPUS / "sealed",
    "sealed-2": CORPUS / "sealed-2",
    "sealed-3": CORPUS / "sealed-3",
    "sealed-4": CORPUS / "sealed-4",  # written after the rules of that day were final
    "sealed-5": CORPUS / "sealed-5",  # written blind in the next session, measured once at its end
    "sealed-6": CORPUS / "sealed-6",  # written blind late in that session, measured after its rules
    "sealed-7": CORPUS / "sealed-7",  # written blind when the third session began, measured last
    "sealed-8": CORPUS / "sealed-8",  # written blind late in the third, measured after its rules
    "sealed-9": CORPUS / "sealed-9",  # written blind at the third's end, measured after its fixes
    "sealed-10": CORPUS / "sealed-10",  # written blind when the fourth session began
    "sealed-11": CORPUS / "sealed-11",  # written blind in the middle of the fourth
    "sealed-12": CORPUS / "sealed-12",  # written blind late in the fourth, measured after its rules
    "sealed-13": CORPUS / "sealed-13",  # written blind when the fifth session began
    "sealed-14": CORPUS / "sealed-14",  # written blind in the middle of the fifth
    "sealed-15": CORPUS / "sealed-15",  # written blind when the sixth session began
    "sealed-16": CORPUS / "sealed-16",  # written blind early in the sixth
    "sealed-17": CORPUS / "sealed-17",  # written blind late in the sixth
    "sealed-18": CORPUS / "sealed-18",  # written blind when the seventh session began
    "sealed-19": CORPUS / "sealed-19",  # written blind late in the seventh, measured at its end
}
LANGUAGES = ("en", "de", "fr", "es", "it")
RULES = catalogue.phrase_rules()  # the catalogue's phrase rules, as the labels name them
# The corpus names fields as a writer thinks of them; the lint knows them by their YAML key.
FIELD_KIND = {"action": "action", "root_cause": "cause", "summary": "summary", "proof": "proof"}

Counts = dict[str, int]


def flagged(text: str, field: str, language: str) -> set[str]:
    piece = checks.Text(("text",), FIELD_KIND.get(field, field), text)
    return {f.code.removeprefix("lint.") for f in checks.phrase_findings(piece, language)}


def passages(language: str, part: str = "dev") -> list[dict[str, Any]]:
    """The labelled passages of one language in one part of the corpus."""
    path = PARTS[part] / f"{language}.yaml"
    if not path.exists():
        return []
    return list(yaml.safe_load(path.read_text(encoding="utf-8")) or [])


def evaluate(language: str, part: str = "dev") -> dict[str, dict[str, float]]:
    """Per rule: true/false positives, false negatives, precision and recall; and under
    "good", how many passages labelled clean got any finding of these rules."""
    counts: dict[str, Counts] = {rule: {"tp": 0, "fp": 0, "fn": 0} for rule in RULES}
    good = {"passages": 0, "false_alarms": 0}
    for passage in passages(language, part):
        got = flagged(passage["text"], passage["field"], language) & set(RULES)
        want = set(passage["expect"])
        if not want:
            good["passages"] += 1
            good["false_alarms"] += bool(got)
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
    share = good["false_alarms"] / good["passages"] if good["passages"] else 0.0
    table["good"] = {**good, "share": share}
    return table


def totals(part: str) -> dict[str, dict[str, float]]:
    """The same counts over all languages of a part."""
    sums: dict[str, Counts] = {rule: {"tp": 0, "fp": 0, "fn": 0} for rule in RULES}
    good = {"passages": 0, "false_alarms": 0}
    for language in LANGUAGES:
        table = evaluate(language, part)
        for rule in RULES:
            for key in ("tp", "fp", "fn"):
                sums[rule][key] += int(table[rule][key])
        for key in good:
            good[key] += int(table["good"][key])
    out: dict[str, dict[str, float]] = {}
    for rule, c in sums.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
        out[rule] = {**c, "precision": precision, "recall": recall}
    out["good"] = {
        **good,
        "share": good["false_alarms"] / good["passages"] if good["passages"] else 0.0,
    }
    return out


def misses(language: str) -> list[str]:
    """Each development passage the lint judges differently from its label, for tuning.

    Never for the held-out part: its passages are not read while tuning."""
    out = []
    for passage in passages(language, "dev"):
        got = flagged(passage["text"], passage["field"], language) & set(RULES)
        want = set(passage["expect"])
        if got != want:
            out.append(f"want {sorted(want)} got {sorted(got)}: {passage['text']}")
    return out


def report(part: str, languages: tuple[str, ...] = LANGUAGES) -> str:
    """One part's table: a row per rule and language, then the false alarms on good text."""
    count = sum(len(passages(language, part)) for language in languages)
    lines = [
        f"{part} part: {count} passages",
        f"{'lang':<5}{'rule':<14}{'tp':>4}{'fp':>4}{'fn':>4}{'precision':>11}{'recall':>8}",
    ]
    tables = {language: evaluate(language, part) for language in languages}
    for rule in RULES:
        for language, table in tables.items():
            row = table[rule]
            if row["tp"] + row["fp"] + row["fn"] == 0:
                continue
            lines.append(
                f"{language:<5}{rule:<14}{row['tp']:>4}{row['fp']:>4}{row['fn']:>4}"
                f"{row['precision']:>11.2f}{row['recall']:>8.2f}"
            )
    lines.append("false alarms on good passages (any rule):")
    for language, table in tables.items():
        good = table["good"]
        lines.append(
            f"{language:<5}{int(good['false_alarms']):>4} of {int(good['passages']):>3}"
            f"{good['share']:>8.1%}"
        )
    return "\n".join(lines)


QUALITY = Path(__file__).parent.parent / "rules" / "quality.json"


def quality_table() -> str:
    """rules/quality.json: the held-out figures per rule and language, which grade the phrase
    rules' severity and fill docs/rules.md."""
    table = {language: evaluate(language, "holdout") for language in LANGUAGES}
    data = {
        "rules": {
            rule: {
                language: {
                    key: round(table[language][rule][key], 3)
                    for key in ("tp", "fp", "fn", "precision", "recall")
                }
                for language in LANGUAGES
            }
            for rule in RULES
        },
        "passages": {language: len(passages(language, "holdout")) for language in LANGUAGES},
    }
    data["about"] = (
        "Measured on the held-out part of the labelled corpus (tests/lint-corpus/holdout/); "
        "written by `python -m tests.corpus --record`, do not edit; tests/test_corpus.py "
        "checks that it matches the corpus."
    )
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    import sys

    if "--record" in sys.argv:
        QUALITY.write_text(quality_table(), encoding="utf-8")
        print(f"wrote {QUALITY}")
        sys.exit(0)
    args = [a for a in sys.argv[1:] if a != "-v"]
    langs = tuple(args) or LANGUAGES
    for name in PARTS:
        print(report(name, langs))
        print()
    if "-v" in sys.argv:
        for language in langs:
            for line in misses(language):
                print(language, line)
