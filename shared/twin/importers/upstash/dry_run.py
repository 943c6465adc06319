"""What a dry run may do: read. ``twin import upstash --dry-run`` computes the counts a real run
would report from read-only queries, inside transactions declared READ ONLY, so a mistake that
would write raises instead of leaving dead rows behind (a rolled-back write still inserts and
then kills its rows: on a large index that doubled the vectors table's dead tuples).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from psycopg.rows import class_row

from twin.embeddings.base import Embedder
from twin.errors import EmbedderMismatch
from twin.storage.db import Conn
from twin.storage.sqlfile import query


@contextmanager
def read_only(conn: Conn) -> Iterator[None]:
    """A transaction PostgreSQL refuses to write in (and a consistent view for the page's reads)."""
    with conn.transaction():
        conn.execute(query("upstash.read_only_transaction"))
        yield


@dataclass(frozen=True)
class TwinEmbedder:
    """A row of ``upstash.twin_embedder``."""

    embedder: str | None
    has_vectors: bool


def check_twin_embedder(conn: Conn, twin_id: str, embedder: Embedder) -> None:
    """The embedder check of ``twin.ingest.service.lock_twin_for_write`` without its writes: no
    twin row is created and nothing is locked."""
    with conn.cursor(row_factory=class_row(TwinEmbedder)) as cur:
        found = cur.execute(query("upstash.twin_embedder"), {"twin_id": twin_id}).fetchone()
    if found is None or found.embedder in (None, embedder.name) or not found.has_vectors:
        return
    raise EmbedderMismatch(
        f"twin {twin_id!r} holds vectors from {found.embedder}, but this import would use {embedder.name}; "
        f"vectors from different embedders cannot be compared. Run `twin reembed --twin {twin_id}` "
        f"to move the twin to {embedder.name}, or configure {found.embedder} again.",
        details={"stored_embedder": found.embedder, "configured_embedder": embedder.name},
    )
