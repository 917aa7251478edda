"""Sentences and quotations of a text, as spans, for rules that judge the seller's own wording.

Text inside quotation marks (any of the five languages' conventions) is someone else's words: a
buyer's message, a template's subject line. `mask_quotes` blanks it out, keeping every position,
so the promise, emotion and question rules do not read it while length still counts it.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache

# Opening mark -> the marks that close it. „ closes with “ in German, which opens in English.
_CLOSERS = {
    "\u201c": "\u201d",  # “ ”
    "\u201e": "\u201c\u201d",  # „ “ / „ ”
    "\u00ab": "\u00bb",  # « »
    "\u00bb": "\u00ab",  # » « (German)
    "\u201a": "\u2018\u2019",  # low-9 single, closed by a left or right single
    "\u2018": "\u2019",  # left single, right single
    '"': '"',
    "'": "'",
}
_OPENERS = re.compile("[\u201c\u201e\u00ab\u00bb\u201a\u2018\"']")
# Abbreviations whose full stop does not end a sentence, in the five languages.
_ABBREVIATIONS = frozenset(
    [
        "e.g",
        "i.e",
        "etc",
        "approx",
        "vs",
        "no",
        "nr",
        "nos",
        "art",
        "ca",
        "bzw",
        "z.b",
        "u.a",
        "d.h",
        "usw",
        "ggf",
        "inkl",
        "evtl",
        "vgl",
        "s.o",
        "p.ex",
        "cf",
        "env",
        "p",
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "sig",
        "sr",
        "sra",
        "dott",
        "ecc",
        "pag",
        "n",
        "p.es",
    ]
)
_END = re.compile(r"[.!?;]+[\"'\u201d\u201c\u00bb\u2019)]*(?=\s+|$)|\n\s*\n|\n(?=\s*[-*•]\s)")


@lru_cache(maxsize=65536)
def quote_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of quoted passages, marks included; an opening mark without its closer is none."""
    spans = []
    position = 0
    while True:
        found = _OPENERS.search(text, position)
        if found is None:
            break
        start = found.start()
        mark = found.group(0)
        if not _opens(text, start, mark):
            position = start + 1
            continue
        end = _closer(text, start, mark)
        if end is None:
            position = start + 1
            continue
        spans.append((start, end + 1))
        position = end + 1
    return tuple(spans)


def _opens(text: str, i: int, mark: str) -> bool:
    after = text[i + 1] if i + 1 < len(text) else " "
    before = text[i - 1] if i else " "
    if after.isspace() and mark not in "\u00ab\u00bb":  # French « has a space inside
        return False
    if mark in "'\u2018\"":
        return not before.isalnum()  # l'acheteur, don't, 5'' are not quotations
    return True


def _closer(text: str, start: int, mark: str) -> int | None:
    closers = _CLOSERS[mark]
    i = start + 1
    while i < len(text):
        char = text[i]
        if char in closers and i > start + 1:
            after = text[i + 1] if i + 1 < len(text) else " "
            if not (mark in "'\u2018" and after.isalpha()):  # an apostrophe inside the quote
                return i
        if char == "\n" and text[i + 1 : i + 2] == "\n":
            return None  # a quotation does not run over a paragraph
        i += 1
    return None


@lru_cache(maxsize=65536)
def mask_quotes(text: str) -> str:
    """The text with the inside of every quotation replaced by spaces (same length)."""
    spans = quote_spans(text)
    if not spans:
        return text
    out = list(text)
    for start, end in spans:
        for k in range(start + 1, end - 1):
            if not out[k].isspace():
                out[k] = " "
    return "".join(out)


# A short aside in brackets after a word: "the fulfilment centre (LIL1) mixed up our units".
_ASIDE = re.compile(r" \([^()\n]{1,40}\)")


@lru_cache(maxsize=65536)
def without_asides(text: str) -> tuple[str, tuple[int, ...] | None]:
    """The text without its short bracketed asides, so that an actor stays next to its verb,
    and the index in `text` of each character kept (plus len(text)); None when there is none."""
    asides = list(_ASIDE.finditer(text)) if " (" in text else []
    if not asides:
        return text, None
    kept: list[int] = []
    last = 0
    for found in asides:
        kept.extend(range(last, found.start()))
        last = found.end()
    kept.extend(range(last, len(text) + 1))
    return "".join(text[k] for k in kept[:-1]), tuple(kept)


# What a full stop inside a sentence becomes for the rules ("am 3. März", "4.8 %", "z.B."):
# a gap such as [^.;!?] in a pattern runs on to the end of the sentence instead of stopping
# there. A pattern's "\\." matches it too (checks.readable).
INNER_STOP = "\u2024"


def mask_stops(text: str) -> str:
    """The text with each full stop that does not end a sentence replaced by INNER_STOP."""
    if "." not in text:
        return text
    ends = set()
    for _, end in sentence_spans(text):
        stop = end
        while stop > 0 and text[stop - 1].isspace():
            stop -= 1
        while stop > 0 and text[stop - 1] in ".!?;\"'\u201d\u201c\u00bb\u2019)":
            stop -= 1
            ends.add(stop)
    return "".join(
        INNER_STOP if char == "." and k not in ends else char for k, char in enumerate(text)
    )


@lru_cache(maxsize=65536)
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Spans of the sentences: ended by . ! ? ; (not after an abbreviation, an ordinal date such
    as "5. November", or a decimal), by a blank line or before a list item."""
    spans = []
    start = 0
    quoted = quote_spans(text)
    for end in _END.finditer(text):
        stop = end.end()
        if any(a < end.start() < b - 1 for a, b in quoted):
            continue  # a full stop inside a quotation does not end the seller's sentence
        if end.group(0).startswith(".") and _not_an_end(text, end.start()):
            continue
        if text[start:stop].strip():
            spans.append((start, stop))
        start = stop
    if text[start:].strip():
        spans.append((start, len(text)))
    return tuple(spans)


_BEFORE = re.compile(r"([\w.]+)$")


def _not_an_end(text: str, dot: int) -> bool:
    window = max(0, dot - 40)  # the word before the dot, without scanning the whole text
    word = _BEFORE.search(text, window, dot)
    if word is None:
        return False
    token = word.group(1).lower()
    if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
        return True
    following = text[dot + 1 : dot + 40].lstrip()[:1]
    before = text[word.start() - 1] if word.start() else " "
    # "am 5. November" (an ordinal date), not "at 16:00. Then"
    return token.isdigit() and len(token) <= 2 and following.isalpha() and before.isspace()


def sentence_of(text: str, index: int) -> tuple[int, int]:
    """The span of the sentence holding `index`."""
    spans = sentence_spans(text)
    at = bisect.bisect_right(_starts(text), index) - 1
    if 0 <= at < len(spans) and spans[at][0] <= index < spans[at][1]:
        return spans[at]
    return 0, len(text)


@lru_cache(maxsize=4096)
def _starts(text: str) -> tuple[int, ...]:
    return tuple(start for start, _ in sentence_spans(text))
