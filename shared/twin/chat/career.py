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
from collections.abc import Sequence
from dataclasses import dataclass

from twin.chat.prompting import Passage
from twin.ingest.chunking import chunk_body
from twin.text.lexical import STOP_WORDS, stem, words

__all__ = ["EXPERIENCE_SECTION", "CareerAnswer", "Job", "asks_about_jobs", "career_answer", "jobs_in"]

# The headings a resume files its jobs under (PostgreSQL's regex dialect and Python's agree on it).
EXPERIENCE_SECTION = (r"^(?:(?:work|working|professional|employment|career|relevant) )?"
                      r"(?:experience|employment|career|jobs|positions)(?: history)?$|^work history$")
_SECTION = re.compile(EXPERIENCE_SECTION, re.IGNORECASE)
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b|\bpresent\b", re.IGNORECASE)
_MARKUP = re.compile(r"\*\*|__|[*_`]")
_ENTRY_LINE_CHARS = 200
_DATES_LINE_CHARS = 120
_MAX_LISTED = 5
_MENTIONED_SHARE = 0.6

# "before your current job", "before that", "prior to joining": the job before one already named.
_BEFORE = re.compile(r"\b(?:before|prior to|previous(?:ly)?|preceding)\b", re.IGNORECASE)
# "your (very) first job (after university)": the oldest entry. A qualified first ("first job as a
# developer") may be a later entry, so only the plain question is answered from the order.
_FIRST = re.compile(r"\b(?:very )?first (?:real |proper |full[- ]time )?(?:job|role|position|employer)"
                    r"(?: (?:after|out of) (?:university|uni|college|school|graduating|graduation|your degree))?"
                    r"\s*\??\s*$", re.IGNORECASE)
_HISTORY = re.compile(r"\bwhere (?:else )?(?:have|had|did) you (?:work|worked|been employed)\b|"
                      r"\b(?:work|employment|job) history\b|"
                      r"\b(?:previous|past|former|other) (?:jobs|employers|roles)\b|"
                      r"\bcompanies (?:have )?you(?:'ve)? worked\b", re.IGNORECASE)


@dataclass(frozen=True)
class Job:
    passage: Passage  # where the entry is written, for the citation
    text: str  # "KestrelDB — Developer Relations Lead, EMEA & Africa (March 2022 - present · Remote)"
    terms: frozenset[str]  # the words that name it, to tell whether an answer already mentioned it


def _terms(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(text) if w not in STOP_WORDS and not w.isdigit())


def _plain(line: str) -> str:
    return " ".join(_MARKUP.sub("", line).split()).strip(" -")


def _job(passage: Passage, title: str, dates: str = "") -> Job:
    title, dates = _plain(title), _plain(dates).strip("()")
    return Job(passage, f"{title} ({dates})" if dates else title, _terms(title))


def _section_at(path: Sequence[str]) -> int | None:
    return next((i for i, heading in enumerate(path) if _SECTION.match(heading.strip())), None)


def _jobs_of(passage: Passage) -> list[Job]:
    path = passage.heading_path
    at = _section_at(path)
    if at is None:
        return []
    lines = [line.strip() for line in chunk_body(passage.content, path).split("\n") if line.strip()]
    if len(path) > at + 1:  # one job per sub-section: its heading, and the dates line under it
        first = lines[0] if lines else ""
        dated = (_YEAR.search(first) and len(first) <= _DATES_LINE_CHARS
                 and not first.startswith(("- ", "* ", "\u2022")))  # a dates line, not the first bullet
        return [_job(passage, path[at + 1], first if dated else "")]
    # Jobs as lines of the section itself: "**Data Engineer — Panier Frais**, Montréal *(2019 - 2022)*".
    return [_job(passage, line) for line in lines
            if line.startswith("**") and _YEAR.search(line) and len(line) <= _ENTRY_LINE_CHARS]


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
    # Two resumes (a Markdown one and its PDF) tell the same story: the fuller one tells it.
    return max(by_document.values(), key=len, default=[])


_ABOUT_WORK = re.compile(r"\b(?:work|worked|working|job|jobs|employer|employers|employed|company|companies|"
                         r"role|roles|position|career)\b", re.IGNORECASE)


def asks_about_jobs(question: str, search_text: str) -> bool:
    """Whether the order of the twin's jobs may answer ``question``; ``search_text`` is the question
    with the ones it follows up ("Where did you work before Acme?" / "And before that?")."""
    return (bool(_BEFORE.search(question) or _FIRST.search(question) or _HISTORY.search(question))
            and bool(_ABOUT_WORK.search(search_text)))


def _last_mentioned(jobs: Sequence[Job], said: str) -> int | None:
    said_terms = _terms(said)
    mentioned = [i for i, job in enumerate(jobs)
                 if job.terms and len(job.terms & said_terms) >= _MENTIONED_SHARE * len(job.terms)]
    return max(mentioned) if mentioned else None


@dataclass(frozen=True)
class CareerAnswer:
    lead: str  # "Before that:"
    jobs: tuple[Job, ...]


_CURRENT = re.compile(r"\b(?:current|present|now|joining|set up|started|this)\b", re.IGNORECASE)


def career_answer(question: str, jobs: Sequence[Job], said: str) -> CareerAnswer | None:
    """The jobs that answer ``question``, or None when their order does not decide it.

    ``said``: the twin's previous answer, for "And before that?": the job after (older than) the
    last one it named. "Before your current job" without one named means before the newest."""
    if len(jobs) < 2:
        return None
    if _FIRST.search(question):
        return CareerAnswer("My first job:", (jobs[-1],))
    if _BEFORE.search(question):
        named = _last_mentioned(jobs, said) if said else None
        if named is None:
            if not _CURRENT.search(question):
                return None
            named = 0
        return CareerAnswer("Before that:", (jobs[named + 1],)) if named + 1 < len(jobs) else None
    if _HISTORY.search(question):
        return CareerAnswer("Where I've worked, most recent first:", tuple(jobs[:_MAX_LISTED]))
    return None
