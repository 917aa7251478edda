"""Literal prefixes of a regular expression: a cheap test that lets the lint skip most patterns.

Every match of a pattern starts with one of its prefixes, so a text that contains none of them
(a plain substring test) cannot match and the regular expression need not run. Patterns whose
matches can start with anything get no prefixes and always run.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

try:  # the parser behind `re`; its layout has been stable across CPython 3.x
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    sre = sre_parse = None

MAX_PREFIXES = 256

Paths = list[tuple[str, bool]]  # (literal so far, whether the literal can still grow)


@lru_cache(maxsize=4096)
def _parsed(pattern: str) -> tuple[Any, ...] | None:
    """The pattern's parse tree, once for both analyses (parsing costs more than matching)."""
    if sre_parse is None:
        return None
    try:
        return tuple(sre_parse.parse(pattern))
    except Exception:  # an unusual construct (or a RecursionError): no prefilter, run it always
        return None


def _digest(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()[:16]


@cache
def _shipped() -> dict[str, Any]:
    """rules/analysis.json, written with the lemma tables (python -m generator.lemmas): a first
    run need not parse the long alternations of the lemma sets."""
    from generator.resources import RULES

    path = RULES / "analysis.json"
    if not path.exists():
        return {}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    if data.get("prefilter") != _digest(Path(__file__).read_bytes()):
        return {}  # analysed by another version of this module
    patterns: dict[str, Any] = data.get("patterns", {})
    return patterns


def shipped(source: str) -> list[Any] | None:
    """The shipped analysis of a pattern, if it is one of the package's own."""
    found: list[Any] | None = _shipped().get(_digest(source))
    return found


def shipped_table(analyses: dict[str, list[Any]]) -> str:
    """The text of rules/analysis.json for these analyses (source -> analysis)."""
    table = {_digest(source): analysis for source, analysis in sorted(analyses.items())}
    data = {"prefilter": _digest(Path(__file__).read_bytes()), "patterns": table}
    return json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n"


def literal_prefixes(pattern: str) -> frozenset[str] | None:
    """Lower-case literal prefixes that every match starts with, or None if there are none."""
    items = _parsed(pattern)
    if items is None:
        return None
    try:
        paths = _sequence(list(items), [("", True)])
    except RecursionError:
        return None
    if paths is None or any(not text for text, _ in paths):
        return None
    return frozenset(text.lower() for text, _ in paths)


def required_literals(pattern: str) -> tuple[frozenset[str], ...]:
    """Groups of strings of which every match contains one per group.

    Every match holds a match of each part that cannot be skipped, at any depth: a literal, a
    group of alternatives (one string of some alternative), and at each place the run of
    literal letters the rest of the pattern starts with. Most patterns the trigger lets through
    fail one of these, and need not be compiled.
    """
    items = _parsed(pattern)
    if items is None:
        return ()
    try:
        groups = _groups(list(items))
    except RecursionError:
        return ()
    # A group that holds another adds nothing; the most telling groups are tried first.
    kept = [g for g in set(groups) if not any(other < g for other in groups)]
    return tuple(sorted(kept, key=lambda g: (-min(map(len, g)), len(g), sorted(g))))


def _groups(items: list[Any]) -> list[frozenset[str]]:
    """The required groups of a sequence of a parse tree."""
    groups = []
    for index, (op, arg) in enumerate(items):
        if _starts_run(items, index):
            found = _pieces(_sequence(items[index:], [("", True)]))
            if found:
                groups.append(found)
        if op is sre.SUBPATTERN and len(arg[-1]) > 1:  # one branch: its prefixes are found
            groups += _groups(list(arg[-1]))
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and arg[0] >= 1:
            groups += _groups(list(arg[2]))
    return groups


def _starts_run(items: list[Any], index: int) -> bool:
    """Whether the rest from `index` on may start with other letters than the rest before it:
    not inside a run of literals, nor after a zero-width item."""
    if index == 0:
        return True
    op, arg = items[index - 1]
    zero_width = op is sre.AT or (op is sre.SUBPATTERN and not arg[-1])
    return not zero_width and (op is not sre.LITERAL or items[index][0] is not sre.LITERAL)


def _pieces(paths: Paths | None) -> frozenset[str]:
    """From each path its longest run of letters without a space or a full stop (which the
    lint may read as sentences.INNER_STOP); none if a path has none."""
    if not paths:
        return frozenset()
    pieces = set()
    for text, _ in paths:
        piece = max(_PIECE_BREAK.split(text.lower()), key=len)
        if not piece:
            return frozenset()
        pieces.add(piece)
    return frozenset(pieces)


_PIECE_BREAK = re.compile(r"[\s.]")


def has_required(required: tuple[frozenset[str], ...], lowered: str) -> bool:
    return all(any(text in lowered for text in group) for group in required)


def _sequence(items: list[Any], paths: Paths | None) -> Paths | None:
    index = 0
    while index < len(items):
        if paths is None:
            return None
        if not any(growing for _, growing in paths):
            return paths
        op, arg = items[index]
        if op is sre.LITERAL:  # a run of literals at once: every path that grows takes it
            end = index + 1
            while end < len(items) and items[end][0] is sre.LITERAL:
                end += 1
            run = "".join(chr(code) for _, code in items[index:end])
            paths = [(t + run, True) if g else (t, g) for t, g in paths]
            index = end
            continue
        grown = _step(op, arg, paths)
        if grown is not None and len(grown) > MAX_PREFIXES:
            return [(t, False) for t, _ in paths]  # enough: the prefixes so far stand
        paths = grown
        index += 1
    return paths


def _step(op: Any, arg: Any, paths: Paths) -> Paths | None:
    """The paths after one item of a pattern."""
    if op is sre.AT:  # \b, ^, $: zero-width
        return paths
    if op is sre.LITERAL:
        return [(t + chr(arg), True) if g else (t, g) for t, g in paths]
    if op is sre.SUBPATTERN:
        return _sequence(list(arg[-1]), paths)
    if op is sre.BRANCH:
        return _branches([list(branch) for branch in arg[1]], paths)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and _is_space(arg[2]):
        # \s+ or \s*: words stay words, so the prefix goes on after a space
        spaced = [(t + " ", True) if g else (t, g) for t, g in paths]
        return spaced + (paths if arg[0] == 0 else [])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, _high, body = arg
        grown = _sequence(list(body), paths)
        if grown is None:
            return None
        closed = [(t, False) for t, _ in grown]  # a repeat ends the literal
        return closed + (paths if low == 0 else [])  # optional: or the literal goes on
    if op is sre.IN and 0 < len(arg) <= 4 and all(kind is sre.LITERAL for kind, _ in arg):
        # a small set of letters such as [ée]: one path per letter
        return list(
            dict.fromkeys(
                path
                for t, g in paths
                for path in ([(t + chr(code), True) for _, code in arg] if g else [(t, g)])
            )
        )
    return [(t, False) for t, _ in paths]  # a class, any character: the literal stops here


def _is_space(body: Any) -> bool:
    items = list(body)
    return (
        len(items) == 1
        and items[0][0] is sre.IN
        and list(items[0][1]) == [(sre.CATEGORY, sre.CATEGORY_SPACE)]
    )


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
    """Whether every match begins at a word boundary (the pattern opens with \\b, perhaps after
    the empty named groups that mark a pattern's kind, such as (?P<subject>))."""
    return _AT_WORD.match(pattern) is not None


_AT_WORD = re.compile(r"(?:\(\?P<\w+>\))*\\b")


_BUCKET = 5  # letters that file a word start


class Trigger:
    """One pass over a text's words tells which of many patterns can match it at all.

    A prefix is read as words: the words it holds in full must all be words of the text, and a
    word it ends in the middle of must occur in the text. Each prefix is filed under its longest
    whole word, so a text is checked only against prefixes whose rarest word it contains.
    Patterns whose matches can start anywhere (no \\b) only count inner words as whole.
    """

    def __init__(self, patterns: list[tuple[frozenset[str] | None, bool]]) -> None:
        always = []
        self.by_word: dict[str, list[tuple[tuple[str, ...], str, int]]] = {}
        self.by_start: dict[str, list[tuple[tuple[str, ...], str, int]]] = {}
        self.substrings: dict[str, list[int]] = {}  # each string is looked for once
        for index, (prefixes, at_word) in enumerate(patterns):
            if prefixes is None:
                always.append(index)
                continue
            for prefix in prefixes:
                self._file(prefix, at_word, index)
        self.always = frozenset(always)
        # Word starts, bucketed by their first letters: a word of the text looks in one bucket.
        self.starts: dict[str, list[tuple[str, tuple[str, ...], int]]] = {}
        self._known: dict[str, list[tuple[tuple[str, ...], str, int]]] = {}
        for start, entries in self.by_start.items():
            for whole, _, index in entries:
                self.starts.setdefault(start[:_BUCKET], []).append((start, whole, index))

    def _file(self, prefix: str, at_word: bool, index: int) -> None:
        spans = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(prefix)]
        whole = tuple(
            word for start, end, word in spans if (start > 0 or at_word) and end < len(prefix)
        )
        last_start, last_end, last = spans[-1] if spans else (0, 0, "")
        # The word the prefix ends in the middle of, if it starts a word of the text.
        open_end = last if last_end == len(prefix) and (last_start > 0 or at_word) else ""
        if open_end and len(open_end) > max(map(len, whole), default=0):
            self.by_start.setdefault(open_end, []).append((whole, "", index))
        elif whole:
            rest = last if last_end == len(prefix) else ""
            self.by_word.setdefault(max(whole, key=len), []).append((whole, rest, index))
        else:
            self.substrings.setdefault(prefix, []).append(index)

    def candidates(self, lowered: str) -> set[int]:
        found = set(self.always)
        words = set(_WORD.findall(lowered))
        for word in words:
            for whole, rest, index in self._entries(word):
                if index not in found and rest in lowered and all(w in words for w in whole):
                    found.add(index)
        for prefix, indexes in self.substrings.items():
            if prefix in lowered:
                found.update(indexes)
        return found

    def _entries(self, word: str) -> list[tuple[tuple[str, ...], str, int]]:
        """The prefixes a word of a text can begin (as a whole word or a word start); words
        recur across texts and cases, so each is worked out once."""
        known = self._known.get(word)
        if known is None:
            known = list(self.by_word.get(word, ()))
            for end in range(1, min(len(word), _BUCKET) + 1):
                known += [
                    (whole, "", index)
                    for start, whole, index in self.starts.get(word[:end], ())
                    if word.startswith(start)
                ]
            if len(self._known) > 200_000:  # a vocabulary this large is not a plan's
                self._known.clear()
            self._known[word] = known
        return known
