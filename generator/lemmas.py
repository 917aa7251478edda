"""Lemma-aware phrase patterns: `{name}` in a pattern of rules/<language>.yaml stands for every
surface form of the lemmas listed under `lemmas: {name: [...]}` in that file.

The forms come from simplemma's dictionaries (maintained, all five languages, offline). Loading
those takes 0.1 to 0.8 s a language, more than the whole lint of a case, so the forms of the
lemmas the rules use are extracted once (`python -m generator.lemmas`) into
rules/lemmas/<language>.json, which ships with the package; a test keeps it in step with the
rules and simplemma. A set is written into the pattern as a trie of alternatives, which the
regular-expression engine tries in one pass. Tense and person still come from the surface forms
around it (a future ending, a pronoun): a lemma set says which verb, not when or who.

Chosen over spaCy's lookup tables (spacy-lookups-data 1.0.5, 2023) after a comparison on 100
hand-labelled forms of plan vocabulary (20 a language): simplemma 93 right, spaCy 89 (its Spanish
table gives "hemo" for hemos, "quejar" for quejas); 19 MiB installed against a 98 MiB wheel.
Both read a past participle used as an adjective as its own lemma (perdidos -> perdido), so a
set lists the participle beside the verb where the rules need it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from generator.resources import RULES

FOLDER = RULES / "lemmas"
_SET = re.compile(r"\{([a-z_]+)\}")


@cache
def forms(language: str) -> dict[str, list[str]]:
    """Each lemma of the language's sets, with its surface forms (lower case, itself included)."""
    path = FOLDER / f"{language}.json"
    if not path.exists():
        return {}
    data: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def expand(pattern: str, language: str, sets: dict[str, list[str]]) -> str:
    """The pattern with each `{name}` replaced by the forms of that set's lemmas."""
    if "{" not in pattern:
        return pattern

    def replace(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in sets:
            return found.group(0)  # a regular-expression repeat such as {2}
        return _set_regex(language, tuple(sets[name]))

    return _SET.sub(replace, pattern)


@cache
def _set_regex(language: str, lemmas: tuple[str, ...]) -> str:
    """One set's forms as a trie, built once: a set stands in many patterns."""
    table = forms(language)
    words = {form for lemma in lemmas for form in table.get(str(lemma).lower(), [lemma])}
    return "(?:" + trie_regex(sorted(words)) + ")"


def trie_regex(words: list[str]) -> str:
    """One alternation for many words, sharing their prefixes (abc|abd -> ab[cd])."""
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node(trie)


def _node(node: dict[str, Any]) -> str:
    ends = "" in node
    # A space stays a space: the phrase loader turns it into "any white space" (a multi-word
    # entry such as "royal mail").
    branches = [
        (char if char == " " else re.escape(char)) + _node(child)
        for char, child in sorted(node.items())
        if char
    ]
    if not branches:
        return ""
    if len(branches) == 1 and not ends:
        return branches[0]
    if all(len(b) == 1 for b in branches) and len(branches) > 1:
        body = "[" + "".join(branches) + "]"
    else:
        body = "(?:" + "|".join(branches) + ")" if len(branches) > 1 else branches[0]
        if len(branches) == 1 and ends:
            body = "(?:" + body + ")"
    return body + ("?" if ends else "")


def extract(language: str, lemmas: list[str]) -> dict[str, list[str]]:
    """From simplemma's dictionary: the surface forms of each lemma (a development step)."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    wanted = {str(lemma).lower() for lemma in lemmas}
    table: dict[str, set[str]] = {lemma: {lemma} for lemma in wanted}
    dictionary = DefaultDictionaryFactory().get_dictionary(language)
    for form, lemma in dictionary.items():
        key = str(lemma).lower()
        if key in wanted and " " not in form:
            table[key].add(str(form).lower())
    return {lemma: sorted(found) for lemma, found in sorted(table.items())}


def sets_of(raw: dict[str, Any]) -> dict[str, list[str]]:
    """The lemma sets of a language's phrase file."""
    return {str(k): [str(v) for v in vs] for k, vs in (raw.get("lemmas") or {}).items()}


def main() -> None:
    """Write rules/lemmas/<language>.json for every language's lemma sets."""
    import yaml

    from generator import i18n

    FOLDER.mkdir(exist_ok=True)
    for language in i18n.languages():
        path = RULES / f"{language}.yaml"
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        lemmas = sorted({lemma for words in sets_of(raw).values() for lemma in words})
        table = extract(path.stem, lemmas)
        text = json.dumps(table, ensure_ascii=False, indent=0, sort_keys=True) + "\n"
        (FOLDER / f"{path.stem}.json").write_text(text, encoding="utf-8")
        print(f"{path.stem}: {len(table)} lemmas, {sum(map(len, table.values()))} forms")
    write_analysis()


def write_analysis() -> None:
    """rules/analysis.json: the prefilter's analysis of every pattern, as shipped."""
    from generator import checks, i18n, prefilter

    checks.phrases.cache_clear()
    forms.cache_clear()
    analyses = {}
    for language in i18n.languages():
        lists = checks.phrases(language)
        for name in (*checks.phrase_lists(), "vague_owners"):
            for phrase in lists[name]:
                analyses[phrase.source] = checks.analyse(phrase.source)
    (RULES / "analysis.json").write_text(prefilter.shipped_table(analyses), encoding="utf-8")
    print(f"analysis of {len(analyses)} patterns")


if __name__ == "__main__":
    main()
