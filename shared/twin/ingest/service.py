"""Ingest: documents -> chunks -> embeddings -> pgvector, idempotent and all-or-nothing.

The order of work is chosen so that nothing slow happens while locks are held and nothing is
written unless everything succeeded:

1. chunk every document and hash it; read the stored hashes (no lock);
2. embed only the chunks that are new (unchanged documents, and unchanged chunks of edited
   documents, reuse what is stored: the embedder is not called for them);
3. one transaction: lock the twin row (serialises concurrent ingests of one twin, so two
   identical requests end with one copy), re-check hashes under the lock, replace changed
   documents' chunks with one binary COPY, bump the twin's content version (invalidating
   cached answers) and write the ingestion_metadata row.

An embedder or database failure anywhere leaves the database as it was.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from twin.config import Settings
from twin.embeddings.base import Embedder, embed_in_batches
from twin.errors import EmbedderMismatch
from twin.ingest.chunking import Chunk, chunk_document
from twin.ingest.schemas import DocumentInput
from twin.storage.db import Conn, Database, register_vector_types
from twin.storage.sqlfile import query

VECTOR_COPY_TYPES = ["text", "vector", "text", "jsonb", "text", "text", "int4", "text", "text"]

ProgressCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class DocumentResult:
    id: str
    chunks: int
    status: str  # "created", "updated" or "unchanged"

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "chunks": self.chunks, "status": self.status}


@dataclass(frozen=True)
class IngestResult:
    ingestion_id: str
    twin_id: str
    embedder: str
    mode: str
    documents: list[DocumentResult]
    embedded_chunks: int
    tokens: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "ingestion_id": self.ingestion_id,
            "twin_id": self.twin_id,
            "embedder": self.embedder,
            "mode": self.mode,
            "documents": [d.as_dict() for d in self.documents],
            "embedded_chunks": self.embedded_chunks,
            "usage": {"embedding_tokens": self.tokens},
        }


@dataclass(eq=False)  # identity semantics: compared and looked up by object, never by value
class _Prepared:
    doc: DocumentInput
    document_id: str
    content_hash: str
    chunks: list[Chunk]
    status: str = "created"
    vectors: dict[int, list[float]] = field(default_factory=dict)


def document_hash(doc: DocumentInput) -> str:
    """Hash of everything that ends up in the stored chunks: editing any of it is a change."""
    canonical = json.dumps(
        {"title": doc.title, "content": doc.content, "source": doc.source, "metadata": doc.metadata},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def default_document_id(content_hash: str) -> str:
    """Documents sent without an id are identified by their content, so re-sending the same
    text is 'unchanged'; to update a document in place, give it an id."""
    return f"doc-{content_hash[:16]}"


def chunk_id(twin_id: str, document_id: str, index: int) -> str:
    # Unique: twin ids cannot contain ':' and the index after the last ':' is all digits.
    return f"{twin_id}:{document_id}:{index}"


def _chunk_metadata(prepared: _Prepared, chunk: Chunk) -> dict[str, Any]:
    # Document metadata is copied onto each chunk so that metadata filters apply inside the
    # vector index scan instead of a join after it.
    meta: dict[str, Any] = dict(prepared.doc.metadata)
    meta.update({
        "title": prepared.doc.title,
        "source": prepared.doc.source,
        "heading_path": chunk.heading_path,
        "char_start": chunk.char_start,
        "char_end": chunk.char_end,
    })
    return meta


def _prepare(documents: Sequence[DocumentInput]) -> list[_Prepared]:
    prepared: list[_Prepared] = []
    for doc in documents:
        content_hash = document_hash(doc)
        chunks = chunk_document(doc.content, title=doc.title)
        prepared.append(_Prepared(doc, doc.id or default_document_id(content_hash), content_hash, chunks))
    return prepared


@dataclass(frozen=True)
class StoredHash:
    """A row of ``ingest.document_hashes``."""

    document_id: str
    content_hash: str


@dataclass(frozen=True)
class StoredEmbedding:
    """A row of ``ingest.chunk_embeddings_by_hash`` (embedding as pgvector's loader returns it)."""

    content_hash: str
    embedding: Any


@dataclass(frozen=True)
class TwinLock:
    """A row of ``ingest.lock_twin``: the twin's embedder, read under its row lock."""

    embedder: str | None
    has_vectors: bool


def _stored_hashes(conn: Conn, twin_id: str, document_ids: list[str]) -> dict[str, str]:
    with conn.cursor(row_factory=class_row(StoredHash)) as cur:
        rows = cur.execute(query("ingest.document_hashes"),
                           {"twin_id": twin_id, "document_ids": document_ids}).fetchall()
    return {r.document_id: r.content_hash for r in rows}


def _classify(prepared: list[_Prepared], stored: dict[str, str]) -> None:
    for item in prepared:
        if item.document_id not in stored:
            item.status = "created"
        elif stored[item.document_id] == item.content_hash:
            item.status = "unchanged"
        else:
            item.status = "updated"


def _reusable_vectors(conn: Conn, twin_id: str, embedder: str, changed: list[_Prepared]) -> dict[str, list[float]]:
    updated = [p for p in changed if p.status == "updated"]
    if not updated:
        return {}
    register_vector_types(conn)
    with conn.cursor(row_factory=class_row(StoredEmbedding)) as cur:
        rows = cur.execute(query("ingest.chunk_embeddings_by_hash"), {
            "twin_id": twin_id, "embedder": embedder,
            "document_ids": [p.document_id for p in updated],
            "content_hashes": [c.content_hash for p in updated for c in p.chunks],
        }).fetchall()
    return {r.content_hash: _as_floats(r.embedding) for r in rows}


def _as_floats(vector: Any) -> list[float]:
    # pgvector's loader returns numpy arrays when numpy is installed, its own Vector otherwise.
    return list(vector.tolist() if hasattr(vector, "tolist") else vector.to_list())


def _embed_missing(changed: list[_Prepared], reusable: dict[str, list[float]], embedder: Embedder,
                   progress: ProgressCallback | None) -> tuple[int, int]:
    todo: list[tuple[_Prepared, int, str]] = []
    for item in changed:
        for chunk in item.chunks:
            reused = reusable.get(chunk.content_hash)
            if reused is not None:
                item.vectors[chunk.index] = reused
            else:
                todo.append((item, chunk.index, chunk.content))
    if not todo:
        return 0, 0
    batch = embed_in_batches(embedder, [text for _, _, text in todo], progress=progress)
    for (item, index, _), vector in zip(todo, batch.vectors, strict=True):
        item.vectors[index] = vector
    tokens = batch.tokens
    return len(todo), tokens


def lock_twin_for_write(conn: Conn, twin_id: str, embedder: Embedder) -> None:
    conn.execute(query("access.ensure_twin"), {"twin_id": twin_id})
    with conn.cursor(row_factory=class_row(TwinLock)) as cur:
        lock = cur.execute(query("ingest.lock_twin"), {"twin_id": twin_id}).fetchone()
    assert lock is not None
    current = lock.embedder
    if current is not None and current != embedder.name and lock.has_vectors:
        raise EmbedderMismatch(
            f"twin {twin_id!r} holds vectors from {current}, but this ingest would use {embedder.name}; "
            f"vectors from different embedders cannot be compared. Run `twin reembed --twin {twin_id}` "
            f"to move the twin to {embedder.name}, or configure {current} again.",
            details={"stored_embedder": current, "configured_embedder": embedder.name},
        )


def _write(conn: Conn, *, twin_id: str, embedder: Embedder, changed: list[_Prepared]) -> None:
    # The caller registered pgvector's types before taking the twin lock (the COPY needs them).
    ids = [p.document_id for p in changed]
    conn.execute(query("ingest.delete_document_chunks"), {"twin_id": twin_id, "document_ids": ids})
    conn.execute(query("ingest.upsert_documents"), {
        "twin_id": twin_id, "embedder": embedder.name, "document_ids": ids,
        "titles": [p.doc.title for p in changed], "sources": [p.doc.source for p in changed],
        "metadata": [Jsonb(p.doc.metadata) for p in changed],
        "content_hashes": [p.content_hash for p in changed],
        "chunk_counts": [len(p.chunks) for p in changed],
        "char_counts": [len(p.doc.content) for p in changed],
    })
    with conn.cursor() as cur, cur.copy(query("ingest.copy_vectors")) as copy:
        copy.set_types(VECTOR_COPY_TYPES)
        for item in changed:
            for chunk in item.chunks:
                copy.write_row((
                    chunk_id(twin_id, item.document_id, chunk.index), item.vectors[chunk.index], chunk.content,
                    Jsonb(_chunk_metadata(item, chunk)), twin_id, item.document_id, chunk.index,
                    chunk.content_hash, embedder.name,
                ))
    conn.execute(query("ingest.set_twin_embedder"), {"twin_id": twin_id, "embedder": embedder.name})


def ingest_documents(
    *,
    db: Database,
    settings: Settings,
    twin_id: str,
    documents: Sequence[DocumentInput],
    embedder: Embedder,
    api_key_id: str | None = None,
    progress: ProgressCallback | None = None,
) -> IngestResult:
    prepared = _prepare(documents)
    ids = [p.document_id for p in prepared]
    if len(set(ids)) != len(ids):
        from twin.errors import InvalidRequest

        raise InvalidRequest("two documents in this request have the same content and no id; give them ids",
                             code="duplicate_document_id")

    def read_state(conn: Conn) -> dict[str, list[float]]:
        _classify(prepared, _stored_hashes(conn, twin_id, ids))
        return _reusable_vectors(conn, twin_id, embedder.name, [p for p in prepared if p.status != "unchanged"])

    reusable = db.run(read_state)
    changed = [p for p in prepared if p.status != "unchanged"]
    embedded, tokens = _embed_missing(changed, reusable, embedder, progress)
    ingestion_id = f"ing_{uuid.uuid4().hex}"

    def write(conn: Conn) -> None:
        if changed:
            # Before the transaction: registration costs catalog round trips, which would
            # otherwise run while this transaction holds the twin lock and stalls other writers.
            register_vector_types(conn)
        with conn.transaction():
            lock_twin_for_write(conn, twin_id, embedder)
            # Another ingest of the same documents may have committed while we embedded.
            _classify(prepared, _stored_hashes(conn, twin_id, ids))
            # Only documents embedded above can be written; one that was unchanged when read
            # and was edited by someone else since stays as they left it.
            for item in prepared:
                if item not in changed:
                    item.status = "unchanged"
            still_changed = [p for p in changed if p.status != "unchanged"]
            if still_changed:
                _write(conn, twin_id=twin_id, embedder=embedder, changed=still_changed)
            conn.execute(query("ingest.insert_ingestion"), {
                "id": ingestion_id, "twin_id": twin_id, "document_count": len(prepared),
                "documents": Jsonb([{"id": p.document_id, "title": p.doc.title, "status": p.status,
                                     "chunks": len(p.chunks), "content_hash": p.content_hash} for p in prepared]),
                "ttl_s": settings.ingest_metadata_ttl_s, "embedder": embedder.name, "tokens": tokens,
                "api_key_id": api_key_id,
            })

    db.run(write)
    return IngestResult(
        ingestion_id=ingestion_id,
        twin_id=twin_id,
        embedder=embedder.name,
        mode=embedder.mode,
        documents=[DocumentResult(p.document_id, len(p.chunks), p.status) for p in prepared],
        embedded_chunks=embedded,
        tokens=tokens,
    )
