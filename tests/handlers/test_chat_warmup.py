"""The chat function's warm-up thread: it overlaps init, and it never blocks or breaks a health check."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from twin import runtime
from twin.config import Settings
from twin.storage.db import Database


@pytest.fixture
def fresh_warmup(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(runtime, "_warmup_thread", None)
    yield
    runtime.join_warmup(10)
    runtime.reset()


def test_warmup_is_off_with_twin_warmup_0(monkeypatch: pytest.MonkeyPatch, fresh_warmup: None) -> None:
    monkeypatch.setenv("TWIN_WARMUP", "0")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "digital-twin-chat")
    assert runtime.start_warmup() is None


def test_warmup_is_off_unless_asked_even_inside_lambda(monkeypatch: pytest.MonkeyPatch, fresh_warmup: None) -> None:
    monkeypatch.delenv("TWIN_WARMUP", raising=False)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "digital-twin-chat")
    assert not runtime.warmup_enabled()
    assert runtime.start_warmup() is None
    monkeypatch.setenv("TWIN_WARMUP", "1")
    assert runtime.warmup_enabled()


def test_warmup_connects_and_the_next_query_reuses_that_connection(
        migrated_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_warmup: None) -> None:
    monkeypatch.setenv("TWIN_WARMUP", "1")
    settings = replace(Settings(), database_url=migrated_db_url, data_dir=tmp_path, openai_api_key="")
    database = Database(settings, migrated_db_url)
    runtime.reset(settings=settings, database=database)
    thread = runtime.start_warmup()
    assert thread is not None
    assert thread.daemon
    assert runtime.join_warmup(30)
    conn = database._conn
    assert conn is not None
    assert not conn.closed
    assert database.run(lambda c: c.execute("SELECT 1").fetchone()) == (1,)
    assert database._conn is conn
    assert runtime.current()._chat_service is not None  # the chat service was built too


def test_health_answers_while_the_warmup_is_stuck_connecting(
        migrated_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_warmup: None) -> None:
    # GIVEN a warm-up whose connect takes 3 s (a slow or unreachable database)
    from twin.api import chat_routes
    from twin.storage import db as db_module

    monkeypatch.setenv("TWIN_WARMUP", "1")
    settings = replace(Settings(), database_url=migrated_db_url, data_dir=tmp_path, openai_api_key="")
    database = Database(settings, migrated_db_url)
    runtime.reset(settings=settings, database=database)
    connecting = threading.Event()
    real_connect = db_module.connect

    def connect(*args: Any, **kwargs: Any) -> Any:
        if threading.current_thread().name == "twin-warmup":
            connecting.set()
            time.sleep(3)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(db_module, "connect", connect)
    runtime.start_warmup()
    assert connecting.wait(5)
    # WHEN a health check runs while the warm-up is still connecting
    t = time.perf_counter()
    body = chat_routes._health()
    elapsed = time.perf_counter() - t
    # THEN it answers on its own connection without waiting for the warm-up's
    assert body["database"] == "ok"
    assert elapsed < 1.5, elapsed
    assert runtime._warmup_thread is not None
    assert runtime._warmup_thread.is_alive()
    health_conn = database._conn
    # AND when the warm-up's connect finally returns, it keeps the live connection and closes its own
    assert runtime.join_warmup(30)
    assert database._conn is health_conn
    assert database.run(lambda c: c.execute("SELECT 1").fetchone()) == (1,)


def test_a_failing_warmup_is_logged_and_health_still_works(
        migrated_db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_warmup: None,
        caplog: pytest.LogCaptureFixture) -> None:
    from twin.api import chat_routes

    monkeypatch.setenv("TWIN_WARMUP", "1")
    settings = replace(Settings(), database_url=migrated_db_url, data_dir=tmp_path)
    database = Database(settings, migrated_db_url)
    runtime.reset(settings=settings, database=database)

    def broken(self: runtime.Runtime, **_: object) -> dict[str, float]:
        raise RuntimeError("warm-up exploded")

    monkeypatch.setattr(runtime.Runtime, "warm_up", broken)
    with caplog.at_level("WARNING", logger="twin.runtime"):
        runtime.start_warmup()
        assert runtime.join_warmup(5)
    assert any("warm-up failed" in r.getMessage() for r in caplog.records)
    assert chat_routes._health()["database"] == "ok"
