"""The sentence model: a passage's text read as sentences, list items and headings, and the words,
figures and names a sentence holds."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from twin.chat.prompting import Passage
from twin.ingest.chunking import BREADCRUMB_SEPARATOR, chunk_body
from twin.text.lexical import STOP_WORDS, stem, word_set, words
from twin.text.sentences import FIELD_LINE, LIST_MARKER, split_sentences

__all__ = ["DEMONYMS", "FIGURE", "LETTER_WORD", "MIXED_CASE", "NAMED", "TERMINAL", "TERM_STOP_WORDS", "Sentence",
           "passage_body",
           "sentences_in", "terms"]

_MIN_HEADING_LETTERS = 3
_TITLE_WORDS = 4
_HEADING_WORDS = 6

# With apostrophes dropped, contractions are words of their own ("what's" -> "whats").
TERM_STOP_WORDS = STOP_WORDS | word_set("whats wheres whos hows whens whys dont doesnt didnt im ive youre youve "
                                        "many much got get")


# The animals people keep, by the words notes and visitors call them.
ANIMAL_WORDS = word_set("""dog dogs puppy cat cats kitten horse pony rabbit bunny bird parrot budgie fish hamster
                         guinea tortoise turtle snake lizard gecko ferret chicken chickens hens goat""")

# Capitalised, yet no one's name: "Mum: English, grew up in Sheffield", "a Turkish airline".
DEMONYMS = word_set(
    "english irish scottish welsh british french german spanish italian dutch flemish belgian swiss austrian polish "
    "czech slovak hungarian romanian bulgarian greek turkish swedish norwegian danish finnish icelandic estonian "
    "latvian lithuanian russian ukrainian portuguese brazilian mexican argentinian chilean colombian peruvian "
    "venezuelan cuban american canadian australian kiwi zealander indian pakistani bangladeshi sri lankan nepali "
    "chinese japanese korean vietnamese thai filipino filipina indonesian malaysian singaporean nigerian ghanaian "
    "kenyan ugandan tanzanian ethiopian somali south african egyptian moroccan algerian tunisian lebanese syrian "
    "iranian persian israeli jewish arab arabic catalan basque galician yoruba igbo hausa akan twi swahili zulu "
    "maori māori samoan tongan fijian hindi tamil telugu bengali punjabi urdu gujarati marathi cantonese mandarin "
    "hebrew latin european asian african scandinavian nordic latina latino caribbean jamaican")


@dataclass(frozen=True)
class Sentence:
    rank: int  # position of its passage in the ranking, 0 = best
    position: int  # order within the passage
    passage: Passage
    text: str
    terms: frozenset[str]
    block: int = -2  # list items of one list share a block number; -2 = not a list item
    heading: str = ""  # the heading of the section the sentence is in
    parent: str = ""  # for a sub-section heading offered as an answer ("Staff Engineer, Acme (2021 -)"): its section


def terms(text: str) -> frozenset[str]:
    # The embedder's own normalisation and stemming (twin.text.lexical), so "studied" matches "study".
    return frozenset(stem(t) for t in words(text) if t not in TERM_STOP_WORDS)


# A figure or a date, as a salary or a birthday is stated: digits, a month, a number in words.
FIGURE = re.compile(r"\d|\b(?:jan(?:uary)?|feb(?:ruary)?|march|april|(?-i:May)|june|july|aug(?:ust)?|sept?(?:ember)?|"
                    r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|hundred|thousand|million|six figures|"
                    r"(?:twent|thirt|fort|fift|sixt|sevent|eight|ninet)(?:y|ies))\b", re.IGNORECASE)
MIXED_CASE = r"[A-Z][a-z]*[A-Z][A-Za-z]*"  # "AWS", "PhD"
# A word in any script, as a name is written: "Kristján", "Eun-hee", "O'Neill" (a name is one whose
# first letter is upper case; NAMED below is ASCII only).
LETTER_WORD = r"[^\W\d_][\w'\u2019-]*"
# Names and acronyms past the question's first word: "Brindle", "AWS", "PhD".
NAMED = re.compile(rf"(?<=\s)(?:[A-Z][a-z]+|{MIXED_CASE})\b")


TERMINAL = (".", "!", "?", "…", ":", ";")
_LIST_MARKER = re.compile(rf"^\s*{LIST_MARKER.pattern}\s*")
_FENCE = re.compile(r"\s*(?:```|~~~)")
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"\*\*|__|`")


def passage_body(passage: Passage) -> str:
    """The chunk's text without its breadcrumb line (a heading path is not a sentence)."""
    if passage.heading_path:
        body = chunk_body(passage.content, passage.heading_path)
        if body is not passage.content:
            return body.strip()
    content = passage.content.replace("\x00", "").strip()
    first, _, rest = content.partition("\n")
    if _is_breadcrumb(first.strip(), passage, before_blank_line=rest.startswith("\n")):
        return rest.strip()
    return content


def _is_breadcrumb(line: str, passage: Passage, *, before_blank_line: bool) -> bool:
    if passage.heading_path and line == BREADCRUMB_SEPARATOR.join(passage.heading_path):
        return True
    unpunctuated = not line.endswith(TERMINAL) and not _LIST_MARKER.match(line)
    if passage.title:
        # The chunker heads every breadcrumb with the document title (or a heading equal to it).
        title, folded = passage.title.casefold(), line.casefold()
        if folded.startswith(title + BREADCRUMB_SEPARATOR) or (folded == title and before_blank_line):
            return True
        return before_blank_line and unpunctuated and BREADCRUMB_SEPARATOR in line
    # Untitled and without heading_path: a short unpunctuated line before a blank line is a
    # heading either way, and dropping a heading loses no quotable sentence.
    return before_blank_line and unpunctuated and len(line) <= 160


def _units(body: str) -> Iterator[tuple[str, bool, bool]]:
    """Paragraphs (hard-wrapped lines joined), list items and headings, each with two flags (a list
    item, a heading its line marks as one); code blocks are skipped."""
    in_code = False
    paragraph: list[str] = []
    listed = False
    for line in body.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            continue
        stripped = line.strip()
        decorated = _DECORATED_HEADING.match(stripped)
        if decorated:  # "== grew up ==", "--- work odds and ends ---": a heading, said plainly
            stripped = decorated.group(1)
        capitals = bool(decorated) or _is_capitals_heading(stripped)
        starts_unit = not stripped or capitals or _LIST_MARKER.match(line) or stripped.startswith(("|", "#"))
        if starts_unit and paragraph:
            yield " ".join(paragraph), listed, False
            paragraph = []
        if capitals:  # "WHY MONTRÉAL" on the line above its paragraph: a heading, not the paragraph's start
            yield stripped, False, True
            continue
        if starts_unit:
            listed = bool(_LIST_MARKER.match(line)) or stripped.startswith("|")
        if stripped:
            paragraph.append(_clean_line(stripped))
    if paragraph:
        yield " ".join(paragraph), listed, False


_DECORATION = r"[=-]{2,}"  # not "**": a bold line is an entry ("**Analyst, Initech**")
_DECORATED_HEADING = re.compile(rf"^{_DECORATION}\s*([^=\s-][^=]*?)\s*{_DECORATION}$")


# A line in capitals asking its own question heads the story that answers it, however long: "WHY I
# STOPPED BEING A VET (the honest version)", "HOW A COOK BECAME A DATA ENGINEER". Other long lines
# in capitals are often the very thing asked about ("THE PURPLE STORY (everyone knows this one)").
_QUESTION_HEADING_WORDS = 10
_QUESTION_HEADING = re.compile(r"(?:WHY|HOW|WHAT|FROM)\b")
_ASIDE = re.compile(r"\s*\([^()]*\)\s*$")


def _is_capitals_heading(line: str) -> bool:
    bare = _ASIDE.sub("", line) if _QUESTION_HEADING.match(line) else line
    letters = [c for c in bare if c.isalpha()]
    most = _QUESTION_HEADING_WORDS if _QUESTION_HEADING.match(line) else _HEADING_WORDS
    return (len(letters) >= _MIN_HEADING_LETTERS and all(c.isupper() for c in letters)
            and len(bare.split()) <= most and not line.endswith(TERMINAL))


def _clean_line(line: str) -> str:
    line = _LIST_MARKER.sub("", line, count=1).lstrip("#").strip()
    if line.startswith("|"):
        line = ", ".join(cell.strip() for cell in line.strip("|").split("|") if cell.strip())
    line = _MARKDOWN_LINK.sub(r"\1", line)
    return _EMPHASIS.sub("", line)


def _is_heading(unit: str) -> bool:
    words = unit.split()
    return (0 < len(words) <= _HEADING_WORDS and not unit.rstrip().endswith(TERMINAL) and unit[:1].isupper()
            and not FIELD_LINE.match(unit))


# A heading that is an entry ("Acme — Data Engineer", "Analyst, Initech (2019-2021)"), not a
# section name ("Where I am now", "Outside of work").
_ENTRY = re.compile(r"\d|[,|@\u00b7\u2014\u2013\u2192]| - | at ")


def sentences_in(passages: Sequence[Passage]) -> list[Sentence]:
    ranked = sorted(passages, key=lambda p: p.number)
    found: list[Sentence] = []
    for rank, passage in enumerate(ranked):
        position = 0
        block = 0
        heading = passage.heading_path[-1] if passage.heading_path else (passage.title or "")
        title = passage.title or ""
        if len(passage.heading_path) >= 3 and len(heading.split()) >= _TITLE_WORDS - 1 and _ENTRY.search(heading):
            # A sub-section heading of a resume ("Staff Engineer, Tidewater Analytics (2021 - present)")
            # is itself an answer to "where have you worked?"; its siblings complete the list.
            found.append(Sentence(rank, -1, passage, heading, terms(heading), block=-1, heading=heading,
                                  parent=passage.heading_path[-2]))
        if len(title.split()) >= _TITLE_WORDS and ":" in title and not title.rstrip().endswith("?"):
            # A descriptive title ("Sofi's interests: bikes, charango and food") summarises its document.
            found.append(Sentence(rank, -1, passage, title, terms(title), block=-1, heading=heading))
        for unit, listed, marked in _units(passage_body(passage)):
            if not listed:
                block += 1
            if marked or (not listed and _is_heading(unit)):
                heading = unit  # a section heading left in plain text ("Languages"): context, not an answer
                continue
            named: frozenset[str] = frozenset()
            for text in split_sentences(unit):
                own = terms(text)
                carried = named if _PRONOUN_START.match(text) else frozenset()
                # "Elif is my wife. We married in 2014. She is...": "she" is the last one named.
                named = _names_in(text) or named
                found.append(Sentence(rank, position, passage, text, own | carried, block=block if listed else -2,
                                      heading=heading))
                position += 1
    return found


# "Elif is my wife. She is a paediatrician.": the second sentence is about Elif as well, so a question
# naming her ("What's her (Elif's) job?", twin.chat.referents) finds it by her name.
_PRONOUN_START = re.compile(r"(?:He|She|His|Her)\b")
# Whom a sentence is about: the name it opens with ("Elif is my wife") or one it gives a relative
# or an animal ("my sister Niamh", "our cat, Lokum"); a place it names is no one "she" can be.
_SUBJECT = re.compile(r"^(?-i:[A-Z\u00c0-\u00de])[\w'\u2019-]*")
_GIVEN_NAME = re.compile(r"\b(?:my|our)\s+(?:[a-z]+\s+)?[a-z]+,?\s+((?-i:[A-Z\u00c0-\u00de])[\w'\u2019-]*)")
_NOT_NAMES = TERM_STOP_WORDS | DEMONYMS | word_set("""january february march april may june july august september
                                                     october november december monday tuesday wednesday thursday
                                                     friday saturday sunday""")


def _names_in(text: str) -> frozenset[str]:
    """The terms of the names of whom a sentence is about (_SUBJECT, _GIVEN_NAME)."""
    opening = _SUBJECT.match(text)
    found = [opening.group(0)] if opening else []
    found += _GIVEN_NAME.findall(text)
    return terms(" ".join(w for w in found if w.casefold() not in _NOT_NAMES))
