"""The content rules: each check reads a case's data and yields findings; lint.py grades them.

Phrase rules take their patterns from rules/<language>.yaml; the structural rules below need the
plan's shape (root causes and what addresses them, evidence and what cites it, dates, ASINs).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections import Counter
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator import (
    catalogue,
    derived,
    judge,
    lemmas,
    normalise,
    prefilter,
    sentences,
    structures,
    user_cache,
)
from generator.i18n import language_name, languages
from generator.loader import YAML_LOADER
from generator.resources import RULES, schema_defs

Path_ = tuple[str | int, ...]

# Keys whose values are identifiers, dates, choices or Amazon's own words: never prose to lint.
_NOT_PROSE = {
    "structure",
    "language",
    "date",
    "notice",
    "lint",
    "submissions",
    "id",
    "file",
    "kind",
    "status",
    "role",
    "chosen",
    "addresses",
    "evidence",
    "asins",
    "orders",
    "merchant_token",
    "contact",
    "suppliers",
    "supplier",
    "number",
    "asin",
}


def _schema_word(name: str) -> re.Pattern[str]:
    """The pattern of a $defs entry of defs.schema.json, as a whole word inside prose."""
    pattern = schema_defs()[name]
    return re.compile(r"\b(?:" + pattern["pattern"].removeprefix("^").removesuffix("$") + r")\b")


_EVIDENCE_ID = _schema_word("evidence_id")
# In prose, only the B0… form reads as an ASIN: a ten-digit ISBN-style ASIN looks like any other
# number (a phone or a tracking number). An ASIN of the notice is found in any form by its text.
_ASIN_LIKE = re.compile(r"\bB0[0-9A-Z]{8}\b")
_WORD = re.compile(r"\w+(?:[-'\u2019]\w+)*")
# A part of a code such as "CAF-22-USADO" or "SKU_NEW" is no word, so no shouting.
_CAPITALS = re.compile(r"(?<![\w-])[A-ZÄÖÜÀ-ÝŒ]{2,}(?:\s+[A-ZÄÖÜÀ-ÝŒ]{2,})*\b(?![-_/]\w)")
# Names of people, roles and businesses: only checked for placeholders (a name like "Samira"
# must not read as a French future tense).
_NAMES = {"name", "owner", "function", "legal_name", "store_name", "source"}
MAX_PER_RULE = 10  # findings of one rule in one field


# Slots: a plan makes hundreds of texts and findings; they hold nothing else.
@dataclass(frozen=True, slots=True)
class Text:
    """One piece of prose the seller wrote, where it stands, and what kind of field it is."""

    path: Path_
    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    path: Path_
    match: str = ""
    needle: str = ""  # text to point at inside the value, if any
    occurrence: int = 0  # which occurrence of the needle in the value (0 for the first)
    fields: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


def walk(data: Any, skip: Collection[str] = (), path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    """Every value of a case with its path, parents first; keys in `skip` are not entered.
    With a stack, not nested generators: every value of every case passes through here."""
    stack: list[tuple[Path_, Any]] = [(path, data)]
    while stack:
        here, value = stack.pop()
        yield here, value
        if isinstance(value, dict):
            children = [((*here, k), v) for k, v in value.items() if k not in skip]
        elif isinstance(value, list):
            children = [((*here, i), v) for i, v in enumerate(value)]
        else:
            continue
        stack.extend(reversed(children))


def texts(data: Any) -> Iterator[Text]:
    """Every prose string of a case, with its kind (the key it stands under)."""
    for path, value in walk(data, _NOT_PROSE):
        if isinstance(value, str) and path:
            keys = [part for part in path if isinstance(part, str)]
            kind = keys[-1]
            if kind == "summary":
                kind = "summary" if keys[-2:-1] == ["problem"] else "proof"
            yield Text(path, kind, value)


def readable(source: str) -> str:
    """A pattern as it reads the seller's text: its "\\." also matches a full stop inside a
    sentence, which the rules see as sentences.INNER_STOP."""
    return source.replace("\\.", "[.\u2024]")


@functools.cache
def phrase_lists() -> tuple[str, ...]:
    """The keys of the phrase rules' lists in rules/<language>.yaml (the catalogue's names)."""
    return tuple(name.replace("-", "_") for name in catalogue.phrase_rules())


@functools.cache
def _raw_phrases(language: str) -> dict[str, Any]:
    with (RULES / f"{language}.yaml").open(encoding="utf-8") as handle:
        raw: dict[str, Any] = yaml.load(handle, Loader=YAML_LOADER)
    return raw


@functools.cache
def grammar(language: str) -> dict[str, str]:
    """The grammatical cues of a language (rules/<language>.yaml `grammar`), lemma sets expanded:
    who the seller is, what a control and a start date look like, what is concrete."""
    raw = _raw_phrases(language)
    sets = lemmas.sets_of(raw)
    cues = raw.get("grammar") or {}
    return {
        str(key): regex_source(lemmas.expand(str(pattern), language, sets))
        for key, pattern in cues.items()
    }


def regex_source(pattern: str) -> str:
    """A phrase or cue as written in rules/<language>.yaml, as a regular expression: a space
    matches any white space, ` ?` none or some, and a sentence's characters may include the
    points of a number (within_sentence)."""
    return within_sentence(pattern.replace(" ?", r"\s*").replace(" ", r"\s+"))


_IN_SENTENCE = "[^.;!?]"


_IN_WORD = ("[^\\s.,;:!?]", "[^\\s.,;:!?¿¡]")


def within_sentence(pattern: str) -> str:
    """`[^.;!?]` in a pattern, "any character of the same sentence", also takes a full stop
    inside a number or a date (6.1 %, 12.02.2026), which ends no sentence; and a word
    (`[^\\s.,;:!?]`) may be a number or date with its points and commas."""
    pattern = pattern.replace(_IN_SENTENCE, r"(?:[^.;!?]|\.(?=\d))")
    for word in _IN_WORD:
        pattern = pattern.replace(word, f"(?:{word}|[.,](?=\\d))")
    return pattern


@functools.cache
def stopwords(language: str) -> frozenset[str]:
    """A language's commonest words, for root-cause overlap and language detection."""
    return frozenset(str(word).lower() for word in _raw_phrases(language).get("stopwords", []))


@functools.cache
def phrases(language: str) -> dict[str, Any]:
    """The phrase lists of a language, compiled: a space matches any white space, ` ?` none."""
    return derived.phrases(language, phrases_key(language)) or derive_phrases(language)


def phrases_key(language: str) -> bytes:
    """What a language's phrase tables are derived from: its lists, the lemma forms, the code."""
    return b"".join(
        Path(path).read_bytes()
        for path in (
            RULES / f"{language}.yaml",
            RULES / "rules.yaml",
            lemmas.FOLDER / f"{language}.json",
            prefilter.__file__,
            lemmas.__file__,
            __file__,
            derived.__file__,
        )
        if Path(path).exists()
    )


def derive_phrases(language: str, cached: bool = True) -> dict[str, Any]:
    """phrases(), worked out from the rules (with the analyses kept between runs if `cached`)."""
    raw = _raw_phrases(language)
    compiled: dict[str, Any] = dict(raw)
    names = (*phrase_lists(), "vague_owners")
    # Analysing the patterns costs more than using them: keep the analysis between runs.
    key = phrases_key(language)
    sets = lemmas.sets_of(raw)
    stored = (user_cache.load_json(f"phrases-{language}", key) if cached else None) or {}
    offset = 0
    for name in names:
        sources = [lemmas.expand(str(pattern), language, sets) for pattern in raw.get(name) or []]
        if language in lemmas.ACCENT_TOLERANT and name != "promise":
            sources = [lemmas.tolerate_missing_accents(source) for source in sources]
        if language == "de":
            sources = [lemmas.tolerate_digraphs(source) for source in sources]
        analyses = stored.get(name) if isinstance(stored, dict) else None
        if not _usable_analyses(analyses, len(sources)):
            analyses = None  # missing, stale, or damaged: analysed again
        compiled[name] = PhraseList(sources, offset, analyses)
        offset += len(compiled[name].patterns)
    if cached and (not stored or not isinstance(stored, dict)):
        user_cache.save_json(
            f"phrases-{language}",
            key,
            {
                name: [
                    [
                        None if p.prefixes is None else sorted(p.prefixes),
                        [sorted(g) for g in p.required],
                        p.at_word,
                    ]
                    for p in compiled[name]
                ]
                for name in names
            },
        )
    compiled["rule_of"] = [name for name in names for _ in compiled[name]]
    # One scan of a text for all rules tells which few patterns can match it.
    every = [(p.prefixes, p.at_word) for name in names for p in compiled[name]]
    compiled["trigger"] = prefilter.Trigger(every)
    # Acronyms of any language are not shouting: English ones appear in every plan.
    shared = _raw_phrases("en").get("capitals", []) if language != "en" else []
    compiled["capitals"] = {str(word).upper() for word in [*raw.get("capitals", []), *shared]}
    compiled["stopwords"] = stopwords(language)
    return compiled


PHRASE_FLAGS = int(re.IGNORECASE | re.MULTILINE)


class Phrase:
    """A phrase pattern with the literals that rule it out for most texts; compiled on first use
    (most patterns never meet a text they could match)."""

    def __init__(self, source: str, analysis: list[Any] | None = None) -> None:
        self.source = regex_source(source)
        if analysis is None:
            analysis = prefilter.shipped(self.source) or analyse(self.source)
        prefixes, required, self.at_word = analysis
        self.prefixes = None if prefixes is None else frozenset(prefixes)
        self.required = tuple(frozenset(group) for group in required)
        self._pattern: re.Pattern[str] | None = None

    @property
    def pattern(self) -> re.Pattern[str]:
        if self._pattern is None:
            self._pattern = derived.compile_pattern(readable(self.source), PHRASE_FLAGS)
        return self._pattern

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text)


def _usable_analyses(analyses: Any, count: int) -> bool:
    """Whether stored analyses have the shape `analyse` gives, one for each of `count`."""

    def strings(value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(item, str) for item in value)

    return (
        isinstance(analyses, list)
        and len(analyses) == count
        and all(
            isinstance(a, list)
            and len(a) == 3
            and (a[0] is None or strings(a[0]))
            and isinstance(a[1], list)
            and all(strings(group) for group in a[1])
            and isinstance(a[2], bool)
            for a in analyses
        )
    )


def analyse(source: str) -> list[Any]:
    """The prefilter's view of one pattern, as JSON-able data (cached between runs)."""
    prefixes = prefilter.literal_prefixes(source)
    return [
        None if prefixes is None else sorted(prefixes),
        [sorted(group) for group in prefilter.required_literals(source)],
        prefilter.starts_at_word(source),
    ]


class PhraseList:
    """The patterns of one rule, numbered from `offset` within the language's trigger."""

    def __init__(
        self, sources: list[str], offset: int = 0, analyses: list[Any] | None = None
    ) -> None:
        self.patterns = [
            Phrase(source, analyses[i] if analyses else None) for i, source in enumerate(sources)
        ]
        self.offset = offset
        self.indexes = range(offset, offset + len(self.patterns))

    def __iter__(self) -> Iterator[Phrase]:
        return iter(self.patterns)

    def finditer(self, text: str, lowered: str, candidates: list[int]) -> Iterator[re.Match[str]]:
        """Matches of the patterns the trigger let through (`candidates`, sorted), in order."""
        low = bisect.bisect_left(candidates, self.indexes.start)
        high = bisect.bisect_left(candidates, self.indexes.stop, low)
        for index in candidates[low:high]:
            phrase = self.patterns[index - self.offset]
            if prefilter.has_required(phrase.required, lowered):
                yield from phrase.pattern.finditer(text)


@functools.cache
def rule_scopes() -> dict[str, frozenset[str]]:
    """For each rule, the field kinds it does not read (the catalogue's `not_in`)."""
    return {code: rule.not_in for code, rule in catalogue.rules().items()}


def phrase_findings(text: Text, language: str) -> Iterator[Finding]:
    """Findings of the phrase rules in one piece of prose."""
    for code, match, needle, occurrence in _phrase_matches(text.value, text.kind, language):
        yield Finding(code, text.path, match, needle, occurrence)


@functools.lru_cache(maxsize=32768)
def _phrase_matches(value: str, kind: str, language: str) -> tuple[tuple[str, str, str, int], ...]:
    """What the phrase rules find in a text: it depends on the words, the field kind and the
    language only, and plans repeat their texts (templates, copies of a problem), so each is
    judged once per process."""
    text = Text((), kind, value)
    return tuple((f.code, f.match, f.needle, f.occurrence) for f in _judge_phrases(text, language))


def _judge_phrases(text: Text, language: str) -> Iterator[Finding]:
    """Findings of the phrase rules in one piece of prose.

    The rules read the text normalised (normalise.py) and, except the placeholder and
    support-case rules, with quotations blanked out (sentences.py): someone else's words are
    evidence, not the seller's wording. Each match is mapped back to the original characters.
    """
    lists = phrases(language)
    scopes = rule_scopes()
    found: dict[str, list[tuple[int, int]]] = {}  # what each rule found, as spans of the text
    norm = normalise.normalise(text.value)
    value = norm.text
    own = sentences.mask_stops(sentences.mask_quotes(value))
    lowered = value.lower()
    candidates = sorted(lists["trigger"].candidates(lowered))
    present = {lists["rule_of"][index] for index in candidates}
    for name in phrase_lists():
        code = "lint." + name.replace("_", "-")
        if text.kind in scopes.get(code, frozenset()) or (
            text.kind in _NAMES and name != "placeholder"
        ):
            continue
        subject = value if name in _READS_QUOTES else own
        kept = None
        if name in _READS_WITHOUT_ASIDES:
            subject, kept = sentences.without_asides(own)
        matches = lists[name].finditer(subject, lowered, candidates) if name in present else ()
        spans = judge.spans(name, subject, language, matches, text.kind, found, MAX_PER_RULE)
        if kept is not None:
            spans = [(kept[start], kept[end - 1] + 1) for start, end in spans]
        found[name] = spans
        for start, end in spans:
            yield _finding(code, text, norm, start, end)
        if name == "filler" and judge.long_introduction(own, spans):
            first = _finding(code, text, norm, *spans[0])  # point at its first filler words
            count = str(words(text.value))
            yield Finding(
                "lint.long-introduction", text.path, count, first.needle, first.occurrence
            )
    if (
        not found.get("emotion")
        and text.kind not in scopes.get("lint.emotion", frozenset())
        and text.kind not in _NAMES
    ):
        shout = _shouting(own, lists["capitals"], language)
        if shout:
            yield Finding("lint.emotion", text.path, shout, shout)


_READS_QUOTES = {"placeholder", "support_case"}
# Blame reads a sentence without its short bracketed asides ("the centre (LIL1) mixed…"); the
# other rules keep them, since an identifier in brackets makes an action concrete.
_READS_WITHOUT_ASIDES = {"blame"}


def _finding(code: str, text: Text, norm: normalise.Normalised, start: int, end: int) -> Finding:
    """A finding at the original characters of a match in the normalised text."""
    first, last = norm.span(start, end)
    needle = text.value[first:last]
    match = " ".join(norm.text[start:end].split())
    before = text.value[:first].lower().count(needle.lower())
    return Finding(code, text.path, _short(match), needle, before)


def character_findings(text: Text) -> Iterator[Finding]:
    """Invisible characters and Latin words spelt with Cyrillic or Greek look-alikes: they
    corrupt what is pasted into Seller Central and hide words from the rules."""
    norm = normalise.normalise(text.value)
    if norm.invisible:
        char = norm.invisible[0][1]
        count = {"count": str(len(norm.invisible))}
        yield Finding("lint.invisible-character", text.path, f"U+{ord(char):04X}", char, 0, count)
    for index, word in norm.mixed[:MAX_PER_RULE]:
        yield Finding("lint.mixed-script", text.path, word, text.value[index : index + len(word)])


# "Article 15 EUTMR", "Verordnung (EU) 2023/988 GPSR": the acronym of a law after its number.
_LAW = re.compile(
    r"(\d[\d/.\u2024)]*|\b(art|article|artikel|artículo|articolo|regulation|verordnung|règlement"
    r"|reglamento|regolamento|directive|richtlinie|directiva|direttiva))[.\u2024]?\s*$",
    re.IGNORECASE,
)


def _shouting(value: str, allowed: set[str], language: str) -> str:
    """A run of capitals that is not an acronym: one word of 5+ letters or 2+ words of 4+,
    each a word of the language ("NIEMALS", "TODAS"), not a name ("EUROFINS", "KORVEN").
    A run of capitals names a brand, a laboratory or a company after a word for a brand (the
    `brand_word` cue, English's in every plan: "marca «X»"), before one in English ("the TERRA
    range"), after a preposition of the `before_name` cue ("tested by SGS"), marked ® or ™, in
    parentheses, or before a legal form; a template's placeholder stands in brackets."""
    named = [
        cue
        for cue in (
            judge.cue(language, "brand_word"),
            judge.cue("en", "brand_word"),
            judge.cue(language, "before_name"),
        )
        if cue is not None
    ]
    named_after = judge.cue("en", "brand_word_after")
    for run in _CAPITALS.finditer(value):
        before, after = value[max(0, run.start() - 40) : run.start()], value[run.end() :]
        if (
            any(cue.search(before) for cue in named)
            or (named_after is not None and named_after.match(after) is not None)
            or after.startswith(("®", "™"))
            or before.endswith(("[", "<", "{"))
            or (before.rfind("(") > before.rfind(")") and ")" in after[:40])  # "(crema ALOE PURA)"
            or any(_legal_form(word) for word in _next_names(after))
            or _LAW.search(before)
        ):
            continue
        parts = run.group(0).split()
        if _legal_form(parts[-1]):
            continue  # "BRIGHTHOLM TRADING LTD": a company by name
        words = [w for w in parts if w not in allowed and lemmas.known(w, language)]
        if any(len(w) >= 5 for w in words) or sum(len(w) >= 4 for w in words) >= 2:
            return run.group(0)
    return ""


def _next_names(text: str) -> list[str]:
    """The next word, and the capitalised words after it up to three ("FLORA Design GmbH")."""
    words = [word.rstrip(",;:)") for word in text.lstrip(", \n\t").split(maxsplit=3)[:3]]
    names = words[:1]
    for word in words[1:]:
        if not word[:1].isupper():
            break
        names.append(word)
    return names


def _legal_form(word: str) -> bool:
    """Whether a word is a company's legal form ("GmbH", "S.L.", "S.r.l.", "LTD")."""
    return word.replace(".", "").replace(sentences.INNER_STOP, "").upper() in _LEGAL_FORMS


_LEGAL_FORMS = frozenset(
    [
        "LTD",
        "LLC",
        "INC",
        "CORP",
        "PLC",
        "GMBH",
        "AG",
        "KG",
        "UG",
        "OHG",
        "SARL",
        "SAS",
        "SA",
        "SL",
        "SLU",
        "SRL",
        "SPA",
        "SNC",
        "BV",
        "NV",
        "CO",
    ]
)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# Plans repeat their texts (templates, copies of a problem): each is split into words once.
@functools.lru_cache(maxsize=32768)
def words(text: str) -> int:
    return len(_WORD.findall(text))


@functools.lru_cache(maxsize=32768)
def _word_set(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text))


def _action_lists(data: dict[str, Any]) -> Iterator[tuple[structures.Part, Path_, list[Any]]]:
    """Each list of actions of each problem, with its part of the plan and its path."""
    for p, problem in enumerate(data["problems"]):
        yield from structures.action_lists(problem, data["structure"], ("problems", p))


def action_findings(data: dict[str, Any]) -> Iterator[Finding]:
    """Actions reported as done must be done, and dated on or before the plan."""
    for _, base, actions in _action_lists(data):
        for a, action in enumerate(actions):
            if action["status"] == "planned":
                yield Finding("lint.action-status", (*base, a, "status"), "planned")
            if action["date"] > data["date"]:
                yield Finding("lint.action-date", (*base, a, "date"), action["date"])


def traceability_findings(data: dict[str, Any], prose: list[Text]) -> Iterator[Finding]:
    """Each root cause is answered; every id cited exists; every evidence item is cited."""
    known_evidence = {item["id"] for item in data.get("evidence", [])}
    cited: set[str] = set()
    yield from _duplicates(data["problems"], ("problems",))
    yield from _duplicates(data.get("evidence", []), ("evidence",))
    for p, problem in enumerate(data["problems"]):
        causes = {cause["id"]: c for c, cause in enumerate(problem["root_causes"])}
        lists = structures.action_lists(problem, data["structure"], ("problems", p))
        for part, path, actions in (each for each in lists if each[0].answers):
            addressed: set[str] = set()
            for a, action in enumerate(actions):
                for i, ref in enumerate(action["addresses"]):
                    addressed.add(ref)
                    if ref not in causes:
                        yield Finding("lint.unknown-reference", (*path, a, "addresses", i), ref)
            for cause_id, c in causes.items():
                if cause_id not in addressed:
                    yield Finding(
                        "lint.unaddressed-cause",
                        ("problems", p, "root_causes", c),
                        cause_id,
                        fields={"section": f"{part.answers} (D{part.d})"},
                    )
    for path, ids in _evidence_lists(data):
        for i, ref in enumerate(ids):
            cited.add(ref)
            if ref not in known_evidence:
                yield Finding("lint.unknown-reference", (*path, i), ref)
    for text in (t for t in prose if t.path[0] != "evidence"):
        for found in _EVIDENCE_ID.finditer(text.value):
            cited.add(found.group(0))
            if found.group(0) not in known_evidence:
                yield Finding("lint.unknown-reference", text.path, found.group(0), found.group(0))
    for e, item in enumerate(data.get("evidence", [])):
        if item["id"] not in cited:
            yield Finding("lint.orphan-evidence", ("evidence", e, "id"), item["id"])


def _duplicates(items: list[dict[str, Any]], path: Path_) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, item in enumerate(items):
        if item["id"] in seen:
            yield Finding("lint.duplicate-id", (*path, index, "id"), item["id"])
        seen.add(item["id"])
        if "root_causes" in item:
            yield from _duplicates(item["root_causes"], (*path, index, "root_causes"))


def _evidence_lists(data: Any) -> Iterator[tuple[Path_, list[str]]]:
    """The lists of evidence ids that cite evidence (not the evidence list itself)."""
    for path, value in walk(data):
        if len(path) > 1 and path[-1] == "evidence":
            yield path, value


def proof_findings(data: dict[str, Any]) -> Iterator[Finding]:
    """A proof of effectiveness needs a figure or a piece of evidence."""
    where = structures.part(data["structure"], structures.Role.PROOF).path
    for p, problem in enumerate(data["problems"]):
        path: Path_ = ("problems", p, *where)
        proof = structures.get(problem, where)
        has_number = re.search(r"\d", proof["summary"]) is not None
        if not (proof.get("metrics") or proof.get("evidence") or has_number):
            yield Finding("lint.no-figures", path)


def symptom_findings(data: dict[str, Any], common: frozenset[str]) -> Iterator[Finding]:
    """A root cause whose words are nearly all in the problem description adds no analysis."""
    for p, problem in enumerate(data["problems"]):
        summary = _content_words(problem["problem"]["summary"], common)
        for c, cause in enumerate(problem["root_causes"]):
            own = _content_words(cause["cause"], common)
            if len(own) >= 3 and len(own & summary) / len(own) >= 0.75:
                yield Finding("lint.symptom", ("problems", p, "root_causes", c, "cause"))


def _content_words(text: str, common: frozenset[str]) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in common}


def structure_findings(data: dict[str, Any]) -> Iterator[Finding]:
    """A 4D plan for a suspended account, unless 4D is what the reason calls for there (seller
    details are answered with documents, not an 8D analysis)."""
    notice = data["notice"]
    short = structures.Expected("4d", "account")
    if (
        notice["scope"] == "account"
        and structures.SCOPE[data["structure"]] != "account"
        and structures.EXPECTED[notice["reason"]] != short
    ):
        yield Finding("lint.structure", ("structure",))


def length_findings(
    data: dict[str, Any], prose: list[Text], total: int, section: int
) -> Iterator[Finding]:
    """Word budgets for the whole plan and for each D section of each problem."""
    counts = [words(text.value) for text in prose]
    count = sum(counts)
    if count > total:
        yield Finding(
            "lint.length", ("problems",), f"the plan has {count} words, over the budget of {total}"
        )
    per_section: Counter[Path_] = Counter()
    for text, n in zip(prose, counts, strict=True):
        if text.path[0] == "problems":
            per_section[text.path[:3]] += n
    for p, problem in enumerate(data["problems"]):
        for key in problem:
            if key in ("id", "title"):
                continue
            section_words = per_section[("problems", p, key)]
            if section_words > section:
                yield Finding(
                    "lint.length",
                    ("problems", p, key),
                    f"this section has {section_words} words, over {section}",
                )


def text_length_findings(text: str, limit: int) -> Iterator[Finding]:
    """The paste-ready text (as built) against the character limit of the appeal form."""
    if len(text) > limit:
        yield Finding(
            "lint.length",
            ("problems",),
            f"the paste-ready text has {len(text)} characters, over {limit}",
        )


def owner_findings(data: dict[str, Any], vague: PhraseList) -> Iterator[Finding]:
    for _, base, actions in _action_lists(data):
        for a, action in enumerate(actions):
            owner = action["owner"].strip()
            if any(pattern.search(owner) for pattern in vague):
                yield Finding("lint.vague-owner", (*base, a, "owner"), owner)


def asin_findings(data: dict[str, Any], prose: list[Text]) -> Iterator[Finding]:
    """Every ASIN of the notice is discussed in a problem; no other ASIN appears."""
    notice = set(data["notice"].get("asins", []))
    mentioned: set[str] = set()
    for p, problem in enumerate(data["problems"]):
        mentioned.update(problem["problem"].get("asins", []))
        for text in (t for t in prose if t.path[:2] == ("problems", p)):
            words = _word_set(text.value)
            mentioned.update(asin for asin in notice if asin in words)
    for i, asin in enumerate(data["notice"].get("asins", [])):
        if asin not in mentioned:
            yield Finding("lint.asin-missing", ("notice", "asins", i), asin)
    for text in prose:
        for found in _ASIN_LIKE.finditer(text.value):
            if found.group(0) not in notice:
                yield Finding("lint.asin-unknown", text.path, found.group(0), found.group(0))
    for p, problem in enumerate(data["problems"]):
        for i, asin in enumerate(problem["problem"].get("asins", [])):
            if asin not in notice:
                yield Finding("lint.asin-unknown", ("problems", p, "problem", "asins", i), asin)


def covers(item: dict[str, Any]) -> list[str]:
    """The ASINs an evidence item covers: its `asins` and the ASINs of its invoice lines."""
    lines = [line["asin"] for line in item.get("quantities", [])]
    return list(dict.fromkeys([*item.get("asins", []), *lines]))


def evidence_findings(data: dict[str, Any]) -> Iterator[Finding]:
    """Every ASIN of the notice has evidence; invoices are recent (365 days before the plan)."""
    import datetime

    items = data.get("evidence", [])
    covered = {asin for item in items for asin in covers(item)}
    for i, asin in enumerate(data["notice"].get("asins", [])):
        if asin not in covered:
            yield Finding("lint.asin-evidence", ("notice", "asins", i), asin)
    plan = datetime.date.fromisoformat(data["date"])
    for e, item in enumerate(items):
        age = plan - datetime.date.fromisoformat(item["date"])
        if item["kind"] == "invoice" and age.days > 365:
            yield Finding("lint.old-invoice", ("evidence", e, "date"), item["id"])


def placeholder_findings(data: Any, language: str, prose: list[Text]) -> Iterator[Finding]:
    """Placeholders in the fields that are not prose to the phrase rules (the notice, contacts,
    evidence descriptions, ...): no string of a case may ship a scaffold's "TODO: ..."."""
    read = {text.path for text in prose}
    for path, value in walk(data, ("lint", "submissions")):
        if not isinstance(value, str) or path in read:
            continue  # the phrase rules report prose
        found = _placeholder(value, language)
        if found is not None:
            yield Finding("lint.placeholder", path, _short(" ".join(found.split())), found)


@functools.lru_cache(maxsize=32768)
def _placeholder(value: str, language: str) -> str | None:
    """The first placeholder pattern's match in a value: plans repeat their identifiers, dates
    and names, so each value is searched once per process."""
    for phrase in phrases(language)["placeholder"]:
        found = phrase.search(value)
        if found:
            return str(found.group(0))
    return None


_FILLER_ID = re.compile(r"X{4,}")


# The notice's date in a new case (templates/scaffold/case.yaml.j2): not today's, which would
# read as real, but the first date the schema allows, which no notice carries.
SCAFFOLD_NOTICE_DATE = "1980-01-01"


def identifier_findings(data: Any) -> Iterator[Finding]:
    """Identifiers still holding a scaffold's XXXX (the schema accepts their shape)."""
    for path, value in walk(data, ("lint", "submissions")):
        if isinstance(value, str) and _FILLER_ID.search(value):
            yield Finding("lint.placeholder", path, value, value)


def notice_date_findings(data: dict[str, Any]) -> Iterator[Finding]:
    """The scaffold's stand-in for the date of Amazon's notice, not yet replaced."""
    if data["notice"]["date"] == SCAFFOLD_NOTICE_DATE:
        yield Finding("lint.placeholder", ("notice", "date"), SCAFFOLD_NOTICE_DATE)


MIN_WORDS_FOR_LANGUAGE = 40


def language_findings(data: dict[str, Any], prose: list[Text]) -> Iterator[Finding]:
    """The plan's words against each language's commonest words; see lint.language."""
    found = Counter(_WORD.findall("\n".join(text.value for text in prose).lower()))
    total = sum(found.values())
    if total < MIN_WORDS_FOR_LANGUAGE:
        return
    shares = {}
    for language in languages():
        stop = stopwords(language)
        shares[language] = sum(n for w, n in found.items() if w in stop) / total
    declared = data["language"]
    best = max(shares, key=lambda lang: shares[lang])
    if best != declared and shares[best] >= 2 * shares.get(declared, 0.0):
        # Both named in the plan's language, as the rest of the finding is written.
        yield Finding(
            "lint.language",
            ("language",),
            language_name(best, declared),
            fields={"declared": language_name(declared, declared)},
        )
