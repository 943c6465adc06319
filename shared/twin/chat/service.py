"""Chat: a visitor's question -> hybrid retrieval -> an answer in the twin's voice, with sources.

Round trips on a cache miss: profile + cached answer (1), session history (1, only with a
session), cached query embedding (1), search (1), then one transaction recording the exchange,
the cached answer and token use. A cache hit skips every model call.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from twin.access.ratelimit import add_token_usage
from twin.chat import cache
from twin.chat.followup import retrieval_query
from twin.chat.intents import INTRODUCTION_QUERY, Intent, TopicReading, intent_of, read_topics
from twin.chat.llm import ChatModel
from twin.chat.prompting import Passage, Profile, build_messages, no_context_answer
from twin.chat.referents import resolve_referents
from twin.chat.retrieval import Hit, document_openings, experience_chunks, hybrid_search, ranks_exactly
from twin.chat.schemas import ChatRequest
from twin.config import Settings
from twin.embeddings.base import Embedder, Padded, estimate_tokens, is_semantic
from twin.embeddings.memo import MemoisedEmbedding
from twin.errors import EmbedderMismatch, NotFound
from twin.ingest.chunking import chunk_body
from twin.storage.db import Conn, Database
from twin.storage.sqlfile import query

if TYPE_CHECKING:
    from twin.chat.offline import OfflineAnswer

logger = logging.getLogger(__name__)

SNIPPET_CHARS = 240
# A resume's experience section rarely spans more chunks than this (twin.chat.offline.career).
_RESUME_CHUNKS = 40
# Part of every offline cache key: a new answerer must not serve answers the old one cached.
OFFLINE_ANSWERER = "extractive-v19"


@dataclass
class ChatResponse:
    answer: str
    sources: list[dict[str, Any]]
    session_id: str
    mode: str
    cached: bool
    usage: dict[str, int] | None = None
    answered: bool = True  # False: the notes held nothing relevant
    retrieval_ms: float | None = None  # for metrics; not part of the API response

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"answer": self.answer, "sources": self.sources, "session_id": self.session_id,
                                "mode": self.mode, "cached": self.cached, "answered": self.answered}
        if self.usage is not None:
            body["usage"] = self.usage
        return body


def _snippet(hit: Hit) -> str:
    body = " ".join(chunk_body(hit.content, hit.metadata.get("heading_path") or ()).split())
    return body if len(body) <= SNIPPET_CHARS else body[: SNIPPET_CHARS - 1].rstrip() + "…"


def _followed_by(hits: list[Hit], more: Sequence[Hit]) -> list[Hit]:
    """``hits`` and, numbered after them, the chunks of ``more`` they do not already hold."""
    seen = {h.chunk_id for h in hits}
    return hits + [h for h in more if h.chunk_id not in seen]


def _passages(hits: Sequence[Hit]) -> list[Passage]:
    return [Passage(number=i, document_id=h.document_id, chunk_id=h.chunk_id, title=h.title, content=h.content,
                    score=h.score, heading_path=tuple(h.metadata.get("heading_path") or ()), similarity=h.similarity)
            for i, h in enumerate(hits, start=1)]


def _sources(hits: Sequence[Hit]) -> list[dict[str, Any]]:
    return [{"number": i, "document_id": h.document_id, "title": h.title, "chunk_id": h.chunk_id,
             "score": round(h.score, 6),
             "similarity": round(h.similarity, 4) if h.similarity is not None else None,
             "snippet": _snippet(h)} for i, h in enumerate(hits, start=1)]


@dataclass
class _TwinState:
    profile: Profile
    embedder: str | None
    content_version: int
    chunk_count: int
    cached_answer: dict[str, Any] | None


@dataclass(frozen=True)
class TwinWithCachedAnswer:
    """A row of ``chat.twin_with_cached_answer``."""

    twin_id: str
    display_name: str | None
    persona: str | None
    embedder: str | None
    content_version: int
    chunk_count: int
    cached_answer: str | None


@dataclass(frozen=True)
class SessionMessage:
    """A row of ``chat.session_history``; role and content are NULL for a live session with no messages yet."""

    session_id: uuid.UUID
    role: str | None
    content: str | None


def _load_twin(conn: Conn, twin_id: str, question_hash: str | None) -> _TwinState:
    with conn.cursor(row_factory=class_row(TwinWithCachedAnswer)) as cur:
        twin = cur.execute(query("chat.twin_with_cached_answer"),
                           {"twin_id": twin_id, "question_key": question_hash or ""}).fetchone()
    if twin is None:
        raise NotFound(f"there is no twin {twin_id!r}; ingest documents for it first", code="twin_not_found")
    cached = json.loads(twin.cached_answer) if twin.cached_answer and question_hash else None
    profile = Profile(twin_id=twin.twin_id, display_name=twin.display_name or "", persona=twin.persona or "")
    return _TwinState(profile, twin.embedder, twin.content_version, twin.chunk_count, cached)


def _load_history(conn: Conn, *, twin_id: str, session_id: uuid.UUID, turns: int) -> list[tuple[str, str]]:
    with conn.cursor(row_factory=class_row(SessionMessage)) as cur:
        messages = cur.execute(query("chat.session_history"),
                               {"twin_id": twin_id, "session_id": session_id, "limit": turns * 2}).fetchall()
    if not messages:
        raise NotFound("this chat session does not exist or has expired; start a new one without session_id",
                       code="session_not_found")
    return [(m.role, str(m.content)) for m in messages if m.role is not None]


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
        self._sentence_vectors: MemoisedEmbedding | None = None

    @property
    def mode(self) -> str:
        return "openai" if self.model is not None else "offline"

    @property
    def model_name(self) -> str:
        return self.settings.chat_model if self.model is not None else OFFLINE_ANSWERER

    def answer(self, request: ChatRequest, *, twin_id: str, subject: str | None = None,
               use_cache: bool = True) -> ChatResponse:
        """The whole answer at once (POST /api/chat, `twin ask`): the stream, collected."""
        meta: dict[str, Any] = {}
        sources: list[dict[str, Any]] = []
        usage: dict[str, int] | None = None
        done: dict[str, Any] = {}
        for event, data in self.stream(request, twin_id=twin_id, subject=subject, use_cache=use_cache):
            if event == "meta":
                meta = data
            elif event == "sources":
                sources = data["sources"]
            elif event == "usage":
                usage = data
            elif event == "done":
                done = data
        return ChatResponse(answer=done["answer"], sources=sources, session_id=meta["session_id"],
                            mode=meta["mode"], cached=meta["cached"], usage=usage, answered=done["answered"],
                            retrieval_ms=done.get("retrieval_ms"))

    def stream(self, request: ChatRequest, *, twin_id: str, subject: str | None = None,
               use_cache: bool = True) -> Iterator[ChatEvent]:
        """The answer as events: ``meta``, ``sources``, ``delta``..., ``usage``, ``done``.

        Every refusal (unknown twin or session, embedder mismatch) is raised before ``meta``, so an
        HTTP edge can still answer it with a status. The exchange and its token use are recorded
        when the stream ends, and also when the consumer stops early (the ``finally``): a visitor
        who closes the tab has still spent what the model produced so far.
        """
        # Follow-ups depend on history, so only first turns share cached answers.
        question_hash = None if request.session_id or not use_cache else cache.question_key(
            question=request.message, filters=request.filters, mode=self.mode, model=self.model_name)
        state = self.db.run(lambda conn: _load_twin(conn, twin_id, question_hash))
        history: list[tuple[str, str]] = []
        if request.session_id is not None:
            known_session = request.session_id
            history = self.db.run(lambda conn: _load_history(
                conn, twin_id=twin_id, session_id=known_session, turns=self.settings.history_turns))
        session_id = str(request.session_id or uuid.uuid4())
        cached = state.cached_answer
        if cached is None and state.embedder is not None and state.embedder != self.embedder.name:
            raise EmbedderMismatch(
                f"twin {twin_id!r} was ingested with {state.embedder} but questions would be embedded with "
                f"{self.embedder.name}; configure the same embedder or run `twin reembed --twin {twin_id}`",
                details={"stored_embedder": state.embedder, "configured_embedder": self.embedder.name})

        turn = _Turn()
        try:
            yield "meta", {"session_id": session_id, "mode": self.mode, "cached": cached is not None}
            if cached is not None:
                turn.sources = cached["sources"]
                yield "sources", {"sources": turn.sources}
                for piece in text_pieces(cached["answer"]):
                    turn.parts.append(piece)
                    yield "delta", {"text": piece}
                turn.answered = bool(cached.get("answered", True))
            else:
                yield from self._fresh_answer(request, state, history, twin_id, turn)
            turn.complete = True
            yield "usage", turn.usage()
            yield "done", {"answer": turn.text, "answered": turn.answered, "retrieval_ms": turn.retrieval_ms}
        finally:
            cache_key = (cache.answer_key(twin_id, state.content_version, question_hash)
                         if question_hash and cached is None and turn.complete else None)
            self._record(turn, request, session_id=session_id, twin_id=twin_id, subject=subject,
                         cache_key=cache_key)

    def _fresh_answer(self, request: ChatRequest, state: _TwinState, history: list[tuple[str, str]],
                      twin_id: str, turn: _Turn) -> Iterator[ChatEvent]:
        intent = intent_of(request.message)
        # "What does he do?" after "Are you married?" is searched and answered as "What does he (Mehdi) do?".
        question = resolve_referents(request.message, history, state.profile.display_name)
        # "Who are you?" shares no word with any document: search with how people introduce themselves.
        # A follow-up whose "he" or "she" is now named stands on its own: the question before it
        # ("Are you married?") would pull back the sentences that answered that one.
        resolved = question != request.message
        search_text = INTRODUCTION_QUERY if intent else question if resolved else retrieval_query(question, history)
        reading = read_topics(search_text)
        # How answers to the question's topics are worded helps a semantic embedder find them; it
        # would only dilute a word-matching one. The full-text side gets the topics' marker words.
        # A topic's wording is the twin's ("I work as..."): not how "What does he (Riaan) do?" is answered.
        meaning = reading.meaning if is_semantic(self.embedder) and not resolved else search_text
        vector, turn.embedding_tokens = _query_embedding(self.db, self.settings, self.embedder, meaning)
        started = time.perf_counter()
        min_similarity = 0.0 if intent else (self.settings.offline_min_relevance if self.embedder.mode == "offline"
                                             else self.settings.min_relevance)
        # An extractive answer picks sentences, so it reads more chunks than a model's prompt holds.
        k = self.settings.search_k if self.model else max(self.settings.search_k, self.settings.offline_search_k)
        hits = self.db.run(lambda conn: hybrid_search(
            conn, twin_id=twin_id, query_text=search_text, embedding=vector, k=k,
            filters=request.filters, min_similarity=min_similarity, chunk_count=state.chunk_count,
            related_text="" if intent else reading.markers, cue_text="" if intent else reading.cues))
        if intent and not request.filters:
            hits = self._with_openings(hits, twin_id, vector)
        resume: list[str] = []  # the experience section's chunk ids, in the order of the jobs
        # The experience section is found by reading every chunk's headings: at personal scale, where
        # the twin is ranked exactly, that is a few milliseconds; beyond it the ordinary answer stands.
        if self.model is None and not intent and not request.filters and ranks_exactly(state.chunk_count):
            from twin.chat.offline import asks_about_jobs

            if asks_about_jobs(question, search_text, current=reading.asks("work")):
                hits, resume = self._with_resume(hits, twin_id)
        turn.retrieval_ms = (time.perf_counter() - started) * 1000
        sources = _sources(hits)
        turn.sources = sources[: self.settings.search_k]

        if not hits and not intent:
            turn.answered = False
            pieces: Iterator[str] = text_pieces(no_context_answer(state.profile))
        elif self.model is None:
            # Decided before the sources go out: a declined answer cites nothing.
            said = next((content for role, content in reversed(history) if role == "assistant"), "")
            offline = self._offline_answer(question, search_text, intent, reading, hits, state.profile,
                                           vector, said, resume)
            turn.answered = offline.answered
            # The top search_k as with a model, and whichever further chunk the answer quotes.
            turn.sources = [source for source in sources if offline.answered and (
                source["number"] <= self.settings.search_k or source["number"] in offline.cited)]
            pieces = text_pieces(offline.text)
        else:
            messages = build_messages(profile=state.profile, question=request.message, passages=_passages(hits),
                                      history=history)
            turn.prompt_tokens = sum(estimate_tokens(m["content"]) for m in messages)  # until the model says
            pieces = self._model_pieces(messages, turn)
        yield "sources", {"sources": turn.sources}
        for piece in pieces:
            turn.parts.append(piece)
            yield "delta", {"text": piece}
        logger.info("answered for twin %s in %s mode with %d sources", twin_id, self.mode, len(turn.sources))

    def _with_resume(self, hits: list[Hit], twin_id: str) -> tuple[list[Hit], list[str]]:
        """The hits and, after them, the resume's experience chunks they leave out; and those chunks' ids."""
        from twin.chat.offline import EXPERIENCE_SECTION

        experience = self.db.run(lambda conn: experience_chunks(conn, twin_id=twin_id, section=EXPERIENCE_SECTION,
                                                                k=_RESUME_CHUNKS))
        return _followed_by(hits, experience), [e.chunk_id for e in experience]

    def _with_openings(self, hits: list[Hit], twin_id: str, vector: list[float]) -> list[Hit]:
        """An introduction's hits and, after them, the openings of documents they leave out."""
        openings = self.db.run(lambda conn: document_openings(conn, twin_id=twin_id, embedding=vector,
                                                              k=self.settings.offline_search_k))
        return _followed_by(hits, openings)

    def _offline_answer(self, question: str, search_text: str, intent: Intent | None, reading: TopicReading,
                        hits: Sequence[Hit], profile: Profile, vector: list[float], said: str,
                        resume: Sequence[str] = ()) -> OfflineAnswer:
        from twin.chat.offline import extractive_answer, introduce, jobs_in

        semantic = is_semantic(self.embedder)
        # Sentences in the model's own size: the padding zeros would only lengthen every dot product.
        model = self.embedder.inner if isinstance(self.embedder, Padded) else self.embedder
        if semantic and self._sentence_vectors is None:
            self._sentence_vectors = MemoisedEmbedding(model)
        embed = self._sentence_vectors if semantic else None
        query_vector = vector[:model.dim] if semantic else None
        if intent is not None:
            return introduce(intent=intent, passages=_passages(hits), profile=profile, query_vector=query_vector,
                             embed=embed)
        # The search went by what a topic question means ("married?" with "my husband, my wife"); a
        # sentence may still be closer to the question as asked, so it is scored against both.
        asked = [reading.english] if embed is not None and reading.english != reading.meaning else []
        question_vectors = embed(asked) if embed is not None and asked else []
        passages = _passages(hits)
        by_chunk = {p.chunk_id: p for p in passages}
        jobs = jobs_in([by_chunk[chunk_id] for chunk_id in resume if chunk_id in by_chunk])
        return extractive_answer(question=question, search_text=search_text, passages=passages,
                                 profile=profile, query_vector=query_vector, embed=embed,
                                 topics=reading, question_vectors=question_vectors, said=said, jobs=jobs)

    def _model_pieces(self, messages: list[dict[str, str]], turn: _Turn) -> Iterator[str]:
        assert self.model is not None
        for item in self.model.stream(messages=messages, max_tokens=self.settings.max_answer_tokens):
            if isinstance(item, str):
                yield item
            else:
                turn.prompt_tokens, turn.completion_tokens = item.prompt_tokens, item.completion_tokens
                turn.counted_by_model = True

    def _record(self, turn: _Turn, request: ChatRequest, *, session_id: str, twin_id: str, subject: str | None,
                cache_key: str | None) -> None:
        if not turn.complete and not turn.parts:
            # Stopped before any text: nothing to show in the session, but the embedding was spent.
            if subject is not None and turn.embedding_tokens:
                self.db.run(lambda conn: add_token_usage(conn, subject=subject, tokens=turn.embedding_tokens))
            return
        usage = turn.usage()
        tokens = sum(usage.values())
        answer = turn.text if turn.complete else turn.text + " …"

        def write(conn: Conn) -> None:
            with conn.transaction():
                conn.execute(query("chat.record_exchange"), {
                    "session_id": uuid.UUID(session_id), "twin_id": twin_id,
                    "ttl_s": self.settings.session_ttl_s, "question": request.message,
                    "answer": answer, "sources": Jsonb(turn.sources)})
                if cache_key is not None:
                    cache.put(conn, cache_key, json.dumps({"answer": turn.text, "sources": turn.sources,
                                                           "answered": turn.answered}),
                              ttl_s=self.settings.cache_ttl_s, twin_id=twin_id)
                if subject is not None:
                    add_token_usage(conn, subject=subject, tokens=tokens)

        self.db.run(write)


ChatEvent = tuple[str, dict[str, Any]]


@dataclass
class _Turn:
    """What one answer has produced so far (the stream's state, recorded at its end)."""

    parts: list[str] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    answered: bool = True
    complete: bool = False
    retrieval_ms: float | None = None
    embedding_tokens: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    counted_by_model: bool = False

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def usage(self) -> dict[str, int]:
        completion = self.completion_tokens
        if self.prompt_tokens and not self.counted_by_model:
            completion = estimate_tokens(self.text)  # cut short: the model's own count never arrived
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": completion,
                "embedding_tokens": self.embedding_tokens}


_PIECE = re.compile(r"\S+\s*")


def text_pieces(text: str, words: int = 3) -> Iterator[str]:
    """A finished text as stream deltas of a few words each (offline answers and cache hits
    stream through the same protocol as model answers)."""
    tokens = _PIECE.findall(text)
    if text[: len(text) - len(text.lstrip())]:
        tokens.insert(0, text[: len(text) - len(text.lstrip())])
    for i in range(0, len(tokens), words):
        yield "".join(tokens[i : i + words])
