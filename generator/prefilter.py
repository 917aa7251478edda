"""Literal prefixes of a regular expression: a cheap test that lets the lint skip most patterns.

Every match of a pattern starts with one of its prefixes, so a text that contains none of them
(a plain substring test) cannot match and the regular expression need not run. Patterns whose
matches can start with anything get no prefixes and always run.
"""

from __future__ import annotations

import re
from typing import Any

try:  # the parser behind `re`; its layout has been stable across CPython 3.x
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    sre = sre_parse = None

MAX_PREFIXES = 256
Paths = list[tuple[str, bool]]  # (literal so far, whether the literal can still grow)


def literal_prefixes(pattern: str) -> frozenset[str] | None:
    """Lower-case literal prefixes that every match starts with, or None if there are none."""
    if sre_parse is None:
        return None
    try:
        paths = _sequence(list(sre_parse.parse(pattern)), [("", True)])
    except (Exception, RecursionError):  # an unusual construct: run the pattern always
        return None
    if paths is None or any(not text for text, _ in paths):
        return None
    return frozenset(text.lower() for text, _ in paths)


def required_literals(pattern: str) -> frozenset[str]:
    """Characters every match contains, from the top level (e.g. the ? of a question)."""
    if sre_parse is None:
        return frozenset()
    try:
        items = list(sre_parse.parse(pattern))
    except (Exception, RecursionError):
        return frozenset()
    return frozenset(chr(arg).lower() for op, arg in items if op is sre.LITERAL)


def has_required(required: frozenset[str], lowered: str) -> bool:
    return all(char in lowered for char in required)


def _sequence(items: list[Any], paths: Paths | None) -> Paths | None:
    for op, arg in items:
        if paths is None or len(paths) > MAX_PREFIXES:
            return None
        if all(not growing for _, growing in paths):
            return paths
        if op is sre.AT:  # \b, ^, $: zero-width
            continue
        if op is sre.LITERAL:
            paths = [(t + chr(arg), True) if g else (t, g) for t, g in paths]
        elif op is sre.SUBPATTERN:
            paths = _sequence(list(arg[-1]), paths)
        elif op is sre.BRANCH:
            paths = _branches([list(branch) for branch in arg[1]], paths)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, _high, body = arg
            grown = _sequence(list(body), paths)
            if grown is None:
                return None
            closed = [(t, False) for t, _ in grown]  # a repeat ends the literal
            paths = closed + (paths if low == 0 else [])  # optional: or the literal goes on
        else:  # a class, any character, a group reference: the literal stops here
            paths = [(t, False) for t, _ in paths]
    return paths


def _branches(branches: list[list[Any]], paths: Paths) -> Paths | None:
    out: Paths = []
    for branch in branches:
        grown = _sequence(branch, paths)
        if grown is None:
            return None
        out += grown
    return out


_WORD = re.compile(r"\w+")


def starts_at_word(pattern: str) -> bool:
    """Whether every match begins at a word boundary (the pattern opens with \\b)."""
    return pattern.startswith(r"\b")


class Trigger:
    """One pass over a text's words tells which of many patterns can match it at all.

    A pattern that opens with \\b can only match where a word starts with the first word of
    one of its prefixes; other patterns with prefixes are tested by substring; patterns without
    prefixes always run.
    """

    def __init__(self, patterns: list[tuple[frozenset[str] | None, bool]]) -> None:
        always = []
        self.by_word: dict[str, list[int]] = {}
        self.substrings: list[tuple[str, int]] = []
        for index, (prefixes, at_word) in enumerate(patterns):
            if prefixes is None:
                always.append(index)
                continue
            for prefix in prefixes:
                first = _WORD.match(prefix)
                if at_word and first:
                    self.by_word.setdefault(first.group(0), []).append(index)
                else:
                    self.substrings.append((prefix, index))
        self.always = frozenset(always)

    def candidates(self, lowered: str) -> set[int]:
        found = set(self.always)
        by_word = self.by_word
        for word in set(_WORD.findall(lowered)):
            for end in range(1, len(word) + 1):
                hit = by_word.get(word[:end])
                if hit:
                    found.update(hit)
        found.update(index for prefix, index in self.substrings if prefix in lowered)
        return found
