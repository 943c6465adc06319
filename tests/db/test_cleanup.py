"""twin.ops.cleanup.purge_expired against a real PostgreSQL.

Each test gets its own freshly migrated database: the shared one collects rate-limit and cache
rows from other tests, which would expire under us and make exact counts flaky.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, TypeVar

import psycopg
import pytest

from twin.config import Settings
from twin.errors import InvalidRequest
from twin.ops.cleanup import PURGES, CleanupResult, purge_expired
from twin.storage.db import Conn, Database
from twin.storage.migrations import migrate

T = TypeVar("T")
TABLES = [table for table, _ in PURGES]


@pytest.fixture
def cleanup_url(empty_db_url: str) -> str:
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        migrate(conn)
    return empty_db_url


def _database(url: str) -> Database:
    return Database(replace(Settings(), database_url=url), url)


@pytest.fixture
def cleanup_db(cleanup_url: str) -> Iterator[Database]:
    database = _database(cleanup_url)
    try:
        yield database
    finally:
        database.close()


@pytest.fixture
def raw(cleanup_url: str) -> Iterator[psycopg.Connection[tuple[Any, ...]]]:
    with psycopg.connect(cleanup_url, autocommit=True) as conn:
        yield conn


def seed(conn: psycopg.Connection[Any], *, tag: str, expired: int, live: int) -> None:
    """``expired`` past-due and ``live`` future rows in every table, plus never-expiring
    (NULL) rows where the column allows it; ids start with ``tag``."""
    twin = f"tw-{tag}"
    conn.execute("INSERT INTO twins (twin_id) VALUES (%s)", (twin,))
    for state, count, offset in (("exp", expired, "-1 minute"), ("live", live, "+1 hour")):
        params = {"p": f"{tag}-{state}-", "n": count, "offset": offset, "twin": twin}
        conn.execute(
            "INSERT INTO database_cache (key, value, expires_at)"
            " SELECT %(p)s || g, 'v', now() + %(offset)s::interval FROM generate_series(1, %(n)s) g", params)
        conn.execute(
            "INSERT INTO rate_limits (key, count, expires_at)"
            " SELECT %(p)s || g, 1, now() + %(offset)s::interval FROM generate_series(1, %(n)s) g", params)
        conn.execute(
            "INSERT INTO ingestion_metadata (id, user_id, document_count, documents, expires_at, embedder)"
            " SELECT %(p)s || g, %(twin)s, 1, '[]'::jsonb, now() + %(offset)s::interval, 'test'"
            " FROM generate_series(1, %(n)s) g", params)
        conn.execute(
            "INSERT INTO chat_sessions (session_id, twin_id, expires_at)"
            " SELECT md5(%(p)s || g)::uuid, %(twin)s, now() + %(offset)s::interval"
            " FROM generate_series(1, %(n)s) g", params)
        conn.execute(
            "INSERT INTO chat_messages (session_id, role, content)"
            " SELECT md5(%(p)s || g)::uuid, r, 'hello' FROM generate_series(1, %(n)s) g,"
            " unnest(ARRAY['user', 'assistant']) r", params)
    conn.execute("INSERT INTO database_cache (key, value, expires_at) VALUES (%s, 'v', NULL)", (f"{tag}-forever",))
    conn.execute(
        "INSERT INTO ingestion_metadata (id, user_id, document_count, documents, expires_at, embedder)"
        " VALUES (%s, %s, 1, '[]'::jsonb, NULL, 'test')", (f"{tag}-forever", twin))


def count_rows(conn: psycopg.Connection[Any]) -> dict[str, int]:
    counts = {}
    for table, query in (
        ("database_cache", "SELECT count(*) FROM database_cache"),
        ("rate_limits", "SELECT count(*) FROM rate_limits"),
        ("ingestion_metadata", "SELECT count(*) FROM ingestion_metadata"),
        ("chat_sessions", "SELECT count(*) FROM chat_sessions"),
        ("chat_messages", "SELECT count(*) FROM chat_messages"),
        ("expired", "SELECT (SELECT count(*) FROM database_cache WHERE expires_at <= now())"
                    " + (SELECT count(*) FROM rate_limits WHERE expires_at <= now())"
                    " + (SELECT count(*) FROM ingestion_metadata WHERE expires_at <= now())"
                    " + (SELECT count(*) FROM chat_sessions WHERE expires_at <= now())"),
    ):
        row = conn.execute(query).fetchone()
        assert row is not None
        counts[table] = int(row[0])
    return counts


class RecordingDatabase(Database):
    """Remembers what every unit of work returned (the rows one DELETE removed)."""

    def __init__(self, url: str) -> None:
        super().__init__(replace(Settings(), database_url=url), url)
        self.results: list[Any] = []

    def run(self, work: Callable[[Conn], T]) -> T:
        result = super().run(work)
        self.results.append(result)
        return result


def test_purge_deletes_expired_rows_and_keeps_live_ones(cleanup_db: Database, raw: psycopg.Connection[Any]) -> None:
    seed(raw, tag="a", expired=3, live=2)

    result = purge_expired(db=cleanup_db)

    assert result.as_dict() == dict.fromkeys(TABLES, 3)
    assert result.total == 12
    assert result.complete
    after = count_rows(raw)
    # live rows stay, and so do rows that never expire (NULL expires_at)
    assert after == {"database_cache": 3, "rate_limits": 2, "ingestion_metadata": 3, "chat_sessions": 2,
                     "chat_messages": 4, "expired": 0}
    remaining_sessions = raw.execute(
        "SELECT count(*) FROM chat_sessions WHERE expires_at > now()").fetchone()
    assert remaining_sessions == (2,)
    orphans = raw.execute(
        "SELECT count(*) FROM chat_messages m LEFT JOIN chat_sessions s USING (session_id)"
        " WHERE s.session_id IS NULL").fetchone()
    assert orphans == (0,)


def test_small_batches_delete_everything_without_exceeding_the_batch(
        cleanup_url: str, raw: psycopg.Connection[Any]) -> None:
    seed(raw, tag="b", expired=5, live=1)
    database = RecordingDatabase(cleanup_url)
    try:
        result = purge_expired(db=database, batch_size=2)
    finally:
        database.close()

    assert result.as_dict() == dict.fromkeys(TABLES, 5)
    # every statement removed at most 2 rows: 2 + 2 + 1 per table
    assert database.results == [2, 2, 1] * len(TABLES)
    assert count_rows(raw)["expired"] == 0


def test_max_batches_stops_early_and_the_next_run_finishes(
        cleanup_db: Database, raw: psycopg.Connection[Any]) -> None:
    seed(raw, tag="c", expired=5, live=0)

    first = purge_expired(db=cleanup_db, batch_size=2, max_batches=2)
    assert first.as_dict() == dict.fromkeys(TABLES, 4)
    assert set(first.incomplete) == set(TABLES)
    assert not first.complete

    second = purge_expired(db=cleanup_db, batch_size=2, max_batches=2)
    assert second.as_dict() == dict.fromkeys(TABLES, 1)
    assert second.complete


def test_running_again_finds_nothing(cleanup_db: Database, raw: psycopg.Connection[Any]) -> None:
    seed(raw, tag="d", expired=2, live=2)
    purge_expired(db=cleanup_db)

    again = purge_expired(db=cleanup_db)

    assert again == CleanupResult()
    assert again.total == 0
    assert count_rows(raw)["rate_limits"] == 2


def test_concurrent_cleanups_delete_each_row_once(cleanup_url: str, raw: psycopg.Connection[Any]) -> None:
    # GIVEN many expired rows and two cleanups, each with its own connection
    expired = 600
    seed(raw, tag="e", expired=expired, live=5)
    databases = [_database(cleanup_url) for _ in range(2)]
    for database in databases:
        database.connection()  # connect before the race starts
    start = threading.Barrier(len(databases))
    results: list[CleanupResult] = []
    errors: list[BaseException] = []

    def run(database: Database) -> None:
        try:
            start.wait()
            results.append(purge_expired(db=database, batch_size=7))
        except BaseException as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    # WHEN they run at the same time
    threads = [threading.Thread(target=run, args=(database,)) for database in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for database in databases:
        database.close()

    # THEN every expired row was deleted exactly once between them
    assert not errors, errors
    assert len(results) == 2
    for table in TABLES:
        assert sum(r.as_dict()[table] for r in results) == expired, table
    after = count_rows(raw)
    assert after["expired"] == 0
    assert after["chat_sessions"] == 5


def test_a_locked_row_is_skipped_not_waited_for(cleanup_db: Database, cleanup_url: str,
                                                raw: psycopg.Connection[Any]) -> None:
    # GIVEN another transaction holding a lock on one expired cache row
    seed(raw, tag="f", expired=3, live=0)
    with psycopg.connect(cleanup_url) as other:
        other.execute("SELECT key FROM database_cache WHERE key = 'f-exp-1' FOR UPDATE")

        # WHEN a cleanup runs
        started = time.monotonic()
        result = purge_expired(db=cleanup_db, batch_size=100)
        elapsed = time.monotonic() - started

        # THEN it neither waits for the lock nor deletes (or counts) that row
        assert elapsed < 5
        assert result.database_cache == 2
        assert result.rate_limits == 3
        other.rollback()

    # and the next run picks it up
    assert purge_expired(db=cleanup_db).database_cache == 1


def test_nonpositive_batch_size_is_refused(cleanup_db: Database) -> None:
    with pytest.raises(InvalidRequest):
        purge_expired(db=cleanup_db, batch_size=0)
    with pytest.raises(InvalidRequest):
        purge_expired(db=cleanup_db, max_batches=0)


def test_result_as_dict_has_one_count_per_table() -> None:
    result = CleanupResult(database_cache=1, rate_limits=2, ingestion_metadata=3, chat_sessions=4,
                           incomplete=("rate_limits",))
    assert result.as_dict() == {"database_cache": 1, "rate_limits": 2, "ingestion_metadata": 3,
                                "chat_sessions": 4}
    assert result.total == 10
    assert not result.complete

