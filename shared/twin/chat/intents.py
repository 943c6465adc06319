"""Questions about the person as a whole: greetings, "who are you", "what is your name".

They share no words with any document, so retrieval by the question's own words finds nothing
useful; the twin answers them from its profile and its most introductory passages instead.
Deterministic patterns, in English, Spanish and Portuguese (the languages of the twin's likely
visitors are unknown; these cover the common openings); common topic questions are also
recognised in French and German (``in_english``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from twin.chat.other_languages import in_english
from twin.text.folding import fold


class Intent(Enum):
    GREETING = "greeting"
    NAME = "name"
    INTRODUCTION = "introduction"


_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|howdy|yo|greetings|good (?:morning|afternoon|evening)|hola|buenas|buenos dias|"
    r"ola|oi|bom dia|boa tarde|bonjour|hallo|ciao)(?:\s+(?:there|you|twin|all))?[\s!.,?]*$")
# "Hi! Could you tell me about yourself?": the greeting opens the question, the question decides.
_OPENING_GREETING = re.compile(
    r"^(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening)|hola|buenas|ola|oi|bonjour|hallo)"
    r"(?:\s+(?:there|you|twin|all))?\s*[!.,\u2014\u2013-]+\s*(?=\S)")
_NAME = re.compile(
    r"\b(?:what(?:'s| is) your (?:full |real )?name|"
    r"your (?:surname|last name|family name|full name)\b(?!.*\b(?:before|maiden|at birth|originally)\b)|"
    r"(?:catch|spell|pronounce) your (?:full |first |last )?name|what (?:should|do) i call you|"
    r"your name\??$|como te llamas|cual es tu nombre|qual (?:e )?o seu nome|como (?:voce )?se chama)\b")
_INTRODUCTION = re.compile(
    r"^\s*(?:so,?\s+)?(?:(?:could|can|would) you (?:please )?)?"
    r"(?:who (?:are|r) (?:you|u)(?!\s+(?:\w+ing|with|to|for|at|in)\b)|"  # not "who are you working with?"
    r"(?:tell|talk) (?:me|us) (?:a (?:bit|little)(?: bit)? |a few things |something |more )?about (?:yourself|you)\b|"
    r"describe yourself|who(?:'s| is) this(?!\s*\w)|what about you|about you|"
    r"what(?:'s| is) your story|"
    r"quien eres|quien es usted|hablame de ti|cuentame (?:sobre|de) ti|quem (?:e )?(?:voce|tu)|"
    r"fale (?:sobre|de) (?:voce|si))\b")


# Anywhere in the question, after any greeting ("Kia ora! Who am I talking to?"): "Give me the short
# version of your story", "the two-minute version of your life so far", "who's on the other end of this
# chat?", "who's this I'm chatting with?", "a quick introduction to yourself".
_INTRODUCING = re.compile(
    r"\b(?:(?:short|brief|quick|[\w-]+-minute|potted|condensed) version of your (?:life|story|life story)|"
    r"your life (?:story|so far)(?=\s*[?!.]|$)|introduction to yourself|introduce yourself|"
    r"tell me your (?:life )?story|"
    # "the two-minute version of how you ended up where you are", "sum up your career so far"
    r"version of how you|how you (?:ended up|got to|came to be) where you are|"
    r"sum (?:up )?your (?:career|life|story)|"
    # "Who am I talking to?" wants the name and what the twin does, as an introduction gives them.
    r"who (?:have i got|am i with)\b|"
    r"who (?:am i|are we) (?:\w+ )?(?:talking|speaking|chatting) (?:to|with)|"
    r"who(?:'s| is) (?:on the other end(?: of (?:this|the) (?:chat|conversation|line|screen))?(?=\s*[?!.]|$)|"
    r"behind this (?:chat|page|site|bot)|this (?:i'm|i am) (?:\w+ )?(?:talking|speaking|chatting)))")


def intent_of(question: str) -> Intent | None:
    folded = fold(question).strip().lstrip("¿¡").strip()
    if _GREETING.match(folded):
        return Intent.GREETING
    folded = _OPENING_GREETING.sub("", folded)
    if _NAME.search(folded):
        return Intent.NAME
    if _INTRODUCTION.match(folded) or _INTRODUCING.search(folded):
        return Intent.INTRODUCTION
    return None


# What an introduction is searched with: the words people use to introduce themselves.
INTRODUCTION_QUERY = "Profile, about me: I'm my name, my job title, I work as a, my role at my employer, based in."


# Ordinary questions about a person rarely use the words their answer uses: "Are you married?" is
# answered by "my husband, Theo", "Where are you from?" by "I grew up in Valparaíso". Each topic
# pairs how visitors ask (a pattern over the folded question) with how notes usually say the answer;
# those words join the search (semantic embedders only) and, at a lower weight than the visitor's
# own words, the offline answer's word matching.
@dataclass(frozen=True)
class Topic:
    name: str
    asked: re.Pattern[str]
    answer_words: str  # how notes usually word the answer, said as a sentence: joins the search by meaning
    marker_words: str  # words an answer usually holds: joins the word matching
    strict: bool = False  # only a sentence holding a marker word and a figure answers: a salary is a figure
    # Only a sentence holding a marker word (or under a heading with one) answers: an AWS skill is no certificate.
    on_topic_only: bool = False

    @property
    def markers(self) -> str:
        return self.marker_words or self.answer_words


# The languages people most often list, as a question names one ("your Dutch").
_LANGUAGE_NAMES = ("english|spanish|portuguese|french|german|italian|dutch|flemish|norwegian|danish|swedish|finnish|"
                   "icelandic|polish|czech|slovak|hungarian|romanian|bulgarian|greek|turkish|russian|ukrainian|"
                   "arabic|hebrew|persian|farsi|urdu|hindi|bengali|punjabi|tamil|telugu|marathi|gujarati|chinese|"
                   "mandarin|cantonese|japanese|korean|vietnamese|thai|indonesian|malay|tagalog|swahili|yoruba|igbo|"
                   "hausa|zulu|xhosa|isixhosa|isizulu|afrikaans|amharic|somali|welsh|irish|gaelic|catalan|basque|"
                   "galician|maori|māori|twi|akan")


def _topic(name: str, asked: str, answer_words: str, marker_words: str = "", *, strict: bool = False,
           on_topic_only: bool = False) -> Topic:
    return Topic(name, re.compile(asked), answer_words, marker_words, strict, on_topic_only)


# "What do you do for work?" names no job and no employer, so by meaning it sits closest to any
# sentence about work habits; said the way a resume or bio says it, it finds the job itself.
WORK_QUERY = "My job: I work as a ... at ..., my current role and employer."
TOPICS: tuple[Topic, ...] = (
    _topic("work", r"\b(?:what (?:do|did) you do(?! for fun| in your (?:free|spare) time| on (?:the )?weekends"
           r"| to relax)(?: for (?:work|a living|money))?|what(?:'s| is) your (?:job|role|profession|occupation|"
           r"position|title)|where (?:do|are) you (?:work|working|employed)|who (?:do you work for|employs you)|"
           r"what kind of work|"
           r"your current (?:job|role)|for a living|"
           r"what (?:is it|exactly is it|is it that) you (?:actually |really )?do\b|"
           r"\byou (?:actually |really )?do for work\b|\bday job\b|\byour (?:current )?gig\b|pays? the bills|"
           # "Who signs your pay cheque?" asks who employs the twin.
           r"\bpay ?(?:cheque|check)s?\b|\bpaycheque|"
           r"what (?:do|are) you (?:do|doing|up to) (?:these days|nowadays|at the moment|now)\b)", WORK_QUERY,
           # Job titles, not "work" or "role": those words are in every sentence about working hours.
           "engineer developer scientist designer analyst consultant researcher architect founder manager "
           "teacher writer"),
    _topic("employers", r"\b(?:compan(?:y|ies)|employers?|organi[sz]ations?|firms?|places?)\b.*"
           r"\b(?:work|worked|been|employed)\b|\bwhere (?:have|did|else did) you (?:work|worked|been employed)|"
           r"\b(?:previous|past|former|prior|last|other) (?:jobs?|roles?|employers?|positions?|compan(?:y|ies))\b|"
           r"\bwork (?:history|experience)\b|\b(?:career|resume|cv)\b",
           "My experience: I worked at ... as ..., my previous roles and employers, before that I was a ...",
           "experience employment worked joined moved employer intern"),
    _topic("management", r"\b(?:manage|managed|managing|manager|supervise|lead|leading)\b.*\b(?:people|team|teams|"
           r"anyone|others|staff|engineers|reports)\b|\bdirect reports?\b|\bmanagement\b|\bmentor|\bin charge of\b|"
           r"\b(?:reports?|reporting) to you\b|\bteam size\b|\bbig is your team\b|"
           r"\bhow many (?:people|staff|engineers|reports|designers|scientists)\b.*\b(?:manage|lead|supervise)\b",
           "I lead the team of people who report to me; I manage and mentor junior colleagues."),
    _topic("education", r"\b(?:school|college|university|uni|degrees?|study|studied|education|(?:post)?graduate[ds]?|"
           r"alma mater|major(?:ed)?|diploma|phd|doctorate|masters?|bachelor'?s?|thesis|dissertation|academic|"
           r"train(?:ed)? as an?|(?:formal|further) training|qualif(?:y|ied) as|qualifications?)\b",
           "My education: I studied ... at the university, my degree, I graduated from ..."),
    # A thesis is one part of an education whose words ("dissertation", "final project") notes rarely repeat.
    _topic("thesis", r"\b(?:thesis|theses|dissertation|final(?:[- ]year)? (?:university |uni |degree )?project|"
           r"capstone|postgraduate research|doctoral research|research project)\b",
           "My thesis was about ..., my dissertation, my final project at university.",
           "thesis dissertation supervised supervisor"),
    _topic("origin", r"\bwhere (?:are|r) you (?:from|originally)|\b(?:originally|hometown|home town|grow up|grew up|"
           r"born|raised|childhood|native)\b|\bwhere(?:'s| is) home\b",
           "I grew up in ..., I was born in ..., my hometown, where I'm from."),
    _topic("home", r"\bwhere (?:do|did) you (?:live|stay)|\bwhereabouts\b|"
           r"\b(?:based|located|reside|neighbou?rhood)\b|"
           r"\b(?:what|which) (?:city|town|country|part of)\b", "I live in ..., I'm based in ...",
           "live lives living based settled moved location"),
    _topic("partner", r"\b(?:married|marry|spouse|husband|wife|partner|girlfriend|boyfriend|single|dating|"
           r"relationship|engaged|other half|significant other|(?:someone|anyone) special|special someone|"
           r"seeing (?:anyone|someone)|taken)\b|\bis there an? (?:mrs|mr|missus|mister)\b",
           "My husband, my wife, my partner: we married, I live with ...",
           # "Fiona and I split in 2018", "after the divorce": an answer too.
           "husband wife partner married spouse girlfriend boyfriend fiance fiancee divorced divorce separated "
           "widowed"),
    _topic("siblings", r"\b(?:siblings?|brothers?|sisters?)\b", "My brother, my sister, my siblings."),
    _topic("children", r"\b(?:kids|children|child|sons?|daughters?|little ones)\b",
           "My son, my daughter, our children, our kids, our twins, our baby."),
    _topic("parents", r"\b(?:parents|mother|father|mom|mum|dad)\b", "My parents, my mother, my father."),
    # "Tell me about your family" is answered by the people in it, not by "Family back home".
    _topic("family", r"(?<!furry )(?<!four-legged )(?<!feathered )\b(?:family|families|relatives|folks)\b"
           r"(?! (?:dogs?|cats?|pets?|business|firm|farm|recipes?|name))",
           "My family: my partner, our children, my parents, my brother and my sister.",
           "husband wife partner married children son daughter kids mother father mum mom dad parents brother "
           "sister siblings grandmother grandfather"),
    # Asked by the generic word only: "Do you have a cat?" names its animal and must not get the dog.
    _topic("pets", r"\b(?:pets?|animals?|furry|four[- ]legged|critters?|fur ?bab(?:y|ies))\b",
           "My pet: our dog, our cat, we adopted a rescue ...",
           "pet dog cat puppy kitten adopted rescue"),
    _topic("leisure", r"\bfor fun\b|\b(?:hobby|hobbies|free time|spare time|weekends?|pastimes?|interests|"
           r"to relax|relax|unwind|downtime|outside (?:of )?work|passions?|off work|evenings|not working|"
           r"switch(?:ing)? off|away from (?:the |your )?(?:work|office|desk|studio|hospital|kitchen|lab)|"
           r"outside (?:of )?(?:office hours|the office|hours)|clear your head|off the clock|off duty|"
           r"(?:when|while) you(?:'re| are) not (?:working|at (?:work|the \w+))|laptop is (?:shut|closed)|"
           r"what do you get up to)\b",
           "My hobbies and interests outside work: in my free time and on weekends I play, I ride, I enjoy ...",
           # Not "work" or "time": every sentence about a job or a schedule holds them.
           "hobby hobbies interests interested free spare weekend weekends enjoy love fun relax play playing"),
    # "How do you keep fit?" is answered by a sport, which notes name ("I row", "netball on Tuesdays").
    _topic("sport", r"\b(?:keep(?:ing)? fit|stay(?:ing)? (?:fit|active|in shape)|exercise|work(?:ing)? out|sports?|"
           r"gets? you out of bed|hardest (?:grade|route|problem|boulder)|(?:climbing|boulder(?:ing)?) grade)\b",
           "My sport: I run, I row, I swim, I climb, I play netball, I train ... times a week, my club, races."),
    _topic("job-search", r"\b(?:looking for|open to|seeking|searching for|hunting for|available for|considering)\b.*"
           r"\b(?:jobs?|roles?|positions?|opportunit(?:y|ies)|work|offers?|change)\b|\bnew (?:job|role|position|"
           r"opportunity|challenge)\b|\bjob (?:search|hunting)\b|\bavailable\b|\bhiring\b",
           "I'm open to conversations about my next role; I'm exploring, looking for a role where ..."),
    _topic("skills", r"\b(?:good at|strengths?|strongest|skills?|expertise|best at|speciali[sz]e|speciality|specialty|"
           r"tech stack|technologies|tools|toolbox|toolkit|packages)\b|\b(?:can|do) you (?:code|program)\b",
           "My skills and strengths: I'm good at ..., experienced with ..."),
    _topic("music", r"\b(?:music|musical|musician|instruments?|listen(?:ing)? to|songs?|bands?|playlists?|"
           r"podcasts?|albums?)\b|"
           r"\bwhat(?:'s| is) (?:usually |normally )?(?:playing|on in the background)\b",
           "The music I listen to: I play ... while I work, my favourite band, album and podcast ..."),
    _topic("reading", r"\b(?:read|reading|books?|authors?|novels?|bookshelf|nightstand|bedside table)\b",
           "The books I read: I'm reading ..., my favourite author, a novel I love ...",
           "read reading book books novel novels author authors"),
    # "What's on your bucket list?", "Anything exciting on the horizon?": notes say "Next year I want to".
    _topic("plans", r"\b(?:plans?|planning|bucket list|on the horizon|coming up|goals?|ambitions?|aspirations?|"
           r"dreams?|future|what's next|next (?:few|couple of|two|five|ten) years|next year or two|"
           r"in the (?:next|coming) (?:year|years|months)|(?:this|next) year)\b",
           "My plans: next year I want to ..., I'm planning to ..., my goal is to ..., one day I hope to ...",
           "plan plans planning goal goals next hope want dream someday future"),
    _topic("food", r"\b(?:comfort food|favou?rite (?:food|dish|meal|cuisine)|food do you|like to eat|"
           r"what do you (?:like to )?(?:eat|cook)|dish (?:from home|do you (?:crave|miss|love))|crave|"
           r"(?:favou?rite|best) (?:thing|things) to (?:eat|cook)|to eat)\b",
           "My favourite food: I love eating ..., my comfort food is ..., I cook ..."),
    _topic("availability", r"\bhow (?:soon|quickly|fast)\b|\bnotice\b|\bstart date\b|\b(?:when )?(?:could|can|would) "
           r"you start\b|\bavailable to start\b", "I could start ... weeks after an offer; my notice period is ...",
           "notice days weeks months start"),
    _topic("remote", r"\b(?:remote(?:ly)?|from home|wfh|hybrid|in the office|on-?site|office days|commute|"
           r"living room|home office|in person)\b",
           "I work remotely ... days a week, hybrid, from home, in the office ...",
           "remote remotely hybrid home office onsite site days week"),
    _topic("visa", r"\b(?:visas?|sponsor\w*|work permit|right to work|citizen\w*|residen(?:cy|t)|"
           r"eligible to work|work authori[sz]ation)\b",
           "My right to work: I'm a citizen, I don't need a visa or sponsorship, my residency ...",
           "visa citizen citizenship resident residency permit sponsorship passport eligible"),
    _topic("relocation", r"\brelocat\w*|\bwould you (?:ever )?(?:consider )?(?:move|moving)\b|\bopen to moving\b|"
           r"\b(?:move|moving) (?:abroad|countries|cities|there|to (?:another|a different|the)|"
           r"for (?:a|the) (?:job|role|right))",
           "Relocating: I would move to ..., I'm settled in ... and would not move, open to relocation.",
           "relocate relocation relocating move moving settled abroad"),
    _topic("talks", r"\b(?:conferences?|keynotes?|(?:spoke|spoken|speak|speaking|presented) at|public speaking|"
           r"(?:give|gave|given|giving|any|a) talks?|presentations?|meetups?|summits?|panels?)\b",
           "I gave a talk at the conference, I spoke at ..., my presentation ...",
           "talk talks conference summit keynote spoke presented presentation meetup panel"),
    _topic("languages", r"\b(?<!programming )(?<!coding )(?:languages? (?:do|can|have) you|which languages|"
           r"what languages|how many languages|"
           r"speak|spoken|fluent|bilingual|mother tongue|tongues|native language)\b(?! at)|"
           # "How good is your Dutch, honestly?"
           rf"\byour (?:{_LANGUAGE_NAMES})\b(?! (?:friends|colleagues|family|side|roots|passport|citizenship|"
           r"heritage|team|clients|partner|wife|husband|mother|father|mum|dad|grand\w+))",
           "The languages I speak: native ..., fluent in ..., conversational ...",
           "speak spoken fluent native conversational bilingual basic languages language"),
    # Not "qualifications": those are degrees as often as certificates.
    _topic("certifications", r"\b(?:certif\w*|certs?|accredit\w*|chartered|licen[cs]e[ds]?)\b",
           "My certifications: certified ..., chartered, licensed, accredited.",
           "certified certification certifications certificate chartered accredited licensed qualified",
           on_topic_only=True),
    _topic("awards", r"\b(?:awards?|prizes?|won|win|honou?rs?|accolades?|recogni[sz]ed|shortlisted)\b",
           "My awards: I won the ... prize, shortlisted for ..., an honour.",
           "award awards prize prizes won winner shortlisted medal honour honor", on_topic_only=True),
    _topic("exhibitions", r"\b(?:exhibit\w*|galler(?:y|ies)|shown|solo show|group show)\b",
           "My exhibitions: shown at the ... gallery, a solo show, a group exhibition.",
           "exhibition exhibitions exhibited gallery galleries show shown"),
    _topic("rates", r"\b(?:how much do you charge|charge|day rate|rates?|fees?|pricing|quote)\b",
           "My rates: I charge ... per day, I quote per project, my fee ...",
           "rate rates fee fees quote quoted charge pricing budget"),
    # "What's the best way to get hold of you?": an e-mail address or a website answers, whatever the
    # sentence around it says (twin.chat.offline.answer keeps only sentences holding one).
    _topic("contact", r"\b(?:get in touch|get hold of (?:you|your)|reach (?:you|out to you)|"
           r"contact (?:you|details|info\w*)|"
           r"(?:your|an?) (?:e-?mail(?: address)?|website|web ?site|phone number|linkedin)|"
           r"how (?:can|do|could|should|would|might) (?:i|we|someone|people) "
           r"(?:reach|contact|email|e-mail|message|find) you|"
           r"best way to (?:reach|contact|email|message)|"
           r"where can (?:i|we|someone|people) (?:see|find|read|look at|follow) (?:some of )?your "
           r"(?:code|work|portfolio|writing|projects|posts))\b",
           "Contact me: my email address is ..., my website ..., find me on LinkedIn.",
           "email e-mail contact website linkedin reach phone mobile"),
    # "Are you involved in politics?" is answered by "county councillor for Dolgellau", which shares no word with it.
    _topic("politics", r"\b(?:politics|political|politician|party|elected|council|councillor|councilor|"
           r"mayor|campaign\w*|activis[mt])\b",
           "I was elected as a councillor on the county council for my ward; I stand for the party, I campaign.",
           "council councillor councilor elected election party politics political mayor ward campaign"),
    _topic("volunteering", r"\b(?:charity|charities|volunteer\w*|non-?profits?|give back|giving back|pro bono|"
           r"good causes?|community (?:work|service))\b",
           "I volunteer with ..., unpaid work for a charity or community group.",
           "volunteer volunteering charity nonprofit unpaid community"),
    # Facts that are a figure or a date: a sentence without the marker words is a near miss, never the answer.
    # "How did you pay for the degree?" is not about pay.
    _topic("salary", r"\b(?:salary|salaries|compensation|pay(?! for| the bills| ?cheque| ?check)|"
           # "your first paid gig" is a job
           r"paid(?! (?:you |me )?for)(?! (?:gigs?|jobs?|work|positions?|roles?|internships?|placements?)\b)|"
           r"earn|earning|earnings|income|revenue|"
           r"wages?|package|"
           # "How much money does the channel bring in?"
           r"how much do you make|brings? in(?=\s*(?:[?.!]|$|a |each |every |per )))\b",
           "My salary: I earn ... per year, my rate is ...",
           "salary salaries compensation earn earning wage income revenue", strict=True),
    # "When is Ají's birthday?" wants a birthday, not the cat's age: the two are asked apart.
    _topic("birthday", r"\b(?:birthday|birth date|date of birth|when were you born)\b",
           "My birthday: I was born on ...", "birthday born birth", strict=True),
    _topic("age", r"\b(?:how old|your age)\b", "I am ... years old, I was born in ...", "age old born aged",
           strict=True),
    _topic("wedding", r"\b(?:when|what year|which year|how long ago)\b.*\b(?:married|wed|wedding)\b|"
           r"\bwedding (?:day|date|anniversary)\b", "We married in ..., our wedding was on ...",
           "married wedding wed", strict=True),
)

# Visitors also ask about the twin in the third person ("Is she married?", "Where did he study?");
# for recognising the topic that is "you". Only here: in a follow-up, "her" may well be the dog.
_THIRD_PERSON = ((re.compile(r"\b(?:is|was) (?:she|he)\b"), "are you"), (re.compile(r"\b(?:she|he)'s\b"), "you're"),
                 (re.compile(r"\b(?:she|he)\b"), "you"), (re.compile(r"\b(?:her|his)\b"), "your"),
                 (re.compile(r"\b(?:herself|himself)\b"), "yourself"), (re.compile(r"\bhas you\b"), "have you"),
                 (re.compile(r"\bdoes you\b"), "do you"))


@dataclass(frozen=True)
class TopicReading:
    """What a question asks about, read once: the search and the offline answer both use it."""

    english: str  # the question, or the English question it means
    topics: tuple[Topic, ...]
    # The words that only say which topic is asked ("married" in "Are you married?", "for work" in
    # "What do you do for work?"): the marker words stand in for them, since notes say "my husband"
    # and "working days" is not a job.
    cues: str

    @property
    def markers(self) -> str:
        return " ".join(topic.markers for topic in self.topics)

    def asks(self, name: str) -> bool:
        return any(topic.name == name for topic in self.topics)

    @property
    def strict(self) -> bool:
        return any(topic.strict for topic in self.topics)

    @property
    def strict_markers(self) -> str:
        """The marker words of the strict topics alone: "your current job" must not let a job title
        stand in for a salary."""
        return " ".join(topic.markers for topic in self.topics if topic.strict)

    @property
    def on_topic_only(self) -> bool:
        return any(topic.on_topic_only for topic in self.topics)

    @property
    def meaning(self) -> str:
        """What to search with by meaning: the English question with how its answers are worded."""
        return " ".join([self.english, *(topic.answer_words for topic in self.topics)])


_RELATIVES = frozenset({"partner", "parents", "siblings", "children"})
_OWN_CAREER = frozenset({"work", "employers"})


def read_topics(question: str) -> TopicReading:
    english = in_english(question)
    folded = fold(english)
    for pattern, second_person in _THIRD_PERSON:
        folded = pattern.sub(second_person, folded)
    found = [(topic, [m.group(0) for m in topic.asked.finditer(folded)]) for topic in TOPICS]
    named = {topic.name for topic, cues in found if cues}
    if named & _RELATIVES:
        # "What does your wife do for a living?" asks about her job, not the twin's: the job words stay
        # in the question, the twin's own job titles and employers do not join it.
        found = [(topic, cues) for topic, cues in found if topic.name not in _OWN_CAREER]
    return TopicReading(english=english, topics=tuple(topic for topic, cues in found if cues),
                        cues=" ".join(cue for _, cues in found for cue in cues))


def retrieval_text(question: str) -> str:
    """What to search with for ``question`` by meaning (``TopicReading.meaning``)."""
    return read_topics(question).meaning
