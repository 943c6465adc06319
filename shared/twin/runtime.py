"""The composition root: every process-wide object, built once and lazily, reset in one place.

Lambda handlers, the local server and the CLI all get their settings, database, embedder,
chat model and chat service from here, so there is one wiring of the chat path and one
``reset()`` for tests. Nothing is built at import: a health check never pays for the embedder
or the OpenAI client, and a cold start pays only for what its first request touches.
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from typing import TYPE_CHECKING

from twin.config import Settings, load_settings

if TYPE_CHECKING:
    from twin.chat.llm import ChatModel
    from twin.chat.service import ChatService
    from twin.embeddings.base import Embedder
    from twin.storage.db import Database

logger = logging.getLogger(__name__)

# Modules a first chat answer needs beyond what importing the handler loads.
CHAT_MODULES = ("twin.chat.service", "twin.chat.retrieval", "twin.chat.prompting", "twin.chat.followup",
                "twin.chat.cache", "twin.access.ratelimit", "twin.embeddings.selection", "twin.storage.sqlfile")
# How long the warm-up waits for the connection holder to take the connection it opened; past
# that a request is using its own and the warm-up's is closed.
ADOPT_TIMEOUT_S = 0.05


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

    def warm_up(self, *, connect: bool = True, openai: bool = False) -> dict[str, float]:
        """Prepay what the first chat answer needs: the database connection and the chat modules.

        Runs on the warm-up thread (``start_warmup``) or in a SnapStart before-snapshot hook. The
        connection is opened with no lock held and handed to the connection holder only if it has
        none yet, so a health check arriving meanwhile connects (or queries) on its own instead of
        waiting behind this one. Returns the milliseconds each step took (for logs and the bench).
        """
        steps: dict[str, float] = {}
        t = time.perf_counter()
        database = self.database
        settings = self.settings
        # Never start the embedded server from a background thread: only a configured database.
        if connect and (database.conninfo or settings.database_url or settings.database_secret_arn):
            from twin.storage.db import connect as open_connection
            from twin.storage.db import resolve_conninfo

            conninfo = database.conninfo or resolve_conninfo(settings)
            database.adopt(open_connection(settings, conninfo), conninfo, timeout_s=ADOPT_TIMEOUT_S)
            steps["connect_ms"] = (time.perf_counter() - t) * 1e3
            t = time.perf_counter()
        import importlib

        for name in CHAT_MODULES:
            importlib.import_module(name)
        steps["chat_modules_ms"] = (time.perf_counter() - t) * 1e3
        t = time.perf_counter()
        self.chat_service  # noqa: B018 - builds the embedder and the (lazy) model client
        steps["chat_service_ms"] = (time.perf_counter() - t) * 1e3
        if openai and settings.uses_openai:
            t = time.perf_counter()
            import openai as _openai  # noqa: F401

            steps["openai_import_ms"] = (time.perf_counter() - t) * 1e3
        return steps


def finish_init() -> None:
    """The end of a function's init, which began with ``gc.disable()``.

    Importing the stack creates about 100,000 tracked objects that live as long as the process;
    with the collector on, init paid for full collections that freed almost nothing (bench/
    coldstart.py: the first chat ran one more full collection than the naive import, ~80 ms, while
    openai was imported lazily). Freezing moves everything init made into the permanent
    generation, so later collections, the first request's included, only walk what requests
    create. Nothing frozen is ever freed, which costs nothing in a process that lives for its
    invocations."""
    gc.freeze()
    gc.enable()


_warmup_lock = threading.Lock()
_warmup_thread: threading.Thread | None = None


def warmup_enabled() -> bool:
    """``TWIN_WARMUP=1`` turns it on; off by default. In four paired bench/coldstart.py sessions it
    showed no measurable gain (first chat: median 1.455x the naive import with it, 1.400x without;
    a cached answer 0.754x against 0.739x; one session went the other way): its imports hold the GIL
    the request's own imports need, and the connect it overlaps takes a few milliseconds locally.
    Against a distant database (TLS and auth to RDS) overlapping the connect may pay; measure there
    before turning it on."""
    value = os.environ.get("TWIN_WARMUP", "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


def start_warmup(*, openai: bool = False) -> threading.Thread | None:
    """Start ``current().warm_up()`` on a daemon thread, once per process; ``None`` when skipped.

    Skipped unless ``TWIN_WARMUP=1`` (``warmup_enabled``). During a SnapStart
    init (``AWS_LAMBDA_INITIALIZATION_TYPE`` is ``snap-start``) nothing connects: the before-snapshot
    hook imports synchronously instead and a connection would only be closed before the snapshot.
    The thread swallows and logs its own errors: the request that needs the database reports a
    failure itself.
    """
    global _warmup_thread
    if not warmup_enabled():
        return None
    connect = os.environ.get("AWS_LAMBDA_INITIALIZATION_TYPE") != "snap-start"
    with _warmup_lock:
        if _warmup_thread is not None:
            return _warmup_thread
        rt = current()

        def run() -> None:
            try:
                steps = rt.warm_up(connect=connect, openai=openai)
                logger.debug("warm-up done", extra={"steps_ms": {k: round(v, 1) for k, v in steps.items()}})
            except Exception as e:  # noqa: BLE001 - never let the warm-up fail a request
                logger.warning("warm-up failed; the first request will do the work itself",
                               extra={"error": f"{type(e).__name__}: {e}"})

        _warmup_thread = threading.Thread(target=run, name="twin-warmup", daemon=True)
        _warmup_thread.start()
        return _warmup_thread


def join_warmup(timeout: float | None = None) -> bool:
    """Wait for the warm-up thread (a before-snapshot hook must not race it); True when done."""
    thread = _warmup_thread
    if thread is None:
        return True
    thread.join(timeout)
    return not thread.is_alive()


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
