"""Chat: a visitor's question -> hybrid retrieval -> an answer in the twin's voice, with sources.

Round trips on a cache miss: profile + cached answer (1), session history (1, only with a
session), cached query embedding (1), search (1), then one transaction recording the exchange,
the cached answer and token use. A cache hit skips every model call.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from psycopg.types.json import Jsonb

from twin.access.ratelimit import add_token_usage
from twin.chat import cache
from twin.chat.llm import ChatModel
from twin.chat.prompting import Passage, Profile, build_messages, no_context_answer, retrieval_query
from twin.chat.retrieval import Hit, hybrid_search, validate_filters
from twin.config import Settings
from twin.embeddings.base import Embedder
from twin.errors import EmbedderMismatch, InvalidRequest, NotFound, PayloadTooLarge
from twin.storage.db import Conn, Database
from twin.storage.sqlfile import query
from twin.validation import reject_unknown, require_object, validate_twin_id

logger = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 4000
SNIPPET_CHARS = 240


@dataclass(frozen=True)
class ChatRequest:
    message: str
    session_id: uuid.UUID | None = None
    twin_id: str | None = None
    filters: dict[str, Any] = field(default_factory=dict)


@dataclass
class ChatResponse:
    answer: str
    sources: list[dict[str, Any]]
    session_id: str
    mode: str
    cached: bool
    usage: dict[str, int] | None = None
    retrieval_ms: float | None = None  # for metrics; not part of the API response

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"answer": self.answer, "sources": self.sources, "session_id": self.session_id,
                                "mode": self.mode, "cached": self.cached}
        if self.usage is not None:
            body["usage"] = self.usage
        return body


def parse_chat_request(payload: Any) -> ChatRequest:
    body = require_object(payload)
    reject_unknown(body, {"message", "session_id", "twin_id", "filters"}, "request body")
    message = body.get("message")
    if not isinstance(message, str) or not message.strip():
        raise InvalidRequest("message must be a non-empty string", code="empty_message")
    if len(message) > MAX_MESSAGE_CHARS:
        raise PayloadTooLarge(f"message is {len(message)} characters; the limit is {MAX_MESSAGE_CHARS}",
                              code="message_too_long")
    session_id = None
    raw_session = body.get("session_id")
    if raw_session is not None:
        try:
            session_id = uuid.UUID(str(raw_session))
        except ValueError as e:
            raise InvalidRequest("session_id must be a UUID returned by an earlier chat response",
                                 code="invalid_session_id") from e
    twin_id = body.get("twin_id")
    return ChatRequest(
        message=message.strip(),
        session_id=session_id,
        twin_id=validate_twin_id(twin_id) if twin_id is not None else None,
        filters=validate_filters(body.get("filters")),
    )


def _snippet(text: str) -> str:
    # Skip the heading breadcrumb the chunker puts on the first line.
    body = text.split("\n", 1)[1] if "\n" in text else text
    body = " ".join(body.split())
    return body if len(body) <= SNIPPET_CHARS else body[: SNIPPET_CHARS - 1].rstrip() + "…"


def _passages(hits: Sequence[Hit]) -> list[Passage]:
    return [Passage(number=i, document_id=h.document_id, chunk_id=h.chunk_id, title=h.title, content=h.content,
                    score=h.score, heading_path=tuple(h.metadata.get("heading_path") or ()))
            for i, h in enumerate(hits, start=1)]


def _sources(hits: Sequence[Hit]) -> list[dict[str, Any]]:
    return [{"number": i, "document_id": h.document_id, "title": h.title, "chunk_id": h.chunk_id,
             "score": round(h.score, 6), "snippet": _snippet(h.content)} for i, h in enumerate(hits, start=1)]


@dataclass
class _TwinState:
    profile: Profile
    embedder: str | None
    content_version: int
    cached_answer: dict[str, Any] | None


def _load_twin(conn: Conn, twin_id: str, question_hash: str | None) -> _TwinState:
    row = conn.execute(query("twin_with_cached_answer"),
                       {"twin_id": twin_id, "question_key": question_hash or ""}).fetchone()
    if row is None:
        raise NotFound(f"there is no twin {twin_id!r}; ingest documents for it first", code="twin_not_found")
    cached = json.loads(row[5]) if row[5] and question_hash else None
    return _TwinState(Profile(twin_id=row[0], display_name=row[1] or "", persona=row[2] or ""), row[3], row[4],
                      cached)


def _load_history(conn: Conn, *, twin_id: str, session_id: uuid.UUID, turns: int) -> list[tuple[str, str]]:
    rows = conn.execute(query("session_history"),
                        {"twin_id": twin_id, "session_id": session_id, "limit": turns * 2}).fetchall()
    if not rows:
        raise NotFound("this chat session does not exist or has expired; start a new one without session_id",
                       code="session_not_found")
    return [(str(r[1]), str(r[2])) for r in rows if r[1] is not None]


def _query_embedding(db: Database, settings: Settings, embedder: Embedder, text: str) -> tuple[list[float], int]:
    key = cache.embedding_key(embedder.name, text)
    stored = db.run(lambda conn: cache.get(conn, key))
    if stored is not None:
        return [float(x) for x in json.loads(stored)], 0
    batch = embedder.embed([text])
    vector = batch.vectors[0]
    db.run(lambda conn: cache.put(conn, key, json.dumps(vector), ttl_s=settings.cache_ttl_s))
    return vector, batch.tokens


class ChatService:
    """Answers questions for one configuration (embedder and optional chat model)."""

    def __init__(self, *, db: Database, settings: Settings, embedder: Embedder, model: ChatModel | None) -> None:
        self.db = db
        self.settings = settings
        self.embedder = embedder
        self.model = model

    @property
    def mode(self) -> str:
        return "openai" if self.model is not None else "offline"

    @property
    def model_name(self) -> str:
        return self.settings.chat_model if self.model is not None else "extractive"

    def answer(self, request: ChatRequest, *, twin_id: str, subject: str | None = None) -> ChatResponse:
        # Follow-ups depend on history, so only first turns share cached answers.
        question_hash = None if request.session_id else cache.question_key(
            question=request.message, filters=request.filters, mode=self.mode, model=self.model_name)
        state = self.db.run(lambda conn: _load_twin(conn, twin_id, question_hash))
        history: list[tuple[str, str]] = []
        if request.session_id is not None:
            session_id = request.session_id
            history = self.db.run(lambda conn: _load_history(
                conn, twin_id=twin_id, session_id=session_id, turns=self.settings.history_turns))
        session_id = request.session_id or uuid.uuid4()

        if state.cached_answer is not None:
            response = ChatResponse(answer=state.cached_answer["answer"], sources=state.cached_answer["sources"],
                                    session_id=str(session_id), mode=self.mode, cached=True,
                                    usage={"prompt_tokens": 0, "completion_tokens": 0, "embedding_tokens": 0})
            self._record(response, request, twin_id=twin_id, subject=subject, cache_key=None, tokens=0)
            return response

        if state.embedder is not None and state.embedder != self.embedder.name:
            raise EmbedderMismatch(
                f"twin {twin_id!r} was ingested with {state.embedder} but questions would be embedded with "
                f"{self.embedder.name}; configure the same embedder or run `twin reembed --twin {twin_id}`",
                details={"stored_embedder": state.embedder, "configured_embedder": self.embedder.name})

        search_text = retrieval_query(request.message, history)
        vector, embedding_tokens = _query_embedding(self.db, self.settings, self.embedder, search_text)
        started = time.perf_counter()
        min_similarity = (self.settings.offline_min_relevance if self.embedder.mode == "offline"
                          else self.settings.min_relevance)
        hits = self.db.run(lambda conn: hybrid_search(
            conn, twin_id=twin_id, query_text=search_text, embedding=vector, k=self.settings.search_k,
            filters=request.filters, min_similarity=min_similarity))
        retrieval_ms = (time.perf_counter() - started) * 1000

        prompt_tokens = completion_tokens = 0
        if not hits:
            answer = no_context_answer(state.profile)
        elif self.model is None:
            from twin.chat.offline_answer import extractive_answer

            answer = extractive_answer(question=request.message, passages=_passages(hits), profile=state.profile)
        else:
            completion = self.model.complete(
                messages=build_messages(profile=state.profile, question=request.message, passages=_passages(hits),
                                        history=history),
                max_tokens=self.settings.max_answer_tokens)
            answer = completion.text
            prompt_tokens, completion_tokens = completion.prompt_tokens, completion.completion_tokens

        response = ChatResponse(answer=answer, sources=_sources(hits), session_id=str(session_id), mode=self.mode,
                                cached=False, usage={"prompt_tokens": prompt_tokens,
                                                     "completion_tokens": completion_tokens,
                                                     "embedding_tokens": embedding_tokens},
                                retrieval_ms=retrieval_ms)
        cache_key = cache.answer_key(twin_id, state.content_version, question_hash) if question_hash else None
        self._record(response, request, twin_id=twin_id, subject=subject, cache_key=cache_key,
                     tokens=prompt_tokens + completion_tokens + embedding_tokens)
        logger.info("answered for twin %s in %s mode with %d sources", twin_id, self.mode, len(hits))
        return response

    def _record(self, response: ChatResponse, request: ChatRequest, *, twin_id: str, subject: str | None,
                cache_key: str | None, tokens: int) -> None:
        def write(conn: Conn) -> None:
            with conn.transaction():
                conn.execute(query("record_exchange"), {
                    "session_id": uuid.UUID(response.session_id), "twin_id": twin_id,
                    "ttl_s": self.settings.session_ttl_s, "question": request.message,
                    "answer": response.answer, "sources": Jsonb(response.sources)})
                if cache_key is not None:
                    cache.put(conn, cache_key, json.dumps({"answer": response.answer, "sources": response.sources}),
                              ttl_s=self.settings.cache_ttl_s, twin_id=twin_id)
                if subject is not None:
                    add_token_usage(conn, subject=subject, tokens=tokens)

        self.db.run(write)
