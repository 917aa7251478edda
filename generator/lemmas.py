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
import lzma
import re
from collections.abc import Iterator
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
    regex = "(?:" + trie_regex(sorted(words)) + ")"
    if language == "de" and all(str(lemma)[:1].isupper() for lemma in lemmas):
        # A German noun stands as the head of a compound ("Amazon-System",
        # "Zwischenhändler"), and before a hyphen only where the compound names a part of that
        # party ("Hermes-Verteilzentrum"), not a thing of it ("Käufer-Verkäufer-Postfach").
        regex = rf"(?:\w\w\w+?-?)?{regex}(?:-{_GERMAN_PART}\b|(?!-))"
    return regex


# The heads of German hyphenated compounds that name a part of the party before the hyphen.
_GERMAN_PART = (
    "(?:Verteilzentrum|Logistikzentrum|Versandzentrum|Zentrum|Depot|Lager|Hub|Fahrer|Mitarbeiter"
    "|Team|System|Software|Tool|Update|Fehler|Störung|Filiale|Standort|Support|Algorithmus"
    "|Abholung|Zustellung|Annahme|Schnittstelle)"
)


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


# The synthetic future of the Romance languages is known by its ending ("revisarán", "formerò",
# "vérifiera"); a word with that ending that is no future ("albarán", "comparé", "entrò",
# "caméra") is found in simplemma's dictionary: its lemma is no verb, or the word is not built on
# the verb's future stem.
_FUTURE_ENDINGS = {
    "es": ("emos", "éis", "án", "ás", "á", "é"),
    "it": ("emo", "anno", "ete", "ai", "à", "ò"),
    "fr": ("ont", "ons", "ez", "as", "ai", "a"),
}
_FUTURE_WORD = {
    "es": r"\w+(?:aremos|eremos|iremos|dremos|bremos|rremos|arán|erán|irán|drán|brán|rrán|ará|erá"
    r"|irá|drá|brá|rrá|aré|eré|iré|dré|bré|rré)",
    "it": r"\w+(?:eremo|iremo|aremo|erà|irà|arà|rrà|drà|vrà|trà|prà|eranno|iranno|aranno|rranno"
    r"|dranno|vranno|tranno|pranno|erò|irò|arò|rrò|drò|vrò|trò|prò)",
    "fr": r"\w+r(?:ons|ez|ai|as|a|ont)",
}


def is_future(form: str, lemma: str, language: str) -> bool:
    """Whether a form with a future ending is the future of its lemma, a verb."""
    if language == "fr":
        return _french_future(form, lemma)
    verb = lemma.replace("ír", "ir")
    if verb.endswith(("arse", "erse", "irse", "arsi", "ersi", "irsi")):
        verb = verb[:-2] + ("e" if language == "it" else "")
    ending = next((end for end in _FUTURE_ENDINGS[language] if form.endswith(end)), "")
    stem = form[: -len(ending)]
    if not ending or not verb.endswith(("ar", "er", "ir", "are", "ere", "ire", "rre")):
        return False
    if language == "es":
        stems = {verb}  # the infinitive, or the stem of an irregular future
        if verb.endswith(("tener", "poner", "salir", "valer", "venir")):
            stems.add(verb[:-2] + "dr")  # tendr-, saldr-
        if verb.endswith(("poder", "saber", "caber", "haber", "querer")):
            stems.add(verb[:-2] + "r")  # podr-, querr-
        if verb.endswith(("hacer", "facer", "decir")):
            stems.add(verb[:-4] + ("ir" if verb.endswith("decir") else "ar"))  # har-, dir-
        return stem in stems
    stems = {verb[:-3] + "er" if verb.endswith("are") else verb[:-1]}  # formerò, crederò, farò
    if verb.endswith(("fare", "dare", "stare")):
        stems.add(verb[:-1])  # farò, darò, starò
    if verb.endswith(("care", "gare")):
        stems.add(verb[:-3] + "her")  # cercherò
    if verb.endswith(("ciare", "giare", "sciare")):
        stems.add(verb[:-4] + "er")  # comincerò
    if verb.endswith("ere") or verb.endswith("andare"):
        stems.add(verb[:-3] + "r")  # potr-, vedr-, andr-
    if verb.endswith("essere"):
        stems.add(verb[:-6] + "sar")
    return stem in stems or (stem.endswith("rr") and verb.startswith(stem[:-2]))  # verr-, terr-


# French future stems that are not the infinitive: être, avoir, faire, aller, savoir…
_FRENCH_STEMS = ("ser", "aur", "fer", "ir", "saur", "devr", "cevr", "pleuvr", "assiér", "assoir")


def _french_future(form: str, lemma: str) -> bool:
    ending = next((end for end in _FUTURE_ENDINGS["fr"] if form.endswith(end)), "")
    stem = form[: -len(ending)] if ending else form
    if not ending or not stem.endswith("r") or not lemma.endswith(("er", "ir", "re", "oir")):
        return False
    if stem == lemma[:-2]:
        return False  # the present of a verb whose stem ends in r: "nous livrons", "ouvrons"
    plain = _fold(stem).replace("ll", "l").replace("tt", "t")
    return (
        stem in (lemma, lemma[:-1])
        or plain == _fold(lemma)
        or stem.endswith(("rr", "dr", "vr"))
        or stem.endswith(_FRENCH_STEMS)
        or (stem.endswith("ier") and stem[:-3] + "yer" == lemma)  # paierons
    )


def _fold(word: str) -> str:
    return "".join(_plain(char) for char in word)


def not_futures(language: str) -> list[str]:
    """The words of simplemma's dictionary with a future ending that are no future (a
    development step: `python -m generator.lemmas` writes them to rules/lemmas/)."""
    if language not in _FUTURE_WORD:
        return []
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    ending = re.compile(_FUTURE_WORD[language] + r"\Z")
    dictionary = DefaultDictionaryFactory().get_dictionary(language)
    found = set()
    for form, lemma in dictionary.items():
        word, base = str(form).lower(), str(lemma).lower()
        if not ending.match(word) or is_future(word, base, language):
            continue
        # simplemma also holds forms it generated wrongly ("llevararemos"); no text has them.
        reflexive = base.endswith(("arse", "erse", "irse", "arsi", "ersi", "irsi"))
        verb = base[:-2] if reflexive else base
        if word.startswith(verb.removesuffix("e")) and len(word) > len(verb):
            continue
        found.add(word)
    return sorted(found)


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
        words = sorted(_words(path.stem, raw))
        (FOLDER / f"{path.stem}-words.txt.xz").write_bytes(
            lzma.compress(("\n".join(words) + "\n").encode("utf-8"), preset=9)
        )
        print(f"{path.stem}: {len(words)} words")
    futures = {language: not_futures(language) for language in i18n.languages()}
    text = json.dumps(futures, ensure_ascii=False, indent=0, sort_keys=True) + "\n"
    (FOLDER / "not-future.json").write_text(text, encoding="utf-8")
    print("not futures: " + ", ".join(f"{k} {len(v)}" for k, v in futures.items()))
    write_analysis()


def _words(language: str, raw: dict[str, Any]) -> set[str]:
    """The words of a language a run of capitals may be shouted in (a development step):
    simplemma's lemmas of 4 to 12 letters (German: no nouns, which name as often as they
    shout), the rules' stopwords and the words the rules themselves are written with."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    from generator import checks

    dictionary = DefaultDictionaryFactory().get_dictionary(language)
    words = {
        str(lemma).lower()
        for lemma in dictionary.values()
        if 4 <= len(lemma) <= 12
        and _ALPHABETIC.fullmatch(lemma)
        and (language != "de" or str(lemma)[:1].islower())
    }
    words |= {str(word).lower() for word in raw.get("stopwords") or []}
    for family in checks.phrase_lists():
        for pattern in raw.get(family) or []:
            text = _ESCAPE.sub(" ", str(pattern))  # "\\bjamais" is "jamais", no "(?P<denial>)"
            words |= {word.lower() for word in _LETTERS_IN.findall(text)}
    return words


_ALPHABETIC = re.compile(r"[^\W\d_]+")
_LETTERS_IN = re.compile(r"[^\W\d_]{4,}")
_ESCAPE = re.compile(r"\\[A-Za-z]|\(\?P<\w+>\)")


@cache
def words(language: str) -> frozenset[str]:
    """The words of a language (see _words), with English: its words stand in every plan."""
    found: set[str] = set()
    for name in {language, "en"}:
        path = FOLDER / f"{name}-words.txt.xz"
        if path.exists():
            found |= set(lzma.decompress(path.read_bytes()).decode("utf-8").split())
    return frozenset(found)


def known(word: str, language: str) -> bool:
    """Whether a word, in any case, is a word of the language or of English ("NIEMALS",
    "TODAS", "IMMÉDIATEMENT"), not a name ("EUROFINS", "KORVEN"): the word itself or its
    stem without a common ending."""
    vocabulary = words(language)
    if not vocabulary:
        return True  # no list shipped: every run of capitals may shout, as before
    lower = word.lower()
    stems = {lower}
    for _ in range(2):  # "immédiatement" -> "immédiate" -> "immédiat"
        stems |= {
            stem[: -len(ending)] + replacement
            for stem in stems
            for ending, replacement in _ENDINGS.get(language, ()) + _ENDINGS["en"]
            if stem.endswith(ending) and len(stem) - len(ending) >= 3
        }
    return not stems.isdisjoint(vocabulary)


# Inflectional and adverbial endings, and what a lemma has instead.
_ENDINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (
        ("s", ""),
        ("es", ""),
        ("ed", ""),
        ("ed", "e"),
        ("ing", ""),
        ("ing", "e"),
        ("ly", ""),
        ("ies", "y"),
        ("ied", "y"),
    ),
    "de": (
        ("e", ""),
        ("en", ""),
        ("er", ""),
        ("es", ""),
        ("em", ""),
        ("n", ""),
        ("s", ""),
        ("ern", ""),
    ),
    "fr": (
        ("s", ""),
        ("x", ""),
        ("e", ""),
        ("es", ""),
        ("ment", ""),
        ("ée", "er"),
        ("ées", "er"),
        ("és", "er"),
        ("é", "er"),
    ),
    "es": (
        ("s", ""),
        ("es", ""),
        ("as", "o"),
        ("os", "o"),
        ("a", "o"),
        ("mente", ""),
        ("ísimo", "o"),
        ("ísima", "o"),
        ("ísimos", "o"),
        ("ísimas", "o"),
        ("ísimo", "e"),
        ("ísima", "e"),
    ),
    "it": (
        ("i", "o"),
        ("i", "e"),
        ("e", "o"),
        ("e", "a"),
        ("a", "o"),
        ("mente", ""),
        ("issimo", "o"),
        ("issima", "o"),
        ("issimo", "e"),
        ("issima", "e"),
    ),
}


@cache
def not_future(language: str) -> frozenset[str]:
    """The words of a language that look like a future and are none (see not_futures)."""
    path = FOLDER / "not-future.json"
    if not path.exists():
        return frozenset()
    data: dict[str, list[str]] = json.loads(path.read_text(encoding="utf-8"))
    return frozenset(data.get(language, []))


# The auxiliaries of the future where it is built with one.
_FUTURE_AUXILIARY = {"en": {"will", "shall", "won't"}, "de": {"wird", "werden", "wirst"}}


def says_future(words: list[str], language: str) -> bool:
    """Whether any of the words is a future form: an auxiliary of the future, or a word with a
    future ending that the dictionary does not know as something else."""
    lowered = [word.lower() for word in words]
    if language in _FUTURE_AUXILIARY:
        return any(word in _FUTURE_AUXILIARY[language] for word in lowered)
    ending = _future_ending(language)
    return ending is not None and any(
        ending.fullmatch(word) and word not in not_future(language) for word in lowered
    )


@cache
def _future_ending(language: str) -> re.Pattern[str] | None:
    return re.compile(_FUTURE_WORD[language]) if language in _FUTURE_WORD else None


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


# Sellers typing fast, or on a keyboard of another country, drop accents ("perdian", "titulo",
# "reclamation"). A pattern's accented letter also takes its plain letter in the languages
# where that happens; not in the promise rule, whose futures differ by an accent alone
# ("revisará" will review, "revisara" reviewed).
ACCENT_TOLERANT = frozenset({"fr", "es", "it"})


# German typed without umlauts: "haendler", "koennen", "Strasse". The digraph is never another
# word, so every rule, the promise rule too, reads both spellings.
_DIGRAPHS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}


def tolerate_digraphs(source: str) -> str:
    """The regular expression with each umlaut (outside a character class) also matching its
    two-letter spelling."""
    out: list[str] = []
    for _, char, place in _regex_characters(source):
        if place == "literal" and char.lower() in _DIGRAPHS:
            out.append(f"(?:{char}|{_DIGRAPHS[char.lower()]})")
        else:
            out.append(char)
    return "".join(out)


def tolerate_missing_accents(source: str) -> str:
    """The regular expression with each accented letter also matching its plain letter."""
    out: list[str] = []
    opened = 0  # where the character class being read starts in `out`
    for index, char, place in _regex_characters(source):
        plain = _plain(char)
        if place == "class_start":
            opened = len(out)
        elif place == "class_end" and out[opened + 1] != "^":  # a negated class stays
            present = set(out[opened:])
            out.extend(sorted({_plain(c) for c in present} - present))
        # Only inside a word of four letters or more: "è"/"e", "à"/"a", "él"/"el" and
        # "más"/"mas" are other words.
        elif place in ("literal", "behind") and plain != char and _inside_word(source, index):
            out.append(f"[{char}{plain}]")
            continue
        out.append(char)
    return "".join(out)


def _regex_characters(source: str) -> Iterator[tuple[int, str, str]]:
    """Each character of a regular expression with where it stands: "escaped" (a backslash and
    the character it escapes), "class_start", "class" and "class_end" (a character class),
    "behind" (in a look-behind, which must keep its width) or "literal"."""
    opened = escaped = first = False
    behind = depth = 0  # the depth of the look-behind being read, and of groups
    for index, char in enumerate(source):
        just_opened, first = first, False
        if escaped:
            escaped, place = False, "escaped"
        elif char == "\\":
            escaped, place = True, "escaped"
        elif opened:
            closes = char == "]" and not just_opened  # "[]…]": a first "]" is a member
            opened, place = not closes, "class_end" if closes else "class"
        elif char == "[":
            opened = first = True
            place = "class_start"
        else:
            if char == "(":
                depth += 1
                if not behind and source.startswith(("(?<=", "(?<!"), index):
                    behind = depth
            elif char == ")":
                behind = 0 if behind == depth else behind
                depth -= 1
            place = "behind" if behind else "literal"
        yield index, char, place


def _inside_word(source: str, index: int) -> bool:
    """Whether the letter at `index` has three letters around it, before and after together
    (an escape such as `\\b` is no letter)."""
    before = 0
    while index - before > 0 and source[index - before - 1] in _LETTERS:
        before += 1
    if before and source[index - before - 1 : index - before] == "\\":
        before -= 1
    after = 0
    while index + after + 1 < len(source) and source[index + after + 1] in _LETTERS:
        after += 1
    return before + after >= 3


_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzàáâäçèéêëìíîïñòóôöùúûü")


@cache
def _plain(char: str) -> str:
    import unicodedata

    if not char.isalpha():
        return char
    base = unicodedata.normalize("NFD", char)[0]
    return base if base.isascii() and base.isalpha() and base != char else char


if __name__ == "__main__":
    main()
