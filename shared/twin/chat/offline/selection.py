"""Which scored sentences answer: the best relevant one, those nearly as good, and the sentences
they need beside them (what "him" refers to, the rest of a list), in reading order."""

from __future__ import annotations

import re
from collections.abc import Sequence

from twin.chat.offline.scoring import Scored, relevance
from twin.chat.offline.sentences import NAMED, Sentence

__all__ = ["in_reading_order", "select"]

# A sentence this relevant answers (all-MiniLM-L6-v2 cosine, blended with its passage's). Casual
# questions ("Got any little ones?", "What pays the bills?") score low against the statements that
# answer them, and most near misses are declined by their own rules (twin.chat.offline.declines):
# on the 27 people of tests/quality and four held out, 0.31 -> 0.22 held 33 more facts, and
# declined 3 of 164 near misses fewer there and none of 24 fewer here.
_SEMANTIC_FLOOR = 0.22
# A sentence holding the words its topic's answers hold ("I grew up in" for "where are you from?")
# answers when its own similarity reaches this, however diluted its passage's is.
_TOPICAL_FLOOR = 0.25
_TOPICAL_WORDS_FLOOR = 0.15
# Without a semantic embedder: at least this share of the question's content words.
_LEXICAL_FLOOR = 0.34
# The answer opens with the best-scored relevant sentence among this many.
_RELEVANT_WITHIN = 3
# Further sentences join the best one only when nearly as relevant.
_COMPANION_RATIO = 0.75
_LEXICAL_COMPANION_RATIO = 0.5
# A sentence with the topic's words ("my husband, Brian") completes "We married in 2019" more readily.
_TOPICAL_COMPANION_RATIO = 0.6
_ANNOUNCEMENT_WORDS = 4
_MAX_LIST_ITEMS = 6


def _relevant(item: Scored, semantic: bool) -> bool:
    if item.states_detail:
        return True
    if semantic:
        # A sentence with the very word the question names its topic by ("my older sister Divya"
        # for "any brothers or sisters?") answers though a short fact scores low on similarity;
        # one with another of the topic's words ("Eirik's two daughters" for "how many kids?") does not.
        return (relevance(item) >= _SEMANTIC_FLOOR
                or (item.topical and item.semantic >= (_TOPICAL_WORDS_FLOOR if item.echoes else _TOPICAL_FLOOR)))
    return item.lexical >= _LEXICAL_FLOOR or item.topical


def select(scored: Sequence[Scored], *, semantic: bool, limit: int) -> list[Sentence]:
    ranked = sorted(scored, key=lambda x: (-x.score, x.sentence.rank, x.sentence.position))
    # A sentence sharing the question's words but not its meaning may outscore the one that answers.
    first = next((i for i, x in enumerate(ranked[:_RELEVANT_WITHIN]) if _relevant(x, semantic)), None)
    if first is None:
        return []
    ranked = ranked[first:]
    best = ranked[0].score
    chosen = [ranked[0].sentence]
    for item in ranked[1:]:
        if len(chosen) >= limit:
            break
        ratio = _COMPANION_RATIO if semantic else _LEXICAL_COMPANION_RATIO
        if item.topical:
            ratio = min(ratio, _TOPICAL_COMPANION_RATIO)
        if item.score >= best * ratio and _relevant(item, semantic):
            chosen.append(item.sentence)
    everything = [x.sentence for x in scored]
    announcing = {x.sentence.text for x in scored if x.lexical == 0.0}
    with_context = _with_elaboration(_with_follow_on(
        _with_antecedent(_with_continuations(chosen, everything, limit, announcing), everything, limit),
        everything, limit), everything, limit)
    return in_reading_order(_with_list_siblings(with_context, everything))


def _neighbour(sentence: Sentence, candidates: Sequence[Sentence], step: int) -> Sentence | None:
    """The sentence ``step`` places before (-1) or after (+1) ``sentence`` in its passage."""
    return next((c for c in candidates if c.passage is sentence.passage and c.position == sentence.position + step),
                None)


# Not "she" or "he": in a bio about the twin those are the twin (and become "I").
_REFERRING = re.compile(r"\b(?:him|his|her|it|its|they|them|their)\b", re.IGNORECASE)
# "That's my longest ever.": what "that" is, the sentence before says ("The Cederberg Traverse was 56 km").
_POINTING_BACK = re.compile(r"^(?:that|this|those|these)(?:['\u2019](?:s|re)\b|\s+(?:is|was|were|are)\b)",
                            re.IGNORECASE)
_REFERRING_WORDS = 6


def _with_antecedent(chosen: list[Sentence], candidates: Sequence[Sentence], limit: int) -> list[Sentence]:
    """The best sentence opening on a reference back ("We adopted him from a shelter") brings the
    sentence before it, which says who "him" is ("Tusse is our cat")."""
    best = chosen[0]
    opening = " ".join(best.text.split()[:_REFERRING_WORDS])
    if best.position <= 0 or len(chosen) > limit or not (_REFERRING.search(opening)
                                                          or _POINTING_BACK.match(best.text)):
        return chosen
    before = _neighbour(best, candidates, -1)
    return [*chosen, before] if before is not None and before not in chosen else chosen


_FOLLOWING_PRONOUNS = frozenset({"he", "she", "they", "his", "her", "their"})


def _with_follow_on(chosen: list[Sentence], candidates: Sequence[Sentence], limit: int) -> list[Sentence]:
    """The best sentence naming someone ("I'm married to Rhodri, who is Welsh") brings the next one
    when it goes on about them ("He co-owns a bike workshop"): what a visitor asked is often there."""
    best = chosen[0]
    after = _neighbour(best, candidates, 1)
    if after is None or after in chosen or len(chosen) > limit or not after.text.split():
        return chosen
    opening = re.split(r"['\u2019,;:]", after.text.split()[0])[0]  # "He's" -> "He"
    names = set(NAMED.findall(" " + best.text)) - {best.text.split()[0]}
    if opening.casefold() in _FOLLOWING_PRONOUNS or opening in names:
        return [*chosen, after]
    return chosen


# A best sentence this short is often a lead-in ("Best moment: our 2022-23 season.", "My real
# hobby, my therapy, my social life.") whose substance is the next sentence of its section.
_LEAD_IN_WORDS = 12


def _with_elaboration(chosen: list[Sentence], candidates: Sequence[Sentence], limit: int) -> list[Sentence]:
    """A short best sentence in prose brings the sentence after it, when it is in the same section
    (on the 27 people of tests/quality 11 more turns held their facts and none lost one; on four
    held out, 1 more)."""
    best = chosen[0]
    if len(chosen) > limit or best.position < 0 or best.block != -2 or len(best.text.split()) > _LEAD_IN_WORDS:
        return chosen
    after = _neighbour(best, candidates, 1)
    if after is None or after in chosen or after.block != -2 or after.heading != best.heading:
        return chosen
    return [*chosen, after]


def _with_list_siblings(chosen: list[Sentence], candidates: Sequence[Sentence]) -> list[Sentence]:
    """An answer that is one item of a list ("Spanish - native") brings the rest of that list."""
    best = chosen[0]
    if best.parent:
        siblings = [c for c in candidates if c.parent == best.parent and c not in chosen]
        return chosen + siblings[: max(0, _MAX_LIST_ITEMS - len(chosen))]
    if best.block < 0:
        return chosen
    siblings = [c for c in candidates if c.passage is best.passage and c.block == best.block and c not in chosen]
    return chosen + siblings[: max(0, _MAX_LIST_ITEMS - len(chosen))]


def _with_continuations(chosen: list[Sentence], candidates: Sequence[Sentence], limit: int,
                        wordless: set[str]) -> list[Sentence]:
    """A sentence that only announces what follows ("Three things.", "Here is how:") brings the next one;
    it holds none of the question's words itself (``wordless``), or it would be an answer of its own."""
    result = list(chosen)
    for sentence in chosen:
        short = len(sentence.text.split()) <= _ANNOUNCEMENT_WORDS and sentence.text in wordless
        if not (short or sentence.text.endswith(":")):
            continue
        following = _neighbour(sentence, candidates, 1)
        if following is not None and following not in result and len(result) < limit + 1:
            result.append(following)
    return result


def in_reading_order(chosen: Sequence[Sentence]) -> list[Sentence]:
    # Passages in order of their best sentence; a passage's own sentences in their original order.
    first_seen: dict[int, int] = {}
    for index, sentence in enumerate(chosen):
        first_seen.setdefault(sentence.rank, index)
    return sorted(chosen, key=lambda s: (first_seen[s.rank], s.position))
