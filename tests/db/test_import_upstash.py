"""`twin import upstash`: the real upstash-vector and upstash-redis SDK clients against a local
server speaking their REST APIs (tests/support/upstash_stub.py), a real PostgreSQL underneath."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import psycopg
import pytest

from tests.helpers import count, openai_settings
from tests.support.openai_stub import OpenAIStub
from tests.support.upstash_stub import REDIS, VECTOR, UpstashStub
from twin import runtime
from twin.config import Settings
from twin.embeddings.base import Embedder
from twin.embeddings.hashing import OfflineEmbedder
from twin.embeddings.openai_embedder import OpenAIEmbedder
from twin.errors import ConfigurationError, EmbedderMismatch, UpstreamError
from twin.importers.upstash.redis_keys import session_id_for
from twin.importers.upstash.service import (
    ImportOptions,
    ImportReport,
    RetryPolicy,
    UpstashCredentials,
    import_from_upstash,
)
from twin.storage.db import Database

FAST = RetryPolicy(attempts=4, base_s=0.001, max_s=0.01, timeout_s=5.0)
OFFLINE = OfflineEmbedder()

TEXTS = {
    "edu-1": "Maya studied computer science at the University of Edinburgh.",
    "job-1": "At Tidewater Analytics Maya built streaming data pipelines in Rust.",
    "job-2": "Maya led the migration of the billing service to PostgreSQL.",
    "hobby-1": "On weekends Maya sails small dinghies on the Firth of Forth.",
    "talk-1": "Maya spoke about vector search at PyCon UK.",
}
CHAT = [("user", "Where did you study?"), ("assistant", "At the University of Edinburgh."),
        ("user", "What did you study?"), ("assistant", "Computer science.")]


@pytest.fixture
def stub() -> Iterator[UpstashStub]:
    with UpstashStub() as server:
        yield server


@pytest.fixture
def openai() -> Iterator[OpenAIStub]:
    with OpenAIStub() as server:
        yield server


def credentials(stub: UpstashStub, **overrides: str) -> UpstashCredentials:
    return replace(UpstashCredentials(vector_url=stub.vector_url, vector_token=stub.vector_token,
                                      redis_url=stub.redis_url, redis_token=stub.redis_token), **overrides)


def run_import(db: Database, settings: Settings, embedder: Embedder, stub: UpstashStub, twin_id: str,
               **options: Any) -> ImportReport:
    creds = options.pop("creds", None) or credentials(stub)
    return import_from_upstash(db=db, settings=settings, embedder=embedder, credentials=creds,
                               options=ImportOptions(twin_id=twin_id, retry=FAST, **options))


def seed_vectors(stub: UpstashStub, *, dim: int = 1536) -> None:
    """Five texts, as the old app stored them: text in `data` or in metadata["text"], plus one
    vector without any text. 1536-d vectors are what text-embedding-3-small would have made
    (the offline embedder stands in for it); other sizes are arbitrary."""
    for i, (vid, text) in enumerate(TEXTS.items()):
        vector = OFFLINE.embed_one(text) if dim == 1536 else [((i + j) % 7) / 7.0 for j in range(dim)]
        meta: dict[str, Any] = {"title": vid.split("-")[0].title(), "source": f"{vid}.md", "tags": ["profile"]}
        if vid.startswith("job"):
            stub.add_vector(vid, vector=vector, metadata={**meta, "text": text})  # text in metadata
        else:
            stub.add_vector(vid, vector=vector, metadata=meta, data=text)
    stub.add_vector("orphan", vector=OFFLINE.embed_one("x") if dim == 1536 else [0.5] * dim, metadata={"n": 1})


def seed_redis(stub: UpstashStub, uuid_session: uuid.UUID | None = None) -> uuid.UUID:
    stub.set_string("cache:answer:1", "Maya studied at Edinburgh.", ttl_s=600)
    stub.set_string("config:theme", "dark")  # no TTL
    # @upstash/rag-chat LPUSHes each message: the list reads newest first.
    stub.lpush("history:visitor-42", *[json.dumps({"role": r, "content": c, "id": str(i)})
                                       for i, (r, c) in enumerate(CHAT)], ttl_s=3600)
    # LangChain's shape, under a UUID session id (unique per test: session ids are global).
    uuid_session = uuid_session or uuid.uuid4()
    stub.lpush(f"chat-history:{uuid_session}", json.dumps({"type": "human", "data": {"content": "Hi!"}}),
               json.dumps({"type": "ai", "data": {"content": "Hello, I am Maya."}}))
    stub.set_string("@upstash/ratelimit:203.0.113.9:28713", "3", ttl_s=60)
    stub.set_string("ratelimit:chat:203.0.113.9", "12", ttl_s=60)
    stub.hset("profile:1", {"name": "Maya"})
    stub.rpush("queue:jobs", "reindex", "email")
    return uuid_session


def vector_rows(conn: psycopg.Connection[Any], twin_id: str) -> dict[str, tuple[Any, ...]]:
    rows = conn.execute("SELECT document_id, content, metadata, embedding::text, embedder FROM vectors "
                        "WHERE twin_id = %s", (twin_id,)).fetchall()
    return {r[0]: r for r in rows}


def embedding(text_value: str) -> list[float]:
    return [float(x) for x in text_value.strip("[]").split(",")]


def close_to(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-6


def twin_state(conn: psycopg.Connection[Any], twin_id: str) -> tuple[Any, ...]:
    row = conn.execute("SELECT embedder, content_version, updated_at FROM twins WHERE twin_id = %s",
                       (twin_id,)).fetchone()
    assert row is not None
    return tuple(row)


def table_counts(conn: psycopg.Connection[Any], twin_id: str) -> dict[str, int]:
    return {
        "documents": count(conn, "SELECT count(*) FROM documents WHERE twin_id = %s", (twin_id,)),
        "vectors": count(conn, "SELECT count(*) FROM vectors WHERE twin_id = %s", (twin_id,)),
        "cache": count(conn, "SELECT count(*) FROM database_cache WHERE key LIKE %s", (f"upstash:{twin_id}:%",)),
        "sessions": count(conn, "SELECT count(*) FROM chat_sessions WHERE twin_id = %s", (twin_id,)),
        "messages": count(conn, "SELECT count(*) FROM chat_messages m JOIN chat_sessions s USING (session_id) "
                                "WHERE s.twin_id = %s", (twin_id,)),
        "checkpoints": count(conn, "SELECT count(*) FROM database_cache WHERE key LIKE %s",
                             (f"import:upstash:{twin_id}:%",)),
    }


def openai_embedder(settings: Settings, openai: OpenAIStub, **overrides: Any) -> OpenAIEmbedder:
    return OpenAIEmbedder(openai_settings(settings, openai.base_url, **overrides), api_key="sk-test")


# --------------------------------------------------------------------------------------------


def test_full_import_moves_vectors_cache_and_chat_history_and_verifies_counts(
        db: Database, settings: Settings, conn: psycopg.Connection[Any], stub: UpstashStub, openai: OpenAIStub,
        twin_id: str) -> None:
    # GIVEN an index of 1536-d text-embedding-3-small vectors and a Redis database of the old app,
    # and a twin configured with that same model
    seed_vectors(stub)
    uuid_session = seed_redis(stub)
    embedder = openai_embedder(settings, openai)

    # WHEN everything is imported in pages of two vectors
    report = run_import(db, settings, embedder, stub, twin_id, page_size=2)

    # THEN the vectors became documents with one chunk each, text and metadata kept, vectors kept
    assert report.embedding["keep_vectors"] is True
    assert openai.calls("/embeddings") == []
    assert report["vectors"].as_dict() == {"read": 6, "written": 5, "unchanged": 0, "skipped": 1,
                                           "skipped_by_reason": {"no_text": 1}}
    rows = vector_rows(conn, twin_id)
    assert set(rows) == set(TEXTS)
    for vid, text in TEXTS.items():
        _, content, metadata, vec, embedder_name = rows[vid]
        assert content == text
        assert metadata["upstash_id"] == vid
        assert metadata["tags"] == ["profile"]
        assert metadata["source"] == f"{vid}.md"
        assert "text" not in metadata  # the content field is the chunk's text, not kept twice
        assert close_to(embedding(vec), OFFLINE.embed_one(text))
        assert embedder_name == "openai:text-embedding-3-small"
    doc = conn.execute("SELECT title, source, chunk_count FROM documents WHERE twin_id = %s AND document_id = "
                       "'job-1'", (twin_id,)).fetchone()
    assert doc == ("Job", "job-1.md", 1)
    assert twin_state(conn, twin_id)[0] == "openai:text-embedding-3-small"
    assert twin_state(conn, twin_id)[1] >= 1  # content version bumped: cached answers are stale

    # strings went to database_cache with their TTL (within a second of Upstash's expiry)
    cached = dict(conn.execute("SELECT key, extract(epoch FROM expires_at) FROM database_cache WHERE key LIKE %s",
                               (f"upstash:{twin_id}:%",)).fetchall())
    assert set(cached) == {f"upstash:{twin_id}:cache:answer:1", f"upstash:{twin_id}:config:theme"}
    upstash_expiry = stub._keys["cache:answer:1"].expires_at
    assert upstash_expiry is not None
    assert abs(float(cached[f"upstash:{twin_id}:cache:answer:1"]) - upstash_expiry) < 1.0
    assert cached[f"upstash:{twin_id}:config:theme"] is None
    assert conn.execute("SELECT value FROM database_cache WHERE key = %s",
                        (f"upstash:{twin_id}:config:theme",)).fetchone() == ("dark",)

    # chat lists became sessions with their messages in conversation order
    sid = session_id_for(twin_id, "history:visitor-42")
    messages = conn.execute("SELECT role, content FROM chat_messages WHERE session_id = %s ORDER BY id",
                            (sid,)).fetchall()
    assert messages == CHAT
    expiry = conn.execute("SELECT extract(epoch FROM expires_at) FROM chat_sessions WHERE session_id = %s",
                          (sid,)).fetchone()
    history_expiry = stub._keys["history:visitor-42"].expires_at
    assert expiry is not None
    assert history_expiry is not None
    assert abs(float(expiry[0]) - history_expiry) < 1.0
    assert conn.execute("SELECT role, content FROM chat_messages WHERE session_id = %s ORDER BY id",
                        (uuid_session,)).fetchall() == [("user", "Hi!"), ("assistant", "Hello, I am Maya.")]

    # rate-limit counters, hashes and non-chat lists were skipped and reported, with reasons
    assert report["keys"].read == 8
    assert report["keys"].skipped == {"rate_limit_counter": 2, "unsupported_type:hash": 1,
                                      "list_not_chat_history": 1}
    assert report["cache"].written == 2
    assert report["sessions"].written == 2
    assert report["messages"].written == 6
    assert not {c for c in stub.commands() if c not in {"DBSIZE", "SCAN", "TYPE", "PTTL", "GET", "LRANGE"}}
    assert report.verified is True, report.summary()
    assert {c.name for c in report.checks} == {"vectors", "redis keys", "cache", "sessions"}
    assert table_counts(conn, twin_id)["checkpoints"] == 0  # a finished import leaves no checkpoint


def test_second_run_reads_everything_and_writes_nothing_new(
        db: Database, settings: Settings, conn: psycopg.Connection[Any], stub: UpstashStub, openai: OpenAIStub,
        twin_id: str) -> None:
    seed_vectors(stub)
    seed_redis(stub)
    embedder = openai_embedder(settings, openai)
    first = run_import(db, settings, embedder, stub, twin_id, page_size=2)
    counts, state = table_counts(conn, twin_id), twin_state(conn, twin_id)

    second = run_import(db, settings, embedder, stub, twin_id, page_size=2)

    assert first.written > 0
    assert second.written == 0, second.as_dict()
    assert second["vectors"].unchanged == 5
    assert second["cache"].unchanged == 2
    assert second["sessions"].unchanged == 2
    assert second["messages"].unchanged == 6
    assert table_counts(conn, twin_id) == counts
    assert twin_state(conn, twin_id) == state  # no content-version bump: cached answers stay valid
    assert second.verified is True


def test_second_run_picks_up_what_changed_in_upstash_since(
        db: Database, settings: Settings, conn: psycopg.Connection[Any], stub: UpstashStub, twin_id: str) -> None:
    seed_vectors(stub)
    seed_redis(stub)
    run_import(db, settings, OFFLINE, stub, twin_id)
    # GIVEN one edited text, one new chat message and one changed string in Upstash
    stub.add_vector("talk-1", vector=[0.1] * 1536, metadata={"title": "Talk"}, data="Maya spoke at EuroPython.")
    stub.lpush("history:visitor-42", json.dumps({"role": "user", "content": "Thanks!"}))
    stub.set_string("config:theme", "light")

    report = run_import(db, settings, OFFLINE, stub, twin_id)

    assert (report["vectors"].written, report["cache"].written, report["messages"].written) == (1, 1, 1)
    assert report.reembedded == 1  # only the edited text was embedded again
    assert vector_rows(conn, twin_id)["talk-1"][1] == "Maya spoke at EuroPython."
    sid = session_id_for(twin_id, "history:visitor-42")
    assert conn.execute("SELECT role, content FROM chat_messages WHERE session_id = %s ORDER BY id",
                        (sid,)).fetchall() == [*CHAT, ("user", "Thanks!")]
    assert report.verified is True


def test_import_resumes_after_a_failure_midway_without_duplicates(
        db: Database, settings: Settings, conn: psycopg.Connection[Any], stub: UpstashStub, twin_id: str) -> None:
    seed_vectors(stub)  # 6 vectors -> 3 pages of 2
    seed_redis(stub)
    # GIVEN Upstash Vector goes away after info + two range pages
    stub.fail_after(3, status=503, service=VECTOR)

    with pytest.raises(UpstreamError) as failed:
        run_import(db, settings, OFFLINE, stub, twin_id, page_size=2)

    # THEN the error names the host and says how to resume; two pages are committed with the checkpoint
    assert failed.value.code == "upstash_unavailable"
    assert "127.0.0.1" in failed.value.message
    assert "resume" in failed.value.message
    assert failed.value.details["resumable"] is True
    assert table_counts(conn, twin_id)["vectors"] == 4
    assert table_counts(conn, twin_id)["checkpoints"] == 1

    # WHEN Upstash is back and the same command runs again
    stub.clear_faults()
    before = len(stub.calls(VECTOR, "/range"))
    report = run_import(db, settings, OFFLINE, stub, twin_id, page_size=2)

    # THEN it continues at the third page only, and the totals are exact
    ranges = stub.calls(VECTOR, "/range")[before:]
    assert [r.body["cursor"] for r in ranges] == ["4"]
    assert report.resumed is True
    assert report["vectors"].read == 6
    assert report["vectors"].written == 5
    assert report["vectors"].skipped == {"no_text": 1}
    counts = table_counts(conn, twin_id)
    assert (counts["vectors"], counts["documents"], counts["sessions"], counts["messages"]) == (5, 5, 2, 6)
    assert counts["checkpoints"] == 0
    assert report.verified is True, report.summary()


def test_interrupted_redis_scan_resumes_without_duplicating_messages(
        db: Database, settings: Settings, conn: psycopg.Connection[Any], stub: UpstashStub, twin_id: str) -> None:
    for i in range(6):
        stub.lpush(f"history:s{i}", json.dumps({"role": "user", "content": f"q{i}"}),
                   json.dumps({"role": "assistant", "content": f"a{i}"}))
    # DBSIZE, then SCAN + 2 pipelines per page of 2 keys: fail during the second page's reads
    stub.fail_after(5, status=502, service=REDIS)

    with pytest.raises(UpstreamError):
        run_import(db, settings, OFFLINE, stub, twin_id, vectors=False, scan_count=2)
    assert table_counts(conn, twin_id)["sessions"] == 2

    stub.clear_faults()
    before = len(stub.calls(REDIS))
    report = run_import(db, settings, OFFLINE, stub, twin_id, vectors=False, scan_count=2)

    scans = [r.body for r in stub.calls(REDIS)[before:] if r.path == "/" and r.body[0] == "SCAN"]
    assert scans[0][:2] == ["SCAN", "2"]  # continues after the committed page
    assert report.resumed is True
    assert report["sessions"].read == 6
    assert report["sessions"].written == 6
    counts = table_counts(conn, twin_id)
    assert (counts["sessions"], counts["messages"]) == (6, 12)
    assert report.verified is True, report.summary()


def test_rate_limited_requests_are_retried_with_backoff_then_succeed(
        db: Database, settings: Settings, conn: psycopg.Connection[Any], stub: UpstashStub, twin_id: str) -> None:
    seed_vectors(stub)
    seed_redis(stub)
    stub.fail_next(status=429, times=2, service=VECTOR, path="/range", retry_after="0")
    stub.fail_next(status=429, times=2, service=REDIS, path="/pipeline")

    report = run_import(db, settings, OFFLINE, stub, twin_id)

    assert report.verified is True
    assert len(stub.calls(VECTOR, "/range")) == 3  # two 429s, then the page
    assert table_counts(conn, twin_id)["vectors"] == 5


def test_persistent_rate_limiting_stops_with_a_resumable_error(
        db: Database, settings: Settings, stub: UpstashStub, twin_id: str) -> None:
    seed_vectors(stub)
    stub.fail_next(status=429, times=50, service=VECTOR, path="/range")

    with pytest.raises(UpstreamError) as failed:
        run_import(db, settings, OFFLINE, stub, twin_id, redis=False)

    assert failed.value.code == "upstash_rate_limited"
    assert "Upstash Vector at 127.0.0.1" in failed.value.message
    assert "429" in failed.value.message
    assert len(stub.calls(VECTOR, "/range")) == FAST.attempts


@pytest.mark.parametrize("service", [VECTOR, REDIS])
def test_bad_token_is_a_clear_error_naming_the_host_but_not_the_token(
        db: Database, settings: Settings, conn: psycopg.Connection[Any], stub: UpstashStub, twin_id: str,
        service: str) -> None:
    seed_vectors(stub)
    seed_redis(stub)
    field = f"{service}_token"
    bad = "wrong-token-123"

    with pytest.raises(ConfigurationError) as failed:
        run_import(db, settings, OFFLINE, stub, twin_id, creds=credentials(stub, **{field: bad}))

    assert failed.value.code == "upstash_unauthorized"
    assert "127.0.0.1" in failed.value.message
    assert f"UPSTASH_{service.upper()}_REST_TOKEN" in failed.value.message
    assert bad not in failed.value.message
    assert bad not in json.dumps(failed.value.to_dict())
    assert len(stub.calls(service)) == 1  # a rejected token is not retried
    assert table_counts(conn, twin_id)["vectors"] == 0


def test_unreachable_host_is_a_clear_error(db: Database, settings: Settings, stub: UpstashStub, twin_id: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there

    started = time.monotonic()
    with pytest.raises(UpstreamError) as failed:
        run_import(db, settings, OFFLINE, stub, twin_id,
                   creds=credentials(stub, vector_url=f"http://127.0.0.1:{port}"))

    assert failed.value.code == "upstash_unreachable"
    assert "cannot reach Upstash Vector at 127.0.0.1" in failed.value.message
    assert time.monotonic() - started < 5


def test_dimension_mismatch_reembeds_texts_with_the_configured_embedder(
        db: Database, settings: Settings, conn: psycopg.Connection[Any], twin_id: str) -> None:
    # GIVEN an index of 384-d vectors (a small sentence-transformer) and a twin on the offline embedder
    with UpstashStub(dimension=384) as stub:
        seed_vectors(stub, dim=384)

        report = run_import(db, settings, OFFLINE, stub, twin_id, redis=False)

    # THEN every text was embedded again: 1536-d vectors of the configured embedder, none of Upstash's
    assert report.embedding["keep_vectors"] is False
    assert "384" in report.embedding["reason"]
    assert report.reembedded == 5
    rows = vector_rows(conn, twin_id)
    for vid, text in TEXTS.items():
        vec = embedding(rows[vid][3])
        assert len(vec) == 1536
        assert close_to(vec, OFFLINE.embed_one(text))
        assert rows[vid][4] == "offline:hash-v1"
    assert twin_state(conn, twin_id)[0] == "offline:hash-v1"
    assert report.verified is True


def test_vectors_of_another_model_are_reembedded_once_by_the_configured_openai_model(
        db: Database, settings: Settings, conn: psycopg.Connection[Any], stub: UpstashStub, openai: OpenAIStub,
        twin_id: str) -> None:
    seed_vectors(stub)  # 1536-d, but declared as coming from ada-002
    embedder = openai_embedder(settings, openai)

    report = run_import(db, settings, embedder, stub, twin_id, redis=False, embedding_model="text-embedding-ada-002")
    again = run_import(db, settings, embedder, stub, twin_id, redis=False, embedding_model="text-embedding-ada-002")

    assert report.embedding["keep_vectors"] is False
    embedded = [t for r in openai.calls("/embeddings") for t in r.json["input"]]
    assert sorted(embedded) == sorted(TEXTS.values())  # each text once; the re-run embedded nothing
    assert {r[4] for r in vector_rows(conn, twin_id).values()} == {"openai:text-embedding-3-small"}
    assert again.written == 0
    assert again.reembedded == 0


def test_twin_with_vectors_of_another_embedder_is_refused_before_anything_is_embedded(
        db: Database, settings: Settings, stub: UpstashStub, openai: OpenAIStub, twin_id: str) -> None:
    seed_vectors(stub, dim=384)
    run_import(db, settings, OFFLINE, stub, twin_id, redis=False)  # the twin now holds offline vectors

    with pytest.raises(EmbedderMismatch):
        run_import(db, settings, openai_embedder(settings, openai), stub, twin_id, redis=False)
    assert openai.calls("/embeddings") == []


def test_dry_run_reports_what_would_be_written_and_writes_nothing(
        db: Database, settings: Settings, conn: psycopg.Connection[Any], stub: UpstashStub, openai: OpenAIStub,
        twin_id: str) -> None:
    seed_vectors(stub, dim=1536)
    seed_redis(stub)
    embedder = openai_embedder(settings, openai, embedding_model="text-embedding-3-large")  # forces re-embedding

    report = run_import(db, settings, embedder, stub, twin_id, dry_run=True, page_size=2)

    assert report.dry_run is True
    assert report.verified is None
    assert report["vectors"].written == 5
    assert report.reembedded == 5
    assert report["cache"].written == 2
    assert report["sessions"].written == 2
    assert openai.calls("/embeddings") == []  # a dry run never pays for embeddings
    assert all(n == 0 for n in table_counts(conn, twin_id).values())
    assert count(conn, "SELECT count(*) FROM twins WHERE twin_id = %s", (twin_id,)) == 0
    assert "DRY RUN" in report.summary()


def test_restart_ignores_a_checkpoint_and_mismatched_options_are_refused(
        db: Database, settings: Settings, conn: psycopg.Connection[Any], stub: UpstashStub, twin_id: str) -> None:
    seed_vectors(stub)
    stub.fail_after(2, service=VECTOR)
    with pytest.raises(UpstreamError):
        run_import(db, settings, OFFLINE, stub, twin_id, redis=False, page_size=2)
    stub.clear_faults()

    with pytest.raises(ConfigurationError) as mismatch:
        run_import(db, settings, OFFLINE, stub, twin_id, redis=False, page_size=2, content_field="text")
    assert mismatch.value.code == "checkpoint_mismatch"
    assert "--restart" in mismatch.value.message

    report = run_import(db, settings, OFFLINE, stub, twin_id, redis=False, page_size=2, restart=True)
    assert report.resumed is False
    assert report["vectors"].read == 6
    assert report.verified is True


def test_cli_json_end_to_end(migrated_db_url: str, db: Database, conn: psycopg.Connection[Any], stub: UpstashStub,
                             twin_id: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from twin.cli.main import main

    seed_vectors(stub)
    seed_redis(stub)
    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    monkeypatch.setenv("UPSTASH_VECTOR_REST_URL", stub.vector_url)
    monkeypatch.setenv("UPSTASH_VECTOR_REST_TOKEN", stub.vector_token)
    monkeypatch.setenv("UPSTASH_REDIS_REST_URL", stub.redis_url)
    monkeypatch.setenv("UPSTASH_REDIS_REST_TOKEN", stub.redis_token)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    runtime.reset()

    code = main(["import", "upstash", "--twin", twin_id, "--page-size", "2", "--json"])

    out = capsys.readouterr()
    assert code == 0, out.err
    payload = json.loads(out.out)  # exactly one JSON object on stdout
    assert payload["twin_id"] == twin_id
    assert payload["verified"] is True
    assert payload["vectors"]["written"] == 5
    assert payload["keys"]["skipped_by_reason"]["rate_limit_counter"] == 2
    assert payload["embedding"]["target"] == "offline:hash-v1"
    assert payload["embedding"]["keep_vectors"] is False
    assert out.err == ""  # no progress bar when stderr is not a terminal
    assert table_counts(conn, twin_id)["vectors"] == 5

    # A bad token: exit 1, a JSON error with a stable code, one line on stderr, no token anywhere.
    monkeypatch.setenv("UPSTASH_REDIS_REST_TOKEN", "nope-not-it")
    code = main(["import", "upstash", "--twin", twin_id, "--json", "--max-retries", "0"])
    out = capsys.readouterr()
    assert code == 1
    assert json.loads(out.out)["error"]["code"] == "upstash_unauthorized"
    assert out.err.startswith("error: Upstash Redis at 127.0.0.1 rejected the token")
    assert "nope-not-it" not in out.out + out.err


def test_directly_ingested_document_with_the_same_id_is_never_overwritten(
        db: Database, settings: Settings, conn: psycopg.Connection[Any], stub: UpstashStub, twin_id: str) -> None:
    from twin.ingest.schemas import DocumentInput
    from twin.ingest.service import ingest_documents

    seed_vectors(stub)
    ingest_documents(db=db, settings=settings, twin_id=twin_id, embedder=OFFLINE,
                     documents=[DocumentInput(content="My own words about Edinburgh.", id="edu-1")])

    report = run_import(db, settings, OFFLINE, stub, twin_id, redis=False)

    assert report["vectors"].skipped == {"no_text": 1, "id_conflict": 1}
    assert vector_rows(conn, twin_id)["edu-1"][1] == "My own words about Edinburgh."
    assert report.verified is True


def test_cli_text_mode_prints_a_readable_summary(migrated_db_url: str, db: Database, stub: UpstashStub,
                                                 twin_id: str, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from twin.cli.main import main

    seed_redis(stub)
    monkeypatch.setenv("DATABASE_URL", migrated_db_url)
    monkeypatch.delenv("UPSTASH_VECTOR_REST_URL", raising=False)
    monkeypatch.delenv("UPSTASH_VECTOR_REST_TOKEN", raising=False)
    runtime.reset()

    monkeypatch.setattr("twin.cli.import_commands.is_terminal", lambda: True)

    code = main(["import", "upstash", "--twin", twin_id, "--redis-url", stub.redis_url,
                 "--redis-token", stub.redis_token])

    captured = capsys.readouterr()
    out = captured.out
    assert code == 0
    assert "redis    [" in captured.err
    assert "8/8 keys" in captured.err
    assert f"Upstash import into twin {twin_id}" in out
    assert "skipped 2 x rate_limit_counter" in out
    assert "verified: row counts match" in out


# --- dry runs only read ----------------------------------------------------------------------

WRITTEN_TABLES = ("twins", "documents", "vectors", "database_cache", "chat_sessions", "chat_messages",
                  "ingestion_metadata")


def refuse_writes(url: str) -> None:
    """Every INSERT/UPDATE/DELETE/COPY on the import's tables raises, even one later rolled back
    (a rolled-back insert still leaves dead rows: what a dry run must never do)."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("CREATE FUNCTION refuse_write() RETURNS trigger LANGUAGE plpgsql AS "
                      "$$ BEGIN RAISE EXCEPTION 'dry run wrote to %', TG_TABLE_NAME; END $$")
        for table in WRITTEN_TABLES:
            admin.execute(f"CREATE TRIGGER refuse_write BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                          "FOR EACH STATEMENT EXECUTE FUNCTION refuse_write()")


def allow_writes(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as admin:
        for table in WRITTEN_TABLES:
            admin.execute(f"DROP TRIGGER refuse_write ON {table}")


def tallies(report: ImportReport) -> dict[str, Any]:
    out = report.as_dict()
    return {kind: out[kind] for kind in ("vectors", "keys", "cache", "sessions", "messages")} | {
        "reembedded": report.reembedded}


@pytest.mark.parametrize("embedding", ["kept", "reembedded"])
def test_dry_run_issues_no_write_at_all_and_predicts_the_real_run_exactly(
        empty_db_url: str, settings: Settings, stub: UpstashStub, openai: OpenAIStub, embedding: str) -> None:
    # GIVEN a database of its own (no other writer), holding an earlier import of the old app...
    from twin.storage.migrations import migrate

    with psycopg.connect(empty_db_url, autocommit=True) as admin:
        migrate(admin)
    own = replace(settings, database_url=empty_db_url)
    db = Database(own, empty_db_url)
    embedder: Embedder = openai_embedder(own, openai) if embedding == "kept" else OFFLINE
    twin_id = f"t-{uuid.uuid4().hex[:10]}"
    seed_vectors(stub)
    session = seed_redis(stub)
    try:
        run_import(db, own, embedder, stub, twin_id, page_size=2)
        # ...and an Upstash that changed since: one text edited, one vector and one key new, one
        # string changed, one chat longer
        stub.add_vector("job-2", vector=OFFLINE.embed_one("Maya led the billing migration."),
                        metadata={"title": "Job", "source": "job-2.md", "text": "Maya led the billing migration."})
        stub.add_vector("new-1", vector=OFFLINE.embed_one("Maya mentors juniors."), data="Maya mentors juniors.")
        stub.set_string("config:theme", "light")
        stub.set_string("cache:answer:2", "Edinburgh.", ttl_s=600)
        stub.lpush(f"chat-history:{session}", json.dumps({"type": "human", "data": {"content": "Bye!"}}))

        # WHEN a dry run runs while any write to those tables raises
        refuse_writes(empty_db_url)
        dry = run_import(db, own, embedder, stub, twin_id, page_size=2, dry_run=True)
        allow_writes(empty_db_url)

        # THEN it finished without writing, and the real run does exactly what it announced
        real = run_import(db, own, embedder, stub, twin_id, page_size=2)
    finally:
        db.close()
    assert dry.dry_run is True
    assert real.verified is True
    assert tallies(dry) == tallies(real)
    assert (dry["vectors"].written, dry["vectors"].unchanged) == (2, 4)
    assert (dry["cache"].written, dry["cache"].unchanged) == (2, 1)
    assert (dry["sessions"].written, dry["messages"].written) == (1, 1)


def test_dry_run_of_a_twin_that_holds_another_embedders_vectors_is_refused_without_writing(
        db: Database, settings: Settings, conn: psycopg.Connection[Any], stub: UpstashStub, twin_id: str) -> None:
    from twin.ingest.schemas import DocumentInput
    from twin.ingest.service import ingest_documents

    seed_vectors(stub)
    ingest_documents(db=db, settings=settings, twin_id=twin_id, embedder=OFFLINE,
                     documents=[DocumentInput(content="Mine.", id="mine")])
    before = twin_state(conn, twin_id)
    other = OpenAIEmbedder(openai_settings(settings, "http://127.0.0.1:9"), api_key="sk-test")

    with pytest.raises(EmbedderMismatch):
        run_import(db, settings, other, stub, twin_id, dry_run=True, redis=False)
    assert twin_state(conn, twin_id) == before


# --- import defaults -------------------------------------------------------------------------


def test_langchain_js_text_in_metadata_pageContentLC_is_imported_by_default(
        db: Database, settings: Settings, conn: psycopg.Connection[Any], stub: UpstashStub, twin_id: str) -> None:
    # LangChain JS's UpstashVectorStore stores no `data`, only metadata._pageContentLC.
    text = "Maya's first job was at a sailing school."
    stub.add_vector("lc-1", vector=OFFLINE.embed_one(text), metadata={"_pageContentLC": text, "loc": {"lines": 3}})

    report = run_import(db, settings, OFFLINE, stub, twin_id, redis=False)

    assert report["vectors"].written == 1
    _, content, metadata, _, _ = vector_rows(conn, twin_id)["lc-1"]
    assert content == text
    assert "_pageContentLC" not in metadata
    assert metadata["upstash_content_field"] == "_pageContentLC"
    assert metadata["loc"] == {"lines": 3}


def test_one_binary_redis_value_is_skipped_and_the_rest_of_the_page_stays_batched(
        db: Database, settings: Settings, conn: psycopg.Connection[Any], stub: UpstashStub, twin_id: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import base64

    from tests.support import upstash_stub

    # GIVEN one SCAN page of 200 strings, one of which holds bytes that are not UTF-8
    text_encode = upstash_stub._encode

    def encode(value: Any) -> Any:  # the stub stores str; let it serve raw bytes too, as Redis does
        return base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else text_encode(value)

    monkeypatch.setattr(upstash_stub, "_encode", encode)
    for i in range(199):
        stub.set_string(f"k:{i:03d}", f"value {i}")
    stub.set_string("k:100-blob", "placeholder")
    stub._keys["k:100-blob"].value = b"\x89PNG\r\n\x1a\n\xff\xfe"

    # WHEN it is imported
    report = run_import(db, settings, OFFLINE, stub, twin_id, vectors=False, scan_count=500)

    # THEN just that key is skipped, with its reason, and everything else landed
    assert report["keys"].skipped == {"not_utf8": 1}
    assert report["cache"].written == 199
    assert count(conn, "SELECT count(*) FROM database_cache WHERE key LIKE %s", (f"upstash:{twin_id}:k:%",)) == 199
    assert "not UTF-8" in report.summary()
    # ...in a handful of requests (halving the batch), not one request per key of the page
    pipelines = stub.calls(REDIS, "/pipeline")
    assert len(pipelines) <= 20, len(pipelines)
    assert max(len(r.body) for r in pipelines) >= 200  # TYPE/PTTL stayed one pipeline
