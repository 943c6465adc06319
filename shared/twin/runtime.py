"""The composition root: every process-wide object, built once and lazily, reset in one place.

Lambda handlers, the local server and the CLI all get their settings, database, embedder,
chat model and chat service from here, so there is one wiring of the chat path and one
``reset()`` for tests. Nothing is built at import: a health check never pays for the embedder
or the OpenAI client, and a cold start pays only for what its first request touches.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from twin.config import Settings, load_settings

if TYPE_CHECKING:
    from twin.chat.llm import ChatModel
    from twin.chat.service import ChatService
    from twin.embeddings.base import Embedder
    from twin.storage.db import Database


class Runtime:
    """What one process builds. Attributes are filled on first use, under one lock."""

    def __init__(self, *, settings: Settings | None = None, database: Database | None = None) -> None:
        self._lock = threading.RLock()
        self._settings = settings
        self._database = database
        self._embedder: Embedder | None = None
        self._chat_model: tuple[ChatModel | None] | None = None  # a 1-tuple: None is a valid model (offline)
        self._chat_service: ChatService | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            with self._lock:
                if self._settings is None:
                    self._settings = load_settings()
        return self._settings

    @property
    def database(self) -> Database:
        if self._database is None:
            with self._lock:
                if self._database is None:
                    from twin.storage.db import Database

                    self._database = Database(self.settings)
        return self._database

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    from twin.embeddings.selection import build_embedder

                    self._embedder = build_embedder(self.settings)
        return self._embedder

    @property
    def chat_model(self) -> ChatModel | None:
        """The OpenAI chat model, or ``None`` when no key resolves (offline mode)."""
        if self._chat_model is None:
            with self._lock:
                if self._chat_model is None:
                    from twin.chat.llm import build_chat_model

                    self._chat_model = (build_chat_model(self.settings),)
        return self._chat_model[0]

    @property
    def chat_service(self) -> ChatService:
        if self._chat_service is None:
            with self._lock:
                if self._chat_service is None:
                    from twin.chat.service import ChatService

                    self._chat_service = ChatService(db=self.database, settings=self.settings,
                                                     embedder=self.embedder, model=self.chat_model)
        return self._chat_service

    def close(self) -> None:
        if self._database is not None:
            self._database.close()


_lock = threading.Lock()
_current: Runtime | None = None


def current() -> Runtime:
    global _current
    if _current is None:
        with _lock:
            if _current is None:
                _current = Runtime()
    return _current


def reset(*, settings: Settings | None = None, database: Database | None = None) -> Runtime:
    """Drop everything built so far (closing its connection) and start again, optionally from
    given settings or an open database: tests, the CLI's overrides, a SnapStart restore."""
    global _current
    with _lock:
        old, _current = _current, Runtime(settings=settings, database=database)
    if old is not None and old._database is not None and old._database is not database:
        old.close()
    return _current


def settings() -> Settings:
    return current().settings


def database() -> Database:
    return current().database
