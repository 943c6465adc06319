"""Sentence boundaries in prose, shared by the chunker and the offline answerer.

A sentence ends at terminal punctuation (``.``, ``!``, ``?``, ``…``, possibly repeated), then any
closing quotes or brackets, then whitespace, unless:

* the next word starts in lowercase ("approx. five", "etc. and"): the period was not a full stop;
* the period closes an abbreviation ("Dr.", "Jan.", "Inc.") or initials ("J. R. R. Tolkien",
  "U.S.", "e.g."). An ellipsis ("Wait... Then") is not an abbreviation's period and does end one.

"etc." is deliberately not an abbreviation: it ends sentences as often as not, and a lowercase
next word already keeps "etc. and" together. Initials are letters only, so "grew to 3. Then"
ends a sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["FIELD_LINE", "LIST_MARKER", "sentence_starts", "split_sentences"]

# "Notice period: 6 weeks", "Location: Lisbon": a field and its value, a fact however short.
FIELD_LINE = re.compile(r"^[^:]{1,40}:\s+\S")

# A list item's marker (a bullet, or "1." / "1)") and the horizontal space after it, matched at
# the start of the line's text. A list item is a unit of its own, never part of a sentence.
LIST_MARKER = re.compile(r"(?:[-*+\u2022\u25e6\u25aa\u2023]|\d{1,9}[.)])[^\S\n]")

_SENTENCE_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019\u00bb)\]]*\s+")
# One letter, or dotted single letters ("U.S", "e.g"); the final period is the one being judged.
_INITIALS = re.compile(r"[^\W\d_](?:\.[^\W\d_])*")
_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "inc", "ltd", "co", "corp", "no",
    "fig", "approx", "dept", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec",
})


def sentence_starts(text: str, start: int = 0, end: int | None = None) -> Iterator[int]:
    """Offsets in ``text[start:end]`` where a sentence after the first one begins.

    Each offset is the first character after a sentence's terminal punctuation and the
    whitespace that follows it; ``start`` itself is never reported.
    """
    stop = len(text) if end is None else end
    for match in _SENTENCE_END.finditer(text, start, stop):
        following = match.end()
        if following >= stop or text[following].islower():
            continue
        if _is_abbreviation(text, start, match.start()):
            continue
        yield following


def split_sentences(text: str) -> list[str]:
    """``text`` cut at ``sentence_starts``, each sentence stripped; no empty sentences."""
    sentences: list[str] = []
    start = 0
    for following in sentence_starts(text):
        sentences.append(text[start:following].strip())
        start = following
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _is_abbreviation(text: str, floor: int, dot: int) -> bool:
    """Whether the punctuation at ``dot`` is the period of an abbreviation or initial."""
    if text[dot] != "." or text[dot + 1:dot + 2] == ".":
        return False
    word_start = dot
    while word_start > floor and (text[word_start - 1].isalnum() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot]
    return word.casefold() in _ABBREVIATIONS or _INITIALS.fullmatch(word) is not None
