"""Purge expired rows: cache entries, rate-limit windows, ingest records, chat sessions.

Run by the scheduled Cleanup function and ``twin cleanup``. Deleting in small batches, each
its own autocommit statement, keeps every lock short (a request touching a row waits at
most one batch), keeps WAL and replication lag smooth, and lets a run be cut off at any point
without losing work already done. Safe to run repeatedly and concurrently: rows are claimed
with ``FOR UPDATE SKIP LOCKED``, so two runs split the work instead of blocking each other
or counting a row twice (see queries/ops.sql).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import LiteralString

from twin.errors import InvalidRequest
from twin.storage.db import Conn, Database
from twin.storage.sqlfile import query

logger = logging.getLogger(__name__)

# Table -> named query. Sessions last, so a session whose rate-limit and cache rows expired at
# the same moment is not half-cleaned if the run is cut short; order is otherwise irrelevant.
PURGES: tuple[tuple[str, str], ...] = (
    ("database_cache", "ops.purge_expired_cache"),
    ("rate_limits", "ops.purge_expired_rate_limits"),
    ("ingestion_metadata", "ops.purge_expired_ingestion_metadata"),
    ("chat_sessions", "ops.purge_expired_chat_sessions"),
)


@dataclass(frozen=True)
class CleanupResult:
    """Rows deleted per table by one run."""

    database_cache: int = 0
    rate_limits: int = 0
    ingestion_metadata: int = 0
    chat_sessions: int = 0
    # Tables where max_batches ran out before the expired rows did: the next run continues.
    incomplete: tuple[str, ...] = field(default=())

    @property
    def total(self) -> int:
        return self.database_cache + self.rate_limits + self.ingestion_metadata + self.chat_sessions

    @property
    def complete(self) -> bool:
        return not self.incomplete

    def as_dict(self) -> dict[str, int]:
        counts = asdict(self)
        del counts["incomplete"]
        return counts


def _delete_batch(statement: LiteralString, batch_size: int) -> Callable[[Conn], int]:
    def work(conn: Conn) -> int:
        # Autocommit: the statement is its own transaction, so its locks end with it.
        return conn.execute(statement, {"batch": batch_size}).rowcount

    return work


def purge_expired(*, db: Database, batch_size: int = 1000, max_batches: int = 1000) -> CleanupResult:
    """Delete expired rows in batches of ``batch_size``, at most ``max_batches`` per table.

    A batch smaller than ``batch_size`` means nothing unlocked is left to delete (rows locked
    by a concurrent run are that run's to delete), so the table is done.
    """
    if batch_size < 1 or max_batches < 1:
        raise InvalidRequest(
            f"batch_size and max_batches must be positive, got {batch_size} and {max_batches}")
    counts: dict[str, int] = {}
    incomplete: list[str] = []
    for table, name in PURGES:
        work = _delete_batch(query(name), batch_size)
        deleted = 0
        for _ in range(max_batches):
            rows = db.run(work)
            deleted += rows
            if rows < batch_size:
                break
        else:
            incomplete.append(table)
            logger.warning("cleanup of %s stopped after %d batches; the next run continues",
                           table, max_batches)
        counts[table] = deleted
    return CleanupResult(
        database_cache=counts["database_cache"],
        rate_limits=counts["rate_limits"],
        ingestion_metadata=counts["ingestion_metadata"],
        chat_sessions=counts["chat_sessions"],
        incomplete=tuple(incomplete),
    )


__all__ = ["PURGES", "CleanupResult", "purge_expired"]
