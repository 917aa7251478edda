"""The lint's tables derived from its rules, built at set-up as byte-code is (`make setup`, or
`python -m generator.derived`): each language's phrase lists with their trigger, and the
compiled form of every phrase pattern and grammatical cue.

Deriving them costs a worker process about two seconds before its first case (lemma sets
expanded into patterns, their tolerance of missing accents, the trigger's word tables, and
compiling the long alternations), more than a hundred cases cost after it. The file lives in
the package's __pycache__, one per Python version. A language's tables are used only under the
key of the rule files and code they came from (checks.phrases_key), and a compiled pattern only
for its exact source and flags, by the Python that compiled it: anything else is derived again.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import sys
from functools import cache
from pathlib import Path
from typing import Any

try:  # the compiler behind `re`, whose output this keeps (prefilter.py reads its parser)
    import _sre  # type: ignore[import-not-found]
    from re import _compiler, _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    _sre = None

# A pickle, trusted as the byte-code beside it is: whoever can write one can write the other.
_TAG = sys.implementation.cache_tag  # one file per Python, as byte-code has
PATH = Path(__file__).resolve().parent / "__pycache__" / f"lint-tables.{_TAG}.pickle"
# The compiled form is the engine's own code, valid only for the Python that made it.
_ENGINE = f"{sys.version}|{getattr(_sre, 'MAGIC', '')}|{getattr(_sre, 'CODESIZE', '')}"

Code = tuple[int, Any, int, dict[str, int]]  # flags, code (array), groups, group names


@cache
def _table() -> dict[str, Any]:
    try:
        with PATH.open("rb") as stream:
            data = pickle.load(stream)
    except Exception:  # missing, torn or written by another version: derived again
        return {}
    if not isinstance(data, dict) or data.get("engine") != _ENGINE:
        return {}
    return data


def phrases(language: str, key: bytes) -> dict[str, Any] | None:
    """The language's phrase tables as checks.phrases derives them, if built from `key`."""
    entry = _table().get("phrases", {}).get(language)
    if entry is None or entry[0] != _digest(key):
        return None
    try:
        found: dict[str, Any] = pickle.loads(entry[1])
    except Exception:  # a class renamed since: derived again
        return None
    return found


def compile_pattern(source: str, flags: int) -> re.Pattern[str]:
    """re.compile(source, flags), from the compiled form kept at set-up if there is one."""
    flags = int(flags)
    found: Code | None = _table().get("code", {}).get((source, flags))
    if found is None or _sre is None:
        return re.compile(source, flags)
    state_flags, code, groups, names = found
    index: list[str | None] = [None] * groups
    for name, number in names.items():
        index[number] = name
    # As re._compiler.compile hands its code to the engine.
    pattern: re.Pattern[str] = _sre.compile(
        source, flags | state_flags, code.tolist(), groups - 1, names, tuple(index)
    )
    return pattern


def _compiled(source: str, flags: int) -> Code:
    from array import array

    parsed = _parser.parse(source, flags)
    code = array("I", _compiler._code(parsed, flags))
    return parsed.state.flags, code, parsed.state.groups, dict(parsed.state.groupdict)


def _digest(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()


def build(path: Path | None = None) -> int:
    """Write the tables of every language to `path`; the number of patterns compiled."""
    from generator import checks, i18n, judge
    from generator.write import write_atomic

    tables: dict[str, tuple[str, bytes]] = {}
    code: dict[tuple[str, int], Code] = {}
    for language in i18n.languages():
        # Before any pattern is compiled, and from the rules alone (not the user's cache).
        lists = checks.derive_phrases(language, cached=False)
        tables[language] = (_digest(checks.phrases_key(language)), pickle.dumps(lists, 5))
        for name in (*checks.phrase_lists(), "vague_owners"):
            for phrase in lists[name]:
                source = checks.readable(phrase.source)
                code[(source, checks.PHRASE_FLAGS)] = _compiled(source, checks.PHRASE_FLAGS)
        for cue in checks.grammar(language).values():
            source = checks.readable(cue)
            code[(source, judge.CUE_FLAGS)] = _compiled(source, judge.CUE_FLAGS)
    data = {"engine": _ENGINE, "phrases": tables, "code": code}
    path = path or PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, pickle.dumps(data, 5))
    _table.cache_clear()
    return len(code)


if __name__ == "__main__":
    print(f"{PATH}: {build()} patterns")
