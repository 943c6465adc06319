"""POST /api/chat/stream: refusals before the stream as JSON, then meta, sources, deltas, usage, done."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import psycopg
import pytest
from starlette.testclient import TestClient

from tests.helpers import count
from tests.support.openai_stub import OpenAIStub
from twin import runtime
from twin.api.local_app import build_local_app
from twin.chat.schemas import parse_chat_request
from twin.config import RateLimit, Settings
from twin.embeddings.hashing import OfflineEmbedder
from twin.ingest.schemas import DocumentInput
from twin.ingest.service import ingest_documents
from twin.storage.db import Database

NOTES = [DocumentInput(id="study.md", title="Study", content="I studied marine biology at the University of "
                       "Bergen from 2012 to 2016, and I rowed for the university team every winter.")]


def events(body: str) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for block in body.split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith(":")]
        if lines:
            name = lines[0].removeprefix("event: ")
            found.append((name, json.loads(lines[1].removeprefix("data: "))))
    return found


@pytest.fixture
def client(db: Database, settings: Settings, twin_id: str) -> Iterator[TestClient]:
    ingest_documents(db=db, settings=settings, twin_id=twin_id, documents=NOTES, embedder=OfflineEmbedder())
    runtime.reset(settings=replace(settings, default_twin=twin_id, embedder="hashing"), database=db)
    with TestClient(build_local_app(), raise_server_exceptions=False) as test_client:
        yield test_client


def test_offline_answer_streams_meta_then_sources_then_deltas_usage_and_done(client: TestClient) -> None:
    response = client.post("/api/chat/stream", json={"message": "Where did you study marine biology?"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    got = events(response.text)
    names = [name for name, _ in got]
    assert names[:2] == ["meta", "sources"]
    assert names[-2:] == ["usage", "done"]
    deltas = [data["text"] for name, data in got if name == "delta"]
    assert len(deltas) > 1
    done = got[-1][1]
    assert "".join(deltas) == done["answer"]
    assert "Bergen" in done["answer"]
    assert done["answered"] is True
    assert got[1][1]["sources"][0]["document_id"] == "study.md"


def test_refusals_come_before_the_stream_as_json_errors(client: TestClient) -> None:
    unknown = client.post("/api/chat/stream", json={"message": "hi", "twin_id": "nobody-here"})
    invalid = client.post("/api/chat/stream", json={"message": 5})
    expired = client.post("/api/chat/stream",
                          json={"message": "and?", "session_id": "00000000-0000-4000-8000-0000000000aa"})

    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "twin_not_found")
    assert (invalid.status_code, invalid.json()["error"]["code"]) == (400, "invalid_message_type")
    assert (expired.status_code, expired.json()["error"]["code"]) == (404, "session_not_found")


def test_rate_limit_is_checked_before_the_stream_starts(db: Database, settings: Settings, twin_id: str) -> None:
    ingest_documents(db=db, settings=settings, twin_id=twin_id, documents=NOTES, embedder=OfflineEmbedder())
    runtime.reset(settings=replace(settings, default_twin=twin_id, embedder="hashing",
                                   chat_rate_limit=RateLimit(1, 60)), database=db)
    # A client address of its own: limits count per address, and other tests use the default one.
    with TestClient(build_local_app(), client=(f"test-{twin_id}", 50000)) as client:
        first = client.post("/api/chat/stream", json={"message": "Where did you study?"})
        second = client.post("/api/chat/stream", json={"message": "Where did you study?"})
    assert first.status_code == 200
    assert second.status_code == 429
    assert second.json()["error"]["code"] == "rate_limited"
    assert int(second.headers["retry-after"]) > 0


def test_a_client_that_leaves_midway_still_has_the_exchange_and_usage_recorded(
        db: Database, settings: Settings, twin_id: str, conn: psycopg.Connection[Any]) -> None:
    ingest_documents(db=db, settings=settings, twin_id=twin_id, documents=NOTES, embedder=OfflineEmbedder())
    runtime.reset(settings=replace(settings, embedder="hashing"), database=db)
    # A question of its own, so its embedding is not cached and costs tokens to record.
    question = f"Where did you study marine biology, {twin_id}?"
    stream = runtime.current().chat_service.stream(parse_chat_request({"message": question}),
                                                   twin_id=twin_id, subject=f"ip:test-{twin_id}")
    seen = [next(stream) for _ in range(3)]  # meta, sources, the first delta
    session_id = seen[0][1]["session_id"]

    stream.close()  # the visitor closed the tab

    assert [name for name, _ in seen] == ["meta", "sources", "delta"]
    saved = conn.execute("SELECT content FROM chat_messages WHERE session_id = %s AND role = 'assistant'",
                         (session_id,)).fetchone()
    assert saved is not None
    assert saved[0].startswith(seen[2][1]["text"])
    assert saved[0].endswith("…")  # marked as cut short
    assert count(conn, "SELECT count(*) FROM rate_limits WHERE key LIKE %s", (f"%test-{twin_id}%",)) == 1


def test_model_answer_streams_through_the_sdk_with_usage(db: Database, settings: Settings, twin_id: str,
                                                         stub: OpenAIStub, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.helpers import openai_settings
    from twin.embeddings.openai_embedder import OpenAIEmbedder

    online = openai_settings(settings, stub.base_url)
    ingest_documents(db=db, settings=online, twin_id=twin_id, documents=NOTES, embedder=OpenAIEmbedder(online))
    stub.answer = "I studied marine biology in Bergen [1], from 2012 to 2016."
    runtime.reset(settings=replace(online, embedder="auto", default_twin=twin_id), database=db)
    with TestClient(build_local_app()) as client:
        response = client.post("/api/chat/stream", json={"message": "Where did you study marine biology?"})

    got = events(response.text)
    deltas = [data["text"] for name, data in got if name == "delta"]
    usage = dict(got)["usage"]
    assert len(deltas) > 3
    assert "".join(deltas) == stub.answer
    assert usage["completion_tokens"] > 0
    assert usage["prompt_tokens"] > 0
    request = stub.calls("/chat/completions")[-1].json
    assert request["stream"] is True
    assert request["stream_options"] == {"include_usage": True}
