"""The twin speaks as "I": third-person references to it in a passage become first person.

"Ada Lovelace studied", "Ada's thesis", and he/she where the passage is clearly about her become
"I studied", "my thesis". The rewrite is deliberately conservative: a sentence already in the first
person is left alone, a first name followed by another surname is somebody else, a field line
("Name: Ada Lovelace") is a record and stays as written, and pronouns are only rewritten in a
passage that names the twin, uses a single gender of pronoun and has no first-person voice of its
own (where "he" is more likely someone else).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from twin.chat.prompting import Profile
from twin.text.lexical import word_set
from twin.text.sentences import FIELD_LINE

__all__ = ["Voice", "first_person", "name_pattern", "voice_for"]

_SUBJECT = "I\x00"  # marks an "I" whose verb may still need first-person agreement
_APOSTROPHES = "'\u2019"



_HONORIFICS = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "sir", "dame"})
_FIRST_PERSON = re.compile(r"\bI\b|\b(?:[Mm]e|[Mm]y|[Mm]ine|[Mm]yself|ME|MY)\b")
_MASCULINE = re.compile(r"\b(?:he|him|his|himself)\b", re.IGNORECASE)
_FEMININE = re.compile(r"\b(?:she|her|hers|herself)\b", re.IGNORECASE)
_PREPOSITIONS = word_set(
    """
    to with for by about from of at on in into onto behind beside between against among around
    toward towards via without under over through upon
    """
)
# Prepositions that may also open a clause: "after Ada" (me) but "after Ada left" (I).
_PREPOSITION_OR_CONJUNCTION = frozenset({"after", "before", "since", "until", "than", "like"})
# After these the next noun phrase starts a clause, so the name there is a subject.
_CLAUSE_OPENERS = word_set(
    """
    and but or so then that when while because since although though if after before until once
    where whereupon which who as
    """
)
_AUXILIARIES = word_set(
    """
    is isn't was wasn't has hasn't had does doesn't did will would can could should may might
    must shall also always still now currently
    """
)
# "named Ada", "known as Ada": the name itself is the point, so it stays.
_NAMING_WORDS = frozenset({"named", "called", "as", "name", "nicknamed"})
_NOT_NOUN_START = word_set(
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
class Voice:
    names: re.Pattern[str] | None
    pronouns: re.Pattern[str] | None  # set only where he/she (one of them) means the twin


def name_pattern(profile: Profile, nicknames: Sequence[str] = ()) -> re.Pattern[str] | None:
    """How passages name the twin; ``nicknames`` ("Bartek" of "Bartłomiej Wróblewski") stand for its
    first name too."""
    full = " ".join(profile.display_name.split())
    if not full:
        return None
    words = [w for w in full.split() if w.rstrip(".").casefold() not in _HONORIFICS] or full.split()
    # Longest first, so "Ada Lovelace" wins over "Ada".
    forms = sorted({full, " ".join(words)}, key=len, reverse=True)
    alternatives = [re.escape(form) for form in forms]
    if len(words) >= 2 and len(words[0]) >= 2 and words[0].isalpha():
        first = "|".join(re.escape(w) for w in sorted({words[0], *nicknames}, key=len, reverse=True))
        first, surname = f"(?:{first})" if nicknames else first, re.escape(words[-1])
        # "Rosalind (Ros) Catacutan", "Rosalind M. Catacutan": the twin under a nickname or initial.
        alternatives.insert(0, rf"{first}(?:\s+(?:\([^()]{{1,30}}\)|[A-Z][\w.'\u2019-]*)){{1,2}}\s+{surname}")
        # "Thandiwe Mabandla" for "Thandiwe Asanda Mabandla": the middle name left out.
        alternatives.insert(1, rf"{first}\s+{surname}")
        # A first name followed by a capitalised word other than the surname is someone else.
        alternatives.append(rf"{first}(?!\s+(?!{surname}\b)[A-Z])")
    elif len(words) == 1:
        # Only a first name is known: "Inés Valdebenito" may be the twin or a relative; left as written.
        alternatives = [rf"{re.escape(words[0])}(?!\s+[A-Z])"]
    names = "|".join(alternatives)
    return re.compile(rf"(?<![\w{_APOSTROPHES}])(?:{names})(?P<possessive>[{_APOSTROPHES}]s\b)?(?![\w-])")


def voice_for(body: str, names: re.Pattern[str] | None) -> Voice:
    if names is None or not names.search(body):
        return Voice(names, None)
    if _FIRST_PERSON.search(body):
        return Voice(names, None)
    masculine, feminine = _MASCULINE.search(body), _FEMININE.search(body)
    if masculine and not feminine:
        return Voice(names, _MASCULINE)
    if feminine and not masculine:
        return Voice(names, _FEMININE)
    return Voice(names, None)


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


# Before the name: a quotation mark ('what "Kwame" means') or another capitalised word ("Anh Thư
# Trần" when the twin is "Trần Anh Thư"): the name is spoken of or is part of a longer one, and stays.
_BEFORE_KEPT_NAME = re.compile(r"(?:[\"\u201c\u2018']|(?<![.!?:;]\s)(?<=\S\s)[A-Z\u00c0-\u00de][\w'\u2019-]*\s)$")


# "Marit Tveiten · Kvaløya, Tromsø", "Ana Lima | Designer": a byline or a footer, not a sentence.
_LABELLED = re.compile(r"\s*[\u00b7|]")


def _name_replacement(match: re.Match[str]) -> str:
    text, start, end = match.string, match.start(), match.end()
    if _BEFORE_KEPT_NAME.search(text[max(0, start - 40):start]) or _LABELLED.match(text[end:]):
        return match.group(0)
    if text[:start].rstrip().endswith((":", "\u00b7", "|")) and not text[end:].strip(" .!"):
        return match.group(0)  # "Speaker profile: Khoo Mei Chen": a label's value
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


def first_person(sentence: str, voice: Voice) -> str:
    """``sentence`` spoken by the twin, or unchanged when it is not clearly about them."""
    if voice.names is None or _FIRST_PERSON.search(sentence) or FIELD_LINE.match(sentence):
        return sentence  # a field ("Name: Ada Lovelace") is a record, not a sentence about her
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
