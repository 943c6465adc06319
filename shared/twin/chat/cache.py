"""The seed's database_cache: query embeddings and answers, each with a TTL.

Answer keys embed the twin's content version (``answer:<twin>:<version>:<question hash>``),
so an ingest or delete, which bumps the version, makes every older answer unreachable at
once; the cleanup job removes them when they expire.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from psycopg.rows import scalar_row

from twin.storage.db import Conn
from twin.storage.sqlfile import query

_SPACES = re.compile(r"\s+")


def question_key(*, question: str, filters: dict[str, Any], mode: str, model: str) -> str:
    """Questions differing only in case or spacing share an answer."""
    canonical = json.dumps({"q": _SPACES.sub(" ", question.strip().lower()), "f": filters, "mode": mode,
                            "model": model}, sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def answer_key(twin_id: str, content_version: int, question_hash: str) -> str:
    return f"answer:{twin_id}:{content_version}:{question_hash}"


def embedding_key(embedder: str, text: str) -> str:
    return f"embedding:{embedder}:{hashlib.sha256(text.encode('utf-8')).hexdigest()}"


def get(conn: Conn, key: str) -> str | None:
    with conn.cursor(row_factory=scalar_row) as cur:
        value = cur.execute(query("chat.cache_get"), {"key": key}).fetchone()
    return str(value) if value is not None else None


def put(conn: Conn, key: str, value: str, *, ttl_s: int, twin_id: str | None = None) -> None:
    conn.execute(query("chat.cache_put"), {"key": key, "value": value, "ttl_s": ttl_s, "twin_id": twin_id})
