"""Who "he", "she" or "you two" is in a follow-up about a relative: the person the previous answers named.

"Are you married?" -> "...I met Mehdi Chraibi at a friend's iftar..." -> "What does he do?" asks what
Mehdi does, and is searched and answered as "What does Mehdi do?": the question as asked shares no
word, and little meaning, with "Mehdi teaches maths at a lycée". Deterministic (no model): only a
person the answers tie to a relative ("my sister Niamh", "Spouse: Katja", "I met Owen ... He's from
Swansea") stands in for a pronoun, and only in a short question that follows one about relatives,
so "What does she do?" of a twin asked about in the third person keeps its meaning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from twin.chat.followup import is_follow_up
from twin.text.kin import KIN
from twin.text.lexical import alternation, word_set

__all__ = ["resolve_referents"]

_KIN_WORD = alternation(KIN)
# A question about a relative: what "he" or "she" in the next one most likely points to.
_ABOUT_RELATIVES = re.compile(rf"\b(?:{_KIN_WORD})s?\b|\b(?:married|marry|wedding|single|relationship|dating|"
                              r"someone special|special someone|siblings?|brothers?|sisters?|only child|kids|"
                              r"children|family|parents|home|live with|share)\b", re.IGNORECASE)
_PRONOUN = {"he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f"}
_PRONOUNS = re.compile(r"\b(?:he|him|his|she|her|hers)\b", re.IGNORECASE)
_YOU_TWO = re.compile(r"\byou two\b|\byou both\b|\bthe two of you\b", re.IGNORECASE)
# "her" before these is "her" the person ("Where did you meet her?"), not "her job".
_NOT_POSSESSED = frozenset({"and", "or", "to", "for", "at", "in", "on", "up", "out", "from", "with", "about",
                            "first", "again", "now", "then", "last", "yet", "there", "here", "back"})

_NAME_WORD = r"[A-Z\u00c0-\u00de][a-z\u00df-\u00ff'\u2019-]+"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD})?"
# "my husband Mehdi", "my sister, Niamh", "husband, the architect Daniel Mwangi", "Spouse: Katja"
_KIN_THEN_NAME = re.compile(rf"\b(?P<kin>(?i:{_KIN_WORD}))s?\b[,:]?\s+(?:[a-z]+\s+){{0,2}}(?P<name>{_NAME})")
# "Fiona -- my kid sister", "Owen (my husband)", "Núria, my sister"
_NAME_THEN_KIN = re.compile(rf"(?P<name>{_NAME})\s*(?:,|--|\u2014|\u2013|-|\(|is)\s*(?:my|our)\s+"
                            rf"(?:[a-z]+\s+){{0,2}}(?P<kin>(?i:{_KIN_WORD}))\b")
# "I met Owen in 2016", "married to Tom", "I live with Ana"
_MET = re.compile(rf"\b(?:met|married|marry|with|dating|seeing)\s+(?:to\s+)?(?P<name>{_NAME})")
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\s*\[\d+\]\s*")
_NOT_NAMES = word_set(
    """
    i i'm my we our the a an in on at and but so he she they his her it this that then
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday christmas easter
    """
)
_ANSWERS_BACK = 3
# Longer questions name whom they ask about.
_SHORT_QUESTION_WORDS = 10  # previous answers searched for the referent, newest first


@dataclass(frozen=True)
class _Person:
    name: str
    gender: str  # "m", "f" or "" when the notes do not say
    kin: str


def resolve_referents(question: str, history: Sequence[tuple[str, str]], own_name: str = "") -> str:
    """``question`` with its "he"/"she" (or "you two") replaced by the relative the previous answers
    name, when it is a short follow-up to a question about relatives; else ``question`` unchanged.
    ``history``: ``(role, content)`` pairs, oldest first; ``own_name``: the twin's, never a referent."""
    if len(question.split()) > _SHORT_QUESTION_WORDS or not (_PRONOUNS.search(question) or _YOU_TWO.search(question)):
        return question
    asked = [content for role, content in history if role == "user"]
    # The question before may itself follow up one about a relative ("Where did you two meet?").
    chain = asked[-1:] if asked and not is_follow_up(asked[-1]) else asked[-2:]
    if not any(_ABOUT_RELATIVES.search(q) or _YOU_TWO.search(q) for q in chain):
        return question
    answers = [content for role, content in history if role == "assistant"][-_ANSWERS_BACK:]
    own = {w.casefold() for w in own_name.split()}
    people = [p for answer in reversed(answers) for p in _people_in(answer, own)]
    pronoun = _PRONOUNS.search(question)
    if pronoun is not None:
        gender = _PRONOUN[pronoun.group(0).casefold()]
        person = _pick([p for p in people if p.gender in (gender, "")], " ".join(chain))
        if person is None:
            return question
        return _replace_pronoun(question, pronoun, person.name)
    partner = _pick([p for p in people if p.kin in ("husband", "wife", "partner", "spouse", "boyfriend",
                                                     "girlfriend", "fiance", "fiancé", "fiancee", "fiancée")],
                    " ".join(chain))
    return question if partner is None else _YOU_TWO.sub(f"you and {partner.name}", question, count=1)


def _pick(people: Sequence[_Person], previous_question: str) -> _Person | None:
    """The person whose relation the previous question named ("Any sisters?"), else the first found."""
    for person in people:
        if re.search(rf"\b{re.escape(person.kin)}", previous_question, re.IGNORECASE):
            return person
    return people[0] if people else None


def _people_in(answer: str, own: set[str]) -> list[_Person]:
    """The relatives ``answer`` names, in the order it names them."""
    found: list[tuple[int, _Person]] = []
    sentences = [s for s in _SENTENCES.split(answer) if s.strip()]
    for i, sentence in enumerate(sentences):
        following = sentences[i + 1].split()[:1] if i + 1 < len(sentences) else []
        said_gender = _PRONOUN.get(re.split(r"['\u2019]", following[0])[0].casefold(), "") if following else ""
        offset = answer.find(sentence)
        for pattern in (_KIN_THEN_NAME, _NAME_THEN_KIN, _MET):
            for match in pattern.finditer(sentence):
                name = _clean(match.group("name"), own)
                if not name:
                    continue
                kin = match.groupdict().get("kin") or ""
                kin = kin.casefold()
                gender = (KIN[kin].gender if kin in KIN else "") or said_gender
                found.append((offset + match.start("name"), _Person(name, gender, kin or "partner")))
    seen: set[str] = set()
    people = []
    for _, person in sorted(found, key=lambda item: item[0]):
        if person.name not in seen:
            seen.add(person.name)
            people.append(person)
    return people


def _clean(name: str, own: set[str]) -> str:
    """The name without trailing words that are no name; empty when it is the twin's or no name at all."""
    parts = [w for w in name.split() if w.casefold() not in _NOT_NAMES and w.casefold() not in KIN]
    if not parts or parts[0].casefold() in own:
        return ""
    return parts[0]


def _replace_pronoun(question: str, pronoun: re.Match[str], name: str) -> str:
    """"What does he (Mehdi) do?": the pronoun stays, so the question is still about someone other
    than the twin ("What does he do for a living?" is not the twin's job)."""
    word = pronoun.group(0).casefold()
    rest = question[pronoun.end():]
    following = re.match(r"\s+([A-Za-z']+)", rest)
    possessive = word in ("his", "hers") or (word == "her" and following is not None
                                              and following.group(1).casefold() not in _NOT_POSSESSED)
    said = f"{name}'s" if possessive else name
    return f"{question[:pronoun.end()]} ({said}){rest}"
