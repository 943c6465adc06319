"""Move a twin to another embedder by embedding its stored chunk texts again.

Vectors from different embedders live in different spaces, so a twin is switched whole: the
new vectors are computed first (no locks held), then swapped in with one transaction. A
failure on the way leaves the twin on its old embedder, intact.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg.rows import class_row, scalar_row

from twin.access.twins import get_profile
from twin.embeddings.base import Embedder, embed_in_batches
from twin.errors import Conflict, NotFound
from twin.storage.db import Conn, Database, register_vector_types
from twin.storage.sqlfile import query


@dataclass(frozen=True)
class ReembedResult:
    twin_id: str
    embedder: str
    chunks: int
    tokens: int


@dataclass(frozen=True)
class StoredChunk:
    """A row of ``ingest.chunks_to_reembed``."""

    id: str
    content: str


def _chunks_to_reembed(conn: Conn, twin_id: str) -> list[StoredChunk]:
    with conn.cursor(row_factory=class_row(StoredChunk)) as cur:
        return cur.execute(query("ingest.chunks_to_reembed"), {"twin_id": twin_id}).fetchall()


def reembed_twin(*, db: Database, twin_id: str, embedder: Embedder, batch: int = 256) -> ReembedResult:
    if db.run(lambda conn: get_profile(conn, twin_id=twin_id)) is None:
        raise NotFound(f"there is no twin {twin_id!r}", code="twin_not_found")
    chunks = db.run(lambda conn: _chunks_to_reembed(conn, twin_id))
    ids = [c.id for c in chunks]
    embedded = embed_in_batches(embedder, [c.content for c in chunks], batch=batch)
    vectors, tokens = embedded.vectors, embedded.tokens

    def swap(conn: Conn) -> None:
        register_vector_types(conn)  # before the transaction: its catalog round trips never hold the twin lock
        with conn.transaction():
            conn.execute(query("ingest.lock_twin"), {"twin_id": twin_id})
            conn.execute(query("ingest.create_reembed_stage"))
            with conn.cursor() as cur, cur.copy(query("ingest.copy_reembed_stage")) as copy:
                copy.set_types(["text", "vector"])
                for chunk_id, vector in zip(ids, vectors, strict=True):
                    copy.write_row((chunk_id, vector))
            params = {"twin_id": twin_id, "embedder": embedder.name}
            conn.execute(query("ingest.apply_reembed_stage"), params)
            # An ingest with the old embedder may have committed chunks after they were read;
            # swapping anyway would leave the twin mixed, so the transaction is abandoned.
            with conn.cursor(row_factory=scalar_row) as cur:
                left = cur.execute(query("ingest.count_other_embedder_chunks"), params).fetchone()
            if left:
                raise Conflict(f"{left} chunks of twin {twin_id!r} were written while re-embedding; "
                               "nothing was changed, run `twin reembed` again", code="reembed_conflict")
            conn.execute(query("ingest.set_documents_embedder"), params)
            conn.execute(query("ingest.set_twin_embedder"), params)

    db.run(swap)
    return ReembedResult(twin_id=twin_id, embedder=embedder.name, chunks=len(ids), tokens=tokens)
