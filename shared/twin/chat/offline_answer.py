"""Offline answers (no language model): the passages' own sentences that best match the question.

The answer quotes sentences verbatim, cited [n], apart from one rewrite: third-person references
to the twin become first person (twin.chat.voice), so the twin still speaks as "I".
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from twin.chat.career import Job, career_answer
from twin.chat.intents import Intent, TopicReading
from twin.chat.money import asks_current_pay, asks_for_a_sum, states_a_sum, states_an_expectation
from twin.chat.prompting import Passage, Profile, no_context_answer
from twin.chat.voice import Voice, first_person, name_pattern, voice_for
from twin.ingest.chunking import BREADCRUMB_SEPARATOR, chunk_body
from twin.text.lexical import STOP_WORDS, stem, word_set, words
from twin.text.sentences import FIELD_LINE, LIST_MARKER, split_sentences

__all__ = ["OfflineAnswer", "extractive_answer", "introduce"]

# Scores: semantic similarity of a sentence to the question (unit vectors, so a dot product)
# plus the share of the question's content words it holds; the bonuses only break ties.
_SENTENCE_WEIGHT = 0.6
_LEXICAL_WEIGHT = 0.2
# A word an answer to the question's topic usually holds ("husband" for "married?", twin.chat.intents)
# counts for this share of one of the question's own words.
_RELATED_WEIGHT = 0.5
_RANK_BONUS = 0.03
# A sentence this relevant answers (all-MiniLM-L6-v2 cosine, blended with its passage's; on
# tests/quality the best sentence for questions the notes cannot answer scored 0.14-0.31); one
# holding the question's rarer words may be a little less similar (_LEXICAL_PATH).
_SEMANTIC_FLOOR = 0.31
_LEXICAL_PATH = (0.4, 0.24)  # (share of the question's weighted words, relevance)
# A sentence holding the words its topic's answers hold ("I grew up in" for "where are you from?")
# answers when its own similarity reaches this, however diluted its passage's is.
_TOPICAL_FLOOR = 0.25
_TOPICAL_WORDS_FLOOR = 0.15
# ... and ranks above a sentence that is merely about the same things as the question.
_TOPICAL_BONUS = 0.1
# "How long...?", "When did you...?": a sentence stating a figure or a date ranks this much higher.
_FIGURE_BONUS = 0.08
# "Why did you leave...?", "What brought you to Canada?": a sentence giving a reason ranks this much higher.
_ASKS_WHY = re.compile(r"^\W*(?:and |so |but )?(?:why\b|how come\b|what (?:made|brought|led|got|drew|pushed|"
                       r"prompted|convinced|took) you\b|what was the reason|what's the reason)", re.IGNORECASE)
_REASON = re.compile(r"\b(?:because|since I|since we|so I|so we|the reason|that's why|which is why|decided|"
                     r"decision|wanted to|in order to|led me|made me|drew me|pushed me|meant that|gave out|"
                     r"burn(?:ed|t)? out)\b", re.IGNORECASE)
_REASON_BONUS = 0.08
# "How many downloads...?": what is counted. People are counted under many names ("a team of five
# developer advocates"), so a count of them is not held to the word.
_COUNTED = re.compile(r"\bhow many ([a-z]+)", re.IGNORECASE)
_ANY_COUNT = frozenset(stem(w) for w in ("people", "persons", "folks", "staff", "employees", "times", "of",
                                         "more", "other", "different", "years", "months", "weeks", "days", "hours",
                                         "could", "can", "do", "did", "would", "will", "are", "is", "were", "have"))
# "Languages: Twi, Fante, French" counts them too, as do the items of a list under "Languages".
_LISTS = re.compile(r"[^,;]+[,;][^,;]+[,;]")
_WANTS_FIGURE = re.compile(r"^\W*(?:and |so |but )?(?:how (?:long|many|much|old|often|big|large|far)|when\b|"
                           r"what year|which year|since when|in what year)", re.IGNORECASE)
# A follow-up asking for more ("And before that?", "What else?") wants what was not said yet.
_ASKS_FOR_MORE = re.compile(r"\b(?:before|after|else|other|another|next|previous|earlier|prior|afterwards)\b",
                            re.IGNORECASE)
_MORE_WORDS = 8
_SAID_SHARE = 0.8
# A sentence this similar answers even when none of the question's words is in the notes.
_CONFIDENT_SEMANTIC = 0.45
_MIN_ASKED_LETTERS = 3
# Without a semantic embedder: at least this share of the question's content words.
_LEXICAL_FLOOR = 0.34
# The answer opens with the best-scored relevant sentence among this many.
_RELEVANT_WITHIN = 3
# Further sentences join the best one only when nearly as relevant.
_COMPANION_RATIO = 0.75
_LEXICAL_COMPANION_RATIO = 0.5
# A sentence with the topic's words ("my husband, Brian") completes "We married in 2019" more readily.
_TOPICAL_COMPANION_RATIO = 0.6
_MAX_CANDIDATES = 60
# A sentence of this few content words, with no name and no figure, announces rather than answers.
_BARE_TERMS = 2
_BARE_PENALTY = 0.1
_ANNOUNCEMENT_WORDS = 4
_MAX_LIST_ITEMS = 6
_TITLE_WORDS = 4
_HEADING_WORDS = 6
# A section whose heading is close to the question lends its sentences part of that closeness.
_HEADING_WEIGHT = 0.5
_HEADING_FLOOR = 0.3
_MAX_SENTENCE_CHARS = 400


# With apostrophes dropped, contractions are words of their own ("what's" -> "whats").
_STOP_WORDS = STOP_WORDS | word_set("whats wheres whos hows whens whys dont doesnt didnt im ive youre youve "
                                      "many much got get")


@dataclass(frozen=True)
class _Sentence:
    rank: int  # position of its passage in the ranking, 0 = best
    position: int  # order within the passage
    passage: Passage
    text: str
    terms: frozenset[str]
    block: int = -2  # list items of one list share a block number; -2 = not a list item
    heading: str = ""  # the heading of the section the sentence is in
    parent: str = ""  # for a sub-section heading offered as an answer ("Staff Engineer, Acme (2021 -)"): its section


# --------------------------------------------------------------------------------------------
# Passage text -> sentences
# --------------------------------------------------------------------------------------------

_TERMINAL = (".", "!", "?", "…", ":", ";")
_LIST_MARKER = re.compile(rf"^\s*{LIST_MARKER.pattern}\s*")
_FENCE = re.compile(r"\s*(?:```|~~~)")
_MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"\*\*|__|`")


def _body(passage: Passage) -> str:
    """The chunk's text without its breadcrumb line (a heading path is not a sentence)."""
    if passage.heading_path:
        body = chunk_body(passage.content, passage.heading_path)
        if body is not passage.content:
            return body.strip()
    content = passage.content.replace("\x00", "").strip()
    first, _, rest = content.partition("\n")
    if _is_breadcrumb(first.strip(), passage, before_blank_line=rest.startswith("\n")):
        return rest.strip()
    return content


def _is_breadcrumb(line: str, passage: Passage, *, before_blank_line: bool) -> bool:
    if passage.heading_path and line == BREADCRUMB_SEPARATOR.join(passage.heading_path):
        return True
    unpunctuated = not line.endswith(_TERMINAL) and not _LIST_MARKER.match(line)
    if passage.title:
        # The chunker heads every breadcrumb with the document title (or a heading equal to it).
        title, folded = passage.title.casefold(), line.casefold()
        if folded.startswith(title + BREADCRUMB_SEPARATOR) or (folded == title and before_blank_line):
            return True
        return before_blank_line and unpunctuated and BREADCRUMB_SEPARATOR in line
    # Untitled and without heading_path: a short unpunctuated line before a blank line is a
    # heading either way, and dropping a heading loses no quotable sentence.
    return before_blank_line and unpunctuated and len(line) <= 160


def _units(body: str) -> Iterator[tuple[str, bool]]:
    """Paragraphs (hard-wrapped lines joined) and list items (flagged); code blocks are skipped."""
    in_code = False
    paragraph: list[str] = []
    listed = False
    for line in body.split("\n"):
        if _FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            continue
        stripped = line.strip()
        capitals = _is_capitals_heading(stripped)
        starts_unit = not stripped or capitals or _LIST_MARKER.match(line) or stripped.startswith(("|", "#"))
        if starts_unit and paragraph:
            yield " ".join(paragraph), listed
            paragraph = []
        if capitals:  # "WHY MONTRÉAL" on the line above its paragraph: a heading, not the paragraph's start
            yield stripped, False
            continue
        if starts_unit:
            listed = bool(_LIST_MARKER.match(line)) or stripped.startswith("|")
        if stripped:
            paragraph.append(_clean_line(stripped))
    if paragraph:
        yield " ".join(paragraph), listed


def _is_capitals_heading(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return (len(letters) >= _MIN_ASKED_LETTERS and all(c.isupper() for c in letters)
            and len(line.split()) <= _HEADING_WORDS and not line.endswith(_TERMINAL))


def _clean_line(line: str) -> str:
    line = _LIST_MARKER.sub("", line, count=1).lstrip("#").strip()
    if line.startswith("|"):
        line = ", ".join(cell.strip() for cell in line.strip("|").split("|") if cell.strip())
    line = _MARKDOWN_LINK.sub(r"\1", line)
    return _EMPHASIS.sub("", line)


def _terms(text: str) -> frozenset[str]:
    # The embedder's own normalisation and stemming (twin.text.lexical), so "studied" matches "study".
    return frozenset(stem(t) for t in words(text) if t not in _STOP_WORDS)


def _is_heading(unit: str) -> bool:
    words = unit.split()
    return (0 < len(words) <= _HEADING_WORDS and not unit.rstrip().endswith(_TERMINAL) and unit[:1].isupper()
            and not FIELD_LINE.match(unit))


# A heading that is an entry ("Acme — Data Engineer", "Analyst, Initech (2019-2021)"), not a
# section name ("Where I am now", "Outside of work").
_ENTRY = re.compile(r"\d|[,|@\u00b7\u2014\u2013\u2192]| - | at ")


def _sentences(passages: Sequence[Passage]) -> list[_Sentence]:
    ranked = sorted(passages, key=lambda p: p.number)
    found: list[_Sentence] = []
    for rank, passage in enumerate(ranked):
        position = 0
        block = 0
        heading = passage.heading_path[-1] if passage.heading_path else (passage.title or "")
        title = passage.title or ""
        if len(passage.heading_path) >= 3 and len(heading.split()) >= _TITLE_WORDS - 1 and _ENTRY.search(heading):
            # A sub-section heading of a resume ("Staff Engineer, Tidewater Analytics (2021 - present)")
            # is itself an answer to "where have you worked?"; its siblings complete the list.
            found.append(_Sentence(rank, -1, passage, heading, _terms(heading), block=-1, heading=heading,
                                   parent=passage.heading_path[-2]))
        if len(title.split()) >= _TITLE_WORDS and ":" in title and not title.rstrip().endswith("?"):
            # A descriptive title ("Sofi's interests: bikes, charango and food") summarises its document.
            found.append(_Sentence(rank, -1, passage, title, _terms(title), block=-1, heading=heading))
        for unit, listed in _units(_body(passage)):
            if not listed:
                block += 1
            if not listed and _is_heading(unit):
                heading = unit  # a section heading left in plain text ("Languages"): context, not an answer
                continue
            for text in split_sentences(unit):
                found.append(_Sentence(rank, position, passage, text, _terms(text), block=block if listed else -2,
                                       heading=heading))
                position += 1
    return found


# --------------------------------------------------------------------------------------------
# Choosing sentences
# --------------------------------------------------------------------------------------------


Embed = Callable[[list[str]], list[list[float]]]


@dataclass(frozen=True)
class _Scored:
    sentence: _Sentence
    semantic: float  # the sentence's own similarity to the question
    context: float  # its passage's similarity to the search (a chunk sees its heading and neighbours)
    lexical: float  # share of the question's content words it holds, weighted by rarity
    heading: float = 0.0  # its section heading's similarity to the question
    topical: bool = False  # it holds a word an answer to the question's topic usually holds
    states_figure: bool = False  # it holds a figure or date a "how long / how many / when" question wants
    echoes: bool = False  # it holds the word the question names its topic by ("sister" for "sisters?")
    gives_reason: bool = False  # it gives a reason a "why...?" question wants ("because", "so I decided")
    where: frozenset[str] = frozenset()  # the words of the title and headings it sits under (_where_terms)

    @property
    def score(self) -> float:
        return (_relevance(self) + _LEXICAL_WEIGHT * self.lexical + _RANK_BONUS / (self.sentence.rank + 1)
                + (_TOPICAL_BONUS if self.topical else 0.0) + (_FIGURE_BONUS if self.states_figure else 0.0)
                - (_BARE_PENALTY if _is_bare(self.sentence) else 0.0)
                + (_REASON_BONUS if self.gives_reason else 0.0))


def _is_bare(sentence: _Sentence) -> bool:
    """"The second is singing.": close to "Do you sing?" by meaning, yet it names nothing and states no figure."""
    return len(sentence.terms) <= _BARE_TERMS and not _NAMED.search(sentence.text) and not _FIGURE.search(sentence.text)


def _unique(sentences: Sequence[_Sentence]) -> list[_Sentence]:
    seen: set[str] = set()
    unique = []
    for sentence in sentences:
        key = " ".join(sentence.text.casefold().split())
        if key not in seen and len(sentence.terms) > 0:  # overlapping chunks repeat sentences
            seen.add(key)
            unique.append(sentence)
    return unique


def _term_weights(question_terms: frozenset[str], candidates: Sequence[_Sentence]) -> dict[str, float]:
    # A question word found in most candidate sentences ("work", "go") says little about which one
    # answers; a rare one ("school", "Chispa") says a lot (inverse sentence frequency).
    total = len(candidates) + 1
    return {t: math.log(1 + total / (1 + sum(t in c.terms for c in candidates))) for t in question_terms}


def _scored(sentences: Sequence[_Sentence], question_terms: frozenset[str], query_vector: Sequence[float] | None,
            embed: Embed | None, related_terms: frozenset[str] = frozenset(),
            topical_terms: frozenset[str] = frozenset(),
            question_vectors: Sequence[Sequence[float]] = ()) -> list[_Scored]:
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
            scored.append(_Scored(sentence, 0.0, 0.0, lexical, topical=bool(topical), where=where))
            continue
        context = sentence.passage.similarity if sentence.passage.similarity is not None else sem
        scored.append(_Scored(sentence, sem, context, lexical, headings.get(sentence.heading, 0.0), bool(topical),
                              where=where))
    return scored


def _counts(sentence: _Sentence) -> bool:
    """A figure, a list on one line, or a list item: what answers "how many...?"."""
    return bool(_FIGURE.search(sentence.text) or _LISTS.search(sentence.text)) or sentence.block >= 0


def _where_terms(sentence: _Sentence) -> frozenset[str]:
    """The words of the title and headings a sentence sits under."""
    passage = sentence.passage
    return _terms(" ".join([passage.title or "", *passage.heading_path, sentence.heading]))


def _relevance(item: _Scored) -> float:
    return (_SENTENCE_WEIGHT * item.semantic + (1 - _SENTENCE_WEIGHT) * item.context
            + _HEADING_WEIGHT * max(0.0, item.heading - _HEADING_FLOOR))


def _relevant(item: _Scored, semantic: bool) -> bool:
    if semantic:
        share, relevance = _LEXICAL_PATH
        # A sentence with the very word the question names its topic by ("my older sister Divya"
        # for "any brothers or sisters?") answers though a short fact scores low on similarity;
        # one with another of the topic's words ("Eirik's two daughters" for "how many kids?") does not.
        return (_relevance(item) >= _SEMANTIC_FLOOR or (item.lexical >= share and _relevance(item) >= relevance)
                or (item.topical and item.semantic >= (_TOPICAL_WORDS_FLOOR if item.echoes else _TOPICAL_FLOOR)))
    return item.lexical >= _LEXICAL_FLOOR or item.topical


# A figure or a date, as a salary or a birthday is stated: digits, a month, a number in words.
_FIGURE = re.compile(r"\d|\b(?:jan(?:uary)?|feb(?:ruary)?|march|april|(?-i:May)|june|july|aug(?:ust)?|sept?(?:ember)?|"
                     r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|hundred|thousand|million|six figures|"
                     r"(?:twent|thirt|fort|fift|sixt|sevent|eight|ninet)(?:y|ies))\b", re.IGNORECASE)
_MIXED_CASE = r"[A-Z][a-z]*[A-Z][A-Za-z]*"  # "AWS", "PhD"
# "PhD", "AWS", "10K": a term of art is asked about wherever it stands.
_ACRONYM = re.compile(rf"{_MIXED_CASE}|\d+[A-Z]+")
_CAPITALISED = re.compile(rf"(?<=\s)(?:[A-Z][a-z]{{2,}}|{_ACRONYM.pattern})\b")
# Names and acronyms past the question's first word: "Brindle", "AWS", "PhD".
_NAMED = re.compile(rf"(?<=\s)(?:[A-Z][a-z]+|{_MIXED_CASE})\b")


# A name the question asks about, not one that only sets the scene: "working at Google", "run at
# the London Marathon", "did Otto win", but not "our team is in Berlin" or "which part of Ireland"
# (the notes may say "Co. Clare").
_ASKED_NAME = re.compile(r"\b(?:at|for|with|about|on|did|does|use|used|know|speak|play|played|hold)\s+(?:the\s+)?$",
                         re.IGNORECASE)
_NAME_END = re.compile(r"\b[A-Z][\w'-]*\s$")


def _unknown_names(question: str, passages: Sequence[Passage]) -> list[str]:
    """Capitalised words of the question (past its first word) that it asks about and no passage
    contains: "What was it like working at Google?" asks about something the notes never mention."""
    text = _fold(" ".join(p.content for p in passages))
    question = question.strip()
    unknown: list[str] = []
    asked_run = False  # a name of several words ("One Acre Fund") is asked about as a whole
    for m in _CAPITALISED.finditer(question):
        before = question[: m.start()]
        asked_run = bool(_ASKED_NAME.search(before) or (asked_run and _NAME_END.search(before)))
        if (_ACRONYM.fullmatch(m.group(0)) or asked_run) and _fold(m.group(0)) not in text:
            unknown.append(m.group(0))
    return unknown


_DOCTORATE = re.compile(r"\b(?:ph\.?\s?d|doctorate|doctoral|dphil|doctor of philosophy)\b", re.IGNORECASE)


def _unheld_doctorate(question: str, passages: Sequence[Passage]) -> bool:
    """"Tell me about your doctoral research" asked of notes that describe a master's thesis: a
    degree the notes never mention (the acronym alone, "PhD", is an unknown name already)."""
    return bool(_DOCTORATE.search(question)) and not any(_DOCTORATE.search(p.content) for p in passages)


_ANIMAL_WORDS = word_set("""dog dogs puppy cat cats kitten horse pony rabbit bunny bird parrot budgie fish hamster
                          guinea tortoise turtle snake lizard gecko ferret chicken chickens hens goat""")
_ANIMALS = frozenset(stem(w) for w in _ANIMAL_WORDS)
# Longest first, so "dogs" is read whole rather than as "dog".
_YOUR_ANIMAL = re.compile(rf"\byour\s+(?:\w+\s+)?({'|'.join(sorted(_ANIMAL_WORDS, key=len, reverse=True))})\b",
                          re.IGNORECASE)


def _unowned_animal(question: str, passages: Sequence[Passage]) -> bool:
    """"What's your dog called?" of notes where a dog only passes by ("I call out kerbs and the odd
    dog"): no passage says the twin has one ("our dog", "a dog called", "we adopted a dog")."""
    asked = _YOUR_ANIMAL.search(question)
    if asked is None:
        return False
    animal = re.escape(asked.group(1).casefold().rstrip("s"))
    owned = re.compile(rf"\b(?:my|our)\s+(?:[\w'\u2019-]+\s+){{0,3}}{animal}s?\b|\b{animal}s?,?\s+(?:called|named)\b|"
                       rf"\b(?:have|has|had|adopted|got|rescued|own)\s+(?:a|an|one|two|three)\s+(?:[\w-]+\s+){{0,2}}"
                       rf"{animal}s?\b", re.IGNORECASE)
    return not any(owned.search(p.content) for p in passages)


def _asks_about_the_unmentioned(question: str, mentioned: frozenset[str], scored: Sequence[_Scored]) -> bool:
    """No content word of the question is in the passages (``mentioned``: their words), no sentence
    holds its topic's words and none is a confident match: "What breed is your dog?" asked of notes
    about a cat. Similarity alone would quote the cat; a question about what the notes never
    mention gets no answer. Only for a question in English (it holds an English function word):
    the notes' words are."""
    asked = {t for t in _terms(question) if len(t) >= _MIN_ASKED_LETTERS}
    if (not asked or not set(words(question)) & STOP_WORDS or any(x.topical for x in scored)
            or max((x.semantic for x in scored), default=0.0) >= _CONFIDENT_SEMANTIC):
        return False
    return not asked & mentioned


# The words a question's subject follows: "What breed...", "Which climbing gym...", "your boss".
_ASKING = frozenset({"what", "which", "whats", "whose", "your", "her", "his", "their"})
_ASKING_FILLER = word_set("is are was were s kind type sort of the a an exactly own very")
# Heads too general to name anything the notes must contain.
_GENERAL_HEADS = word_set(
    """
    name names kind type sort thing things way ways favourite favorite best biggest largest main first
    last next current typical usual day days life one part plan plans story background experience
    role job work career time times thoughts opinion view approach advice take like
    """
)
_CONFIDENT_HEADLESS = 0.6
_VERB_ENDING = re.compile(r"(?:ed|en|ing)$")
_ADVERB_WORDS = word_set("ever never always still also just really actually already usually often")


def _subject_groups(question: str) -> list[list[str]]:
    """The one or two content words right after "what", "which" or "your": what is asked about,
    its head noun last ("Which climbing gym", "your boss")."""
    tokens = [t.replace("'", "").replace("\u2019", "") for t in words(question)]
    groups: list[list[str]] = []
    for i, token in enumerate(tokens):
        if token not in _ASKING:
            continue
        j = i + 1
        while j < len(tokens) and tokens[j] in _ASKING_FILLER:
            j += 1
        group: list[str] = []
        for word in tokens[j:j + 2]:
            # A verb ends the subject: "your books picked up", "your art ever shown".
            if (word in _STOP_WORDS or word in _ASKING or word in _ADVERB_WORDS
                    or (group and _VERB_ENDING.search(word))):
                break
            group.append(word)
        if group:
            groups.append(group)
    return groups


def _unheld_subject(question: str, held: frozenset[str], cues: frozenset[str]) -> str | None:
    """The head of what the question asks about, when no passage holds it (``held``: the words of
    their titles and text) but they hold something else it names: "breed" in "What breed is your
    cat?" asked of notes that describe the cat and not its breed, "gym" in "Which climbing gym...?",
    "boss" in "your boss at Brindle Health"."""

    def asked(word: str) -> bool:
        return word not in _GENERAL_HEADS and len(word) >= _MIN_ASKED_LETTERS and stem(word) not in cues

    groups = [[w for w in group if asked(w)] for group in _subject_groups(question)]
    heads = [group[-1] for group in groups if group]
    named = [w.casefold() for w in _NAMED.findall(question)]
    companions = [w for w in [*(w for g in groups for w in g), *named] if stem(w) in held]
    absent = [h for h in heads if stem(h) not in held]
    # "What's your dog called?" of notes about a cat: the other animal stands in for a companion.
    other_animal = any(stem(h) in _ANIMALS for h in absent) and bool(held & _ANIMALS)
    return absent[0] if absent and (companions or other_animal) else None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def _select(scored: Sequence[_Scored], *, semantic: bool, limit: int) -> list[_Sentence]:
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
    with_context = _with_follow_on(
        _with_antecedent(_with_continuations(chosen, everything, limit, announcing), everything, limit),
        everything, limit)
    return _in_reading_order(_with_list_siblings(with_context, everything))


def _neighbour(sentence: _Sentence, candidates: Sequence[_Sentence], step: int) -> _Sentence | None:
    """The sentence ``step`` places before (-1) or after (+1) ``sentence`` in its passage."""
    return next((c for c in candidates if c.passage is sentence.passage and c.position == sentence.position + step),
                None)


# Not "she" or "he": in a bio about the twin those are the twin (and become "I").
_REFERRING = re.compile(r"\b(?:him|his|her|it|its|they|them|their)\b", re.IGNORECASE)
_REFERRING_WORDS = 6


def _with_antecedent(chosen: list[_Sentence], candidates: Sequence[_Sentence], limit: int) -> list[_Sentence]:
    """The best sentence opening on a reference back ("We adopted him from a shelter") brings the
    sentence before it, which says who "him" is ("Tusse is our cat")."""
    best = chosen[0]
    opening = " ".join(best.text.split()[:_REFERRING_WORDS])
    if best.position <= 0 or len(chosen) > limit or not _REFERRING.search(opening):
        return chosen
    before = _neighbour(best, candidates, -1)
    return [*chosen, before] if before is not None and before not in chosen else chosen


_FOLLOWING_PRONOUNS = frozenset({"he", "she", "they", "his", "her", "their"})


def _with_follow_on(chosen: list[_Sentence], candidates: Sequence[_Sentence], limit: int) -> list[_Sentence]:
    """The best sentence naming someone ("I'm married to Rhodri, who is Welsh") brings the next one
    when it goes on about them ("He co-owns a bike workshop"): what a visitor asked is often there."""
    best = chosen[0]
    after = _neighbour(best, candidates, 1)
    if after is None or after in chosen or len(chosen) > limit or not after.text.split():
        return chosen
    opening = re.split(r"['\u2019,;:]", after.text.split()[0])[0]  # "He's" -> "He"
    names = set(_NAMED.findall(" " + best.text)) - {best.text.split()[0]}
    if opening.casefold() in _FOLLOWING_PRONOUNS or opening in names:
        return [*chosen, after]
    return chosen


def _with_list_siblings(chosen: list[_Sentence], candidates: Sequence[_Sentence]) -> list[_Sentence]:
    """An answer that is one item of a list ("Spanish - native") brings the rest of that list."""
    best = chosen[0]
    if best.parent:
        siblings = [c for c in candidates if c.parent == best.parent and c not in chosen]
        return chosen + siblings[: max(0, _MAX_LIST_ITEMS - len(chosen))]
    if best.block < 0:
        return chosen
    siblings = [c for c in candidates if c.passage is best.passage and c.block == best.block and c not in chosen]
    return chosen + siblings[: max(0, _MAX_LIST_ITEMS - len(chosen))]


def _with_continuations(chosen: list[_Sentence], candidates: Sequence[_Sentence], limit: int,
                        wordless: set[str]) -> list[_Sentence]:
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


def _in_reading_order(chosen: Sequence[_Sentence]) -> list[_Sentence]:
    # Passages in order of their best sentence; a passage's own sentences in their original order.
    first_seen: dict[int, int] = {}
    for index, sentence in enumerate(chosen):
        first_seen.setdefault(sentence.rank, index)
    return sorted(chosen, key=lambda s: (first_seen[s.rank], s.position))


# --------------------------------------------------------------------------------------------
# Assembling the answer
# --------------------------------------------------------------------------------------------


def _clip(sentence: str) -> str:
    if len(sentence) <= _MAX_SENTENCE_CHARS:
        return sentence
    return sentence[:_MAX_SENTENCE_CHARS].rsplit(" ", 1)[0].rstrip(",;: ") + "…"


def _cite(sentence: str, number: int) -> str:
    citation = f"[{number}]"
    if sentence.endswith(".") and not sentence.endswith(".."):
        return f"{sentence[:-1].rstrip()} {citation}."
    if sentence.endswith(("!", "?", "…", '"', "'", "\u201d", "\u2019", ")")):
        return f"{sentence} {citation}"
    return f"{sentence.rstrip(',;:')} {citation}."


def _render(chosen: Sequence[_Sentence], names: re.Pattern[str] | None) -> str:
    voices: dict[str, Voice] = {}
    parts = []
    for sentence in chosen:
        key = sentence.passage.chunk_id + "\x00" + str(sentence.passage.number)
        voice = voices.get(key)
        if voice is None:
            voice = voices[key] = voice_for(_body(sentence.passage), names)
        parts.append(_cite(first_person(_clip(sentence.text), voice), sentence.passage.number))
    return " ".join(parts)


@dataclass(frozen=True)
class OfflineAnswer:
    text: str
    answered: bool  # False: the notes do not hold the answer, and the text says so
    cited: frozenset[int] = frozenset()  # the passage numbers the text cites


def _quoting(chosen: Sequence[_Sentence], names: re.Pattern[str] | None, *, lead: str = "",
             tail: str = "") -> OfflineAnswer:
    text = " ".join(part for part in (lead, _render(chosen, names), tail) if part)
    return OfflineAnswer(text, answered=True, cited=frozenset(s.passage.number for s in chosen))


def extractive_answer(
    *, question: str, passages: Sequence[Passage], profile: Profile, search_text: str | None = None,
    query_vector: Sequence[float] | None = None, embed: Embed | None = None, max_sentences: int = 3,
    topics: TopicReading | None = None, question_vectors: Sequence[Sequence[float]] = (), said: str = "",
    jobs: Sequence[Job] = (),
) -> OfflineAnswer:
    """An answer quoted from ``passages``, each sentence cited [n], in the first person.

    Sentences are scored by semantic similarity to the question (when ``embed`` and
    ``query_vector`` come from a semantic embedder) plus the share of the question's content
    words they hold (``search_text``, the question with what it follows up, when given; the words
    an answer to one of the topics it asks about, ``topics``, usually holds count for less). The
    best one answers if it clears the floor; up to ``max_sentences`` nearly as good join it, in
    reading order. When none clears it, the twin says plainly that its notes do not say:
    a near miss is not an answer, and an extractive twin never guesses. ``said``: the twin's
    previous answer in the session; a follow-up asking for more ("And before that?") is not
    answered with it again. ``jobs``: the twin's resume entries, newest first (twin.chat.career),
    which answer questions about the order of its jobs.
    """
    in_order = career_answer(question, jobs, said, asked=search_text or question) if jobs else None
    if in_order:
        text = " ".join([in_order.lead, *(_cite(job.text, job.passage.number) for job in in_order.jobs)])
        return OfflineAnswer(text, answered=True, cited=frozenset(job.passage.number for job in in_order.jobs))
    if _unknown_names(question, passages) or _unheld_doctorate(question, passages) or _unowned_animal(question,
                                                                                                        passages):
        return OfflineAnswer(no_context_answer(profile), answered=False)
    sentences = _sentences(passages)
    semantic = embed is not None and query_vector is not None
    cues = _terms(topics.cues) if topics else frozenset()
    question_terms = _terms(search_text or question) - cues
    markers = _terms(topics.markers) if topics else frozenset()
    scored = _scored(sentences, question_terms, query_vector, embed, markers | cues, topical_terms=markers,
                     question_vectors=question_vectors)
    mentioned = _terms(" ".join(p.content for p in passages))
    if semantic and _asks_about_the_unmentioned(search_text or question, mentioned, scored):
        return OfflineAnswer(no_context_answer(profile), answered=False)
    held = mentioned | _terms(" ".join(p.title or "" for p in passages))
    if (_unheld_subject(topics.english if topics else question, held, cues)
            and max((x.semantic for x in scored), default=0.0) < _CONFIDENT_HEADLESS):
        return OfflineAnswer(no_context_answer(profile), answered=False)
    if cues:
        scored = [replace(x, echoes=bool(x.sentence.terms & cues)) for x in scored]
    if _WANTS_FIGURE.search(question):
        scored = [replace(x, states_figure=bool(_FIGURE.search(x.sentence.text))) for x in scored]
    if _ASKS_WHY.search(question):
        scored = [replace(x, gives_reason=bool(_REASON.search(x.sentence.text))) for x in scored]
    counted = _COUNTED.search(question)
    if counted and stem(counted.group(1).casefold()) not in _ANY_COUNT:
        # "How many followers does it have?" is answered by a number of followers, not "94 episodes".
        what = stem(counted.group(1).casefold())
        scored = [x for x in scored if _counts(x.sentence) and what in x.sentence.terms | x.where]
    if topics and topics.strict:
        # A salary or a birthday is a figure or a date: "I print birthday cards" is a near miss.
        strict = _terms(topics.strict_markers)
        scored = [x for x in scored if (x.sentence.terms | x.where) & strict
                  and _FIGURE.search(x.sentence.text)]
    elif topics and (topics.on_topic_only or (topics.topics and not semantic)):
        # Word matching alone cannot tell "how many kids" from "how many riders": the topic's words decide.
        scored = [x for x in scored if x.topical]
    if asks_for_a_sum(question):
        scored = [x for x in scored if states_a_sum(x.sentence.text)]
    if asks_current_pay(question):
        scored = [x for x in scored if not states_an_expectation(" ".join([x.sentence.text, x.sentence.heading,
                                                                           *x.sentence.passage.heading_path]))]
    limit = max(1, max_sentences)
    chosen = []
    if said and len(question.split()) <= _MORE_WORDS and _ASKS_FOR_MORE.search(question):
        said_terms = _terms(said)
        unsaid = [x for x in scored if len(x.sentence.terms & said_terms) < _SAID_SHARE * len(x.sentence.terms)]
        chosen = _select(unsaid, semantic=semantic, limit=limit)
    # What was said already is still the answer when nothing new is ("And before that?" after both jobs).
    chosen = chosen or _select(scored, semantic=semantic, limit=limit)
    if not chosen:
        return OfflineAnswer(no_context_answer(profile), answered=False)
    return _quoting(chosen, name_pattern(profile))


_NAME_WORD = r"[A-Z\u00c0-\u00de][\w'\u2019-]+"
_SELF_NAMING = re.compile(rf"\b(?:I'm|I am|My name is|my name's|call me)\s+({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})")
_TITLE_NAME = re.compile(rf"^({_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}})\s*(?:[-\u2013\u2014|:,(]|$)")
_NOT_NAMES = frozenset({"resume", "cv", "about", "bio", "faq", "notes", "curriculum", "portfolio", "home"})


def name_of(profile: Profile, passages: Sequence[Passage]) -> str | None:
    """The twin's name: the profile's, else the one its notes introduce ("I'm Ana Lima", "Ana Lima — CV")."""
    found = _found_name(profile, passages)
    # A resume heading in capitals ("FATIMA ZAHRA BENKIRANE") is still said "Fatima Zahra Benkirane".
    return found.title() if found and found.isupper() else found


def _found_name(profile: Profile, passages: Sequence[Passage]) -> str | None:
    if profile.display_name.strip():
        return profile.display_name.strip()
    for passage in passages:
        found = _SELF_NAMING.search(passage.content)
        if found and found.group(1).split()[0].casefold() not in _NOT_NAMES:
            return found.group(1)
    for passage in passages:
        found = _TITLE_NAME.match(passage.title or "")
        if found and not set(found.group(1).casefold().split()) & _NOT_NAMES:
            return found.group(1)
    return None


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


def _introduces(sentence: _Sentence, name: str) -> int:
    """How well ``sentence`` introduces the twin: 3 says who they are by name, 2 what they do,
    0 nothing of who they are. A sentence that merely holds the name ("Speaker profile: Ada
    Byrne", "We meet Ada Byrne at a bus stop") is no introduction."""
    text = sentence.text
    if name and _defines(text, name):
        return 3  # "I'm Maya Okafor, a backend engineer in Leeds", "Maya Okafor is a backend engineer"
    if _INTRO_FIELD.match(text) or _INTRO_SECTION.match(sentence.heading.strip()) or _SAYS_WHAT_I_DO.search(text):
        return 2
    return 0


def _unlabelled(sentence: _Sentence) -> _Sentence:
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
    persona = profile.persona.strip()
    if persona and not persona.endswith(_TERMINAL):
        persona += "."
    if intent is Intent.NAME:
        if not name:
            return OfflineAnswer("My notes don't say what my name is.", answered=False)
        return OfflineAnswer(f"My name is {name}." + (f" {persona}" if persona else ""), answered=True)
    first_name = name.split()[0].casefold() if name else ""
    every = _sentences(passages)
    candidates = [s for s in every if not _CONTACT.search(s.text) and not _NAME_FIELD.match(s.text)
                  and len(s.text.split()) >= _INTRO_MIN_WORDS]  # "I'm Akosua.", "Not actively."
    introduces = {id(s): _introduces(s, name or "") for s in candidates}
    # Scoring reads a bounded number of sentences: the introductory ones first, in search order.
    candidates.sort(key=lambda s: -introduces[id(s)])
    scored = _scored(candidates, _terms("I'm my name live work job"), query_vector, embed)
    ranked = [_unlabelled(x.sentence) for x in sorted(
        scored, key=lambda x: (-introduces[id(x.sentence)], -x.score, x.sentence.rank, x.sentence.position))]
    names = name_pattern(replace(profile, display_name=profile.display_name or name or ""))
    # Rewritten into the first person, "Ada Lovelace is an engineer" no longer names her: check the render.
    names_itself = bool(ranked and first_name and first_name in _render(ranked[:1], names).casefold())
    lead = f"I'm {name}." if name and not names_itself else ""
    if not ranked and not name and not persona:
        return OfflineAnswer("My notes don't have an introduction yet; ask me about something in them.",
                             answered=False)
    if intent is Intent.GREETING:
        greeting = " ".join(part for part in ("Hi!", lead) if part)
        invitation = "Ask me about my work, my projects or what I do for fun."
        if not ranked:
            return OfflineAnswer(" ".join(part for part in (greeting, persona, invitation) if part), answered=True)
        return _quoting(ranked[:1], names, lead=greeting, tail=invitation)
    chosen = _in_reading_order(ranked[: 1 if persona else 2])
    return _quoting(chosen + _where_based(every, chosen), names,
                    lead=" ".join(part for part in (lead, persona) if part))


_LOCATION_FIELD = re.compile(r"^\s*(?:location|based in|based|city|home|lives in|current location)\s*:\s*(.+)$",
                             re.IGNORECASE)


def _where_based(candidates: Sequence[_Sentence], chosen: Sequence[_Sentence]) -> list[_Sentence]:
    """A profile's "Location: Casablanca, Morocco" when the introduction does not say where the twin is."""
    said = " ".join(s.text for s in chosen).casefold()
    for sentence in candidates:
        found = _LOCATION_FIELD.match(sentence.text)
        if found:
            place = found.group(1).split(",")[0].strip().casefold()
            return [] if place and place in said else [sentence]
    return []
