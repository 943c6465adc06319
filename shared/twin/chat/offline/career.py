"""A twin's jobs in order, read off the experience section of a resume, for questions about them.

"Where did you work before your current job?", "And before that?", "What was your first job?"
are about order: similarity finds sentences about working, not the one that came before the job
just named. A resume lists its jobs newest first under a heading such as "Experience", each as a
sub-heading ("KestrelDB — Developer Relations Lead") or a bold line ("**Data Engineer — Panier
Frais**, Montréal *(2019 - 2022)*") with its dates next to it; that order is the timeline. A twin
whose notes have no such section gets the ordinary answer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from twin.chat.prompting import Passage
from twin.ingest.chunking import chunk_body
from twin.text.lexical import STOP_WORDS, stem, words

__all__ = ["EXPERIENCE_SECTION", "CareerAnswer", "Job", "asks_about_jobs", "career_answer", "jobs_in"]

# The headings a resume files its jobs under (PostgreSQL's regex dialect and Python's agree on it).
EXPERIENCE_SECTION = (r"^(?:(?:work|working|professional|employment|career|relevant) )?"
                      r"(?:experience|employment|career|jobs|positions)(?: history)?$|^work(?: history)?$")
_SECTION = re.compile(EXPERIENCE_SECTION, re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b|\bpresent\b", re.IGNORECASE)
_MARKUP = re.compile(r"\*\*|__|[*_`]")
_ENTRY_LINE_CHARS = 200
_DATES_LINE_CHARS = 120
_DATES_CELL_CHARS = 40
_MAX_LISTED = 5
_MENTIONED_SHARE = 0.6

# "before your current job", "before that", "prior to joining": the job before one already named.
_BEFORE = re.compile(r"\b(?:before|prior to|previous(?:ly)?|preceding)\b", re.IGNORECASE)
# "your (very) first job (after university)": the oldest entry. A qualified first ("first job as a
# developer") may be a later entry, so only the plain question is answered from the order.
_FIRST = re.compile(r"\b(?:very )?first (?:real |proper |full[- ]time )?(?:job|role|position|employer)"
                    r"(?: (?:after|out of) (?:university|uni|college|school|graduating|graduation|your degree))?"
                    r"\s*\??\s*$|"
                    # "Where did your career actually begin?", "Where did you start out?"
                    r"\bwhere did (?:you|your (?:\w+ )?career) (?:actually |really |first )?(?:start|begin|get started)"
                    r"(?: out)?\s*\??\s*$", re.IGNORECASE)
_HISTORY = re.compile(r"\bwhere (?:else )?(?:have|had|did) you (?:work|worked|been employed)\b|"
                      r"\b(?:work|employment|job) history\b|"
                      r"\b(?:previous|past|former|other) (?:jobs|employers|roles)\b|"
                      r"\bcompanies (?:have )?you(?:'ve)? worked\b", re.IGNORECASE)


@dataclass(frozen=True)
class Job:
    passage: Passage  # where the entry is written, for the citation
    text: str  # "KestrelDB — Developer Relations Lead, EMEA & Africa (March 2022 - present · Remote)"
    terms: frozenset[str]  # the words that name it, to tell whether an answer already mentioned it
    layout: str = "heading"  # "heading", "line" or "row": how the resume writes its jobs


def _terms_without_numbers(text: str) -> frozenset[str]:
    # Unlike the answerer's terms (twin.chat.offline.sentences), without numbers: the years a title
    # may hold ("Analyst, Initech (2019-2021)") name neither the role nor the employer.
    return frozenset(stem(w) for w in words(text) if w not in STOP_WORDS and not w.isdigit())


def _plain(line: str) -> str:
    return " ".join(_MARKUP.sub("", line).split()).strip(" -")


def _job(passage: Passage, title: str, dates: str = "", layout: str = "heading") -> Job:
    title, dates = _plain(title), _plain(dates).strip("()")
    return Job(passage, f"{title} ({dates})" if dates else title, _terms_without_numbers(title), layout)


_TABLE_RULE = re.compile(r"^\|[\s:|-]+\|?$")


def _row_job(passage: Passage, line: str) -> Job | None:
    """A table row of jobs, "| 08.2021 - now | GIS Analyst | Troms County Council |": the role and
    the place first, the dates after them. A header or rule row holds no year and is no job."""
    if _TABLE_RULE.match(line) or not _YEAR.search(line):
        return None
    cells = [cell.strip() for cell in line.strip("|").split("|") if cell.strip()]
    dates = next((cell for cell in cells if _YEAR.search(cell) and len(cell) <= _DATES_CELL_CHARS), "")
    rest = [cell for cell in cells if cell is not dates]
    return _job(passage, ", ".join(rest), dates, layout="row") if rest else None


def _section_at(path: Sequence[str]) -> int | None:
    return next((i for i, heading in enumerate(path) if _SECTION.match(heading.strip())), None)


_DATES_SEARCH_LINES = 2
# Where a role line's dates begin: "Staff SRE · Feb 2023 - present", "Analyst (2019-2021)".
_DATES_START = re.compile(r"(?:\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+)?"
                          r"\b(?:19|20)\d{2}\b", re.IGNORECASE)


def _dates_line(line: str) -> bool:
    return bool(_YEAR.search(line)) and len(line) <= _DATES_LINE_CHARS and not line.startswith(("- ", "* ", "\u2022"))


def _entry_line(line: str) -> bool:
    return line.startswith(("**", "- **", "* **")) and bool(_YEAR.search(line)) and len(line) <= _ENTRY_LINE_CHARS


def _undated_entry_line(line: str) -> bool:
    return line.startswith("**") and not _YEAR.search(line) and len(line) <= _ENTRY_LINE_CHARS


def _role_job(passage: Passage, heading: str, line: str) -> Job:
    """"**Staff SRE** · Feb 2023 - present" under "Haulwise, Vancouver": the employer, the role, its dates."""
    plain = _plain(line)
    start = _DATES_START.search(plain)
    role = plain[:start.start()].rstrip(" \u00b7|,;:([-\u2013\u2014") if start else plain
    dates = plain[start.start():] if start else ""
    return _job(passage, f"{heading}, {role}" if role else heading, dates)


def _jobs_of(passage: Passage) -> list[Job]:
    path = passage.heading_path
    at = _section_at(path)
    if at is None:
        return []
    lines = [line.strip() for line in chunk_body(passage.content, path).split("\n") if line.strip()]
    if len(path) > at + 1:  # one job per sub-section: its heading, and the dates line under it
        heading = path[at + 1]
        # An employer's heading over its roles: "### Haulwise", then "**Staff SRE** · Feb 2023 - present"
        # (bold lines of their own: a bold bullet is the role's work).
        roles = [_role_job(passage, heading, line) for line in lines if line.startswith("**") and _entry_line(line)]
        if len(roles) > 1 or (roles and not _dates_line(lines[0])):
            return roles
        # Its dates line, or one after a line describing the employer (a bullet is the role's work).
        dated = next((line for line in lines[:_DATES_SEARCH_LINES] if _dates_line(line)), "")
        return [_job(passage, heading, dated)]
    # Jobs as lines of the section itself: "**Data Engineer — Panier Frais**, Montréal *(2019 - 2022)*"
    # (or a list of them: "- **Nov 2018 - now · Illustrator**, Barcelona"), or as the rows of a table.
    jobs = []
    for line, below in zip(lines, [*lines[1:], ""], strict=True):
        if _entry_line(line):
            jobs.append(_job(passage, line, layout="line"))
        elif _undated_entry_line(line) and _dates_line(below):
            # A bold role line with its dates on the line under it: "**Chief Officer** — Spliethoff", "*2011 - 2015*".
            jobs.append(_job(passage, line, below, "line"))
    rows = [job for job in (_row_job(passage, line) for line in lines if line.startswith("|")) if job]
    return jobs + rows


def jobs_in(passages: Sequence[Passage]) -> list[Job]:
    """The jobs in ``passages`` (one resume's experience chunks, in document order), newest first."""
    by_document: dict[str, list[Job]] = {}
    seen: set[str] = set()
    for passage in passages:
        for job in _jobs_of(passage):
            key = passage.document_id + "\x00" + job.text.casefold()
            if key not in seen:  # overlapping chunks repeat an entry
                seen.add(key)
                by_document.setdefault(passage.document_id, []).append(job)
    # Two resumes (a Markdown one and its PDF) tell the same story: the fuller one tells it. One
    # resume may tell it twice (a table of jobs, then a section per employer): the fuller telling.
    tellings = [[job for job in jobs if job.layout == layout] for jobs in by_document.values()
                for layout in dict.fromkeys(job.layout for job in jobs)]
    return max(tellings, key=len, default=[])


_ABOUT_WORK = re.compile(r"\b(?:work|worked|working|job|jobs|employer|employers|employed|company|companies|"
                         r"role|roles|position|career|gig|for a living)\b|\bwhat (?:were|was) you doing\b",
                         re.IGNORECASE)


def asks_about_jobs(question: str, search_text: str, *, current: bool = False) -> bool:
    """Whether the order of the twin's jobs may answer ``question``; ``search_text`` is the question
    with the ones it follows up ("Where did you work before Acme?" / "And before that?"); ``current``:
    it asks what the twin does for work now (twin.chat.intents' "work" topic)."""
    return current or (bool(_BEFORE.search(question) or _FIRST.search(question) or _HISTORY.search(question)
                            or _HOW_LONG_THERE.search(question)) and bool(_ABOUT_WORK.search(search_text)))


# A capitalised word past the question's first, read whole with the punctuation an employer's name
# may hold ("AT&T", "Kitebox.io"), where the answerer's NAMED (twin.chat.offline.sentences) stops.
_EMPLOYER_NAME_WORD = re.compile(r"(?<=\s)[A-Z][\w'\u2019&.-]+")
_NAMING_TERMS = 2


def _terms_of_names(question: str) -> frozenset[str]:
    return _terms_without_numbers(" ".join(_EMPLOYER_NAME_WORD.findall(question)))


def _named_by(jobs: Sequence[Job], question: str) -> int | None:
    """The job a question names ("before the county council", "before Kitebox"): the newest one
    sharing two of its words with the question, or one name."""
    asked, names = _terms_without_numbers(question), _terms_of_names(question)
    return next((i for i, job in enumerate(jobs)
                 if len(job.terms & asked) >= _NAMING_TERMS or job.terms & names), None)


_EMPLOYER = re.compile(r"\b(?:employer|employers|company|companies|organi[sz]ation|firm|workplace)\b", re.IGNORECASE)
_SAME_EMPLOYER_SHARE = 0.75
_ASKS_WHERE = re.compile(r"\W*(?:and |so |but )?where\b", re.IGNORECASE)


def _same_employer(job: Job, other: Job, held_by: Counter[str]) -> bool:
    """"ML Engineer, Strata Wearables" after "Senior ML Engineer, Strata Wearables": a promotion.
    Most of the shorter entry's words are the longer one's, each word weighing less the more
    entries hold it (``held_by``): "Cape Town" in every entry and "Health" in three do not make
    "Pilisa Health — Cape Town" the same employer as "Khanyisa Digital Health — Cape Town"."""
    def weight(terms: frozenset[str]) -> float:
        return sum(1 / (held_by[t] or 1) for t in terms)

    shorter = min(weight(job.terms), weight(other.terms))
    return shorter > 0 and weight(job.terms & other.terms) >= _SAME_EMPLOYER_SHARE * shorter


def _entries_holding(jobs: Sequence[Job]) -> Counter[str]:
    """How many of the entries hold each word."""
    return Counter(term for job in jobs for term in job.terms)


def _last_mentioned(jobs: Sequence[Job], said: str) -> int | None:
    """The oldest of the jobs ``said`` names best: a list of jobs names each of them whole, and
    "Veterinary Nurse, Ishavet Dyreklinikk" names the Ishavet job better than the Bø one."""
    said_terms = _terms_without_numbers(said)
    shares = [len(job.terms & said_terms) / len(job.terms) if job.terms else 0.0 for job in jobs]
    best = max(shares, default=0.0)
    if best < _MENTIONED_SHARE:
        return None
    return max(i for i, share in enumerate(shares) if share == best)


@dataclass(frozen=True)
class CareerAnswer:
    lead: str  # "Before that:"; empty when the job's own line answers
    jobs: tuple[Job, ...]


# "Before you moved to the Netherlands", "before you went out on your own": a change the newest entry began.
# "Since when?", "How long were you there?", "How long have you been with them?", "When did you join?"
_HOW_LONG_THERE = re.compile(r"^\W*(?:and |so |ok,? )?(?:since when\b|how long (?:have|had|were|did|was)\b.*"
                             r"\b(?:there|them|it|that|this|stay(?:ed)?|last(?:ed)?)\b|"
                             r"when did you (?:start|join|begin|leave)(?: (?:there|that|it|them))?\s*\??\s*$)",
                             re.IGNORECASE)
_CURRENT = re.compile(r"\b(?:current|present|now|joining|set up|started|this|gig|for a living)\b|"
                      r"\bbefore (?:you|going|moving|starting|setting up|becoming)\b", re.IGNORECASE)


# An entry still going on: "(March 2022 - present)", "since 2021", "2019 -".
_ONGOING = re.compile(r"\b(?:present|now|today|current(?:ly)?|ongoing)\b|\bsince\s+(?:\w+\s+)?(?:19|20)\d\d\b|"
                      r"(?:19|20)\d\d\s*[-\u2013\u2014]+\s*(?:[)\]\u00b7|,]|$)", re.IGNORECASE)


def career_answer(question: str, jobs: Sequence[Job], said: str, *, asked: str = "",
                  current: bool = False) -> CareerAnswer | None:
    """The jobs that answer ``question``, or None when their order does not decide it.

    ``said``: the twin's previous answer, for "And before that?": the job after (older than) the
    last one it named. "Before your current job" without one named means before the newest.
    ``asked``: the question with the ones it follows up; when it asks about employers ("before
    your current employer", "before Strata"), a promotion within one employer is skipped.
    ``current``: the question asks what the twin does now, which an ongoing newest entry answers."""
    if len(jobs) < 2:
        return None
    if _FIRST.search(question):
        return CareerAnswer("My first job:", (jobs[-1],))
    if said and _HOW_LONG_THERE.search(question):
        # "Since when?" after "What I do now: Chebucto Sailing School (May 2015 - present)": that entry's dates.
        named = _last_mentioned(jobs, said)
        if named is not None:
            return CareerAnswer("", (jobs[named],))
    if _BEFORE.search(question):
        named = _named_by(jobs, question)
        if named is None:
            named = _last_mentioned(jobs, said) if said else None
        if named is None:
            if not _CURRENT.search(question):
                return None
            named = 0
        following = named + 1
        # "Where were you working before...?" asks for a place of work, which a promotion does not change.
        if (_EMPLOYER.search(asked or question) or _ASKS_WHERE.match(question)
                or _terms_of_names(question) & jobs[named].terms):
            held_by = _entries_holding(jobs)
            while following < len(jobs) and _same_employer(jobs[named], jobs[following], held_by):
                following += 1
        return CareerAnswer("Before that:", (jobs[following],)) if following < len(jobs) else None
    if _HISTORY.search(question):
        return CareerAnswer("Where I've worked, most recent first:", tuple(jobs[:_MAX_LISTED]))
    if current and _ONGOING.search(jobs[0].text):
        # "What pays the bills these days?": the resume's newest entry says it plainly, with its dates.
        return CareerAnswer("What I do now:", (jobs[0],))
    return None
