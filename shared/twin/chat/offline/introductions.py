"""Greetings, "what is your name", "who are you": the twin's name, and the sentences of its notes
that say who it is."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from twin.chat.intents import Intent
from twin.chat.offline.rendering import OfflineAnswer, quoting, render
from twin.chat.offline.scoring import Embed, score_sentences
from twin.chat.offline.selection import in_reading_order
from twin.chat.offline.sentences import TERMINAL, Sentence, sentences_in, terms
from twin.chat.offline.voice import name_pattern
from twin.chat.prompting import Passage, Profile

__all__ = ["introduce", "name_of", "nicknames", "own_names", "stated_name"]

_NAME_WORD = r"[A-Z\u00c0-\u00de][\w'\u2019-]+"
_SELF_NAMING = re.compile(rf"\b(?:I'm|I am|My name is|my name's|call me)\s+({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})")
# Between first name and surname, an initial or a nickname: "Dmitri V. Sokolov", "Oluwaseun (Seun) Adeyemi-Clarke".
_MIDDLE = rf"(?:[A-Z]\.|\({_NAME_WORD}\))"
# Lower-case surname particles: "Ilse van der Wal", "Yara Khoury dos Santos", "Omar ibn Said".
_PARTICLE = r"(?:van|von|der|den|de|del|della|di|da|das|do|dos|du|la|le|ter|ten|zu|al|el|bin|ibn|y)"
_FULL_NAME = rf"{_NAME_WORD}(?:\s+(?:{_MIDDLE}|{_NAME_WORD}|{_PARTICLE})){{0,3}}\s+{_NAME_WORD}"
_TITLE_NAME = re.compile(rf"^({_FULL_NAME})\s*(?:[-\u2013\u2014|:,(\u00b7]|$)")
# A profile's "full_name: Aroha Ngata-Whitlock" or "Name: Ana Lima" (JSON fields are read as such lines).
_NAME_FIELD_VALUE = re.compile(rf"(?:^|;\s*)(?i:(full[ _]?)?name)\s*:\s*(?P<name>{_FULL_NAME})\s*(?:[;,.]|$)",
                               re.MULTILINE)
_NOT_NAMES = frozenset({"resume", "cv", "about", "bio", "faq", "notes", "curriculum", "portfolio", "home"})
# A title names its author when the name's first word recurs in another document too, if there is
# another ("Press Kit" titles one document and names nobody).
_CORROBORATING_DOCUMENTS = 2


def name_of(profile: Profile, passages: Sequence[Passage]) -> str | None:
    """The twin's name: the profile's, else the one its notes introduce ("I'm Ana Lima", "Ana Lima — CV")."""
    found = _found_name(profile, passages)
    # A resume heading in capitals ("FATIMA ZAHRA BENKIRANE") is still said "Fatima Zahra Benkirane".
    return found.title() if found and found.isupper() else found


# "Nickname: Bartek", "preferred_name: Seun", "goes by: Ros": what visitors may call the twin.
_NICKNAME_FIELD = re.compile(rf"(?:^|;\s*)(?i:nick[ _]?name|preferred[ _]name|known as|goes by)\s*:\s*({_NAME_WORD})"
                             rf"\s*(?:[;,.]|$)", re.MULTILINE)


def own_names(profile: Profile, passages: Sequence[Passage]) -> str:
    """The twin's name and the short names it goes by ("Bartłomiej Wróblewski Bartek"), so that "What
    does Bartek do?" asks about the twin."""
    name = name_of(profile, passages) or ""
    return " ".join([name, *nicknames(name, passages)]).strip()


def nicknames(name: str, passages: Sequence[Passage]) -> list[str]:
    """The short names the twin ``name`` goes by that the name does not already hold: the one a
    name field gives, or the one in brackets after its first name ("Bartłomiej (Bartek) Wróblewski")."""
    short = [m.group(1) for p in passages if _about_the_twin(p) for m in _NICKNAME_FIELD.finditer(p.content)]
    if name:
        bracketed = re.compile(rf"\b{re.escape(name.split()[0])}\s+\(({_NAME_WORD})\)")
        short += [m.group(1) for p in passages for m in bracketed.finditer(f"{p.title or ''}\n{p.content}")]
    return [w for w in dict.fromkeys(short) if not re.search(rf"(?<!\w){re.escape(w)}(?!\w)", name)]


def stated_name(profile: Profile, passages: Sequence[Passage]) -> str | None:
    """The profile's name, else one a name field states ("Name: Ana Lima"): never a guess from a title."""
    if profile.display_name.strip():
        return profile.display_name.strip()
    fields = [m for p in passages if _about_the_twin(p) for m in _NAME_FIELD_VALUE.finditer(p.content)]
    # "Full name: Leilani Kapualani Nakamura" beside "Name: Leilani Nakamura" holds the whole of it.
    found = next((m for m in fields if m.group(1)), fields[0] if fields else None)
    return found.group("name") if found else None


# A profile's own fields, or a section of them about its person ("person": {"name": ...}); the name of
# its "business", "podcast" or "boat" is not the twin's.
_PERSON_SECTIONS = frozenset({"person", "personal", "personal details", "personal info", "basics", "about",
                              "about me", "profile", "identity", "me", "bio", "contact", "owner"})


def _about_the_twin(passage: Passage) -> bool:
    return len(passage.heading_path) <= 1 or passage.heading_path[-1].casefold() in _PERSON_SECTIONS


def _found_name(profile: Profile, passages: Sequence[Passage]) -> str | None:
    """The profile's name; else a name field or a document title naming someone the other documents
    name too; else a self-naming sentence ("I'm Ana Lima"), which may also be "I'm Catalan"."""
    stated = stated_name(profile, passages)
    if stated:
        return stated
    corroborating = min(_CORROBORATING_DOCUMENTS, len({p.document_id for p in passages}))
    for passage in passages:
        found = _TITLE_NAME.match(passage.title or "")
        if (found and not set(found.group(1).casefold().split()) & _NOT_NAMES
                and _documents_naming(found.group(1).split()[0], passages) >= corroborating):
            return found.group(1)
    for passage in passages:
        found = _SELF_NAMING.search(passage.content)
        if found and found.group(1).split()[0].casefold() not in _NOT_NAMES:
            return found.group(1)
    return None


def _documents_naming(word: str, passages: Sequence[Passage]) -> int:
    named = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
    return len({p.document_id for p in passages if named.search(p.content) or named.search(p.title or "")})


# Lines that introduce nobody: contact details, footers, and the bare name the lead already gives.
_CONTACT = re.compile(r"@\w|https?://|www\.|\u00a9|\(c\)\s*\d{4}|^\s*(?:e-?mail|phone|tel|contact)\b",
                      re.IGNORECASE)
_INTRO_MIN_WORDS = 4
_NAME_FIELD = re.compile(r"^\s*(?:full |preferred |first |last )?name\s*:", re.IGNORECASE)
# "Headline: Staff Engineer", "Role: ...", a CV's "Profile" section, "I'm a nurse", "I work as":
# what someone says first about themselves (their occupation), not their siblings or their cat.
_INTRO_FIELD = re.compile(r"^\s*(?:headline|tagline|job title|role|current role|position|occupation|"
                          r"profession|summary|bio|about)\s*:", re.IGNORECASE)
_INTRO_SECTION = re.compile(r"^(?:(?:professional |personal )?(?:profile|summary)|about(?: me)?|bio(?:graphy)?|"
                            r"introduction|overview|who i am)$", re.IGNORECASE)
_SAYS_WHAT_I_DO = re.compile(r"\b(?:I'm|I am|I\u2019m)\s+(?:now\s+|currently\s+)?an?\s+\w|"
                             r"\bI work (?:as|at|for)\b|\bwork(?:ing)? as an?\b", re.IGNORECASE)


def _introduces(sentence: Sentence, name: str) -> int:
    """How well ``sentence`` introduces the twin: 3 says who they are by name, 2 what they do,
    0 nothing of who they are. A sentence that merely holds the name ("Speaker profile: Ada
    Byrne", "We meet Ada Byrne at a bus stop") is no introduction."""
    text = sentence.text
    if name and _defines(text, name):
        return 3  # "I'm Maya Okafor, a backend engineer in Leeds", "Maya Okafor is a backend engineer"
    if (_INTRO_FIELD.match(text) or _INTRO_SECTION.match(sentence.heading.strip()) or _SAYS_WHAT_I_DO.search(text)
            or _headline(sentence, name)):
        return 2
    return 0


# A resume's line under the name: "Senior UX Researcher at Aistear · former air traffic controller · Dublin".
_HEADLINE_PARTS = re.compile(r"\s[·|•]\s")
_HEADLINE_WORDS = 24


def _headline(sentence: Sentence, name: str) -> bool:
    first = name.split()[0].casefold() if name else ""
    return (bool(first) and first in sentence.heading.casefold() and len(sentence.text.split()) <= _HEADLINE_WORDS
            and len(_HEADLINE_PARTS.findall(sentence.text)) >= 1 and not _CONTACT.search(sentence.text))


def _unlabelled(sentence: Sentence) -> Sentence:
    """"Headline: GIS Analyst at Troms County Council" said as "GIS Analyst at Troms County Council"."""
    label = _INTRO_FIELD.match(sentence.text)
    return replace(sentence, text=sentence.text[label.end():].strip()) if label else sentence


def _defines(text: str, name: str) -> bool:
    first = re.escape(name.split()[0])
    said = re.search(rf"\b(?:I'm|I am|I\u2019m|my name is|my name's)\s+{first}\b[^.!?]*?[,\u2014\u2013-]\s*\S+\s+\S+",
                     text, re.IGNORECASE)
    # "Khoo Mei Chen is a machine-learning engineer", "Ada Byrne (she/her) is the lead ...".
    told = re.search(rf"\b{first}\b(?:\s+[\w'\u2019.-]+){{0,3}}(?:\s*\([^)]*\))?,?\s+(?:is|was|has been)\s+"
                     r"(?:an?|the|now|currently|one)\b", text)
    # A page title or a resume's first line: "Clodagh Vesey - Senior Product Manager, Fjordwatt".
    titled = re.match(rf"\s*{first}(?:\s+[\w'\u2019.-]+){{0,3}}\s*[-\u2013\u2014|\u00b7:]\s*\S+\s+\S+", text)
    return bool(said or told or titled)


def introduce(*, intent: Intent, passages: Sequence[Passage], profile: Profile, query_vector: Sequence[float] | None,
              embed: Embed | None) -> OfflineAnswer:
    """Greetings, "what is your name", "who are you": the profile and the most introductory sentences."""
    name = name_of(profile, passages)
    short = nicknames(name, passages) if name else []
    # "Bartłomiej Wróblewski (Bartek for short)": what a visitor would call the twin, too.
    called = f"{name} ({short[0]} for short)" if name and short else name
    persona = profile.persona.strip()
    if persona and not persona.endswith(TERMINAL):
        persona += "."
    if intent is Intent.NAME:
        if not name:
            return OfflineAnswer("My notes don't say what my name is.", answered=False)
        return OfflineAnswer(f"My name is {called}." + (f" {persona}" if persona else ""), answered=True)
    first_name = name.split()[0].casefold() if name else ""
    every = sentences_in(passages)
    candidates = [s for s in every if not _CONTACT.search(s.text) and not _NAME_FIELD.match(s.text)
                  and len(s.text.split()) >= _INTRO_MIN_WORDS]  # "I'm Akosua.", "Not actively."
    introduces = {id(s): _introduces(s, name or "") for s in candidates}
    # Scoring reads a bounded number of sentences: the introductory ones first, in search order.
    candidates.sort(key=lambda s: -introduces[id(s)])
    scored = score_sentences(candidates, terms("I'm my name live work job"), query_vector, embed)
    ranked = [_unlabelled(x.sentence) for x in sorted(
        scored, key=lambda x: (-introduces[id(x.sentence)], -x.score, x.sentence.rank, x.sentence.position))]
    names = name_pattern(replace(profile, display_name=profile.display_name or name or ""), short)
    # Rewritten into the first person, "Ada Lovelace is an engineer" no longer names her: check the render.
    names_itself = bool(ranked and first_name and first_name in render(ranked[:1], names).casefold())
    lead = f"I'm {called}." if name and not names_itself else ""
    if not ranked and not name and not persona:
        return OfflineAnswer("My notes don't have an introduction yet; ask me about something in them.",
                             answered=False)
    if intent is Intent.GREETING:
        greeting = " ".join(part for part in ("Hi!", lead) if part)
        invitation = "Ask me about my work, my projects or what I do for fun."
        if not ranked:
            return OfflineAnswer(" ".join(part for part in (greeting, persona, invitation) if part), answered=True)
        return quoting(ranked[:1], names, lead=greeting, tail=invitation)
    chosen = in_reading_order(ranked[: 1 if persona else 2])
    return quoting(chosen + _where_based(every, chosen), names,
                   lead=" ".join(part for part in (lead, persona) if part))


_LOCATION_FIELD = re.compile(r"^\s*(?:location|based in|based|city|home|lives in|current location)\s*:\s*(.+)$",
                             re.IGNORECASE)


def _where_based(candidates: Sequence[Sentence], chosen: Sequence[Sentence]) -> list[Sentence]:
    """A profile's "Location: Casablanca, Morocco" when the introduction does not say where the twin is."""
    said = " ".join(s.text for s in chosen).casefold()
    for sentence in candidates:
        found = _LOCATION_FIELD.match(sentence.text)
        if found:
            place = found.group(1).split(",")[0].strip().casefold()
            return [] if place and place in said else [sentence]
    return []
