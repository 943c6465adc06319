"""Follow-up questions: which questions lean on an earlier one, and what to search with then.

Deterministic (no model): a short question with a pronoun, a continuation cue or a back
reference is searched together with the question(s) it follows up.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from twin.chat.prompting import one_line
from twin.text.lexical import word_set

_WORD = re.compile(r"[^\W_]+(?:['\u2019][^\W_]+)?")
# A question opening like this continues the previous one: "And before that?", "What about Paris?"
_LEADING_CUES = (
    ("and",), ("but",), ("or",), ("also",), ("so",), ("then",), ("what", "about"), ("how", "about"),
    ("what", "else"), ("anything", "else"), ("why", "not"), ("how", "so"), ("tell", "me", "more"),
    ("more", "about"), ("same", "for"), ("before", "that"), ("after", "that"),
)
# Phrases that point back to the previous answer wherever they appear.
_BACK_REFERENCES = (
    ("before", "that"), ("after", "that"), ("at", "that", "time"), ("back", "then"), ("the", "same"),
    ("that", "time"), ("those", "years"),
)

# Words that need an antecedent; in a short question they almost always point backwards.
_ANAPHORS = word_set(
    """
    it its it's that this those these there then they them their theirs he him his she her hers
    one ones former latter
    """
)
_EXISTENTIAL = frozenset({"is", "are", "was", "were", "any"})  # "is there ..." needs no antecedent
_SHORT_WORDS = 6  # up to this many words a pronoun is taken as a back reference
_TINY_WORDS = 2  # "Why?", "How long?", "Which one?" cannot stand alone
_CHAIN_LIMIT = 3  # previous user questions followed back through a chain of follow-ups
_PREVIOUS_QUESTION_CHARS = 300


def _words(text: str) -> list[str]:
    return [w.replace("\u2019", "'") for w in _WORD.findall(text.lower())]


def _contains(words: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return any(tuple(words[i : i + n]) == tuple(phrase) for i in range(len(words) - n + 1))


def _has_anaphor(words: Sequence[str]) -> bool:
    for i, word in enumerate(words):
        if word not in _ANAPHORS:
            continue
        if word == "there" and (i == 0 or words[i - 1] in _EXISTENTIAL or words[i + 1 : i + 2] == ["is"]):
            continue
        return True
    return False


def is_follow_up(question: str) -> bool:
    """Whether ``question`` likely leans on the previous one (see ``retrieval_query``)."""
    words = _words(question)
    if not words:
        return False
    if any(tuple(words[: len(cue)]) == cue for cue in _LEADING_CUES):
        return True
    if any(_contains(words, phrase) for phrase in _BACK_REFERENCES):
        return True
    if len(words) <= _TINY_WORDS:
        return True
    return len(words) <= _SHORT_WORDS and _has_anaphor(words)


def retrieval_query(question: str, history: Sequence[tuple[str, str]]) -> str:
    """The text to search with: ``question`` itself, or prefixed by the question(s) it follows up.

    A question is a follow-up when (deterministically, no model involved) it

    * opens with a continuation cue: "and", "but", "or", "also", "so", "then", "what about",
      "how about", "what else", "anything else", "why not", "how so", "tell me more", ...;
    * contains a back reference anywhere: "before that", "after that", "at that time", "back then";
    * has at most two words ("Why?", "How long?"); or
    * has at most six words and a pronoun or deictic word needing an antecedent (it, that, this,
      there, then, they, he, she, ...), except existential "is there".

    A follow-up is prefixed with the last user question from ``history`` (``(role, content)``
    pairs, oldest first); if that one was itself a follow-up, the chain is followed back to at most
    three questions, so "Where did you work in 2015?" / "And before that?" / "What did you do
    there?" still searches with the 2015 question. A self-contained question, or one with no user
    turn before it, is returned unchanged.
    """
    if not is_follow_up(question):
        return question
    earlier = [one_line(content, _PREVIOUS_QUESTION_CHARS) for role, content in history
               if role == "user" and content and content.strip()]
    chain: list[str] = []
    for previous in reversed(earlier):
        chain.insert(0, previous)
        if len(chain) >= _CHAIN_LIMIT or not is_follow_up(previous):
            break
    if not chain:
        return question
    return " ".join([*chain, question.strip()])
