"""Chat sessions as their owner sees them: list, read, delete, and the questions the twin could not answer.

Everything is scoped by twin: a session of another twin is "not found", never shown.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from psycopg.rows import class_row

from twin.chat.prompting import Profile, no_context_answer
from twin.errors import InvalidRequest, NotFound
from twin.storage.db import Conn
from twin.storage.sqlfile import query

MAX_LIST = 1000

# The rule for "unanswered", in one place (the CLI's help repeats it): chat_messages has no column
# saying an answer was a decline, so an assistant message counts as one when it cites no sources
# (retrieval found nothing relevant) or is, word for word, the no-context answer.
UNANSWERED_RULE = ("a question counts as unanswered when the twin's reply to it cited no sources, "
                   "or was the no-context answer (\"I don't have anything in my notes about that...\")")


@dataclass(frozen=True)
class SessionSummary:
    """A row of ``chat.list_sessions``."""

    session_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    questions: int
    first_question: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"session_id": str(self.session_id), "started_at": self.created_at.isoformat(),
                "last_activity_at": self.updated_at.isoformat(), "expires_at": self.expires_at.isoformat(),
                "questions": self.questions, "first_question": self.first_question}


@dataclass(frozen=True)
class TranscriptRow:
    """A row of ``chat.session_transcript``; the message columns are NULL for a session with no messages."""

    session_id: uuid.UUID
    started_at: datetime
    updated_at: datetime
    expires_at: datetime
    message_id: int | None
    role: str | None
    content: str | None
    sources: list[dict[str, Any]] | None
    created_at: datetime | None


@dataclass(frozen=True)
class Exchange:
    question: str
    asked_at: datetime
    answer: str | None  # None: the answer was never recorded (cannot happen through the service)
    sources: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return {"question": self.question, "asked_at": self.asked_at.isoformat(), "answer": self.answer,
                "sources": self.sources}


@dataclass(frozen=True)
class Transcript:
    session_id: str
    twin_id: str
    started_at: datetime
    last_activity_at: datetime
    expires_at: datetime
    exchanges: list[Exchange]

    def as_dict(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "twin_id": self.twin_id, "started_at": self.started_at.isoformat(),
                "last_activity_at": self.last_activity_at.isoformat(), "expires_at": self.expires_at.isoformat(),
                "exchanges": [e.as_dict() for e in self.exchanges]}


@dataclass(frozen=True)
class DeletedSession:
    """A row of ``chat.delete_session``."""

    session_id: uuid.UUID
    messages: int


@dataclass(frozen=True)
class UnansweredQuestion:
    """A row of ``chat.unanswered_questions``."""

    question: str
    times_asked: int
    last_asked_at: datetime
    last_session_id: uuid.UUID
    last_answer: str

    def as_dict(self) -> dict[str, Any]:
        body = asdict(self)
        body["last_asked_at"] = self.last_asked_at.isoformat()
        body["last_session_id"] = str(self.last_session_id)
        return body


def parse_session_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError as e:
        raise InvalidRequest(f"{text!r} is not a session id (a UUID, as `twin sessions list` shows)",
                             code="invalid_session_id") from e


def _not_found(session_id: uuid.UUID, twin_id: str) -> NotFound:
    return NotFound(f"twin {twin_id!r} has no session {session_id}", code="session_not_found")


def list_sessions(conn: Conn, *, twin_id: str, limit: int = 20) -> list[SessionSummary]:
    if not 1 <= limit <= MAX_LIST:
        raise InvalidRequest(f"--limit must be between 1 and {MAX_LIST}", code="invalid_limit")
    with conn.cursor(row_factory=class_row(SessionSummary)) as cur:
        return cur.execute(query("chat.list_sessions"), {"twin_id": twin_id, "limit": limit}).fetchall()


def session_transcript(conn: Conn, *, twin_id: str, session_id: uuid.UUID) -> Transcript:
    with conn.cursor(row_factory=class_row(TranscriptRow)) as cur:
        rows = cur.execute(query("chat.session_transcript"),
                           {"twin_id": twin_id, "session_id": session_id}).fetchall()
    if not rows:
        raise _not_found(session_id, twin_id)
    exchanges: list[Exchange] = []
    pending: TranscriptRow | None = None
    for row in rows:
        if row.role == "user":
            if pending is not None:
                exchanges.append(Exchange(str(pending.content), _at(pending), None, []))
            pending = row
        elif row.role == "assistant":
            if pending is None:  # an answer without its question (imported history): show it anyway
                exchanges.append(Exchange("", _at(row), row.content, list(row.sources or [])))
            else:
                exchanges.append(Exchange(str(pending.content), _at(pending), row.content, list(row.sources or [])))
                pending = None
    if pending is not None:
        exchanges.append(Exchange(str(pending.content), _at(pending), None, []))
    first = rows[0]
    return Transcript(str(first.session_id), twin_id, first.started_at, first.updated_at, first.expires_at,
                      exchanges)


def _at(row: TranscriptRow) -> datetime:
    return row.created_at or row.started_at


def delete_session(conn: Conn, *, twin_id: str, session_id: uuid.UUID) -> DeletedSession:
    with conn.transaction(), conn.cursor(row_factory=class_row(DeletedSession)) as cur:
        deleted = cur.execute(query("chat.delete_session"),
                              {"twin_id": twin_id, "session_id": session_id}).fetchone()
    if deleted is None:
        raise _not_found(session_id, twin_id)
    return deleted


_RELATIVE = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str | None, *, now: datetime | None = None) -> datetime | None:
    """``7d``, ``12h``, ``2w``, ``30m`` (before now), or a date / ISO timestamp (a date is its midnight, UTC)."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    now = now or datetime.now(UTC)
    relative = _RELATIVE.match(text.lower())
    if relative:
        return now - timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError as e:
        raise InvalidRequest(f"--since takes 7d, 12h, 2w, 30m or a date like 2026-11-01, not {text!r}",
                             code="invalid_since") from e
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def unanswered_questions(conn: Conn, *, twin_id: str, since: datetime | None = None,
                         limit: int = 100) -> list[UnansweredQuestion]:
    """See UNANSWERED_RULE. The decline text comes from the twin's profile, as the service builds it."""
    from twin.access.twins import get_profile

    if not 1 <= limit <= MAX_LIST:
        raise InvalidRequest(f"--limit must be between 1 and {MAX_LIST}", code="invalid_limit")
    stored = get_profile(conn, twin_id)
    profile = Profile(twin_id=twin_id, display_name=stored.display_name if stored else "",
                      persona=stored.persona if stored else "")
    with conn.cursor(row_factory=class_row(UnansweredQuestion)) as cur:
        return cur.execute(query("chat.unanswered_questions"), {
            "twin_id": twin_id, "since": since, "decline_text": no_context_answer(profile), "limit": limit,
        }).fetchall()
