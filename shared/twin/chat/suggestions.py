"""Suggested first questions for the page: ones this twin's notes can answer.

Generic questions ("What do you do for fun?") lead a visitor straight into "nothing in my notes"
when the notes word it otherwise; the twin's own section headings ("Outside work", "Education")
are topics its notes certainly cover, and retrieval ranks a section by its heading.
"""

from __future__ import annotations

from psycopg.rows import scalar_row

from twin.storage.db import Conn
from twin.storage.sqlfile import query

ALWAYS = ("Who are you?",)
_TOPICS = 3
_SKIP = frozenset({"about", "about me", "summary", "contact", "faq", "notes", "misc", "other", "links"})


def suggested_questions(conn: Conn, twin_id: str) -> list[str]:
    with conn.cursor(row_factory=scalar_row) as cur:
        headings = [str(h) for h in cur.execute(query("chat.section_headings"),
                                                {"twin_id": twin_id, "limit": _TOPICS * 3}).fetchall()]
    topics: list[str] = []
    for heading in headings:
        text = heading.strip().rstrip("?:.")
        # "Backend Engineer, Kiteline (2014 - 2017)" names a job, not a topic a visitor would ask about.
        if any(c.isdigit() or c in ",()|/" for c in text):
            continue
        if text.casefold() in _SKIP or text.casefold() in (t.casefold() for t in topics):
            continue
        topics.append(text)
        if len(topics) == _TOPICS:
            break
    # A heading that is already a question ("What are you looking for?") is asked as it is.
    return [*ALWAYS, *(t + "?" if heading_is_question(t) else f"Tell me about {_lower_first(t)}" for t in topics)]


def heading_is_question(text: str) -> bool:
    return text.split(" ", 1)[0].casefold() in _QUESTION_WORDS


_QUESTION_WORDS = frozenset({"what", "where", "who", "why", "how", "when", "which", "do", "does", "did", "are", "is",
                             "can", "could", "would", "will", "have", "has"})


def _lower_first(text: str) -> str:
    # "Outside work" -> "outside work", but "PostgreSQL" and "Lisbon" keep their capitals.
    first = text.split(" ", 1)[0]
    return text if (first.isupper() or first[1:].lower() != first[1:]) else text[:1].lower() + text[1:]
