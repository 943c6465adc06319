"""Lexical normalisation: one owner for stop words, accent folding and stemming.

The hashing embedder and the offline answerer must agree on what a "word" is, or a question
would match chunks by one rule and pick sentences by another.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Function words carry no topic: without IDF (the embedder is stateless) they would dominate a
# short question such as "Where did you study?" and match every chunk written in the first person.
STOP_WORDS = frozenset({
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "being", "before", "but", "by", "can", "could", "did", "do", "does", "doing", "done",
    "for", "from", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i",
    "if", "in", "into", "is", "it", "its", "just", "me", "more", "most", "my", "myself", "no", "nor",
    "not", "of", "on", "once", "only", "or", "other", "our", "ours", "please", "same", "she", "should",
    "so", "some", "such", "tell", "than", "that", "the", "their", "theirs", "them", "then", "there",
    "these", "they", "this", "those", "to", "too", "us", "very", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
    "yourself",
})

TOKEN_RE = re.compile(r"[^\W_]+")
APOSTROPHES_RE = re.compile(r"['\u2019\u02bc]")
_VOWELS = frozenset("aeiouy")

def normalise(text: str) -> str:
    text = text.lower()
    if not text.isascii():
        # "Café" and "cafe" should hash alike; decomposing then dropping accents does that.
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    # Drop apostrophes rather than split on them: "don't" -> "dont", "anna's" -> "annas" -> "anna".
    return APOSTROPHES_RE.sub("", text)


def _undouble(stem: str) -> str:
    # "running" -> "runn" -> "run"; keep "ll"/"ss"/"zz" which are usually part of the word.
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz" and stem[-1] not in _VOWELS:
        return stem[:-1]
    return stem


def stem(word: str) -> str:
    """A deliberately light suffix stripper: "worked"/"working"/"works" -> "work"."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith(("ies", "ied")) and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ing") and len(word) - 3 >= 3:
        return _strip_e(_undouble(word[:-3]))
    if word.endswith("ed") and len(word) - 2 >= 3:
        return _strip_e(_undouble(word[:-2]))
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return _strip_e(word)


def _strip_e(word: str) -> str:
    # "love"/"loved"/"loving" all reduce to "lov" only if the silent e is dropped everywhere.
    if word.endswith("e") and len(word) > 3:
        return word[:-1]
    return word




def words(text: str) -> list[str]:
    """The normalised word tokens of ``text`` (stop words included)."""
    return TOKEN_RE.findall(normalise(text))


def word_set(words: str) -> frozenset[str]:
    """The whitespace-separated words of ``words``: how word lists are written in this code."""
    return frozenset(words.split())


def alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words``, longest first: "kids" is matched whole, not as "kid"."""
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
