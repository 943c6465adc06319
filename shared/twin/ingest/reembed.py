"""Move a twin to another embedder by embedding its stored chunk texts again.

Vectors from different embedders live in different spaces, so a twin is switched whole: the
new vectors are computed first (no locks held), then swapped in with one transaction. A
failure on the way leaves the twin on its old embedder, intact.
"""

from __future__ import annotations

from dataclasses import dataclass

from twin.embeddings.base import Embedder
from twin.errors import Conflict, NotFound
from twin.ingest.service import check_dimension
from twin.storage.db import Conn, Database, register_vector_types
from twin.storage.sqlfile import query


@dataclass(frozen=True)
class ReembedResult:
    twin_id: str
    embedder: str
    chunks: int
    tokens: int


def reembed_twin(*, db: Database, twin_id: str, embedder: Embedder, batch: int = 256) -> ReembedResult:
    exists = db.run(lambda conn: conn.execute(query("get_twin"), {"twin_id": twin_id}).fetchone())
    if exists is None:
        raise NotFound(f"there is no twin {twin_id!r}", code="twin_not_found")
    rows = db.run(lambda conn: conn.execute(query("chunks_to_reembed"), {"twin_id": twin_id}).fetchall())
    ids = [str(r[0]) for r in rows]
    vectors: list[list[float]] = []
    tokens = 0
    for start in range(0, len(rows), batch):
        result = embedder.embed([str(r[1]) for r in rows[start:start + batch]])
        check_dimension(result.vectors, embedder)
        vectors.extend(result.vectors)
        tokens += result.tokens

    def swap(conn: Conn) -> None:
        register_vector_types(conn)
        with conn.transaction():
            conn.execute(query("lock_twin"), {"twin_id": twin_id})
            conn.execute(query("create_reembed_stage"))
            with conn.cursor() as cur, cur.copy(query("copy_reembed_stage")) as copy:
                copy.set_types(["text", "vector"])
                for chunk_id, vector in zip(ids, vectors, strict=True):
                    copy.write_row((chunk_id, vector))
            params = {"twin_id": twin_id, "embedder": embedder.name}
            conn.execute(query("apply_reembed_stage"), params)
            # An ingest with the old embedder may have committed chunks after they were read;
            # swapping anyway would leave the twin mixed, so the transaction is abandoned.
            left = conn.execute(query("count_other_embedder_chunks"), params).fetchone()
            if left and left[0]:
                raise Conflict(f"{left[0]} chunks of twin {twin_id!r} were written while re-embedding; "
                               "nothing was changed, run `twin reembed` again", code="reembed_conflict")
            conn.execute(query("set_documents_embedder"), params)
            conn.execute(query("set_twin_embedder"), params)

    db.run(swap)
    return ReembedResult(twin_id=twin_id, embedder=embedder.name, chunks=len(ids), tokens=tokens)
