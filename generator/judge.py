"""The grammar on top of the phrase patterns: which matches stand, per sentence and per field.

The patterns (rules/<language>.yaml, with lemma sets) find candidate wording; this module decides
with what a pattern cannot see on its own:
- promise: a future form whose subject is a control (a system, rule, contract or procedure)
  with a start date in the same field describes a control in place, not an intention; a word
  that only ends like a future ("albarán", "nous rencontrons") is none (lemmas.not_future);
- blame: the seller's own cause or cited data anywhere in the field make another party's part
  a fact, unless the pattern denies or accuses outright (?P<denial>); so do a fault told in the
  future (a control), Amazon's enforcement told as the event appealed, and a first-person subject
  after a comma inside the match;
- emotion and filler: a formula apology is filler, not emotion; the company's story inside a
  hardship appeal is part of the appeal, not filler;
- vague: an action or proof that names nothing concrete at all (no figure, date, named
  document, tool, role or identifier) is vague as a whole, and so is a sentence of a longer
  one that claims a measure and names nothing, beside the phrase patterns.
Each step is a pure function over the text and spans of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from generator import derived, lemmas, sentences

Span = tuple[int, int]
_VAGUE_KINDS = {"action", "proof"}
_MIN_WORDS = 4  # "Done." is empty rather than vague: other rules and the schema see it
_MAX_WORDS = 60  # a longer text that names nothing is rare; its words are left to the patterns


def spans(
    name: str,
    text: str,
    language: str,
    matches: Iterable[re.Match[str]],
    kind: str,
    others: dict[str, list[Span]],
    limit: int,
) -> list[Span]:
    """The spans a rule reports in one text, in order, each passage once. `others` are what the
    rules before it found in the text, by rule (a promise is not also vague as a whole)."""
    taken: list[Span] = []
    for found in matches:
        if len(taken) == limit:  # enough to act on; the rest shows after a fix
            break
        if found.end() == found.start():
            continue
        if any(found.start() < end and start < found.end() for start, end in taken):
            continue
        if not _stands(name, text, language, found):
            continue
        if name == "filler" and _in_appeal(text, language, found, others.get("emotion", [])):
            continue
        # "…my father was in hospital: please be understanding": a plea (?P<plea>) in a field
        # the emotion rule has found a hardship appeal in is part of that appeal.
        if name == "filler" and "plea" in found.re.groupindex and others.get("emotion"):
            continue
        taken.append(found.span())
    if name == "vague" and not taken and kind in _VAGUE_KINDS and _in_language(text, language):
        taken.extend(_empty(text, language, [span for spans in others.values() for span in spans]))
    return sorted(taken)


def _in_appeal(text: str, language: str, found: re.Match[str], emotion: list[Span]) -> bool:
    """Whether a filler match tells the company's story inside a hardship appeal ("c'est notre
    unique source de revenus depuis trois ans"): the emotion rule has the sentence."""
    start, end = sentences.sentence_of(text, found.start())
    return any(start <= a < end for a, _ in emotion) and _cue(
        _grammar(language), "story", text, found.start(), found.end()
    )


def _empty(text: str, language: str, others: list[Span]) -> list[Span]:
    """An action or proof that names nothing concrete, as a whole; or, in a longer one, a
    sentence that claims a measure and names nothing ("Appropriate measures have also been
    taken for the rest of our inventory.") where no other rule has found anything."""
    parts = sentences.sentence_spans(text)
    if not parts:
        return []
    whole = not others and "?" not in text and _MIN_WORDS <= len(text.split()) <= _MAX_WORDS
    if whole and not concrete(text, language):
        return [_stripped(text, parts[0])]
    if len(parts) < 2 or "measure" not in _grammar(language):
        return []
    found = []
    for start, end in parts:
        sentence = text[start:end]
        if (
            _MIN_WORDS <= len(sentence.split()) <= _MAX_WORDS
            and "?" not in sentence
            and not any(a < end and start < b for a, b in others)
            and _grammar(language)["measure"].search(sentence)
            and not concrete(sentence.strip(), language)
        ):
            found.append(_stripped(text, (start, end)))
    return found[:1]


def _stripped(text: str, span: Span) -> Span:
    start, end = span
    return start + len(text[start:end]) - len(text[start:end].lstrip()), end


def _stands(name: str, text: str, language: str, found: re.Match[str]) -> bool:
    """Whether a match is what its rule means, given its sentence.

    A pattern can mark itself with an empty named group: (?P<excuse>) is filler only in a field
    without the seller's own cause, (?P<nofigure>) stands only in a
    sentence without a figure ("customers are satisfied"), (?P<denial>) is blame even beside
    the seller's own cause ("the complaints are unfounded"), (?P<subject>) stands only where
    the seller is not named before the match in its clause (the other actor is the subject),
    (?P<when>) is a time adverb that a purpose clause before it turns into a purpose,
    (?P<personal>) stands only in a sentence about us (we, our, my), (?P<affirmed>) only where
    its clause up to the match's end denies nothing ("no vase arrived broken"), (?P<contrast>)
    only after what we did in its sentence ("…, whereas the depot held them"), (?P<undated>)
    is a denial in a sentence without a date (see _denies); a filler
    (?P<plea>) yields to a hardship appeal in its field (see spans)."""
    grammar = _grammar(language)
    start, end = sentences.sentence_of(text, found.start())
    if name == "promise":
        return not _looks_future(found, start, language) and _promise_stands(
            text, found, start, end, grammar
        )
    # "…contrôlé par Mme Constance Pardon": a word of the rule capitalised inside its sentence
    # is a name.
    if name in ("emotion", "filler") and _a_name(found, start, language):
        return False
    # "We apologised to the 14 buyers and refunded them" reports an action; a courtesy in the
    # past tense is not addressed to the reviewer.
    if name == "filler" and _cue(grammar, "reported_courtesy", text, start, found.end()):
        return False
    # "We did not know that… that gap in our knowledge is the cause": ignorance told beside the
    # seller's own cause (?P<excuse>) is an admission, not an excuse.
    if (
        name == "filler"
        and "excuse" in found.re.groupindex
        and _cue(grammar, "own_cause", text, 0, len(text))
    ):
        return False
    # "We are truly sorry for the inconvenience": a formula apology is the filler rule's
    # ("So sorry!!!" still exclaims).
    if (
        name == "emotion"
        and "!" not in found.group(0)
        and _cue(grammar, "apology", text, *_clause(text, found, start, end, grammar))
    ):
        return False
    # "Although our invoices are perfectly in order, the brand owner…": a concession is the
    # ground of the main clause, not a claim of a measure.
    if name == "vague" and _conceded(text, found, start, end, grammar):
        return False
    if name == "question" and _WHY.match(text, start, end) and text[end:].strip():
        return False  # a 5-Whys step: the answer follows in the same field
    # "The buyer wrote on 2 March: why did it arrive open?" reports a question, as a quote does.
    if name == "question" and _cue(grammar, "reported", text, start, found.end()):
        return False
    if not _marks_stand(text, found, start, end, grammar):
        return False
    if name == "blame" and not _denies(found, text[start:end], grammar):
        # "Since 3 March the listing tool will reject…" describes a control: a fault is told in
        # the past or present.
        if lemmas.says_future(_WORDS.findall(found.group(0)), language):
            return False
        # "…encargada de atención al cliente, y no menciona…": the seller's own department,
        # named after its customers, is no other party (a party opens or ends a match).
        if any(
            _within(grammar, "own_department", text, index)
            for index in (found.start(), found.end() - 1)
        ):
            return False
        # "Amazon deactivated the listing on 3 March" is the event appealed, told as a fact.
        if _cue(grammar, "enforcement", text, found.start(), found.end()):
            return False
        # "…dans Seller Central, on avait oublié de la changer": a first person after a comma
        # inside the match is the subject of its fault.
        comma = found.group(0).find(",")
        if comma >= 0 and _cue(
            grammar, "first_person_subject", text, found.start() + comma, found.end()
        ):
            return False
        # "Our listing tool will refuse…": a tool of our own is our side. The seller's own
        # cause or cited data anywhere in the field ("…; we had no check of the condition")
        # make the other party's part a fact.
        # A glitch of our own software is still an excuse: (?P<malfunction>) ignores own_tool.
        own_tool = "malfunction" not in found.re.groupindex and _cue(
            grammar, "own_tool", text, max(start, found.start() - 40), found.end()
        )
        return not (
            own_tool
            or _cue(grammar, "own_cause", text, 0, len(text))
            or _cue(grammar, "evidence_cue", text, 0, len(text))
        )
    return True


def _denies(found: re.Match[str], sentence: str, grammar: dict[str, re.Pattern[str]]) -> bool:
    """Whether a blame match accuses outright (?P<denial>, or a hedge of the `inference` cue in
    its sentence), whatever else the field says; an
    (?P<undated>) one only in a sentence without a date or figure: "written by an employee who
    has since left" deflects, "a packer, who left on 7 February, …" tells the cause's facts."""
    groups = found.re.groupindex
    if "denial" in groups or _cue(grammar, "inference", sentence, 0, len(sentence)):
        return True  # "It appears that the fulfilment centre restocked them unchecked."
    return "undated" in groups and not _dated(sentence, grammar)


def _dated(sentence: str, grammar: dict[str, re.Pattern[str]]) -> bool:
    return bool(_FIGURE.search(sentence) or _cue(grammar, "date", sentence, 0, len(sentence)))


def _looks_future(found: re.Match[str], start: int, language: str) -> bool:
    """A word with a future ending that is none: in the dictionary ("albarán", "comparé",
    "entrò"), or a name, capitalised inside its sentence ("Durán")."""
    words = _WORDS.findall(found.group(0))
    if not words:
        return False
    if words[-1].lower() in lemmas.not_future(language):
        return True
    return _a_name(found, start, language)


# The titles before a surname: "Frau Ehrlich", "Mme Constance Pardon".
_TITLE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Frau|Herr|Mme|Mlle|Sr|Sra|Srta|Sig|Sig\.ra|Dott)\.?\s+"
    r"(?:[A-ZÀ-Ý]\w+\s+)?$"
)


def _a_name(found: re.Match[str], start: int, language: str) -> bool:
    """A match that is one word capitalised inside its sentence names someone ("Durán",
    "Constance Pardon"); in German, where every noun is capitalised, only after a title."""
    words = _WORDS.findall(found.group(0))
    before = found.string[start : found.start()]
    return (
        len(words) == 1
        and words[0][0].isupper()
        and not words[0].isupper()
        and bool(before.strip(" \n\t\"'«“("))  # not its first word
        and (language != "de" or _TITLE.search(before) is not None)
    )


def _within(grammar: dict[str, re.Pattern[str]], key: str, text: str, index: int) -> bool:
    """Whether the language's cue `key` occurs around text[index], holding it."""
    pattern = grammar.get(key)
    if pattern is None:
        return False
    window = pattern.finditer(text, max(0, index - 40), index + 40)
    return any(found.start() <= index < found.end() for found in window)


def _cue(grammar: dict[str, re.Pattern[str]], key: str, text: str, start: int, end: int) -> bool:
    """Whether the language's grammatical cue `key` occurs in text[start:end]."""
    pattern = grammar.get(key)
    return pattern is not None and pattern.search(text, start, end) is not None


def _promise_stands(
    text: str, found: re.Match[str], start: int, end: int, grammar: dict[str, re.Pattern[str]]
) -> bool:
    if text[start:end].rstrip().endswith("?"):
        return False  # "How should we prevent that?" asks; the question rule reads it
    # "We had planned to change carrier: the contract was signed on 8 January" reports.
    if _cue(grammar, "past_plan", text, start, found.end()):
        return False
    # "Si un échantillon dépasse la limite, le lot sera détruit": a future after a condition,
    # with none of us as its subject, is a rule in place ("if we find…, we will" still plans).
    if _cue(grammar, "condition", text, start, found.start()) and not _cue(
        grammar, "first_person", text, start, found.end()
    ):
        return False
    # "Without the account we will have to let our five employees go" is a hardship appeal.
    if _cue(grammar, "without_account", text, start, end):
        return False
    # "We would like to explain…" announces; the filler rule reads it. Only in the match's own
    # clause: "We apologise and assure you it will not happen again" still promises.
    if _cue(grammar, "preamble", text, *_clause(text, found, start, end, grammar)):
        return False
    # (?P<when>) a time adverb: "…added a check to avoid errors in the future" is the purpose
    # of a past action, and "please reinstate us as soon as possible" a request to the reader.
    if "when" in found.re.groupindex and (
        _cue(grammar, "purpose", text, start, found.start())
        or _cue(grammar, "request", text, start, end)
    ):
        return False
    return not _describes_control(text, found, start, end, grammar)


def _marks_stand(
    text: str, found: re.Match[str], start: int, end: int, grammar: dict[str, re.Pattern[str]]
) -> bool:
    """The conditions a pattern's empty named groups set (see _stands)."""
    groups = found.re.groupindex
    if "nofigure" in groups and _has_figure(text[start:end], grammar):
        return False
    # Illness, pregnancy or a death is a hardship appeal only about us ("not for use during
    # pregnancy" on a label is a fact), and not when a member of staff was ill ("Our only packer
    # was on sick leave from 8 to 26 December" tells who was missing), nor an illness told with
    # its dates or length ("I was in hospital from 6 to 13 January", the cause's facts).
    if "personal" in groups and (
        not _cue(grammar, "personal", text, start, end)
        or _cue(grammar, "staff_illness", text, start, found.end())
        or _cue(grammar, "dated_illness", text, start, end)
    ):
        return False
    # "We handed the parcels over on time, whereas the depot held them": a contrast with what
    # we did puts the fault on the other side; without us before it, it compares ("while the
    # carrier collects at 16:00, …").
    if "contrast" in groups and not _cue(grammar, "ours", text, start, found.start()):
        return False
    clause = _clause(text, found, start, end, grammar)[0]
    if "affirmed" in groups and _cue(grammar, "negation", text, clause, found.end()):
        return False
    if "subject" in groups:
        # The other actor is the subject: none of us before it in its clause ("we shipped them
        # and the carrier lost them"), nor a dropped subject in the verb among its first words
        # ("…y enviamos"); a pronoun there is the other actor's object ("nos engañó").
        lead = _LEAD.match(text, found.start())
        if _cue(grammar, "first_person", text, clause, found.start()) or (
            lead is not None and _cue(grammar, "first_person_verb", text, found.start(), lead.end())
        ):
            return False
    return True


def _has_figure(sentence: str, grammar: dict[str, re.Pattern[str]]) -> bool:
    """Whether a sentence holds a figure besides its dates, times and case or order numbers:
    "since 2 February 2026, with daily collection at 15:00, customers are much happier" names
    no effect."""
    plain = _NO_MEASURE.sub(" ", sentence)
    if "date" in grammar:
        # a day's number before a month's name ("2 de febrero", "am 3. März")
        for found in reversed(list(grammar["date"].finditer(plain))):
            before = _DAY_BEFORE.search(plain, 0, found.start())
            start = before.start() if before else found.start()
            plain = plain[:start] + " " + plain[found.end() :]
    return any(char.isdigit() for char in plain)


# Times and numeric dates: 15:00, 9.30 h, 12.02.2026, 3/4/2026, 2026-03-04; and the numbers of
# a case or an order, which measure nothing: 18473920561, 402-7718823-5521904.
_ORDER_ID = r"\d{3}-\d{7}-\d{7}"  # an Amazon order number
_NO_MEASURE = re.compile(
    r"\b\d{1,2}[:h]\d{2}\b|\b\d{1,4}[./\u2024-]\d{1,2}[./\u2024-]\d{2,4}\b"
    rf"|\b(?:19|20)\d\d\b|\b\d{{8,}}\b|\b{_ORDER_ID}\b"
)
_DAY_BEFORE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th|er|°|º)?[.\u2024]?\s+(?:de\s+|of\s+)?$")


def cue(language: str, key: str) -> re.Pattern[str] | None:
    """The language's grammatical cue `key`, compiled, if it has one."""
    return _grammar(language).get(key)


@cache
def _grammar(language: str) -> dict[str, re.Pattern[str]]:
    from generator import checks

    raw = checks.grammar(language)
    return {
        key: derived.compile_pattern(checks.readable(pattern), CUE_FLAGS)
        for key, pattern in raw.items()
    }


CUE_FLAGS = int(re.IGNORECASE)


def _describes_control(
    text: str, found: re.Match[str], start: int, end: int, grammar: dict[str, re.Pattern[str]]
) -> bool:
    """A future form in a sentence (start, end) whose subject is a control, in a field that
    dates its start; or in a sentence that opens with its start date and names none of us up to
    the verb ("Since 3 February the upload sheet will reject…", "Desde el 1 de marzo Odoo…")."""
    if "start_date" not in grammar:
        return False
    index = found.start()
    lead = _LEAD.match(text, index)  # a dropped subject shows in the verb's ending
    if _ours_outside_relative(grammar, text, start, lead.end() if lead else index):
        return False
    # "…, la société procédera, dès la réactivation du compte, à un audit": the seller in the
    # third person is the subject.
    if _cue(grammar, "seller_alias", text, start, lead.end() if lead else index):
        return False
    if _cue(grammar, "control_subject", text, start, index + 1):
        return bool(grammar["start_date"].search(text))
    # "Desde el 3 de marzo nuestro ERP bloquea…; ningún ASIN se activará…": the opening of
    # the sentence the semicolon continues dates the control.
    while start > 0 and text[:start].rstrip().endswith(";"):
        start = sentences.sentence_of(text, len(text[:start].rstrip()) - 1)[0]
    since = grammar.get("since_date")
    opening = since.match(text[start:end].lstrip()) if since is not None else None
    return opening is not None and _cue(grammar, "start_date", text, start, index)


def _ours_outside_relative(
    grammar: dict[str, re.Pattern[str]], text: str, start: int, end: int
) -> bool:
    """Whether we stand in text[start:end] other than in a relative clause that describes a
    control ("Dal 3 marzo la regola che abbiamo impostato su Linnworks impedirà…")."""
    ours = grammar.get("first_person")
    if ours is None:
        return False
    relative = grammar.get("relative_first_person")
    spans = [found.span() for found in relative.finditer(text, start, end)] if relative else []
    return any(
        not any(a <= found.start() < b for a, b in spans)
        for found in ours.finditer(text, start, end)
    )


def _conceded(
    text: str, found: re.Match[str], start: int, end: int, grammar: dict[str, re.Pattern[str]]
) -> bool:
    """Whether a match lies inside the concessive clause that opens its sentence."""
    opening = _opening_concession(text[start:end], grammar)
    return opening is not None and found.end() <= start + opening.end()


def _opening_concession(sentence: str, grammar: dict[str, re.Pattern[str]]) -> re.Match[str] | None:
    """The concessive clause that opens a sentence, up to its comma ("Aunque revisamos las
    fichas, la…")."""
    return grammar["concessive"].match(sentence) if "concessive" in grammar else None


def _clause(
    text: str, found: re.Match[str], start: int, end: int, grammar: dict[str, re.Pattern[str]]
) -> Span:
    """The clause of a sentence (start, end) that holds a match: between the language's clause
    breaks around it (conjunctions, subordinators, the comma after an opening concessive)."""
    sentence = text[start:end]
    breaks = [m.span() for m in grammar["clause_break"].finditer(sentence)]
    opening = _opening_concession(sentence, grammar)
    if opening:
        breaks.append((opening.end() - 1, opening.end()))
        breaks.sort()
    before = [b for b in breaks if b[0] <= found.start() - start]  # a match may open with one
    after = [b for b in breaks if b[0] >= found.end() - start]
    return (
        start + (before[-1][1] if before else 0),
        start + (after[0][0] if after else end - start),
    )


def _in_language(text: str, language: str) -> bool:
    """Whether the text has any of its language's commonest words: its cues cannot judge a text
    in another language (lint.language reports that)."""
    from generator import checks

    common = checks.stopwords(language)
    return any(word in common for word in _WORDS.findall(text.lower()))


_WORDS = re.compile(r"\w+")


def concrete(text: str, language: str) -> bool:
    """Whether a text names something a reviewer can check: a date, a figure tied to something
    (not an effort or the age of the company), an identifier, a name, a quoted title, or a
    named kind of document, tool, role or frequency."""
    grammar = _grammar(language)
    plain = text
    for cue in ("effort", "history"):
        if cue in grammar:
            plain = grammar[cue].sub(" ", plain)
    if _FIGURE.search(plain) or _IDENTIFIER.search(text) or sentences.quote_spans(text):
        return True
    if _EXPLAINED.search(text):
        return True  # "Changed the returns procedure: a returned unit without its box is…"
    for cue in ("date", "figure_words"):
        if cue in grammar and grammar[cue].search(text):
            return True
    named = grammar["concrete"].finditer(text) if "concrete" in grammar else ()
    if any(not _in_purpose(text, found.start(), grammar) for found in named):
        return True
    return language != "de" and _has_name(text, language)


def _in_purpose(text: str, index: int, grammar: dict[str, re.Pattern[str]]) -> bool:
    """Whether text[index] stands in a purpose clause ("…, so that every parcel arrives intact"):
    what a measure is for names none of it."""
    start, _ = sentences.sentence_of(text, index)
    return _cue(grammar, "purpose", text, start, index)


_FIGURE = re.compile(r"\d")
_LEAD = re.compile(r"(?:\W*\w+){1,3}")  # the first words of a match
# A colon followed by a clause of five words or more says how.
_EXPLAINED = re.compile(r":\s+(?:\S+\s+){4,}\S")
# A why-question opening a 5-Whys step, in the five languages ("Why 2:", "2. Warum …?"). The
# text the rules read has a full stop inside a sentence as sentences.INNER_STOP (\u2024).
_WHY = re.compile(
    # "Analisi dei 5 perché: perché…?", "5 Whys: why…?": the method named before the first step
    r"(?:\W*(?:[^\W\d]+\s+){0,3}(?:5|five|fünf|cinq|cinco|cinque)[\s-]*"
    r"(?:whys?|warum|pourquoi|porqu[ée]s?|perch[ée])\b[^:?]{0,20}:)?"
    r"\W*(?:(?:why|warum|pourquoi)\s*\d*\s*[:.\u2024)-]?\s*|\d+[.\u2024):]\s*)?"
    r"(?:and\s+)?(?:why|warum|weshalb|wieso|pourquoi|¿?\s*por\s*qu[ée]|perch[ée])\b",
    re.IGNORECASE,
)
_IDENTIFIER = re.compile(
    rf"\b(?:E\d{{1,3}}|B0[0-9A-Z]{{8}}|{_ORDER_ID}|[A-Z]{{2,}}[-_]?\d[\w-]*|v\d+(?:[.\u2024]\d+)*)\b"
    r"|\b[A-Z]{2,}\b|\b[A-Z][a-z]+[A-Z]\w*\b"
)
_CAPITALISED = re.compile(r"(?<![.!?:;]\s)(?<!^)(?<!\n)\b[A-ZÀ-Ý][\w'-]+")


def _has_name(text: str, language: str) -> bool:
    """A capitalised word inside a sentence: a person, company, product or tool by name (not
    in German, where every noun is capitalised), other than the language's `not_names` cue or
    English's ("We", "Notre", "la Società ha implementato…")."""
    common = [found for found in (cue(language, "not_names"), cue("en", "not_names")) if found]
    return any(
        found.start() > 0 and not any(pattern.match(found.group(0)) for pattern in common)
        for found in _CAPITALISED.finditer(text)
    )


INTRODUCTION_WORDS = 50  # a text this long that is mostly filler is an introduction, not a plan


def long_introduction(text: str, filler: list[Span]) -> bool:
    """Whether a text is mostly filler (greetings, thanks, self-praise, the company's story):
    sentences with a filler finding make up over half of a text of INTRODUCTION_WORDS or more."""
    total = len(text.split())
    if total < INTRODUCTION_WORDS or len(filler) < 2:
        return False
    spans = {sentences.sentence_of(text, start) for start, _ in filler}
    covered = sum(len(text[a:b].split()) for a, b in spans)
    return covered * 2 > total
