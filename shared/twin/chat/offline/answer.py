"""An answer to a question (not an introduction): the order of the twin's jobs when that decides
it, a decline when the notes lack what it asks about, else the best sentences for its shape
("how many...?", "why...?", "how much...?") quoted."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from twin.chat.intents import TopicReading, read_topics
from twin.chat.offline.career import Job, career_answer
from twin.chat.offline.declines import (
    asks_about_an_unheld_subject,
    asks_about_the_unmentioned,
    denied_or_untold,
    unheld_degree,
    unknown_names,
    unnamed_relative,
    unowned_animal,
    wrong_relative,
)
from twin.chat.offline.introductions import nicknames, own_names, stated_name
from twin.chat.offline.money import asks_current_pay, asks_for_a_sum, states_a_sum, states_an_expectation
from twin.chat.offline.particulars import keep_particulars, states_the_age_asked
from twin.chat.offline.rendering import OfflineAnswer, cite, quoting
from twin.chat.offline.scoring import Embed, Scored, score_sentences
from twin.chat.offline.selection import select
from twin.chat.offline.sentences import FIGURE, LETTER_WORD, TERM_STOP_WORDS, sentences_in, terms
from twin.chat.offline.voice import name_pattern
from twin.chat.prompting import Passage, Profile, no_context_answer
from twin.text.lexical import stem, words

__all__ = ["extractive_answer"]

# "Why did you leave...?", "What brought you to Canada?": a sentence giving a reason ranks higher
# (twin.chat.offline.scoring).
_ASKS_WHY = re.compile(r"^\W*(?:and |so |but )?(?:why\b|how come\b|what (?:made|brought|led|got|drew|pushed|"
                       r"prompted|convinced|took) you\b|what was the reason|what's the reason)", re.IGNORECASE)
_REASON = re.compile(r"\b(?:because|since I|since we|so I|so we|the reason|that's why|which is why|decided|"
                     r"decision|wanted to|in order to|led me|made me|drew me|pushed me|meant that|gave out|"
                     r"burn(?:ed|t)? out)\b", re.IGNORECASE)
_REASONS_HEADING = re.compile(r"\W*(?:why|how (?:i|a|an|the|we)|what (?:made|brought|changed)|from \w+(?: \w+)? to)\b",
                              re.IGNORECASE)
# "How many downloads...?": what is counted. People are counted under many names ("a team of five
# developer advocates"), so a count of them is not held to the word.
_COUNTED = re.compile(r"\bhow many ([a-z]+)", re.IGNORECASE)
_NOT_COUNTED = TERM_STOP_WORDS | frozenset({"far", "now", "total", "all", "altogether", "roughly", "about", "around",
                                            "approximately"})
_ANY_COUNT = frozenset(stem(w) for w in ("people", "persons", "folks", "staff", "employees", "times", "of",
                                         "more", "other", "different", "years", "months", "weeks", "days", "hours",
                                         "could", "can", "do", "did", "would", "will", "are", "is", "were", "have",
                                         # "How many things go into your mole?": thirty-two ingredients
                                         "things", "items"))
# Those who use or attend something are counted under any of these names: "How many players did the
# game have?" is answered by "3.2 million daily active users".
# A platform's own counts ("followers", "subscribers", "downloads") are not among them.
_AUDIENCES = frozenset(stem(w) for w in ("players", "users", "customers", "members", "participants", "attendees",
                                         "students", "learners", "patients", "guests", "visitors", "readers",
                                         "listeners", "viewers", "clients", "people", "fans"))
# "Languages: Twi, Fante, French" counts them too, as do the items of a list under "Languages".
_LISTS = re.compile(r"[^,;]+[,;][^,;]+[,;]")
_WANTS_FIGURE = re.compile(r"^\W*(?:and |so |but )?(?:how (?:long|many|much|old|often|big|large|far)|when\b|"
                           r"what year|which year|since when|in what year)|"
                           # "a project you're proud of, with numbers", "one concrete result"
                           r"\b(?:(?:with|put|give me) (?:a |the |some )?(?:numbers?|figures?)|measurable|"
                           r"concrete result|in numbers|a number on|a figure on|quantif)", re.IGNORECASE)
# "In what year...?" is answered by a year, not by "forty people".
_WANTS_YEAR = re.compile(r"\b(?:what|which) year\b|\bin what year\b", re.IGNORECASE)
# A follow-up asking for more ("And before that?", "What else?") wants what was not said yet.
_ASKS_FOR_MORE = re.compile(r"\b(?:before|after|else|other|another|next|previous|earlier|prior|afterwards)\b",
                            re.IGNORECASE)
_MORE_WORDS = 8
_SAID_SHARE = 0.8


_POSSESSIVE_NAME = re.compile(r"\b([A-Z\u00c0-\u00de][\w'-]*?)['\u2019]s\b")


def _someone_elses(question: str, own_name: str) -> str | None:
    """The (casefolded) name in "Ají's birthday" when it is not the twin's (``own_name``)."""
    found = _POSSESSIVE_NAME.search(question)
    if found is None:
        return None
    name = found.group(1).casefold()
    return None if name in own_name.casefold().split() else name


_CAPITALISED_WORD = re.compile(rf"(?<=\s){LETTER_WORD}")


def _companions(question: str, own_name: str, passages: Sequence[Passage]) -> list[str]:
    """The (casefolded) names past the question's first word that the passages hold and that are
    not the twin's (``own_name``): "Tiago" in "What year did you and Tiago get married?"."""
    own = own_name.casefold().split()
    text = " ".join(p.content for p in passages).casefold()
    found = [w.casefold().removesuffix("'s").removesuffix("\u2019s") for w in _CAPITALISED_WORD.findall(question)
             if w[0].isupper()]
    return [w for w in found if w not in own and w not in TERM_STOP_WORDS and re.search(rf"\b{re.escape(w)}\b", text)]


_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_YEAR_SPAN = re.compile(r"\b((?:19|20)\d\d)\s*(?:-|\u2013|\u2014|to|until)\s*((?:19|20)\d\d|now|present|today)\b",
                        re.IGNORECASE)
_SINCE_YEAR = re.compile(r"\bsince\s+((?:19|20)\d\d)\b", re.IGNORECASE)


_PLACES_ASKED = re.compile(r"\b(?:in|at|from|to|near|around|across|outside)\s+(?:the\s+)?"
                           r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)*")


def _covers(text: str, years: set[int]) -> bool:
    """``text`` names one of ``years``, or a span holding it ("2018 - 2021", "since 2019")."""
    if any(int(y) in years for y in _YEAR.findall(text)):
        return True
    spans = [(int(a), int(b) if b.isdigit() else 9999) for a, b in _YEAR_SPAN.findall(text)]
    spans += [(int(a), 9999) for a in _SINCE_YEAR.findall(text)]
    return any(start <= year <= end for start, end in spans for year in years)


# "What does he do for a living?" and "your role there" ask about someone or something else; "How did you end
# up ... for a living?" asks for a story.
# "What did you do at Leeds?" asks about then, not now.
_NOT_THE_TWINS_NOW = re.compile(r"^\W*(?:and |so |but )?how\b|\b(?:he|she|they|his|her|their|him|them|there)\b|"
                                r"\b(?:did|was|were|used to|back then)\b", re.IGNORECASE)


# "What does Riaan do for a living?", "What's Ana's job?": someone the question names.
_SOMEONE_NAMED = re.compile(r"\b(?:does|did|is)\s+((?-i:[A-Z\u00c0-\u00de])[\w'\u2019-]*)\s+(?:do|work|doing)\b|"
                            r"((?-i:[A-Z\u00c0-\u00de])[\w-]*)['\u2019]s\s+(?:job|work|career|occupation|profession)\b",
                            re.IGNORECASE)


# "What does he (Riaan) do?": the relative a follow-up's pronoun stands for (twin.chat.referents).
_RESOLVED_REFERENT = re.compile(r"\(((?-i:[A-Z\u00c0-\u00de])[\w-]*?)(?:['\u2019]s)?\)")


def _someone_else_asked_about(question: str, own_name: str) -> str | None:
    """The (casefolded) name of the person other than the twin whose work or doings the question asks about."""
    named = _RESOLVED_REFERENT.search(question) or _SOMEONE_NAMED.search(question)
    if named is None:
        return None
    name = next(group for group in named.groups() if group).casefold()
    return None if name in own_name.casefold().split() else name


def _asks_current_work(question: str, own_name: str = "") -> bool:
    """"What do you do for a living?", "What pays the bills these days?": the twin's work now, and
    nothing besides it (not "What are you earning in your current job?", nor what someone else
    does, unless the name is the twin's ``own_name``)."""
    reading = read_topics(question)
    return ([topic.name for topic in reading.topics] == ["work"] and not _NOT_THE_TWINS_NOW.search(question)
            and not _ASKS_WHY.search(question) and _someone_else_asked_about(question, own_name) is None)


_NUMBER = re.compile(r"\b(?:\d[\d,.]*\+?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|"
                     r"(?:twen|thir|for|fif|six|seven|eigh|nine)ty|\w+teen|hundreds?|thousands?|several)\b",
                     re.IGNORECASE)
# A year or a date counts nothing: "Site Reliability Engineer, Jul 2014 - Apr 2017".
_NOT_A_COUNT = re.compile(r"\b(?:1[89]|20)\d\d\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b")
_COUNT_REACH = 4  # words between a number and what it counts ("11 road bridges and footbridges")


def _counts(what: frozenset[str], item: Scored) -> bool:
    """A number of ``what`` (stems of one thing's names): "a team of nine engineers", "Engineers:
    12", any number that is not a year in a sentence naming them, or a list of them ("Languages:
    Twi, Fante, French", the items under a "Languages" heading)."""
    text = item.sentence.text
    if not what & (item.sentence.terms | item.where):
        return False
    if _LISTS.search(text) or item.sentence.block >= 0:
        return True
    tokens = words(text)
    for i, token in enumerate(tokens):
        if stem(token) in what and any(_NUMBER.fullmatch(t) for t in tokens[max(0, i - _COUNT_REACH):i + 3]):
            return True
    return _states_a_count(text)


def _states_a_count(text: str) -> bool:
    return bool(_NUMBER.search(_NOT_A_COUNT.sub(" ", text)))


def _bare_count(text: str) -> bool:
    """A number that counts nothing it names ("I've made 23 so far"): what it counts is in the
    sentence before; "four years as a senior SRE" counts years."""
    tokens = words(_NOT_A_COUNT.sub(" ", text))
    return any(_NUMBER.fullmatch(token) and (i + 1 == len(tokens) or tokens[i + 1] in TERM_STOP_WORDS)
               for i, token in enumerate(tokens))


# An e-mail address, a web address, a phone number: what answers "How do I get in touch?".
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A bare domain needs a known ending: "Node.js" is no address.
_WEB_ADDRESS = re.compile(r"\bhttps?://\S+|\bwww\.\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|io|dev|me|co|info|app|"
                          r"eu|uk|ie|de|at|ch|nl|be|fr|es|pt|it|se|no|dk|fi|is|pl|cz|ee|br|mx|ar|cl|ca|us|au|nz|jp|kr|"
                          r"in|sg|za|ng|ke|gh)(?:/\S*)?\b")
_PHONE = re.compile(r"\+?\d[\d ()./-]{7,}\d")
_ASKS_PHONE = re.compile(r"\b(?:phone|mobile|cell|telephone|whats ?app|signal|text you|call you|ring you)\b",
                         re.IGNORECASE)
_ASKS_WEB = re.compile(r"\b(?:website|web ?site|site|linkedin|github|online|socials?|instagram)\b", re.IGNORECASE)


def _contact_details(question: str, scored: list[Scored]) -> list[Scored]:
    """The sentences holding a way to reach the twin; those with an e-mail address first in line
    unless the question asks for a website or a profile: a sentence about being reachable says
    nothing a visitor can use."""
    reachable = [x for x in scored if _EMAIL.search(x.sentence.text) or _WEB_ADDRESS.search(x.sentence.text)
                 or _PHONE.search(x.sentence.text)]
    if _ASKS_PHONE.search(question):
        # "Can I have your phone number?" is not answered by an e-mail address.
        return [x for x in reachable if _PHONE.search(x.sentence.text)]
    mailed = [x for x in reachable if _EMAIL.search(x.sentence.text)]
    return mailed if mailed and not _ASKS_WEB.search(question) else reachable


def _states_the_strict_fact(question: str, topics: TopicReading, strict: frozenset[str], item: Scored) -> bool:
    """A salary or a birthday is a figure beside its topic's words; an age is told in many words
    ("turned six", "Born: 1987"), and "old" is also in "my grandmother's old neighbour"."""
    age = states_the_age_asked(question, item.sentence.text) if topics.asks("age") else None
    if age is not None:
        return age
    return bool((item.sentence.terms | item.where) & strict and FIGURE.search(item.sentence.text))


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
    answered with it again. ``jobs``: the twin's resume entries, newest first (twin.chat.offline.career),
    which answer questions about the order of its jobs.
    """
    own_name = own_names(profile, passages)
    in_order = career_answer(question, jobs, said, asked=search_text or question,
                             current=_asks_current_work(question, own_name)) if jobs else None
    if in_order:
        text = " ".join([in_order.lead, *(cite(job.text, job.passage.number) for job in in_order.jobs)]).strip()
        return OfflineAnswer(text, answered=True, cited=frozenset(job.passage.number for job in in_order.jobs))
    if (unknown_names(question, passages) or unheld_degree(question, passages) or unowned_animal(question, passages)
            or wrong_relative(question, passages) or denied_or_untold(question, passages)
            or unnamed_relative(question, passages, own_name)):
        return OfflineAnswer(no_context_answer(profile), answered=False)
    sentences = sentences_in(passages)
    semantic = embed is not None and query_vector is not None
    cues = terms(topics.cues) if topics else frozenset()
    question_terms = terms(search_text or question) - cues
    markers = terms(topics.markers) if topics else frozenset()
    scored = score_sentences(sentences, question_terms, query_vector, embed, markers | cues, topical_terms=markers,
                             question_vectors=question_vectors)
    every_sentence = scored
    mentioned = terms(" ".join(p.content for p in passages))
    if semantic and asks_about_the_unmentioned(search_text or question, mentioned, scored):
        return OfflineAnswer(no_context_answer(profile), answered=False)
    held = mentioned | terms(" ".join(p.title or "" for p in passages))
    if asks_about_an_unheld_subject(topics.english if topics else question, held, cues, scored):
        return OfflineAnswer(no_context_answer(profile), answered=False)
    if cues:
        scored = [replace(x, echoes=bool(x.sentence.terms & cues)) for x in scored]
    if _WANTS_FIGURE.search(question):
        scored = [replace(x, states_figure=bool(FIGURE.search(x.sentence.text))) for x in scored]
    if _ASKS_WHY.search(question):
        # A section the notes head "WHY I LEFT THE CLASSROOM" or "HOW A COOK BECAME A DATA ENGINEER" gives reasons.
        scored = [replace(x, gives_reason=bool(_REASON.search(x.sentence.text)
                                               or _REASONS_HEADING.match(x.sentence.heading))) for x in scored]
    counted = _COUNTED.search(question)
    # "How many so far?", "How many in total?" count what the question before them asked about.
    if (counted and stem(counted.group(1).casefold()) not in _ANY_COUNT
            and counted.group(1).casefold() not in _NOT_COUNTED):
        # "How many followers does it have?" is answered by a number of followers, not "94 episodes".
        what = frozenset({stem(counted.group(1).casefold())})
        if what & _AUDIENCES:
            what = _AUDIENCES
        elif topics and what & terms(topics.cues) and not what & mentioned:
            # "How many tongues do you speak?" names its topic by a word the notes do not use ("languages").
            what = what | terms(topics.markers)
        # "I make stools. I've made 23 so far.": the count follows the sentence naming what it counts.
        naming = {(id(x.sentence.passage), x.sentence.position) for x in every_sentence
                  if what & x.sentence.terms}
        scored = [x for x in scored if _counts(what, x) or (
            (id(x.sentence.passage), x.sentence.position - 1) in naming and _bare_count(x.sentence.text))]
    if topics and topics.asks("contact"):
        scored = _contact_details(question, scored)
    if topics and topics.strict:
        # A salary or a birthday is a figure or a date: "I print birthday cards" is a near miss.
        strict = terms(topics.strict_markers)
        # An age is told in many words ("turned six", "Born: 1987"), and "old" is in "old neighbour".
        scored = [x for x in scored if _states_the_strict_fact(question, topics, strict, x)]
        whose = _someone_elses(question, own_name)
        if whose:
            # "When is Ají's birthday?" is not answered by the twin's own.
            scored = [x for x in scored if whose in x.sentence.text.casefold()]
        # "What year did you and Tiago marry?" is not answered by the year a brother married.
        for companion in _companions(question, own_name, passages):
            scored = [x for x in scored if companion in x.sentence.text.casefold()]
    elif topics and (topics.on_topic_only or (topics.topics and not semantic)):
        # Word matching alone cannot tell "how many kids" from "how many riders": the topic's words decide.
        scored = [x for x in scored if x.topical]
    if _WANTS_YEAR.search(question) or counted:
        if _WANTS_YEAR.search(question):
            scored = [x for x in scored if _YEAR.search(x.sentence.text)]
        # "What year did you and Aoife first meet?" is not answered by the year of something else, nor
        # "How many children does your sister Divya have?" by a count of other children (a place,
        # "How many bridges did you design back in Poland?", is often told by another name).
        for companion in _companions(_PLACES_ASKED.sub(" ", question), own_name, passages):
            scored = [x for x in scored if companion in x.sentence.text.casefold()]
    years = {int(y) for y in _YEAR.findall(question)}
    if years:
        # "How much honey did you get in 2023?" is not answered by 2024's harvest.
        scored = [x for x in scored if _covers(" ".join([x.sentence.text, x.sentence.heading]), years)]
    if asks_for_a_sum(question):
        scored = [x for x in scored if states_a_sum(x.sentence.text, question)]
    if asks_current_pay(question):
        scored = [x for x in scored if not states_an_expectation(" ".join([x.sentence.text, x.sentence.heading,
                                                                           *x.sentence.passage.heading_path]))]
    scored = keep_particulars(question, scored, own_name, context=every_sentence, asked=search_text or question,
                              said=said)
    limit = max(1, max_sentences)
    chosen = []
    if said and len(question.split()) <= _MORE_WORDS and _ASKS_FOR_MORE.search(question):
        said_terms = terms(said)
        unsaid = [x for x in scored if len(x.sentence.terms & said_terms) < _SAID_SHARE * len(x.sentence.terms)]
        chosen = select(unsaid, semantic=semantic, limit=limit)
    # What was said already is still the answer when nothing new is ("And before that?" after both jobs).
    chosen = chosen or select(scored, semantic=semantic, limit=limit)
    if not chosen:
        return OfflineAnswer(no_context_answer(profile), answered=False)
    # A bio about "Ewan Flett" is his own, told as "I", when a name field says he is the twin; a
    # name guessed from a title ("First Light: ...") would turn the wrong words into "I".
    stated = stated_name(profile, passages) or ""
    return quoting(chosen, name_pattern(replace(profile, display_name=stated), nicknames(stated, passages)))
