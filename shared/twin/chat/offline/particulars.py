"""Questions that ask for one particular kind of detail, which only a sentence stating it answers:
who holds a role ("Who supervised your PhD?"), a finishing time ("What was your time in Berlin?"),
the name of a school ("Which school does your daughter go to?") or of another place or maker
("Which hospital does your wife work at?", "Which publishing house put out your book?"), what a
thesis was about or the grade it got, the year something was founded, a head count, a street
address, where a team finished. Notes often tell of the thing without that detail ("I did my PhD
at NTNU", "I've run Berlin", "my wife is a nurse", "Lina started school in 2024"), and quoting them
reads like an answer that is not there; with no sentence left, the twin declines.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from twin.chat.offline.scoring import Scored
from twin.chat.offline.sentences import ANIMAL_WORDS, DEMONYMS, TERM_STOP_WORDS
from twin.text.kin import CHILD_WORDS, KIN, told_by
from twin.text.lexical import alternation, stem, word_set, words

__all__ = ["keep_particulars", "states_the_age_asked"]

# "Who supervised your thesis?", "Who conducts Vox Borealis?", "the professor who supervised...",
# "Who was your boss at Brindle?": the role, by the stem every statement of it holds.
_ROLES = {
    "supervis": "supervis", "conduct": "conduct", "coach": "coach", "boss": r"boss|manager|report(?:ed|s)? to",
    "manager": r"manager|boss|report(?:ed|s)? to", "mentor": "mentor", "advis": "advis",
    "surgeon": "surgeon|operat", "editor": "editor|edited", "examiner": "examin",
    # the members of a band, and others a visitor may ask the name of
    "guitarist": "guitar", "drummer": "drum", "bassist": "bass", "singer": r"sing|vocal", "pianist": "piano|keys",
    "violinist": "violin|fiddle", "teacher": r"teach|taught", "tutor": "tutor", "landlord": "landlord|landlady",
    "agent": "agent", "producer": "produc", "translator": "translat", "trainer": "train", "physio": "physio",
    "therapist": "therap", "accountant": "accountant", "lawyer": "lawyer|solicitor|attorney",
}
_ASKS_ROLE_HOLDER = re.compile(
    r"\bwho (?:is |was |were |has been )?(?:your |the |my )?(?:(?:phd|doctoral|thesis|line|first|current|old) )?"
    rf"(?P<role>{'|'.join(_ROLES)})\w*|"
    r"\bname of (?:the |your )?(?:\w+ )?(?:professor |person |doctor )?who "
    r"(?P<verb>supervis|conduct|coach|mentor|advis)|"
    # "What's the name of the guitarist in your band?"
    rf"\bname of (?:the |your |that |this )?(?:[\w-]+ )?(?P<named>{'|'.join(_ROLES)})\w*",
    re.IGNORECASE)
_PERSON_NAME_WORDS = re.compile(r"\b(?:Prof(?:essor)?\.?|Dr\.?|Dame|Sir)\s+[A-Z][\w'-]*|"
                                r"\b[A-Z][a-z\u00e0-\u00ff'-]+\s+[A-Z][a-z][\w'-]*")

# "What was your finishing time in Berlin?", "What's your best time for a marathon?": a duration.
_ASKS_TIME = re.compile(r"\b(?:finishing|finish|best|fastest|personal best|race|marathon|half[- ]marathon) time\b|"
                        r"\bwhat time did you (?:run|finish|do|get|clock)\b|\bhow fast did you (?:run|finish)\b|"
                        r"\b(?:your )?(?:pb|personal best|personal record|pr)\b (?:for|in|at)\b", re.IGNORECASE)
# The kind of race a time is asked for, and how a sentence timing one says it.
_RACE = re.compile(r"\b(marathon|half[- ]marathon|ultra|ultramarathon|triathlon|ironman|parkrun)s?\b", re.IGNORECASE)
_RACE_SAID = {
    "marathon": re.compile(r"\bmarathon|\b42(?:[.,]2)?\s*k", re.IGNORECASE),
    "ultra": re.compile(r"\bultra|\b(?:5\d|[6-9]\d|1\d\d)\s*(?:k|km)\b|\b\d+\s*mile", re.IGNORECASE),
    "ultramarathon": re.compile(r"\bultra|\b(?:5\d|[6-9]\d|1\d\d)\s*(?:k|km)\b|\b\d+\s*mile", re.IGNORECASE),
    "triathlon": re.compile(r"\btriathlon|\bironman|\b70\.3\b", re.IGNORECASE),
    "ironman": re.compile(r"\bironman|\btriathlon", re.IGNORECASE),
    "parkrun": re.compile(r"\bparkrun|\b5\s*k\b", re.IGNORECASE),
}
_DURATION = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b|\b\d+\s*(?:h|hrs?|hours?)\s*\d*\s*(?:m|min|mins|minutes)?\b",
                       re.IGNORECASE)

# "Which school does your daughter go to?", "What's the name of Lina's school?", "Which lycée...?":
# a school by its name ("Eric Hamber Secondary", "Lycée du Parc", "St Mary's Primary").
_SCHOOL_WORDS = (r"school|primary|secondary|high|lyc[eé]e|kindergarten|nursery|preschool|pre-school|gymnasium|"
                 r"academy|daycare|day care|cr[eè]che|college")
_ASKS_SCHOOL = re.compile(rf"\b(?:which|what|name of)\b(?:\W+\w+){{0,3}}?\W+(?:{_SCHOOL_WORDS})\b", re.IGNORECASE)
# Its name may call it in its own language ("Deniz Koleji", "Escola ..."); not a university, which
# answers no question about a child's school.
_NAMED_SCHOOL_WORDS = (rf"{_SCHOOL_WORDS}|koleji|okulu|lisesi|schule|escola|colegio|col[eé]gio|liceo|[eé]cole|"
                       r"instituto|institut")
_SCHOOL_NAME = re.compile(
    rf"\b[A-Z][\w'\u2019.-]*(?:\s+(?:[A-Z][\w'\u2019.-]*|of|de|du|la|le))*\s+(?i:{_NAMED_SCHOOL_WORDS})\b|"
    rf"\b(?i:{_NAMED_SCHOOL_WORDS})\s+"
    r"(?:(?:of|de|du|des|do|da|del|la|le|am|an)\s+)*[A-Z]|"
    # one word in languages that compound it: "Bergen Katedralskole", "Humboldt-Gymnasium"
    r"\b[A-Z][\w'-]*(?:skole|skola|skule|schule|gymnasium|gymnas|lyceum|liceum|okulu|koleji|iskola)\b")
# A school of the level asked: "Which primary school...?" is not answered by "Rotorua Girls' High".
_SCHOOL_LEVELS = {
    "primary": re.compile(r"\b(?:primary|elementary|junior|infant|grundschule|national school|[eé]cole primaire|"
                          r"escola prim[aá]ria|escuela primaria)\b", re.IGNORECASE),
    "secondary": re.compile(r"\b(?:secondary|high|lyc[eé]e|gymnasium|grammar|sixth form|liceo|colegio|"
                            r"middle school)\b", re.IGNORECASE),
}
# Not "college" nor "academy": "Belvedere College" and "Harris Academy" are secondary schools.
_AFTER_SCHOOL = re.compile(r"\b(?:institut|institute|instituto|university|universit[eé]|universidad|polytechnic|"
                           r"hochschule)\b", re.IGNORECASE)
# A place the school question names ("Which cookery school did you attend in Madrid?") must be the answer's.
_IN_PLACE = re.compile(r"\b(?:in|at|for) (?:the )?([A-Z][\w'\u2019-]+(?:\s+[A-Z][\w'\u2019-]+)*)")


# "Which hospital does she work at?", "What's the name of Liisa's pottery studio?", "Which publishing
# house put out your book?", "And who's the publisher?": the kind of place or maker asked for, by
# the words a sentence naming one holds. A company or a team is left out: notes name employers and
# clubs without the word ("Senior engineer at Brindle Health").
_NAMED_KINDS = {
    "hospital": r"hospital|clinic|infirmary|hospice|medical cent(?:er|re)|surgery",
    "clinic": r"clinic|hospital|practice|surgery",
    "publish": r"publish\w*|press|books|editions?|imprint|verlag|forlag|förlag|kustannus",
    "studio": r"studio|atelier|workshop|pottery",
    "cabin": r"cabin|hut|lodge|hytte|cottage|chalet",
    "bar": r"bar|pub|tavern|bodega",
    "restaurant": r"restaurant|bistro|brasserie|trattoria|eatery|diner",
    "caf": r"caf[eé]s?|coffee ?shop",
    "bakery": r"bakery|boulangerie|patisserie|pâtisserie",
    "gallery": r"gallery|galerie|museum",
    "hotel": r"hotel|inn|hostel",
    "carver": r"carver|carved|maker|made",
    "luthier": r"luthier|maker|made|built",
    "label": r"label|records",
    "airline": r"airlines?|airways|air|carrier",
    "route": r"routes?|line|problem",
    "ship": r"ships?|vessels?|tankers?|freighters?|bulkers?|bulk carriers?|container ships?",
    # "Which developer commissioned the Barreiro conversion?": a client is named, not described.
    "developer": r"developers?|clients?|commissioned by",
}
_ASKS_NAMED_KIND = re.compile(
    r"\b(?:which\s+|what\s+|name of (?:the |your |that |this |his |her |their |[\w\u2019']+'s )?)"
    # A kind's word whole or plural, or any word of a stem's ("publishing", "café"): not "Bartek" for "bar".
    rf"(?:[\w-]+ ){{0,2}}?(?P<kind>{'|'.join(_NAMED_KINDS)})(?:(?<=publish)\w*|(?<=caf)\w*|s|es)?\b|"
    r"\bwho(?:'s| is| was)? (?:the |your )?(?P<maker>publish)\w*|\bwho (?P<made>publish)\w*|"
    # "Who made your grandad's fiddle?": its maker, by name.
    r"\bwho (?:made|built|carved|crafted) (?:your|the|his|her|their|that|this)\b(?P<crafted>)",
    re.IGNORECASE)
# "What kind of ships do you pilot?" asks a sort of thing, not one by its name.
_ASKS_SORT = re.compile(r"\b(?:kinds?|sorts?|types?) of\b", re.IGNORECASE)
_NAMED_KIND_SAID = {kind: re.compile(rf"\b(?:{said})\b", re.IGNORECASE) for kind, said in _NAMED_KINDS.items()}
# A name near the kind's word: a run of capitalised words, not at the start of the sentence, not
# the twin's own name nor a word of the question, and not a place ("a pintxos bar in San Sebastián",
# "a carver in Oyo", "a cabin on Hardangervidda" name no bar, no carver and no cabin).
_CAPITALISED_RUN = re.compile(r"(?<![\w'\u2019-])[A-Z\u00c0-\u00de][\w'\u2019&.-]*"
                              r"(?:(?:\s+|,\s*|\s+(?:of|de|du|la|le|di|van|von|and|&)\s+)[A-Z\u00c0-\u00de][\w'\u2019&.-]*)*")
_PLACE_BEFORE = re.compile(r"\b(?:in|on|near|outside|from|to|around|across|of|via)\s+(?:the\s+)?$", re.IGNORECASE)
_NAME_REACH = 40  # characters either side of the kind's word
# A publisher is named the ways books say it, not by any name near "published" (the author's, the title).
_PUBLISHER_NAMED = re.compile(
    r"\bpublish(?:ed|es|ing)?\s+(?:it\s+|them\s+)?(?:by|with|through)\s+(?:the\s+)?[A-Z]|"
    r"\bpublishers?\b\W{1,3}(?:is\s+|was\s+|are\s+)?(?:the\s+)?[A-Z]|"
    r"\b[A-Z][\w'&-]*\s+(?:(?:University|Academic)\s+)?(?:Press|Books|Publishing|Publishers|Verlag|Forlag|Förlag|"
    r"Editions|Kustannus|Wydawnictwo|House)\b|"
    r"\b(?:Editorial|Ediciones|Éditions|Editions|Edizioni|Wydawnictwo|Kustannus|Verlag|Forlaget|Bokförlaget)\s+[A-Z]|"
    r"\b[A-Z][\w'&-]*\s+(?:publishes|published it|is publishing|will publish|brings? out|is bringing out|"
    r"picked (?:it|the book) up)\b")
_NOT_NAMES = word_set("i a an the my our his her their this that it and but so we he she they mum dad mom mother "
                      "father monday tuesday wednesday thursday friday saturday sunday january february march april "
                      "may june july august september october november december easter christmas xmas new year eve day "
                      "nda ceo cto cfo coo vp hr ai api faq")

# "What was your master's thesis about?", "the title of your dissertation", "your final-year project at
# ETSAB": a thesis, by a word naming one (a degree alone is not its topic).
_ASKS_THESIS = re.compile(r"\b(?:thesis|dissertation|capstone|final[- ](?:year )?(?:university |degree )?project|"
                          r"degree project|m[eé]moire)\b", re.IGNORECASE)
_THESIS_SAID = re.compile(r"\b(?:thes[ie]s|dissertation|capstone|final[- ](?:year )?project|degree project|"
                          r"m[eé]moire|tesis|tese|tesi|masterarbeit|diplomarbeit|afhandling|oppgave|"
                          r"PFC|TFG|TFM)\b", re.IGNORECASE)
# "What was your first book called?", "the title of your master's thesis": a title, as one is written
# (in italics or quotes, after "called", or a run of capitalised words), not "the fifth novel".
_WORKS = (r"book|novel|album|film|movie|documentary|talk|keynote|paper|article|thesis|dissertation|podcast|show|"
          r"song|play|memoir|collection|series|exhibition|painting|record|single|game|blog|newsletter|column|poem")
# "Which prize did Otto and the Night Market win?" is answered by that book's prize, not another book's.
_ASKS_PRIZE = re.compile(r"\b(?:prizes?|awards?|medals?|honou?rs?)\b.*\b(?:win|won|get|got|receiv\w*|earn\w*)\b|"
                         r"\b(?:win|won|get|got|receiv\w*|earn\w*)\b.*\b(?:prizes?|awards?|medals?)\b", re.IGNORECASE)
_ASKS_TITLE = re.compile(
    rf"\b(?:title|name) of (?:your|the|that|this|her|his|their) (?:[\w'-]+ ){{0,3}}?(?:{_WORKS})\b|"
    rf"\bwhat(?:'s|\u2019s| is| was| were| will be) (?:your|the|that|her|his|their) (?:[\w'-]+ ){{0,3}}?(?:{_WORKS})s? "
    r"(?:called|titled|named)\b|"
    r"\bwhat(?:'s|\u2019s| is| was) (?:it|that) (?:called|titled)\b.*\b(?:book|novel|album|film)",
    re.IGNORECASE)
_TITLE = re.compile(r"\*[^*\s][^*]{1,120}\*|\"[^\"]{3,120}\"|\u201c[^\u201d]{3,120}\u201d|\u00ab[^\u00bb]{3,120}\u00bb|"
                    r"\u2018[^\u2019]{3,120}\u2019|_[^_\s][^_]{1,120}_|"
                    r"\b(?:called|titled|entitled|named|title)\W{0,3}[\"\u201c\u2018*]?[A-Z0-9]")
_TITLE_RUN = re.compile(r"(?<=\S\s)[A-Z\u00c0-\u00de][\w'-]*(?:\s+(?:(?:of|the|and|a|an|in|on|for|to|with|from|at|"
                        r"by|de|la|el|le|i|og|och|und|der)\s+)*"
                        r"\s*[A-Z\u00c0-\u00de][\w'-]*)+")


# A run of capitalised words that names a place or an institution is no title ("University of Bergen").
_INSTITUTION = re.compile(r"\b(?:University|College|Institute|School|Department|Academy|Council|Ministry|Ltd|Inc|"
                          r"GmbH|AS|AB|BV|SA)\b")


def _states_a_title(question: str, text: str) -> bool:
    if _TITLE.search(text):
        return True
    asked = {w.casefold() for w in re.findall(r"[\w'-]+", question)}
    return any(not {w.casefold() for w in re.findall(r"[\w'-]+", run.group(0))} <= asked | _NOT_NAMES | DEMONYMS
               and not _INSTITUTION.search(run.group(0))
               and not _PLACE_BEFORE.search(text[max(0, run.start() - 12):run.start()])
               for run in _TITLE_RUN.finditer(text))


# "What grade did you get for your master's thesis?": a grade as one is stated.
_ASKS_GRADE = re.compile(r"\bwhat (?:grade|mark|classification|result|gpa)\b|\bhow (?:well )?did you do\b.*\b(?:degree|"
                         r"thesis|exams?)\b|\bwhat (?:class of )?degree classification\b|"
                         # "Did you get a first in your undergrad?"
                         r"\b(?:get|got|graduate with|earn) (?:a |an )?(?:first|2[:.][12]|distinction|merit)\b",
                         re.IGNORECASE)
_GRADE = re.compile(r"\b(?:grade[ds]?|distinction|merit|first[- ]class|upper second|lower second|2[:.][12]|honou?rs|"
                    r"cum laude|summa|magna|gpa|meritori[oa]|très bien|tres bien|sehr gut|mention|"
                    # "18/20", "3.8/4.0", not a date ("03/2020")
                    r"\d{1,2}(?:[.,]\d+)?\s*/\s*(?:4(?:[.,]0)?|5|6|10|20|30|100|110)(?![\d/.-])|"
                    r"(?:19|20|30)\s*e\s*lode|110 e lode)\b|"
                    r"\b[A-F][+-]?(?=\s*(?:grade|mark)\b)",
                    re.IGNORECASE)
# "What year was Kade Collective founded?": a founding, with its year.
_ASKS_FOUNDED = re.compile(r"\b(?:when|what year|which year|in what year)\b.*\b(?:founded|established|set up|"
                           r"started|launched|created|opened)\b", re.IGNORECASE)
# Not "since" or "started": "Since: 2022-04" is when the twin joined.
_FOUNDED = re.compile(r"\b(?:found(?:ed|er|ers|ing)?|co-?found\w*|establish\w*|set (?:it )?up|launch\w*|"
                      r"open(?:ed)? (?:its|their|the) doors)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(?:1[89]|20)\d\d\b")
# "How many people does Maasland employ?": a head count, not the team the twin leads.
_ASKS_HEADCOUNT = re.compile(r"\bhow many (?:people|staff|employees|workers)\b.*\b(?:employ|work (?:at|for|there)|"
                             r"have(?! been)|has(?! been)|on staff)\b|"
                             r"\bhow (?:big|large) is (?:the company|the firm|(?-i:[A-Z])\w+)", re.IGNORECASE)
# The number is the head count's own: "staff exchanges since 2023" counts no one.
_HEADCOUNT = re.compile(r"\b\d[\d,.]*\+?\s+(?:[\w-]+\s+){0,2}(?:employees|staff|people|workers|colleagues)\b|"
                        r"\b(?:employs?|employing|headcount|workforce|staff of)\W+(?:[\w-]+\s+){0,2}\d|"
                        r"\b\d[\d,.]*-(?:strong|person)\b", re.IGNORECASE)
# "What's your street address?": a street and a number, or a postcode.
_ASKS_ADDRESS = re.compile(r"\b(?:home |street |postal |exact |physical )?address\b(?! book)", re.IGNORECASE)
_NOT_POSTAL = re.compile(r"\b(?:e-?mail|web|ip|site|url)\b", re.IGNORECASE)
_ADDRESS = re.compile(
    r"\b\d+[a-z]?,?\s+(?:[A-Z][\w'-]*\s+){1,3}(?:street|st|road|rd|avenue|ave|lane|ln|way|drive|dr|place|pl|square|sq|"
    r"crescent|close|court|terrace|row|hill|grove|gardens|boulevard|blvd)\b|"
    r"\b[A-Z][\w'-]*(?:katu|gatan|gata|gate|veien|vegen|vej|gade|straße|strasse|str\.|weg|laan|straat|gracht|utca|"
    r"ulica|tie|polku)\s+\d+|"
    r"\b(?:rue|calle|carrer|via|viale|avenida|rua|ulica|ul\.|avenue|boulevard|chemin|plac|piazza)\s+(?:[\w'-]+\s+){0,3}"
    r"\d+|\b\d+,?\s+(?:rue|calle|carrer|via|avenida|rua|avenue|boulevard|chemin)\b|"
    r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b|\b\d{5}\s+[A-Z][a-z]+",
    re.IGNORECASE)
# "Where did your frisbee team finish at UK Mixed Tour?": a placing.
_ASKS_PLACING = re.compile(r"\bwhere did (?:you|your|the|they|we)\b.*\bfinish\b|"
                           r"\bwhat (?:place|position|placing|rank)\b.*\b(?:finish|come|came|get|got|end)\b",
                           re.IGNORECASE)
_PLACING = re.compile(r"\b(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|"
                      r"last)\b(?!\s+(?:time|year|season|week|month|day|trip|ever|one|book|job))|"
                      r"\b(?:won|win|winners?|runners?-up|podium|medal\w*|semi-?finals?|quarter-?finals?|final|"
                      r"champions?|relegat\w*|promot\w*)\b", re.IGNORECASE)


_ROLE_SAID = {role: re.compile(rf"\b(?:{said})", re.IGNORECASE) for role, said in _ROLES.items()}


def _holds_role(role: str, question: str, text: str) -> bool:
    """``text`` states the role with a person's name beside, not a name the question gave ("Brindle
    Health — Tech Lead Manager" names the employer asked about, not a boss)."""
    asked = {w.casefold() for w in re.findall(r"[\w'\u2019-]+", question)} | {"prof", "dr", "sir", "dame"}
    return bool(_ROLE_SAID[role].search(text)) and any(
        not {w.casefold() for w in re.findall(r"[\w'\u2019-]+", m.group(0))} <= asked | _JOB_TITLE_WORDS
        for m in _PERSON_NAME_WORDS.finditer(text))


# "Senior Software Engineer → Tech Lead Manager": a job title in capitals, nobody's name.
_JOB_TITLE_WORDS = word_set("""senior junior lead tech technical principal staff chief head deputy assistant associate
                               vice executive managing general software data product project programme program
                               engineer engineering manager director officer president designer developer analyst
                               scientist researcher consultant specialist coordinator administrator architect advocate
                               intern trainee owner founder partner team group operations marketing sales research""")


def _names_the_kind(kind: str, question: str, text: str, own_name: str) -> bool:
    """``text`` has the kind's word with a name beside it that the question does not already hold."""
    if kind == "publish":
        return bool(_PUBLISHER_NAMED.search(text))
    known = {w.casefold() for w in re.findall(r"[\w'\u2019-]+", f"{question} {own_name}")}
    for said in _NAMED_KIND_SAID[kind].finditer(text):
        if said.group(0)[0].isupper() and said.start() > 0:
            return True  # "Turku University Hospital", "Savipaja Studio"
        low, high = max(0, said.start() - _NAME_REACH), said.end() + _NAME_REACH
        for run in _CAPITALISED_RUN.finditer(text):
            if run.end() < low or run.start() > high or run.start() == 0:
                continue
            words = [w.casefold().removesuffix("'s").removesuffix("\u2019s")
                     for w in re.findall(r"[\w'\u2019-]+", run.group(0))]
            if all(w in known or w in _NOT_NAMES or w in DEMONYMS for w in words):
                continue
            if not _PLACE_BEFORE.search(text[max(0, run.start() - 12):run.start()]):
                return True
    return False


_POSSESSOR = re.compile(r"\b([A-Z\u00c0-\u00de][\w-]*)['\u2019]s\b")

# "Which brand of watercolour paints do you use?", "What make is the horn you play?": a maker's name
# beside the thing ("Winsor & Newton paints", "a Yamaha horn", "the horn is a Besson", "shoes by La
# Sportiva"); "I paint in watercolour" or "I joined Manukau Brass, on second horn" names none.
_ASKS_BRAND = re.compile(r"\b(?:what|which)(?: [\w-]+){0,2} (?:(?:brand|model|manufacturer)s?\b|"
                         r"make\b(?= (?:is|are|was|were|of|do|did)\b))|"
                         r"\b(?:brand|make|model|manufacturer) of (?:your|the|his|her|their)\b", re.IGNORECASE)
_BRAND_OF = re.compile(r"\b(?:brand|make|model|manufacturer)s? of (?:(?:your|the|his|her|their) )?"
                       r"((?:[\w'\u2019-]+ ){0,2}?[\w'\u2019-]+)"
                       r"(?= (?:do|does|did|are|is|was|were|have|has|you)\b|\W*$)",
                       re.IGNORECASE)
_BRAND_WORDS = word_set("brand brands make makes model models manufacturer which what kind sort type use used using "
                        "wear wore wearing play played playing ride rode riding drive drove driving own owned prefer "
                        "buy bought shoot shooting do does did have has go")
# Between the maker's name and the thing it made, one word at most ("a Yamaha tenor horn"); "Ros
# plays solo tenor horn" is someone playing it.
_BRAND_GAP = re.compile(r"\s+(?:[a-z-]+\s+)?")
_BRAND_AFTER = re.compile(r"^\W{0,3}(?:\w+\s+){0,2}?(?:is an?|are|by|from|made by|built by)\s+(?:the\s+)?"
                          r"[A-Z\u00c0-\u00de]")


def _names_a_brand(things: frozenset[str], question: str, text: str, own_name: str) -> bool:
    """``text`` names a maker beside one of ``things`` (the stems of what the question asks the brand of)."""
    known = {w.casefold() for w in re.findall(r"[\w'\u2019-]+", f"{question} {own_name}")}
    for word in re.finditer(r"[\w'\u2019-]+", text):
        if stem(word.group(0).casefold()) not in things:
            continue
        if _BRAND_AFTER.match(text[word.end():]):
            return True
        for run in _CAPITALISED_RUN.finditer(text[:word.start()]):
            if run.start() == 0 or not _BRAND_GAP.fullmatch(text[run.end():word.start()]):
                continue
            words = [w.casefold() for w in re.findall(r"[\w'\u2019-]+", run.group(0))]
            if not all(w in known or w in _NOT_NAMES or w in DEMONYMS for w in words):
                return True
    return False


# "How old is your cat?" is answered by the cat's age, not the children's.
_AGE_OF_ANIMAL = re.compile(r"\bhow old (?:is|are|was|were) (?:your|the|her|his|their) (?:[\w-]+ )?"
                            r"(dogs?|puppy|cats?|kitten|horses?|pony|rabbits?|bunny|birds?|parrot|budgie|fish|"
                            r"hamster|tortoise|turtle|snake|lizard|gecko|ferret|chickens?|hens|goats?)\b",
                            re.IGNORECASE)


def _of_the_animal(animal: str, scored: list[Scored], context: Sequence[Scored]) -> list[Scored]:
    """The sentences naming the animal asked about, by its kind or its name, as any sentence of
    ``context`` gives it ("a grey cat called Pytagoras", "Cat: Pepper", "Two sheepdogs. Mot is
    eleven" name "Pytagoras", "Pepper" and "Mot")."""
    kind = re.compile(rf"{re.escape(animal.rstrip('s'))}s?\b", re.IGNORECASE)  # "sheepdogs" are dogs
    names: set[str] = set()
    for x in context:
        for m in kind.finditer(x.sentence.text):
            after = x.sentence.text[m.end():m.end() + 40]
            named = re.match(r"\W*(?:(?:called|named|is|was)\s+)?([A-Z\u00c0-\u00de][\w'-]+)", after)
            if named and named.group(1).casefold() not in _NOT_NAMES | DEMONYMS:
                names.add(named.group(1).casefold())
    return [x for x in scored if kind.search(x.sentence.text)
            or any(re.search(rf"\b{re.escape(n)}\b", x.sentence.text.casefold()) for n in names)]


# "What are their names?", "What's its name?", "What are they called?" after a question about
# pets are answered by the sentences naming them ("My cat, Fanous, ...", "Fanous knocked Tycho's
# cricket tub off the counter again"), however little they share with the question.
_ASKS_NAMES = re.compile(r"\bwhat(?:'s|\u2019s| is| are| were| was)\s+(?:its|their|his|her|the)\s+(?:first\s+)?"
                         r"names?\b|"
                         r"\bwhat (?:are|is|were|was|do you call) (?:they|it|he|she|them|the \w+)(?: called)?\s*\??$|"
                         r"\bnames? of (?:the|your|those|these) (?:pets|animals|dogs|cats)\b", re.IGNORECASE)
_PET_KINDS = ANIMAL_WORDS | word_set("""pets pet animals greyhound husky huskies collie terrier labrador lab spaniel
                                      retriever poodle dachshund beagle sheepdog whippet lurcher mutt tabby moggy
                                      hen rooster budgies parrots rabbits tortoises geckos horses ponies goats""")
_ABOUT_PETS = re.compile(rf"\b(?:{alternation(_PET_KINDS)}|furry|four[- ]legged|"
                         r"critters?|fur ?bab(?:y|ies))\b", re.IGNORECASE)
_PET_KIND = rf"(?i:{alternation(_PET_KINDS)})"
_PET_NAME = r"[A-Z\u00c0-\u00de][a-z\u00df-\u00ff][\w'-]*"
# "our greyhound Chispa", "a cat called Pytagoras", "Fado, our one-eyed grey tabby cat", "Tusse is our
# Norwegian Forest Cat", "name: Dendê; species: cat"
_NAMING = (re.compile(rf"\b{_PET_KIND}s?\b\W{{0,3}}(?:(?:called|named)\s+)?(?P<name>{_PET_NAME})"),
           re.compile(rf"(?P<name>{_PET_NAME})(?:,?\s+(?:is|was)?\s*(?:our|my|a|an|the)|\s*\()\s[^.;]{{0,40}}?"
                      rf"\b{_PET_KIND}s?\b"),
           re.compile(rf"\bname:\s*(?P<name>{_PET_NAME})[^.]{{0,40}}\b{_PET_KIND}s?\b"))


def _names_of_pets(scored: list[Scored], context: Sequence[str]) -> list[Scored]:
    """The sentences holding a name ``context`` gives an animal ("our greyhound Chispa", "Fado, our
    one-eyed tabby cat", "name: Dendê; species: cat"), marked as stating the detail asked for; all
    of ``scored`` when it names none."""
    names = {m.group("name").casefold() for text in context for pattern in _NAMING for m in pattern.finditer(text)}
    names -= _NOT_NAMES | DEMONYMS | TERM_STOP_WORDS | _PET_KINDS
    named = [replace(x, states_detail=True) for x in scored
             if any(re.search(rf"\b{re.escape(n)}\b", x.sentence.text.casefold()) for n in names)]
    return named or scored


# "Which university is your sister studying at?" is answered by a sentence about the sister: by
# that word, or by a name the notes give beside it ("My little sister Aiko", "Aiko (sister)").
# Not "your grandad's fiddle": what is asked about is the fiddle.
_RELATIVE_ASKED = re.compile(rf"\b(?:your|her|his) (?:(?:older|younger|little|big|elder|eldest|youngest) )?"
                             rf"((?:{alternation(KIN)})s?|children)\b(?!['\u2019]s\b)", re.IGNORECASE)
# "How old is your grandmother?" is answered by her age or her birth year, not by "she moved in 2016".
_ASKS_AGE = re.compile(r"\bhow old (?:is|are|was|were)\b", re.IGNORECASE)
_AGE_SAID = re.compile(r"\b\d{1,3}\s*(?:years?|yrs?)(?:\s+old)?\b|\bat (?:the age of )?\d{1,2}(?![\d:%]|[.,]\d)|"
                       r"\baged?\s+\d{1,3}\b|\b(?:born|b\.):?\s*(?:in\s+)?"
                       r"(?:[A-Za-z]+\s+)?(?:\d{1,2}\s+)?(?:19|20)\d\d\b|\(\s*(?:\d{1,3}|b\.\s*(?:19|20)\d\d)\s*\)|"
                       r",\s*\d{1,2}(?!\d|[:.,]\d)|"
                       r"\b(?:turn(?:s|ed|ing)?|is|was|now|she's|he's|they're|I'm|am)\s+(?:\d{1,3}|"
                       r"(?:twen|thir|for|fif|six|seven|eigh|nine)ty(?:-\w+)?|\w+teen|"
                       r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b"
                       r"(?!\s*(?:%|per|km|kg|minutes|hours|days|weeks|months|metres|miles|of\b))",
                       re.IGNORECASE)
# The twin tells its own age as "I'm 38", "I turned forty", "Born: 1987": "Fenna turned six" is her age.
_OWN_AGE_SAID = re.compile(r"\b(?:I|I'm|I've|I'll)(?![\w'\u2019])|(?i:^\s*(?:age|aged|born|date of birth)\b)")
_ASKS_OWN_AGE = re.compile(r"\bhow old are you\b|\byour age\b", re.IGNORECASE)
# "How old were you back then?" is answered by a note's "First real job was at 16", which says no "I".
_ASKS_AGE_THEN = re.compile(r"\bhow old were you\b", re.IGNORECASE)


def states_the_age_asked(question: str, text: str) -> bool | None:
    """Whether ``text`` states the twin's age "How old are you?" asks ("I'm 38", "Born: 1987"; not
    "250-year-old timber" nor "Fenna turned six"), or one "How old is your kid?" asks ("Fenna turned
    six in October"); None when the question asks neither (a pronoun's: "How old is he now?")."""
    if _ASKS_OWN_AGE.search(question):
        return bool(_AGE_SAID.search(text) and _OWN_AGE_SAID.search(text))
    if _ASKS_AGE_THEN.search(question):
        # An age at a time ("when I was seventeen", "at 16"), which a birth date ("born: 2010") is not.
        return any(not m.group(0).casefold().startswith(("born", "b.")) for m in _AGE_SAID.finditer(text))
    if _RELATIVE_ASKED.search(question) or _AGE_OF_ANIMAL.search(question):
        return bool(_AGE_SAID.search(text))
    return None


_ASKS_PLACE_OF = re.compile(r"\b(?:which|what|name of)\b.*\b(?:universit\w*|college|school|company|firm|"
                            r"hospital|clinic|employer|organi[sz]ation|studio|restaurant|team|club|band)\b",
                            re.IGNORECASE)
_ASKS_UNIVERSITY = re.compile(r"\b(?:which|what)\s+(?:universit\w*|college|uni)\b", re.IGNORECASE)
_UNIVERSITY_SAID = re.compile(r"\b(?:universit\w*|universidad|universit[eé]|hochschule|college|institute?|polytechnic|"
                              r"academy|conservat\w*|school)\b", re.IGNORECASE)
_RELATIVE_WINDOW = 30  # characters either side of the relative's word where their name is looked for


def _of_the_relative(relative: str, scored: list[Scored], context: Sequence[Scored] = ()) -> list[Scored]:
    """The sentences naming the relative asked about, by a word for them or by a name any sentence of
    ``context`` gives them beside one ("Children: Fenna" names the kid of "Fenna turned six")."""
    asked = relative.casefold().rstrip("s")
    kin = KIN.get(asked) or KIN.get("child" if asked == "children" else "")
    said = CHILD_WORDS if kin is not None and kin.relative == "child" else told_by(kin.relative) if kin else [asked]
    word = re.compile(rf"\b(?:{'|'.join(re.escape(w) for w in sorted(set(said), key=len, reverse=True))})s?\b",
                      re.IGNORECASE)
    names: set[str] = set()
    for x in context or scored:
        for m in word.finditer(x.sentence.text):
            near = x.sentence.text[max(0, m.start() - _RELATIVE_WINDOW):m.end() + _RELATIVE_WINDOW]
            names |= {n.casefold() for n in re.findall(r"(?<![\w'-])[A-Z\u00c0-\u00de][\w'-]+", near)
                      if n.casefold() not in _NOT_NAMES | DEMONYMS}
    return [x for x in scored if word.search(x.sentence.text)
            or any(re.search(rf"\b{re.escape(n)}\b", x.sentence.text.casefold()) for n in names)]


# "What was your highest ranking in singles?" is not answered by the doubles ranking, nor "the hardest
# boulder grade" by the hardest sport route: the kind asked, and the kinds that are not it.
_CONTRASTS = tuple((re.compile(asked, re.IGNORECASE), re.compile(other, re.IGNORECASE)) for asked, other in (
    (r"\bsingles\b", r"\b(?:doubles|mixed)\b"),
    (r"\bdoubles\b", r"\bsingles\b"),
    (r"\bboulder(?:s|ing)?\b", r"\b(?:sport|lead|trad)\b|\broutes?\b"),
    (r"\bsport (?:route|climb)", r"\bboulder"),
))


# "What's the hardest boulder grade you've climbed?": a climbing grade ("V5", "7a+", "5.11c", "6B").
_ASKS_CLIMBING_GRADE = re.compile(r"\bhardest (?:boulder|route|problem|climb|grade|sport route|one)\b|"
                                  r"\b(?:boulder|climbing) grade\b", re.IGNORECASE)
_CLIMBING_GRADE = re.compile(r"\b(?:V\d{1,2}|[3-9][abcABC]\+?|5\.\d{1,2}[abcd]?|f[3-9][abc]\+?)(?![\w.])")
# A boulder is graded on the V scale or in Fontainebleau's capitals ("7A+"); "7a+" is a sport route.
_BOULDER_GRADE = re.compile(r"\b(?:V\d{1,2}|[3-9][ABC]\+?)(?![\w.])|(?i:\bboulder)")


def _of_another_kind(question: str, text: str) -> bool:
    return any(asked.search(question) and other.search(text) and not asked.search(text)
               for asked, other in _CONTRASTS)


def keep_particulars(question: str, scored: Sequence[Scored], own_name: str = "",
                     context: Sequence[Scored] = (), asked: str = "", said: str = "") -> list[Scored]:
    """The sentences that may answer ``question``: when it asks for one particular detail (a role's
    holder, a finishing time, a school's or a place's name, a title, a thesis, a grade, a founding
    year, a head count, an address, a placing, an animal's age), only those that state one (all of
    them otherwise). ``context``: every sentence of the passages, where names are looked up;
    ``asked``: the question with those it follows up, which say what "their names" are of; ``said``:
    the previous answer, which may have named them.
    """
    kept = [x for x in scored if not _of_another_kind(question, x.sentence.text)]
    if _ASKS_CLIMBING_GRADE.search(question):
        kept = [x for x in kept if _CLIMBING_GRADE.search(x.sentence.text)]
        if re.search(r"\bboulder", question, re.IGNORECASE):
            kept = [x for x in kept if _BOULDER_GRADE.search(x.sentence.text)]
    if _ASKS_NAMES.search(question) and _ABOUT_PETS.search(asked or question):
        kept = _names_of_pets(kept, [said, *(x.sentence.text for x in context or scored)])
    relative = _RELATIVE_ASKED.search(question)
    if relative and _ASKS_AGE.search(question):
        kept = [x for x in _of_the_relative(relative.group(1), kept, context) if _AGE_SAID.search(x.sentence.text)]
    if relative and _ASKS_PLACE_OF.search(question):
        kept = _of_the_relative(relative.group(1), kept)
        if _ASKS_UNIVERSITY.search(question):
            # The twin's own degrees name a university without the word ("MSc, ISAE-SUPAERO"); a
            # relative's, told in passing, say it ("studying vet medicine at Cayetano Heredia University").
            kept = [x for x in kept if _UNIVERSITY_SAID.search(x.sentence.text)]
    animal = _AGE_OF_ANIMAL.search(question)
    if animal:
        kept = _of_the_animal(animal.group(1), kept, context or scored)
    named = _ASKS_NAMED_KIND.search(question)
    if named and not _ASKS_SCHOOL.search(question) and not _ASKS_SORT.search(question):
        kind = "luthier" if named.group("crafted") is not None else (
            named.group("kind") or named.group("maker") or named.group("made")).casefold()
        kind = next(k for k in _NAMED_KINDS if kind.startswith(k))
        kept = [x for x in kept if _names_the_kind(kind, question, x.sentence.text, own_name)]
        whose = _POSSESSOR.search(question)
        if whose and whose.group(1).casefold() not in own_name.casefold().split():
            # "Liisa's pottery studio" is not the twin's workshop.
            kept = [x for x in kept if whose.group(1).casefold() in x.sentence.text.casefold()]
    if _ASKS_BRAND.search(question):
        # "What make of bicycle did you ride to Gliwice?" asks the bicycle's maker, not Gliwice's.
        names_asked = {w.casefold() for w in re.findall(r"(?<=\s)[A-Z\u00c0-\u00de][\w'\u2019-]*", question)}
        # "What make of skates do you race on?" asks the skates' maker: not the races'.
        of = _BRAND_OF.search(question)
        things = frozenset(stem(w) for w in words(of.group(1) if of else question)
                           if w not in TERM_STOP_WORDS and w not in _BRAND_WORDS and w not in names_asked)
        if things:
            kept = [x for x in kept if _names_a_brand(things, question, x.sentence.text, own_name)]
    if _ASKS_THESIS.search(question):
        # A sentence naming the thesis answers, though a terse "Thesis: *Tides on the Page*" is far
        # from "What was your dissertation about?" by meaning.
        kept = [replace(x, states_detail=True) for x in kept
                if _THESIS_SAID.search(" ".join([x.sentence.text, x.sentence.heading]))]
    if _ASKS_TITLE.search(question):
        kept = [x for x in kept if _states_a_title(question, x.sentence.text)]
    if _ASKS_GRADE.search(question):
        kept = [x for x in kept if _GRADE.search(x.sentence.text)]
    if _ASKS_PRIZE.search(question):
        kept = _of_the_names_asked(question, own_name, kept)
    if _ASKS_FOUNDED.search(question):
        kept = [x for x in kept if _FOUNDED.search(x.sentence.text) and _YEAR.search(x.sentence.text)]
    if _ASKS_HEADCOUNT.search(question):
        kept = [x for x in kept if _HEADCOUNT.search(x.sentence.text)]
    if _ASKS_ADDRESS.search(question) and not _NOT_POSTAL.search(question):
        kept = [x for x in kept if _ADDRESS.search(x.sentence.text)]
    if _ASKS_PLACING.search(question):
        # At the event asked about: "a First in 2012" is a degree.
        kept = _of_the_names_asked(question, own_name, [x for x in kept if _PLACING.search(x.sentence.text)])
    role = _ASKS_ROLE_HOLDER.search(question)
    if role:
        asked = (role.group("role") or role.group("verb") or role.group("named")).casefold()  # one of _ROLES
        kept = [x for x in kept if _holds_role(asked, question, x.sentence.text)]
    if _ASKS_TIME.search(question):
        kept = _in_the_place_named(question, [x for x in kept if _DURATION.search(x.sentence.text)])
        race = _RACE.search(question)
        timed = _RACE_SAID.get(race.group(1).casefold().replace("-", " ").split()[-1]) if race else None
        if timed is not None:
            # "your best time for a road marathon" is not the 62K trail race's.
            kept = [x for x in kept if timed.search(" ".join([x.sentence.text, x.sentence.heading]))]
    if _ASKS_SCHOOL.search(question):
        kept = _in_the_place_named(question, [x for x in kept if _names_a_school(question, x.sentence.text)])
        kept = _of_the_names_asked(question, own_name, kept)
    if _ASKS_THESIS.search(question):
        kept = _in_the_place_named(question, [x for x in kept if not _another_level(
            question, x.sentence.text, _level_before(x, context or scored))])
    return kept


_WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"})


def _names_a_school(question: str, text: str) -> bool:
    """``text`` names a school (not "Aiko's school", which only says whose), of the level asked."""
    asked = next((level for level, said in _SCHOOL_LEVELS.items() if said.search(question)), None)
    for named in _SCHOOL_NAME.finditer(text):
        words = named.group(0).split()
        if len(words) == 2 and re.search(r"['\u2019]s$", words[0]):
            continue
        if len(words) > 1 and all(w.casefold() in DEMONYMS or w.casefold() in _WEEKDAYS for w in words[:-1]):
            continue  # "Saturday Japanese school" is a kind of school, not one by its name
        if asked and any(said.search(named.group(0)) for level, said in _SCHOOL_LEVELS.items() if level != asked):
            continue
        if asked and _AFTER_SCHOOL.search(named.group(0)) and not _SCHOOL_LEVELS[asked].search(named.group(0)):
            continue  # "Which lycée...?" is not answered by "the Institut Paul Bocuse" after the bac
        return True
    return False


# "What was your bachelor's thesis about?" is not answered by the master's thesis.
_DEGREE_LEVELS = {
    "bachelor": re.compile(r"\b(?:bachelor\w*|undergrad\w*|B\.?A\b|B\.?Sc\b|BEng|licenciatura|licence)", re.IGNORECASE),
    "master": re.compile(r"\b(?:master\w*|M\.?Sc\b|M\.?A\b|MPhil|MEng|MBA|MFA|postgrad\w*)", re.IGNORECASE),
    "doctor": re.compile(r"\b(?:Ph\.?D|doctor(?:al|ate)|DPhil)\b", re.IGNORECASE),
}


def _level_before(item: Scored, context: Sequence[Scored]) -> str:
    """The nearest sentence before ``item`` in its passage that names a degree's level ("MSc GIS,
    Salzburg" above "Thesis: *Snowmobile trails...*"), or ""."""
    before = sorted((x.sentence for x in context if x.sentence.passage is item.sentence.passage
                     and x.sentence.position < item.sentence.position), key=lambda s: -s.position)
    return next((s.text for s in before if any(said.search(s.text) for said in _DEGREE_LEVELS.values())), "")


def _another_level(question: str, text: str, before: str = "") -> bool:
    """``text`` is about a degree of another level than the question asks about; a sentence naming
    none ("Thesis: *Snowmobile trails...*") is of the level the nearest sentence before it names."""
    asked = next((level for level, said in _DEGREE_LEVELS.items() if said.search(question)), None)
    if asked is None:
        return False
    for told in (text, before):
        if _DEGREE_LEVELS[asked].search(told):
            return False
        if any(said.search(told) for level, said in _DEGREE_LEVELS.items() if level != asked):
            return True
    return False


def _of_the_names_asked(question: str, own_name: str, scored: list[Scored]) -> list[Scored]:
    """The sentences holding a name the question gives past its first word, when it gives one that
    is not the twin's: "Lina's school" or "Which school does Marcus teach at?" is answered by a
    sentence about Lina or Marcus, a placing "at UK Mixed Tour" by one about that event."""
    own = own_name.casefold().split()
    named = [w.casefold().removesuffix("'s").removesuffix("\u2019s")
             for w in re.findall(r"(?<=\s)[A-Z\u00c0-\u00de][\w'\u2019-]*", question)]
    named = [w for w in named if w not in own and w not in _NOT_NAMES]
    if not named:
        return scored
    return [x for x in scored if any(w in x.sentence.text.casefold() for w in named)]


def _in_the_place_named(question: str, scored: list[Scored]) -> list[Scored]:
    """Berlin's time is not London's, nor a school in Lima one in Madrid: the place asked of is the answer's."""
    place = _IN_PLACE.search(question)
    if place is None:
        return scored
    named = place.group(1).split()[0].casefold()
    return [x for x in scored if named in x.sentence.text.casefold()]
