"""The chosen sentences as the answer's text: clipped, cited [n] and spoken in the first person."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from twin.chat.offline.sentences import Sentence, passage_body
from twin.chat.offline.voice import Voice, first_person, voice_for

__all__ = ["OfflineAnswer", "cite", "quoting", "render"]

_MAX_SENTENCE_CHARS = 400


@dataclass(frozen=True)
class OfflineAnswer:
    text: str
    answered: bool  # False: the notes do not hold the answer, and the text says so
    cited: frozenset[int] = frozenset()  # the passage numbers the text cites


def _clip(sentence: str) -> str:
    if len(sentence) <= _MAX_SENTENCE_CHARS:
        return sentence
    return sentence[:_MAX_SENTENCE_CHARS].rsplit(" ", 1)[0].rstrip(",;: ") + "…"


def cite(sentence: str, number: int) -> str:
    citation = f"[{number}]"
    if sentence.endswith(".") and not sentence.endswith(".."):
        return f"{sentence[:-1].rstrip()} {citation}."
    if sentence.endswith(("!", "?", "…", '"', "'", "\u201d", "\u2019", ")")):
        return f"{sentence} {citation}"
    return f"{sentence.rstrip(',;:')} {citation}."


def render(chosen: Sequence[Sentence], names: re.Pattern[str] | None) -> str:
    voices: dict[str, Voice] = {}
    parts = []
    for sentence in chosen:
        key = sentence.passage.chunk_id + "\x00" + str(sentence.passage.number)
        voice = voices.get(key)
        if voice is None:
            voice = voices[key] = voice_for(passage_body(sentence.passage), names)
        parts.append(cite(first_person(_clip(sentence.text), voice), sentence.passage.number))
    return " ".join(parts)


def quoting(chosen: Sequence[Sentence], names: re.Pattern[str] | None, *, lead: str = "",
            tail: str = "") -> OfflineAnswer:
    text = " ".join(part for part in (lead, render(chosen, names), tail) if part)
    return OfflineAnswer(text, answered=True, cited=frozenset(s.passage.number for s in chosen))
