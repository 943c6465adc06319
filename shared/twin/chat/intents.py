"""Questions about the person as a whole: greetings, "who are you", "what is your name".

They share no words with any document, so retrieval by the question's own words finds nothing
useful; the twin answers them from its profile and its most introductory passages instead.
Deterministic patterns, in English, Spanish and Portuguese (the languages of the twin's likely
visitors are unknown; these cover the common openings).
"""

from __future__ import annotations

import re
import unicodedata
from enum import Enum


class Intent(Enum):
    GREETING = "greeting"
    NAME = "name"
    INTRODUCTION = "introduction"


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c)).replace("\u2019", "'")


_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening)|hola|buenas|buenos dias|"
    r"ola|oi|bom dia|boa tarde|bonjour|hallo|ciao)(?:\s+(?:there|you|twin|all))?[\s!.,?]*$")
_NAME = re.compile(
    r"\b(?:what(?:'s| is) your (?:full |real )?name|who am i (?:talking|speaking|chatting) (?:to|with)|"
    r"your name\??$|como te llamas|cual es tu nombre|qual (?:e )?o seu nome|como (?:voce )?se chama)\b")
_INTRODUCTION = re.compile(
    r"^\s*(?:so,?\s+)?(?:who (?:are|r) (?:you|u)|tell me (?:a bit |a little |more )?about (?:yourself|you)|"
    r"introduce yourself|describe yourself|who is this|what about you|about you|"
    r"quien eres|quien es usted|hablame de ti|cuentame (?:sobre|de) ti|quem (?:e )?(?:voce|tu)|"
    r"fale (?:sobre|de) (?:voce|si))\b")


def intent_of(question: str) -> Intent | None:
    folded = _fold(question).strip().lstrip("¿¡").strip()
    if _GREETING.match(folded):
        return Intent.GREETING
    if _NAME.search(folded):
        return Intent.NAME
    if _INTRODUCTION.match(folded):
        return Intent.INTRODUCTION
    return None


# What an introduction is searched with: the words people use to introduce themselves.
INTRODUCTION_QUERY = "About me: I'm my name, I work as, my job, I live in, I grew up in."


# "What do you do for work?" names no job and no employer, so by meaning it sits closest to any
# sentence about work habits; said the way a resume or bio says it, it finds the job itself.
_WORK = re.compile(
    r"\b(?:what (?:do|did) you do(?! for fun| in your (?:free|spare) time| on (?:the )?weekends| to relax)"
    r"|what(?:'s| is) your (?:job|role|"
    r"profession|occupation|position|title)|where do you work|who do you work for|what kind of work|"
    r"your current (?:job|role))")
# The same question in Spanish or Portuguese (the offline model is English-only: the English words
# carry the search).
_WORK_ELSEWHERE = re.compile(r"\b(?:a que te dedicas|en que trabajas|o que (?:voce )?faz|onde (?:voce )?trabalha)\b")
WORK_QUERY = "My job: I work as a ... at ..., my current role and employer."


def retrieval_text(question: str) -> str:
    """What to search with for ``question``: itself, or with the words its answer will use."""
    folded = _fold(question)
    if _WORK.search(folded) or _WORK_ELSEWHERE.search(folded):
        return f"{question} {WORK_QUERY}"
    return question
