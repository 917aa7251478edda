"""Text as the phrase rules read it, with every character mapped back to the seller's own.

Matching on the raw string lets `We\u200b will`, `wi\u00adll`, `w&#105;ll`, `w*il*l` or a
Cyrillic `\u0456` slip past any pattern. Here the text is decoded and cleaned for matching (Unicode
NFKC, HTML entities, Markdown emphasis), and what must not be pasted into Seller Central at all is
reported: invisible characters, and Latin words spelt with look-alike Cyrillic or Greek letters.
`offsets[i]` is the index in the original of the i-th character of the normalised text, so a
finding still points at its YAML line and column.
"""

from __future__ import annotations

import html
import re
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache

# Zero-width characters, soft hyphen, word joiner, bidi controls, BOM: invisible in Seller
# Central's text box but kept in what is pasted.
INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200c\u200d\u200e\u200f"
    "\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069"
    "\ufeff"
)
# Cyrillic and Greek letters that look like Latin ones, and the Latin letter they pass for.
_LOOKALIKE = str.maketrans(
    "аеорсухіјѕԁԛԝАВЕКМНОРСТХІЈЅѴ"  # noqa: RUF001 (Cyrillic)
    "οαρνικτυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧ",
    "aeopcyxijsdqwABEKMHOPCTXIJSVoapviktuxABEZHIKMNOPTYX",
)
_LOOKALIKE_CHARS = frozenset(chr(c) for c in _LOOKALIKE)
_SPECIAL = re.compile(
    r"[&*_~\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f"
    r"\u202a-\u202e\u2060-\u2069\ufeff]"
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Normalised:
    text: str  # what the rules match
    # Original index of each character of `text`, plus len(original); None when the text is
    # unchanged (most texts), so a long plain text costs no table.
    offsets: array[int] | None = None
    invisible: tuple[tuple[int, str], ...] = ()  # (original index, character) removed
    mixed: tuple[tuple[int, str], ...] = ()  # (original index, word) with look-alike letters

    def at(self, index: int) -> int:
        """The original index of text[index]."""
        return index if self.offsets is None else self.offsets[index]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of text[start:end]."""
        return self.at(start), (self.at(end - 1) + 1 if end > start else self.at(start))


@lru_cache(maxsize=65536)
def normalise(original: str) -> Normalised:
    """The text for matching, with positions, and the characters that need reporting."""
    if (
        (original.isascii() or unicodedata.is_normalized("NFKC", original))
        and not _SPECIAL.search(original)
        and not (_LOOKALIKE_CHARS & set(original))
    ):
        return Normalised(original)
    chars: list[str] = []
    offsets: list[int] = []
    invisible: list[tuple[int, str]] = []
    entities = {m.start(): m for m in _ENTITY.finditer(original)}
    i = 0
    while i < len(original):
        char = original[i]
        entity = entities.get(i)
        if entity is not None:
            decoded = html.unescape(entity.group(0))
            for piece in decoded:
                if piece in INVISIBLE:
                    invisible.append((i, piece))
                    continue
                chars.append(piece)
                offsets.append(i)
            i = entity.end()
            continue
        if char in INVISIBLE:
            invisible.append((i, char))
        elif char in "*_~" and _is_emphasis(original, i):
            pass  # Markdown emphasis: w*il*l reads as will
        else:
            for piece in unicodedata.normalize("NFKC", char):
                chars.append(piece)
                offsets.append(i)
        i += 1
    text = "".join(chars)
    mixed = []
    if _LOOKALIKE_CHARS & set(text):
        for word in _WORD.finditer(text):
            token = word.group(0)
            latin = sum("a" <= c.lower() <= "z" for c in token)
            if latin and _LOOKALIKE_CHARS & set(token):
                mixed.append((offsets[word.start()], token))
        text = _translate_mixed(text, mixed, offsets)
    offsets.append(len(original))
    return Normalised(text, array("l", offsets), tuple(invisible), tuple(mixed))


def _is_emphasis(text: str, i: int) -> bool:
    """A * _ or ~ touching a letter on at least one side (not `5 * 3`, not a lone `*`)."""
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if text[i] == "_" and before.isalnum() and after.isalnum():
        return False  # snake_case and file names keep their underscore
    return before.isalpha() or after.isalpha() or (before in "*_~" or after in "*_~")


def _translate_mixed(text: str, mixed: list[tuple[int, str]], offsets: list[int]) -> str:
    """Only words that mix scripts get their look-alikes replaced: Greek or Cyrillic words stay."""
    out = list(text)
    starts = {start for start, _ in mixed}
    for word in _WORD.finditer(text):
        if offsets[word.start()] in starts:
            for k in range(word.start(), word.end()):
                out[k] = out[k].translate(_LOOKALIKE)
    return "".join(out)
