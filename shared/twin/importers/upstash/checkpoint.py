"""Where an interrupted import resumes.

The checkpoint is a ``database_cache`` row (key ``import:upstash:<twin>:<namespace>``, no expiry,
so the cleanup job never removes it) rather than a new table: the schema already has a durable
key/value row with a twin id, and no migration is needed. It is written in the same transaction
as the page of rows it follows, so after a crash the database holds either the page and the
cursor past it, or neither: a resumed run never skips or repeats a page.

It also records the options that shape what gets written (namespace, content field, embedder
plan); resuming with different ones would mix two imports, so that is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from psycopg.rows import scalar_row

from twin.errors import ConfigurationError
from twin.storage.db import Conn
from twin.storage.sqlfile import query

VERSION = 1


def checkpoint_key(twin_id: str, namespace: str) -> str:
    return f"import:upstash:{twin_id}:{namespace}"


@dataclass
class Checkpoint:
    key: str
    twin_id: str
    fingerprint: dict[str, Any]
    vector_cursor: str = ""
    vectors_done: bool = False
    redis_cursor: int = 0
    redis_done: bool = False
    report_state: dict[str, Any] = field(default_factory=dict)
    existed: bool = False

    def to_json(self) -> str:
        return json.dumps({
            "version": VERSION, "fingerprint": self.fingerprint,
            "vector_cursor": self.vector_cursor, "vectors_done": self.vectors_done,
            "redis_cursor": self.redis_cursor, "redis_done": self.redis_done,
            "report": self.report_state,
        }, sort_keys=True)

    def save(self, conn: Conn) -> None:
        conn.execute(query("upstash.checkpoint_put"), {"key": self.key, "value": self.to_json(),
                                                       "twin_id": self.twin_id})
        self.existed = True

    def delete(self, conn: Conn) -> None:
        conn.execute(query("upstash.checkpoint_delete"), {"key": self.key})
        self.existed = False

    def check_fingerprint(self, fingerprint: dict[str, Any]) -> None:
        if not self.existed or self.fingerprint == fingerprint:
            return
        changed = sorted(k for k in set(self.fingerprint) | set(fingerprint)
                         if self.fingerprint.get(k) != fingerprint.get(k))
        raise ConfigurationError(
            f"an interrupted import of twin {self.twin_id!r} was started with different options "
            f"({', '.join(changed)}); run it again with the same options to resume, or pass --restart "
            f"to start over", code="checkpoint_mismatch",
            details={"checkpoint": self.key, "stored": self.fingerprint, "given": fingerprint})


def load_checkpoint(conn: Conn, *, twin_id: str, namespace: str, fingerprint: dict[str, Any]) -> Checkpoint:
    """The stored checkpoint, or a fresh one (``existed`` False) when there is none."""
    key = checkpoint_key(twin_id, namespace)
    with conn.cursor(row_factory=scalar_row) as cur:
        value = cur.execute(query("upstash.checkpoint_get"), {"key": key}).fetchone()
    if value is None:
        return Checkpoint(key=key, twin_id=twin_id, fingerprint=fingerprint)
    try:
        raw = json.loads(str(value))
        if int(raw.get("version", 0)) != VERSION:
            raise ValueError(f"checkpoint version {raw.get('version')}")
        return Checkpoint(
            key=key, twin_id=twin_id, fingerprint=dict(raw["fingerprint"]),
            vector_cursor=str(raw.get("vector_cursor", "")), vectors_done=bool(raw.get("vectors_done")),
            redis_cursor=int(raw.get("redis_cursor", 0)), redis_done=bool(raw.get("redis_done")),
            report_state=dict(raw.get("report", {})), existed=True,
        )
    except (ValueError, KeyError, TypeError) as e:
        raise ConfigurationError(f"the import checkpoint {key!r} is unreadable ({e}); pass --restart to start over",
                                 code="checkpoint_unreadable") from e
