"""The grammar on top of the phrase patterns: which matches stand, per sentence and per field.

The patterns (rules/<language>.yaml, with lemma sets) find candidate wording; this module decides
with what a pattern cannot see on its own:
- promise: a future form whose subject is a control (a system, rule, contract or procedure)
  with a start date in the same field describes a control in place, not an intention;
- vague: an action or proof that names nothing concrete at all (no figure, date, named
  document, tool, role or identifier) is vague as a whole, beside the phrase patterns.
Each step is a pure function over the text and spans of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from generator import sentences

Span = tuple[int, int]
_VAGUE_KINDS = {"action", "proof", "summary_of_proof"}
_MIN_WORDS = 4  # "Done." is empty rather than vague: other rules and the schema see it
_MAX_WORDS = 20  # a longer action that names nothing is rare; its words are left to the patterns


def spans(
    name: str,
    text: str,
    language: str,
    matches: Iterable[re.Match[str]],
    kind: str,
    others: set[str] | frozenset[str] = frozenset(),
) -> list[Span]:
    """The spans a rule reports in one text, in order, each passage once. `others` are the
    rules already found in the text (a placeholder or a question is not judged as vague)."""
    taken: list[Span] = []
    for found in matches:
        if found.end() == found.start():
            continue
        if any(found.start() < end and start < found.end() for start, end in taken):
            continue
        if not _stands(name, text, language, found):
            continue
        taken.append(found.span())
    if (
        name == "vague"
        and not taken
        and kind in _VAGUE_KINDS
        and not others & {"lint.placeholder", "lint.question"}
        and "?" not in text
        and len(text.split()) <= _MAX_WORDS
        and _generic(text, language)
        and not concrete(text, language)
    ):
        first = sentences.sentence_spans(text)
        if first and len(text.split()) >= _MIN_WORDS:
            start, end = first[0]
            taken.append((start + len(text[start:end]) - len(text[start:end].lstrip()), end))
    return sorted(taken)


def _stands(name: str, text: str, language: str, found: re.Match[str]) -> bool:
    """Whether a match is what its rule means, given its sentence.

    A pattern can mark itself with an empty named group: (?P<nofigure>) stands only in a
    sentence without a figure ("customers are satisfied"), (?P<denial>) is blame even beside
    the seller's own cause ("the complaints are unfounded")."""
    groups = found.re.groupindex
    start, end = sentences.sentence_of(text, found.start())
    sentence = text[start:end]
    if name == "promise":
        # "We would like to explain…" announces; the filler rule reads it.
        preamble = _grammar(language).get("preamble")
        if preamble is not None and preamble.search(sentence):
            return False
        return not _describes_control(text, found.start(), language)
    if "nofigure" in groups and any(char.isdigit() for char in sentence):
        return False
    if name == "blame" and "denial" not in groups:
        grammar = _grammar(language)
        for cue in ("own_cause", "evidence_cue"):
            if cue in grammar and grammar[cue].search(sentence):
                return False
    return True


@cache
def _grammar(language: str) -> dict[str, re.Pattern[str]]:
    from generator import checks

    raw = checks.grammar(language)
    return {key: re.compile(pattern, re.IGNORECASE) for key, pattern in raw.items()}


def _describes_control(text: str, index: int, language: str) -> bool:
    """A future form in a sentence whose subject is a control, in a field that dates its start."""
    grammar = _grammar(language)
    if "control_subject" not in grammar or "start_date" not in grammar:
        return False
    start, end = sentences.sentence_of(text, index)
    sentence = text[start:end]
    return bool(
        grammar["control_subject"].search(sentence[: index - start + 1])
        and not grammar["first_person"].search(sentence[: index - start])
        and grammar["start_date"].search(text)
    )


def _generic(text: str, language: str) -> bool:
    """Whether the text speaks of processes, measures or changes in general."""
    generic = _grammar(language).get("generic")
    return generic is not None and generic.search(text) is not None


def concrete(text: str, language: str) -> bool:
    """Whether a text names something a reviewer can check: a figure, a date, a named
    document, tool, role or identifier."""
    if any(char.isdigit() for char in text):
        return True
    grammar = _grammar(language)
    concrete_words = grammar.get("concrete")
    if concrete_words is not None and concrete_words.search(text):
        return True
    return _has_name(text, language)


_NAME = re.compile(r"(?<![.!?:]\s)(?<!^)\b[A-ZÄÖÜÀ-Ý][a-zäöüß-ÿ]+(?:[A-Z][a-z]+)+\b|\b[A-Z]{2,}\b")


def _has_name(text: str, language: str) -> bool:
    """An acronym (SOP, ERP, FBA) or a CamelCase product name: proper nouns a German capital
    cannot be told from are left to the concrete-word list."""
    return _NAME.search(text) is not None
