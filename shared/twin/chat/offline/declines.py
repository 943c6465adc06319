"""Questions the notes cannot answer although some sentence is close to them: about a name, a
degree, a pet or a detail the passages never mention. A near miss reads like an answer, so the twin
declines instead of quoting it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from twin.chat.offline.scoring import Scored
from twin.chat.offline.sentences import ANIMAL_WORDS, DEMONYMS, LETTER_WORD, MIXED_CASE, NAMED, TERM_STOP_WORDS, terms
from twin.chat.prompting import Passage
from twin.text.folding import fold
from twin.text.kin import CHILD_WORDS, KIN, told_by
from twin.text.lexical import STOP_WORDS, alternation, stem, word_set, words
from twin.text.sentences import split_sentences

__all__ = [
    "asks_about_an_unheld_subject",
    "asks_about_the_unmentioned",
    "denied_or_untold",
    "unheld_degree",
    "unknown_names",
    "unnamed_relative",
    "unowned_animal",
    "wrong_relative",
]

# A sentence this similar answers even when none of the question's words is in the notes.
_CONFIDENT_SEMANTIC = 0.45
_MIN_ASKED_LETTERS = 3

# "PhD", "AWS", "10K": a term of art is asked about wherever it stands.
_ACRONYM = re.compile(rf"{MIXED_CASE}|\d+[A-Z]+")
# Short forms visitors use of what notes spell out ("outside the UK" of notes about Scotland and
# Germany, "as a PM" of a product manager's): the notes need not hold them.
_SPELLED_OUT = frozenset({"uk", "us", "usa", "eu", "uae", "pm", "hr", "it", "ai", "ml", "ux", "ui", "cv", "tv"})
_CAPITALISED = re.compile(rf"(?<=\s)(?:[A-Z][a-z]{{2,}}|{_ACRONYM.pattern})\b")


# A name the question asks about, not one that only sets the scene: "working at Google", "run at
# the London Marathon", "did Otto win", but not "our team is in Berlin" or "which part of Ireland"
# (the notes may say "Co. Clare").
_ASKED_NAME = re.compile(r"\b(?:at|for|with|about|on|did|does|use|used|know|speak|play|played|hold)\s+(?:the\s+)?$",
                         re.IGNORECASE)
_NAME_END = re.compile(r"\b[A-Z][\w'-]*\s$")
# Words that only qualify the name after them: the name decides whether the notes hold it, and
# notes about Rotterdam's "Hollandse Delta" and the "Holland Beker" hold "South Holland" well enough.
_QUALIFYING = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western", "upper",
                         "lower", "greater", "central", "new", "old"})


def unknown_names(question: str, passages: Sequence[Passage]) -> list[str]:
    """Capitalised words of the question (past its first word) that it asks about and no passage
    contains: "What was it like working at Google?" asks about something the notes never mention."""
    text = fold(" ".join(p.content for p in passages))
    question = question.strip()
    unknown: list[str] = []
    asked_run = False  # a name of several words ("One Acre Fund") is asked about as a whole
    for m in _CAPITALISED.finditer(question):
        before = question[: m.start()]
        asked_run = bool(_ASKED_NAME.search(before) or (asked_run and _NAME_END.search(before)))
        name = fold(m.group(0))
        if ((_ACRONYM.fullmatch(m.group(0)) and name not in _SPELLED_OUT) or asked_run) and (
                name not in text) and name not in _QUALIFYING:
            unknown.append(m.group(0))
    return unknown


# Degrees by level: what a question asks for, and what the notes must say for it to be held. A
# rowing "masters double" is no degree, and a Master of Teaching is no MBA.
_DEGREES = (
    (re.compile(r"\b(?:ph\.?\s?d|doctorate|doctoral|dphil|doctor of philosophy)\b", re.IGNORECASE),) * 2,
    (re.compile(r"\bmba\b", re.IGNORECASE),
     re.compile(r"\b(?:mba|business administration)\b", re.IGNORECASE)),
    (re.compile(r"\b(?:master'?s (?:degree|programme|program|course|thesis|dissertation|project)|msc|m\.sc|"
                r"mphil|meng|mres|llm)\b", re.IGNORECASE),
     re.compile(r"\b(?:master'?s(?! (?:double|single|quad|four|eight|crew|category|race|rower|team|league))|"
                r"master of|msc|m\.sc|mba|mphil|meng|mres|llm|(?-i:MA|MS|M\.A|M\.S))\b", re.IGNORECASE)),
)


# "your computer science degree", "a degree in marine biology": the subject a degree is asked in.
_DEGREE_SUBJECT = re.compile(
    r"\byour\s+(?P<before>(?:[\w-]+\s+){1,3}?)(?:degree|major|diploma)s?\b|"
    r"\b(?:degree|major|diploma)s?\s+in\s+(?P<after>[\w-]+(?:\s+[\w-]+){0,2})", re.IGNORECASE)
# Words that say which degree, not in what: "your first degree", "your master's degree".
_NOT_SUBJECTS = terms("first second third undergraduate undergrad postgraduate postgrad graduate university uni "
                      "college honours hons bachelor bachelors master masters doctoral phd own highest latest "
                      "last other two both old original main joint double single")


def unheld_degree(question: str, passages: Sequence[Passage]) -> bool:
    """"Tell me about your doctoral research" asked of notes that describe a master's thesis, "Where
    did you do your master's?" of notes with a bachelor's only, "Where did you do your computer
    science degree?" of notes where no word of that subject appears: a degree the notes never mention."""
    if any(asked.search(question) and not any(held.search(p.content) for p in passages)
           for asked, held in _DEGREES):
        return True
    subject = _DEGREE_SUBJECT.search(question)
    if subject is None:
        return False
    # "the degree in the UK" names where, not what: a name is left to the rules for names.
    named = " ".join(w for w in (subject.group("before") or subject.group("after")).split() if not w[0].isupper())
    asked = terms(named) - _NOT_SUBJECTS
    return bool(asked) and not asked & terms(" ".join(p.content for p in passages))


_ANIMALS = frozenset(stem(w) for w in ANIMAL_WORDS)
_YOUR_ANIMAL = re.compile(rf"\b(?:your|the family)\s+(?:\w+\s+)?({alternation(ANIMAL_WORDS)})\b", re.IGNORECASE)


def unowned_animal(question: str, passages: Sequence[Passage]) -> bool:
    """"What's your dog called?" of notes where a dog only passes by ("I call out kerbs and the odd
    dog"): no passage says the twin has one ("our dog", "a dog called", "we adopted a dog")."""
    asked = _YOUR_ANIMAL.search(question)
    if asked is None:
        return False
    animal = re.escape(asked.group(1).casefold().rstrip("s"))
    owned = re.compile(rf"{_possessed(animal, between=3)}|\b{animal}s?,?\s+(?:called|named)\b|"
                       rf"\b(?:have|has|had|adopted|got|rescued|own)\s+(?:a|an|one|two|three)\s+(?:[\w-]+\s+){{0,2}}"
                       rf"{animal}s?\b", re.IGNORECASE)
    return not any(owned.search(p.content) for p in passages)


def _possessed(names: str, *, between: int) -> str:
    """A pattern for "my dog", "our two rescue cats": ``names`` (an alternation) after "my" or "our"
    and up to ``between`` words."""
    return rf"\b(?:my|our)\s+(?:[\w'\u2019-]+\s+){{0,{between}}}(?:{names})s?\b"


def _in_english(question: str) -> bool:
    """Two English function words, or one in a question of three words or fewer: "Und was macht
    dein Vater beruflich?" holds "was" and is not English."""
    said = words(question)
    return len(set(said) & STOP_WORDS) >= min(2, max(1, len(said) // 3))


@dataclass(frozen=True)
class _Owned:
    """What a question may ask the twin's own of ("your kids", "the family dog"), the words a denial
    uses for any of them ("No pets.", "I don't have a dog myself", "no kids yet"), and, for what notes
    always tell of when there is one, how they tell of it."""

    members: frozenset[str]
    general: frozenset[str]
    told: re.Pattern[str] | None = None


_CHILD_WORDS = word_set("kid kids child children")
_PET_WORDS = word_set("pet pets animal animals")
_BABY_WORDS = word_set("baby babies")
_CHILDREN_WORDS = _CHILD_WORDS | word_set("son sons daughter daughters twins") | _BABY_WORDS
_OWNED_CLASSES = (
    # "like a baby" tells of no child; "our baby", "my son", "the kids" do.
    _Owned(_CHILDREN_WORDS, _CHILD_WORDS,
           re.compile(rf"\b(?:{alternation(_CHILDREN_WORDS - _BABY_WORDS)}|(?<!like )(?:our|my|the|a) bab(?:y|ies))\b",
                      re.IGNORECASE)),
    _Owned(ANIMAL_WORDS | _PET_WORDS, _PET_WORDS),
)
_YOUR_THING = re.compile(r"\b(?:your|the family)\s+(?:(?:\w+)\s+)?(\w+)", re.IGNORECASE)


def _asked_class(question: str) -> tuple[_Owned, str] | None:
    for m in _YOUR_THING.finditer(question):
        for word in (m.group(1).casefold(), m.group(0).split()[-2].casefold()):
            for owned in _OWNED_CLASSES:
                if word in owned.members:
                    return owned, word
    return None


def denied_or_untold(question: str, passages: Sequence[Passage]) -> bool:
    """"What breed is the family dog?" of notes that say "No pets.", "How old are your kids?" of
    notes that never tell of a child: the notes deny the premise, or (for children, whom notes
    always call so) never state it."""
    asked = _asked_class(question)
    if asked is None:
        return False
    kind, word = asked
    names = alternation({word, word.rstrip("s"), *kind.general})
    denial = re.compile(rf"\b(?:no|not any|don't have (?:a|any)|do not have (?:a|any)|never had (?:a|any)|"
                        rf"haven't got (?:a|any)|without (?:a|any))\s+(?:\w+\s+)?(?:{names})s?\b", re.IGNORECASE)
    # "We had no pets growing up" does not undo "our dog Rex".
    owned = re.compile(_possessed(names, between=2), re.IGNORECASE)
    if any(denial.search(p.content) for p in passages) and not any(owned.search(p.content) for p in passages):
        return True
    return kind.told is not None and not any(kind.told.search(p.content) for p in passages)


# Relatives asked about by a word the notes may contradict: "your brother" of notes about a sister.
_OTHER_RELATIVE = {"brother": "sister", "sister": "brother", "son": "daughter", "daughter": "son",
                   "husband": "wife", "wife": "husband", "boyfriend": "girlfriend", "girlfriend": "boyfriend"}
_YOUR_RELATIVE = re.compile(rf"\byour\s+(?:(?:older|younger|big|little|baby|elder|twin|only)\s+)?"
                            rf"({'|'.join(_OTHER_RELATIVE)})(?:s|'s|\u2019s)?\b", re.IGNORECASE)


def wrong_relative(question: str, passages: Sequence[Passage]) -> bool:
    """"What does your brother do?" of notes that tell of a sister and of no brother: the question's
    premise is wrong, and the sister is not its answer. Notes that name neither ("my partner Jo")
    decide nothing."""
    asked = _YOUR_RELATIVE.search(question)
    if asked is None:
        return False
    relative = asked.group(1).casefold()

    def told(word: str) -> bool:
        said = re.compile(rf"\b{word}s?\b", re.IGNORECASE)
        return any(said.search(p.content) for p in passages)

    return told(_OTHER_RELATIVE[relative]) and not told(relative)


def asks_about_the_unmentioned(question: str, mentioned: frozenset[str], scored: Sequence[Scored]) -> bool:
    """No content word of the question is in the passages (``mentioned``: their words), no sentence
    holds its topic's words and none is a confident match: "What breed is your dog?" asked of notes
    about a cat. Similarity alone would quote the cat; a question about what the notes never
    mention gets no answer. Only for a question in English (it holds an English function word):
    the notes' words are."""
    asked = {t for t in terms(question) if len(t) >= _MIN_ASKED_LETTERS}
    if (not asked or not _in_english(question) or any(x.topical for x in scored)
            or max((x.semantic for x in scored), default=0.0) >= _CONFIDENT_SEMANTIC):
        return False
    # "your mum" is mentioned by notes that say "Mamá: Luz Marina": a relative by any of their names.
    said = {form for t in asked for form in _KIN_FORMS.get(t, ())}
    return not (asked | said) & mentioned


# The words a question's subject follows: "What breed...", "Which climbing gym...", "your boss".
_ASKING = frozenset({"what", "which", "whats", "whose", "your", "her", "his", "their"})
_ASKING_FILLER = word_set("is are was were s kind type sort of the a an exactly own very")
# Heads too general to name anything the notes must contain.
_GENERAL_HEADS = word_set(
    """
    name names kind type sort thing things way ways favourite favorite best biggest largest main first
    last next current typical usual day days life one part plan plans story background experience
    role job work career time times thoughts opinion view approach advice take like
    organisation organization company employer firm outfit workplace team field area industry sector
    software tools tool toolbox toolkit stack tech technology technologies packages
    plate dish dishes meal race event competition country countries place places city
    piece win wins result results achievement achievements accomplishment highlight measurable
    """
)
_CONFIDENT_HEADLESS = 0.6
_VERB_ENDING = re.compile(r"(?:ed|en|ing)$")
# Verbs without those endings that follow "what" ("What brought you to Melbourne?").
_IRREGULAR_VERBS = word_set("brought made got took drew led kept gave went came put told taught sent spent left felt")
# Words that end a subject: "your heart every weekend" asks about no "every".
_ADVERB_WORDS = word_set("ever never always still also just really actually already usually often every each")


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
            if (word in TERM_STOP_WORDS or word in _ASKING or word in _ADVERB_WORDS or word in _IRREGULAR_VERBS
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

    subjects = _subject_groups(question)
    groups = [[w for w in group if asked(w)] for group in subjects]
    # A general head ("your official title") asks about nothing in particular, whatever qualifies it;
    # a topic's own word ("Which secondary school") leaves its qualifier to be held.
    heads = [kept[-1] for kept, group in zip(groups, subjects, strict=True)
             if kept and group[-1] not in _GENERAL_HEADS]
    named = [w.casefold() for w in NAMED.findall(question)]
    companions = [w for w in [*(w for g in groups for w in g), *named] if stem(w) in held]
    absent = [h for h in heads if stem(h) not in held]
    # "What's your dog called?" of notes about a cat: the other animal stands in for a companion.
    other_animal = any(stem(h) in _ANIMALS for h in absent) and bool(held & _ANIMALS)
    return absent[0] if absent and (companions or other_animal) else None


def asks_about_an_unheld_subject(question: str, held: frozenset[str], cues: frozenset[str],
                                 scored: Sequence[Scored]) -> bool:
    """The question asks about a subject no passage holds (_unheld_subject) and no sentence is a
    confident match for it anyway. A sentence that only repeats what the question names ("Ruska.",
    "Cat: Pepper" for "What breed is Pepper?") is close to it by those words, not by an answer."""
    if not _unheld_subject(question, held, cues):
        return False
    asked = terms(question) | _ANIMALS
    telling = [x.semantic for x in scored if x.sentence.terms - asked]
    return max(telling, default=0.0) < _CONFIDENT_HEADLESS


# A relative by each word a question may use for one ("your kids" names no one relative: notes
# tell of each child by its own word), and the words notes tell of them by ("my mum", "Dad").
_KIN_SYNONYMS = {word: kin.relative for word, kin in KIN.items() if not kin.general}
# Beyond a relative's names, notes tell of a partner as married to them, a fiancé(e) as engaged.
_ALSO_TOLD_BY = {"partner": ("married",), "fiance": ("engaged",)}


def _told_by(relative: str) -> list[str]:
    return [*told_by(relative), *_ALSO_TOLD_BY.get(relative, ())]


_KIN_FORMS = {stem(word): terms(" ".join(_told_by(relative))) for word, relative in _KIN_SYNONYMS.items()}
_IN_LAW = r"(?:-in-law|s-in-law)"
# "your ex-wife", "your former husband": a relative notes tell of as "my ex", never as "my wife".
# A relative's children are asked after as a group ("your sister's twins"); the twin's own are not
# (notes tell of each of those by its own word, "our son Leo").
_THEIR_CHILDREN = ("twins", "twin", "kids", "kid", "children", "child")
_TOLD_AS_CHILD = [*CHILD_WORDS, "twin", "boy", "girl", "baby"]
_KIN_ASKED = (rf"(?P<ex>ex-|ex\s+|former\s+)?(?P<kin>{alternation([*_KIN_SYNONYMS, *_THEIR_CHILDREN])})"
              rf"(?P<law>{_IN_LAW})?")
_ELDER = r"(?:(?:older|younger|big|little|elder|eldest|youngest|oldest|late|twin)\s+)?"
_OWNER = (rf"(?:your\s+{_ELDER}(?P<kin_owner>{alternation(_KIN_SYNONYMS)})['\u2019]s|your|"
          rf"(?P<owner>[A-Z\u00c0-\u00de][\w-]*)['\u2019]s)\s+{_ELDER}")
# "What's your mum's first name?", "the name of Páll's wife", "What's Kirsty's husband called?"
_ASKS_KIN_NAME = tuple(re.compile(pattern, re.IGNORECASE) for pattern in (
    rf"{_OWNER}{_KIN_ASKED}(?:['\u2019]s?)?\s+(?:(?:first|full|last|maiden|middle|given)\s+)?names?\b",
    rf"\bnames? of {_OWNER}{_KIN_ASKED}\b",
    rf"\bwhat(?:'s|\u2019s| is| was| are| were) {_OWNER}{_KIN_ASKED}\s+(?:called|named)\b",
))

_NAME_WINDOW = 3
_NOT_KIN = word_set("climbing business tennis dance dancing running training sparring lab research doubles rowing "
                    "squash writing band project chess study hiking cycling trading")
_WORD = re.compile(rf"(?<![\w'\u2019-]){LETTER_WORD}")


_PLACE_PREPOSITIONS = frozenset({"in", "to", "from", "near", "outside", "around", "across"})


def _kin_of_kin(possessive: str, kin: str = "") -> bool:
    """``possessive`` is a relative's ("mum's"), followed by ``kin`` when given ("mother")."""
    word = possessive.strip(".,;:()\"-").casefold()
    if not word.endswith(("'s", "\u2019s")) or word[:-2] not in _KIN_SYNONYMS:
        return False
    return not kin or kin.strip(".,;:()'\u2019\"-").casefold() in _KIN_SYNONYMS


def unnamed_relative(question: str, passages: Sequence[Passage], own_name: str = "") -> bool:
    """"What's the name of Páll's wife?", "What's your mother-in-law's name?" asked of notes where no
    sentence tells of that relative (of that person) beside a name: the notes never name them, and
    the nearest name is someone else's."""
    asked = next((m for m in (p.search(question) for p in _ASKS_KIN_NAME) if m), None)
    if asked is None:
        return False
    kin = _KIN_SYNONYMS.get(asked.group("kin").casefold(), "")
    if not kin and not asked.group("kin_owner"):
        return False  # "What are your kids called?": see _THEIR_CHILDREN
    owner = asked.group("owner") or asked.group("kin_owner")
    if owner and owner.casefold() in own_name.casefold().split():
        owner = None  # "What's Graham's wife's name?" asked of Graham's twin
    said = _told_by(kin) if kin else _TOLD_AS_CHILD
    if kin in ("son", "daughter"):
        said = [*said, *told_by("child"), "children"]  # "Children: Fenna" names the daughter
    if asked.group("law"):
        said = [f"{kin}-in-law", "in-laws"]
    if asked.group("ex"):
        said = ["ex", *(f"ex-{word}" for word in said)]
    told = re.compile(rf"\b(?:{alternation(said)})s?\b", re.IGNORECASE)
    for passage in passages:
        # A line of notes is a sentence of its own: "Mum: English, ..." under '... names every bee "Beatrice"'.
        for sentence in (s for line in passage.content.split("\n") for s in split_sentences(line)):
            if owner and fold(owner) not in fold(sentence):
                continue
            tokens = sentence.split()
            for i, token in enumerate(tokens):
                if not told.fullmatch(token.strip(".,;:()'\u2019\"-").removesuffix("'s").removesuffix("\u2019s")):
                    continue
                if i and tokens[i - 1].casefold() in _NOT_KIN:
                    continue  # "my climbing partner Marta" is no partner of the twin's life
                after = tokens[i + 1] if i + 1 < len(tokens) else ""
                if not asked.group("kin_owner") and ((i and _kin_of_kin(tokens[i - 1]))
                                                     or (after and _kin_of_kin(token, after))):
                    continue  # "Hannah, my mum's mother" names a grandmother: neither the mum nor the mother
                before = [t.casefold() for t in tokens[max(0, i - _NAME_WINDOW):i]]
                opens = not any(re.search(r"\w", t) for t in tokens[:i])  # "- Umma (Lee Eun-hee)"
                if not opens and not {"my", "our"} & set(before) and not token.endswith((":", "(")):
                    continue  # "Dad's cook Mama Bisi" is no mother of the twin's
                # The name stands beside the word: "my sister Divya", "Umma (Lee Eun-hee)", "Brian, my husband".
                # Not a place: "My older brother moved to Norway" names no brother.
                window = range(max(0, i - _NAME_WINDOW), min(len(tokens), i + 1 + _NAME_WINDOW))
                near = " ".join(tokens[j] for j in window
                                if j != i and not (j and tokens[j - 1].casefold() in _PLACE_PREPOSITIONS))
                if any(n[0].isupper() and n.casefold() not in _KIN_SYNONYMS and n.casefold() not in TERM_STOP_WORDS
                       and n.casefold() not in DEMONYMS and n.casefold() != (owner or "").casefold()
                       for n in _WORD.findall(near)):
                    return False
    return True
