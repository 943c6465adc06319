"""Offline answers (no language model): the passages' own sentences that best match the question.

The answer quotes sentences verbatim apart from one rewrite: third-person references to the twin
("Ada Lovelace studied", "Ada's thesis", and he/she where the passage is clearly about them)
become first person, so the twin still speaks as "I". The rewrite is deliberately conservative:
a sentence already in the first person is left alone, a first name followed by another surname
is somebody else, and pronouns are only rewritten in a passage that names the twin, uses a single
gender of pronoun and has no first-person voice of its own (where "he" is more likely someone else).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from twin.chat.prompting import Passage, Profile, no_context_answer
from twin.ingest.chunking import BREADCRUMB_SEPARATOR
from twin.text.lexical import STOP_WORDS, stem
from twin.text.sentences import LIST_MARKER, split_sentences

__all__ = ["FALLBACK_LEAD", "LEAD", "extractive_answer"]

# Tells the reader the answer is quoted from documents, not composed by a model.
LEAD = "From my notes: "
FALLBACK_LEAD = "I couldn't find an exact answer in my notes; the closest thing I have: "

# Both bonuses stay well under one matching word, so relevance beats rank and they break ties.
_RANK_BONUS = 0.3
_DENSITY_BONUS = 0.1
_FALLBACK_SENTENCES = 2
_MAX_SENTENCE_CHARS = 400
_SUBJECT = "I\x00"  # marks an "I" whose verb may still need first-person agreement
_APOSTROPHES = "'\u2019"


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# With apostrophes dropped, contractions are words of their own ("what's" -> "whats").
_STOP_WORDS = STOP_WORDS | _word_set("whats wheres whos hows whens whys dont doesnt didnt im ive youre youve")


@dataclass(frozen=True)
class _Sentence:
    rank: int  # position of its passage in the ranking, 0 = best
    position: int  # order within the passage
    passage: Passage
    text: str
    terms: frozenset[str]


# --------------------------------------------------------------------------------------------
# Passage text -> sentences
# --------------------------------------------------------------------------------------------

_TERMINAL = (".", "!", "?", "…", ":", ";")
_LIST_MARKER = re.compile(rf"^\s*{LIST_MARKER.pattern}\s*")
_FENCE = re.compile(r"\s*(?:```|~~~)")
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"\*\*|__|`")


def _body(passage: Passage) -> str:
    """The chunk's text without its breadcrumb line (a heading path is not a sentence)."""
    content = passage.content.replace("\x00", "").strip()
    first, _, rest = content.partition("\n")
    if _is_breadcrumb(first.strip(), passage, before_blank_line=rest.startswith("\n")):
        return rest.strip()
    return content


def _is_breadcrumb(line: str, passage: Passage, *, before_blank_line: bool) -> bool:
    if passage.heading_path and line == BREADCRUMB_SEPARATOR.join(passage.heading_path):
        return True
    unpunctuated = not line.endswith(_TERMINAL) and not _LIST_MARKER.match(line)
    if passage.title:
        # The chunker heads every breadcrumb with the document title (or a heading equal to it).
        title, folded = passage.title.casefold(), line.casefold()
        if folded.startswith(title + BREADCRUMB_SEPARATOR) or (folded == title and before_blank_line):
            return True
        return before_blank_line and unpunctuated and BREADCRUMB_SEPARATOR in line
    # Untitled and without heading_path: a short unpunctuated line before a blank line is a
    # heading either way, and dropping a heading loses no quotable sentence.
    return before_blank_line and unpunctuated and len(line) <= 160


def _units(body: str) -> Iterator[str]:
    """Paragraphs (hard-wrapped lines joined) and list items; code blocks are skipped."""
    in_code = False
    paragraph: list[str] = []
    for line in body.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            continue
        stripped = line.strip()
        starts_unit = not stripped or _LIST_MARKER.match(line) or stripped.startswith(("|", "#"))
        if starts_unit and paragraph:
            yield " ".join(paragraph)
            paragraph = []
        if stripped:
            paragraph.append(_clean_line(stripped))
    if paragraph:
        yield " ".join(paragraph)


def _clean_line(line: str) -> str:
    line = _LIST_MARKER.sub("", line, count=1).lstrip("#").strip()
    if line.startswith("|"):
        line = ", ".join(cell.strip() for cell in line.strip("|").split("|") if cell.strip())
    line = _MARKDOWN_LINK.sub(r"\1", line)
    return _EMPHASIS.sub("", line)


def _terms(text: str) -> frozenset[str]:
    # The same normalisation and stemming as the offline embedder, so "studied" matches "study".
    text = text.lower()
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"['\u2019\u02bc]", "", text)
    return frozenset(stem(t) for t in re.findall(r"[^\W_]+", text) if t not in _STOP_WORDS)


def _sentences(passages: Sequence[Passage]) -> list[_Sentence]:
    ranked = sorted(passages, key=lambda p: p.number)
    found: list[_Sentence] = []
    for rank, passage in enumerate(ranked):
        position = 0
        for unit in _units(_body(passage)):
            for text in split_sentences(unit):
                found.append(_Sentence(rank, position, passage, text, _terms(text)))
                position += 1
    return found


# --------------------------------------------------------------------------------------------
# Choosing sentences
# --------------------------------------------------------------------------------------------


def _score(sentence: _Sentence, question_terms: frozenset[str]) -> float:
    overlap = len(sentence.terms & question_terms)
    density = overlap / math.sqrt(len(sentence.terms)) if sentence.terms else 0.0
    return overlap + _RANK_BONUS / (sentence.rank + 1) + _DENSITY_BONUS * density


def _select(sentences: Sequence[_Sentence], question_terms: frozenset[str], limit: int) -> list[_Sentence]:
    matching = [s for s in sentences if s.terms & question_terms]
    if not matching:
        return []
    best_overlap = max(len(s.terms & question_terms) for s in matching)
    # A sentence sharing half the words of the best one still answers; one stray word does not.
    floor = max(1, math.ceil(best_overlap / 2))
    candidates = sorted(
        (s for s in matching if len(s.terms & question_terms) >= floor),
        key=lambda s: (-_score(s, question_terms), s.rank, s.position),
    )
    chosen: list[_Sentence] = []
    seen: set[str] = set()
    for sentence in candidates:
        key = " ".join(sentence.text.casefold().split())
        if key in seen:  # overlapping chunks repeat sentences
            continue
        seen.add(key)
        chosen.append(sentence)
        if len(chosen) >= limit:
            break
    return _in_reading_order(chosen)


def _in_reading_order(chosen: Sequence[_Sentence]) -> list[_Sentence]:
    # Passages in order of their best sentence; a passage's own sentences in their original order.
    first_seen: dict[int, int] = {}
    for index, sentence in enumerate(chosen):
        first_seen.setdefault(sentence.rank, index)
    return sorted(chosen, key=lambda s: (first_seen[s.rank], s.position))


# --------------------------------------------------------------------------------------------
# Third person -> first person
# --------------------------------------------------------------------------------------------

_HONORIFICS = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "sir", "dame"})
_FIRST_PERSON = re.compile(r"\bI\b|\b(?:[Mm]e|[Mm]y|[Mm]ine|[Mm]yself|ME|MY)\b")
_MASCULINE = re.compile(r"\b(?:he|him|his|himself)\b", re.IGNORECASE)
_FEMININE = re.compile(r"\b(?:she|her|hers|herself)\b", re.IGNORECASE)
_PREPOSITIONS = _word_set(
    """
    to with for by about from of at on in into onto behind beside between against among around
    toward towards via without under over through upon
    """
)
# Prepositions that may also open a clause: "after Ada" (me) but "after Ada left" (I).
_PREPOSITION_OR_CONJUNCTION = frozenset({"after", "before", "since", "until", "than", "like"})
# After these the next noun phrase starts a clause, so the name there is a subject.
_CLAUSE_OPENERS = _word_set(
    """
    and but or so then that when while because since although though if after before until once
    where whereupon which who as
    """
)
_AUXILIARIES = _word_set(
    """
    is isn't was wasn't has hasn't had does doesn't did will would can could should may might
    must shall also always still now currently
    """
)
# "named Ada", "known as Ada": the name itself is the point, so it stays.
_NAMING_WORDS = frozenset({"named", "called", "as", "name", "nicknamed"})
_NOT_NOUN_START = _word_set(
    """
    a an the to in on at for with and or but that this about from into of by as when while
    because if so up down out off back again too very how what why is was
    """
)
_ADVERBS = "also|always|still|now|currently|often|usually|never|sometimes|mostly|really|only|then|later"
# The lookahead makes "doesn't" match whole rather than as "doesn" before an apostrophe.
_AGREEMENT = re.compile(rf"{_SUBJECT}(\s+(?:(?:{_ADVERBS})\s+)?)([a-z]+(?:n['\u2019]t)?)(?![\w'\u2019])")
# A verb coordinated with the subject's verb, recognised by the preposition or article after it.
_COORDINATED_VERB = re.compile(
    r"\b((?:and|or|but)\s+)([a-z]{3,}s)\b(?=\s+(?:with|at|in|on|about|for|to|from|the|a|an|my)\b)"
)
_IRREGULAR = {"is": "am", "isn't": "am not", "has": "have", "hasn't": "haven't", "does": "do",
              "doesn't": "don't", "goes": "go"}
_NOT_VERBS = frozenset({"was", "this", "his", "its", "us", "as", "thus", "plus", "less", "yes", "news"})


@dataclass(frozen=True)
class _Voice:
    names: re.Pattern[str] | None
    pronouns: re.Pattern[str] | None  # set only where he/she (one of them) means the twin


def _name_pattern(profile: Profile) -> re.Pattern[str] | None:
    full = " ".join(profile.display_name.split())
    if not full:
        return None
    words = [w for w in full.split() if w.rstrip(".").casefold() not in _HONORIFICS] or full.split()
    # Longest first, so "Ada Lovelace" wins over "Ada".
    forms = sorted({full, " ".join(words)}, key=len, reverse=True)
    alternatives = [re.escape(form) for form in forms]
    if len(words) >= 2 and len(words[0]) >= 2 and words[0].isalpha():
        # A first name followed by a capitalised word other than the surname is someone else.
        alternatives.append(rf"{re.escape(words[0])}(?!\s+(?!{re.escape(words[-1])}\b)[A-Z])")
    names = "|".join(alternatives)
    return re.compile(rf"(?<![\w{_APOSTROPHES}])(?:{names})(?P<possessive>[{_APOSTROPHES}]s\b)?(?![\w-])")


def _voice_for(body: str, names: re.Pattern[str] | None) -> _Voice:
    if names is None or not names.search(body):
        return _Voice(names, None)
    if _FIRST_PERSON.search(body):
        return _Voice(names, None)
    masculine, feminine = _MASCULINE.search(body), _FEMININE.search(body)
    if masculine and not feminine:
        return _Voice(names, _MASCULINE)
    if feminine and not masculine:
        return _Voice(names, _FEMININE)
    return _Voice(names, None)


def _previous_word(text: str, end: int) -> str:
    before = text[:end].rstrip()
    if not before or not (before[-1].isalpha() or before[-1] in _APOSTROPHES):
        return ""
    return re.split(rf"[^\w{_APOSTROPHES}]", before)[-1].casefold()


def _next_word(text: str, start: int) -> str:
    match = re.match(rf"\s+([\w{_APOSTROPHES}]+)", text[start:])
    return match.group(1).replace("\u2019", "'") if match else ""


def _at_clause_start(text: str, start: int) -> bool:
    before = text[:start].rstrip()
    if not before or before[-1] in ",;:(\u2014\u2013-\"\u201c":
        return True
    return _previous_word(text, start) in _CLAUSE_OPENERS


def _name_replacement(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    previous = _previous_word(text, start)
    if previous in _NAMING_WORDS or text[:start].rstrip().endswith((" name is", " named")):
        return match.group(0)
    if match.group("possessive"):
        return "my"
    following = _next_word(text, end)
    if previous in _PREPOSITIONS:
        return "me"
    if previous in _PREPOSITION_OR_CONJUNCTION:
        return _SUBJECT if _looks_like_verb(following) else "me"
    if _at_clause_start(text, start) or following.lower() in _AUXILIARIES:
        return _SUBJECT
    return "me"


def _looks_like_verb(word: str) -> bool:
    return word.isalpha() and word.islower() and word not in _NOT_NOUN_START


def _pronoun_replacement(match: re.Match[str]) -> str:
    word = match.group(0).casefold()
    if word in ("he", "she"):
        return _SUBJECT
    if word == "him":
        return "me"
    if word in ("himself", "herself"):
        return "myself"
    if word == "hers":
        return "mine"
    following = _next_word(match.string, match.end())
    if word == "his":
        return "my" if following and following[0].isalpha() else "mine"
    # "her" is either possessive ("her thesis") or an object ("told her that").
    is_possessive = bool(following) and following[0].isalpha() and following.casefold() not in _NOT_NOUN_START
    return "my" if is_possessive else "me"


def _first_person_verb(verb: str) -> str:
    irregular = _IRREGULAR.get(verb.replace("\u2019", "'"))
    if irregular is not None:
        return irregular
    if verb in _NOT_VERBS or len(verb) <= 3 or not verb.endswith("s"):
        return verb
    if verb.endswith(("ss", "us", "is", "ics")):  # "discuss", "physics": no -s to remove
        return verb
    if verb.endswith("ies") and len(verb) > 4:
        return verb[:-3] + "y"  # studies -> study
    if verb.endswith(("sses", "shes", "ches", "xes", "zzes", "oes")):
        return verb[:-2]  # teaches -> teach
    return verb[:-1]  # works -> work


def _capitalise_start(original: str, rewritten: str) -> str:
    if rewritten and original[:1].isupper() and rewritten[:1].islower():
        return rewritten[0].upper() + rewritten[1:]
    return rewritten


def _first_person(sentence: str, voice: _Voice) -> str:
    """``sentence`` spoken by the twin, or unchanged when it is not clearly about them."""
    if voice.names is None or _FIRST_PERSON.search(sentence):
        return sentence
    rewritten = voice.names.sub(_name_replacement, sentence)
    if voice.pronouns is not None:
        rewritten = voice.pronouns.sub(_pronoun_replacement, rewritten)
    return _capitalise_start(sentence, _agree_verbs(rewritten))


def _agree_verbs(text: str) -> str:
    """Puts the verbs after each new "I" into the first person: "I lives" -> "I live"."""
    changed = False

    def agree(match: re.Match[str]) -> str:
        nonlocal changed
        verb = _first_person_verb(match.group(2))
        changed = changed or verb != match.group(2)
        return "I" + match.group(1) + verb

    text = _AGREEMENT.sub(agree, text).replace(_SUBJECT, "I")
    if changed:  # "I teach and lives with my cat": the second verb shares the subject
        text = _COORDINATED_VERB.sub(lambda m: m.group(1) + _first_person_verb(m.group(2)), text)
    return text


# --------------------------------------------------------------------------------------------
# Assembling the answer
# --------------------------------------------------------------------------------------------


def _clip(sentence: str) -> str:
    if len(sentence) <= _MAX_SENTENCE_CHARS:
        return sentence
    return sentence[:_MAX_SENTENCE_CHARS].rsplit(" ", 1)[0].rstrip(",;: ") + "…"


def _cite(sentence: str, number: int) -> str:
    citation = f"[{number}]"
    if sentence.endswith(".") and not sentence.endswith(".."):
        return f"{sentence[:-1].rstrip()} {citation}."
    if sentence.endswith(("!", "?", "…", '"', "'", "\u201d", "\u2019", ")")):
        return f"{sentence} {citation}"
    return f"{sentence.rstrip(',;:')} {citation}."


def _render(chosen: Sequence[_Sentence], names: re.Pattern[str] | None) -> str:
    voices: dict[str, _Voice] = {}
    parts = []
    for sentence in chosen:
        key = sentence.passage.chunk_id + "\x00" + str(sentence.passage.number)
        voice = voices.get(key)
        if voice is None:
            voice = voices[key] = _voice_for(_body(sentence.passage), names)
        parts.append(_cite(_first_person(_clip(sentence.text), voice), sentence.passage.number))
    return " ".join(parts)


def extractive_answer(
    *, question: str, passages: Sequence[Passage], profile: Profile, max_sentences: int = 3
) -> str:
    """An answer quoted from ``passages`` (best-ranked = lowest number), each sentence cited [n].

    Sentences are scored by how many of the question's stemmed content words they share, plus a
    small bonus for a better-ranked passage; up to ``max_sentences`` are kept, grouped by passage
    in their original order, and rewritten into the first person. When no sentence shares a word
    with the question, the top passage's opening sentences are offered instead (with a lead that
    says so, unless the question had no content word to match, like "Who are you?"). With no
    usable passage at all this is ``no_context_answer``.
    """
    limit = max(1, max_sentences)
    sentences = _sentences(passages)
    if not sentences:
        return no_context_answer(profile)
    names = _name_pattern(profile)
    question_terms = _terms(question)
    chosen = _select(sentences, question_terms, limit)
    if chosen:
        return LEAD + _render(chosen, names)
    top = [s for s in sentences if s.rank == sentences[0].rank]
    # Headings and labels left in the text make a poor opening when real sentences exist.
    opening = ([s for s in top if s.text.endswith(_TERMINAL)] or top)[: min(limit, _FALLBACK_SENTENCES)]
    # "Who are you?" has no content word to match; the top passage is the answer, not a miss.
    lead = LEAD if not question_terms else FALLBACK_LEAD
    return lead + _render(opening, names)
