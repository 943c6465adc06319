"""How well each candidate sentence answers the question: its similarity, the question's words it
holds, and the tie-breaking bonuses."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from twin.chat.offline.sentences import FIGURE, NAMED, Sentence, terms

__all__ = ["Embed", "Scored", "relevance", "score_sentences"]

# Scores: semantic similarity of a sentence to the question (unit vectors, so a dot product)
# plus the share of the question's content words it holds; the bonuses only break ties.
_SENTENCE_WEIGHT = 0.6
_LEXICAL_WEIGHT = 0.2
# A word an answer to the question's topic usually holds ("husband" for "married?", twin.chat.intents)
# counts for this share of one of the question's own words.
_RELATED_WEIGHT = 0.5
_RANK_BONUS = 0.03
# A sentence holding the words its topic's answers hold ("I grew up in" for "where are you from?")
# ranks above a sentence that is merely about the same things as the question.
_TOPICAL_BONUS = 0.1
# "How long...?", "When did you...?": a sentence stating a figure or a date ranks this much higher.
_FIGURE_BONUS = 0.08
# "Why did you leave...?", "What brought you to Canada?": a sentence giving a reason ranks this much higher.
_REASON_BONUS = 0.08
_MAX_CANDIDATES = 60
# A sentence of this few content words, with no name and no figure, announces rather than answers.
_BARE_TERMS = 2
_BARE_PENALTY = 0.1
# A section whose heading is close to the question lends its sentences part of that closeness.
_HEADING_WEIGHT = 0.5
_HEADING_FLOOR = 0.3


Embed = Callable[[list[str]], list[list[float]]]


@dataclass(frozen=True)
class Scored:
    sentence: Sentence
    semantic: float  # the sentence's own similarity to the question
    context: float  # its passage's similarity to the search (a chunk sees its heading and neighbours)
    lexical: float  # share of the question's content words it holds, weighted by rarity
    heading: float = 0.0  # its section heading's similarity to the question
    topical: bool = False  # it holds a word an answer to the question's topic usually holds
    states_figure: bool = False  # it holds a figure or date a "how long / how many / when" question wants
    echoes: bool = False  # it holds the word the question names its topic by ("sister" for "sisters?")
    gives_reason: bool = False  # it gives a reason a "why...?" question wants ("because", "so I decided")
    where: frozenset[str] = frozenset()  # the words of the title and headings it sits under (_where_terms)
    # It states the one detail the question asks for ("Thesis: ..." for "What was your thesis on?"),
    # which answers however far it is by meaning (twin.chat.offline.particulars).
    states_detail: bool = False

    @property
    def score(self) -> float:
        return (relevance(self) + _LEXICAL_WEIGHT * self.lexical + _RANK_BONUS / (self.sentence.rank + 1)
                + (_TOPICAL_BONUS if self.topical else 0.0) + (_FIGURE_BONUS if self.states_figure else 0.0)
                - (_BARE_PENALTY if _is_bare(self.sentence) else 0.0)
                + (_REASON_BONUS if self.gives_reason else 0.0))


def _is_bare(sentence: Sentence) -> bool:
    """"The second is singing.": close to "Do you sing?" by meaning, yet it names nothing and states no figure."""
    return len(sentence.terms) <= _BARE_TERMS and not NAMED.search(sentence.text) and not FIGURE.search(sentence.text)


def _unique(sentences: Sequence[Sentence]) -> list[Sentence]:
    seen: set[str] = set()
    unique = []
    for sentence in sentences:
        key = " ".join(sentence.text.casefold().split())
        if key not in seen and len(sentence.terms) > 0:  # overlapping chunks repeat sentences
            seen.add(key)
            unique.append(sentence)
    return unique


def _term_weights(question_terms: frozenset[str], candidates: Sequence[Sentence]) -> dict[str, float]:
    # A question word found in most candidate sentences ("work", "go") says little about which one
    # answers; a rare one ("school", "Chispa") says a lot (inverse sentence frequency).
    total = len(candidates) + 1
    return {t: math.log(1 + total / (1 + sum(t in c.terms for c in candidates))) for t in question_terms}


def score_sentences(sentences: Sequence[Sentence], question_terms: frozenset[str],
                    query_vector: Sequence[float] | None, embed: Embed | None,
                    related_terms: frozenset[str] = frozenset(), topical_terms: frozenset[str] = frozenset(),
                    question_vectors: Sequence[Sequence[float]] = ()) -> list[Scored]:
    """``question_vectors``: the question as asked (and, for a follow-up, as searched), when
    ``query_vector`` is what it means; a sentence's similarity is the closest of them."""
    candidates = _unique(sentences)[:_MAX_CANDIDATES]
    semantic = [0.0] * len(candidates)
    headings: dict[str, float] = {}
    if embed is not None and query_vector is not None and candidates:
        heading_texts = sorted({c.heading for c in candidates if c.heading})
        vectors = embed([s.text for s in candidates] + heading_texts)
        queries = [query_vector, *question_vectors]

        def similarity(v: Sequence[float]) -> float:
            return max(sum(a * b for a, b in zip(q, v, strict=False)) for q in queries)

        semantic = [similarity(v) for v in vectors[: len(candidates)]]
        headings = {h: similarity(v) for h, v in zip(heading_texts, vectors[len(candidates):], strict=True)}
    weights = _term_weights(question_terms, candidates)
    related = {t: _RELATED_WEIGHT * w for t, w in _term_weights(related_terms - question_terms, candidates).items()}
    # A question made only of topic words ("Are you married?") counts one marker word as half of it.
    total_weight = sum(weights.values()) or max(related.values(), default=_RELATED_WEIGHT) / _RELATED_WEIGHT
    scored = []
    for sentence, sem in zip(candidates, semantic, strict=True):
        matched = sum(weights[t] for t in sentence.terms & question_terms)
        lexical = min(1.0, (matched + sum(related[t] for t in sentence.terms & related.keys())) / total_weight)
        where = _where_terms(sentence)
        # Under a heading or title with the topic's words ("Salary expectations?"), a bare figure is on topic.
        topical = (sentence.terms | where) & topical_terms
        if embed is None:
            scored.append(Scored(sentence, 0.0, 0.0, lexical, topical=bool(topical), where=where))
            continue
        context = sentence.passage.similarity if sentence.passage.similarity is not None else sem
        scored.append(Scored(sentence, sem, context, lexical, headings.get(sentence.heading, 0.0), bool(topical),
                             where=where))
    return scored


def _where_terms(sentence: Sentence) -> frozenset[str]:
    """The words of the title and headings a sentence sits under."""
    passage = sentence.passage
    return terms(" ".join([passage.title or "", *passage.heading_path, sentence.heading]))


def relevance(item: Scored) -> float:
    return (_SENTENCE_WEIGHT * item.semantic + (1 - _SENTENCE_WEIGHT) * item.context
            + _HEADING_WEIGHT * max(0.0, item.heading - _HEADING_FLOOR))
