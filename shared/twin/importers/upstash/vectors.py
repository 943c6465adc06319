"""Upstash Vector entries -> documents and chunks.

Mapping: **one document per Upstash vector**, with one chunk (index 0).

* Upstash vectors already are chunks, and nothing in an index says reliably which belong to one
  source or in which order (a ``source`` or ``documentId`` metadata field is a convention, not a
  guarantee, and one document's chunks can fall on different range pages or different runs).
  One-to-one keeps every property the import needs exact: ids are a function of the Upstash id
  (idempotent by id, resumable page by page), and the row-count check is ``vectors == vectorCount
  - skipped``. Grouping is still possible in search: metadata is kept and filterable.
* ``document_id`` is the Upstash id (``<namespace>:<id>`` outside the default namespace; ids
  longer than 200 characters become ``upstash-<sha256 prefix>``); the chunk id follows ingest:
  ``<twin>:<document_id>:0``.
* Content is ``data`` or, when that is empty, the first of ``text``, ``content``, ``pageContent``,
  ``page_content``, ``_pageContentLC`` (LangChain JS), ``chunk``, ``body`` in metadata;
  ``--content-field`` names one field instead (``data`` or a metadata key). The field used as
  content is dropped from the stored metadata (it is the chunk's text; ``upstash_content_field``
  says where it came from), everything else is kept, plus ``upstash_id`` and
  ``upstash_namespace``. ``title``/``name`` and ``source``/``url``/``path`` fill the document's
  title and source.
* Vectors without text are skipped and reported: a chunk with no text can be found but gives
  the model nothing to quote, and cannot be re-embedded.
* A document with the same id that was ingested directly (no ``upstash_id`` in its metadata) is
  never overwritten: the vector is skipped as ``id_conflict``.

Embeddings: the stored vectors are kept only when they are 1536-d **and** come from the model
the twin embeds with (``openai:<--embedding-model>``, or ``upstash:<model>`` for an index that
embeds server-side); otherwise every text is embedded again with the configured embedder, in
the ingest path's batches (``Embedder.embed`` batches and retries), so spaces never mix. Texts
whose chunk is already stored with the same hash and embedder are not embedded again.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from psycopg.rows import class_row, scalar_row
from psycopg.types.json import Jsonb

from twin.config import EMBEDDING_DIM
from twin.embeddings.base import Embedder, embed_in_batches
from twin.importers.upstash.dry_run import check_twin_embedder, read_only
from twin.importers.upstash.remote import UpstashService
from twin.importers.upstash.report import PageCounts
from twin.ingest.schemas import DocumentInput
from twin.ingest.service import VECTOR_COPY_TYPES, chunk_id, document_hash, lock_twin_for_write
from twin.storage.db import Conn, Database, register_vector_types
from twin.storage.sqlfile import query

DEFAULT_SOURCE_MODEL = "text-embedding-3-small"
# LangChain JS's UpstashVectorStore keeps the text only in metadata._pageContentLC.
CONTENT_FIELDS = ("text", "content", "pageContent", "page_content", "_pageContentLC", "chunk", "body")
TITLE_FIELDS = ("title", "name")
SOURCE_FIELDS = ("source", "url", "path")
MAX_DOCUMENT_ID = 200
MAX_TITLE = 500
STAGE_COPY_TYPES = [*VECTOR_COPY_TYPES, "text", "text", "text"]


@dataclass(frozen=True)
class EmbeddingPlan:
    keep_vectors: bool
    source: str
    target: str
    dimension: int
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"keep_vectors": self.keep_vectors, "source": self.source, "target": self.target,
                "upstash_dimension": self.dimension, "reason": self.reason}


def plan_embeddings(*, dimension: int, index_model: str | None, declared_model: str | None,
                    target: Embedder) -> EmbeddingPlan:
    """Keep Upstash's vectors, or embed the texts again with ``target``?"""
    if declared_model:
        source = declared_model if ":" in declared_model else f"openai:{declared_model}"
    elif index_model:
        source = f"upstash:{index_model}"
    else:
        source = f"openai:{DEFAULT_SOURCE_MODEL}"
    if dimension != EMBEDDING_DIM:
        return EmbeddingPlan(False, source, target.name, dimension,
                             f"Upstash vectors are {dimension}-d, the schema stores {EMBEDDING_DIM}-d")
    if source != target.name:
        return EmbeddingPlan(False, source, target.name, dimension,
                             f"Upstash vectors come from {source}, this twin embeds with {target.name}")
    return EmbeddingPlan(True, source, target.name, dimension, f"same model ({source}) and dimension")


@dataclass(frozen=True)
class MappedVector:
    upstash_id: str
    chunk_id: str
    document_id: str
    content: str
    metadata: dict[str, Any]
    title: str | None
    source: str | None
    vector: list[float] | None  # usable as is (kept), else None: embed the text
    content_hash: str
    document_hash: str


@dataclass(frozen=True)
class ExistingChunk:
    """A row of ``upstash.existing_chunks``."""

    id: str
    content_hash: str
    embedder: str
    metadata: dict[str, Any]


def _existing_chunks(conn: Conn, twin_id: str, ids: list[str]) -> dict[str, ExistingChunk]:
    with conn.cursor(row_factory=class_row(ExistingChunk)) as cur:
        rows = cur.execute(query("upstash.existing_chunks"), {"twin_id": twin_id, "ids": ids}).fetchall()
    return {r.id: r for r in rows}


def _clean(value: Any) -> Any:
    # PostgreSQL text and jsonb cannot hold NUL; one such character would fail the whole page forever.
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_clean(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def document_id_for(upstash_id: str, namespace: str) -> str:
    doc_id = f"{namespace}:{upstash_id}" if namespace else upstash_id
    if not doc_id or len(doc_id) > MAX_DOCUMENT_ID:
        return f"upstash-{hashlib.sha256(doc_id.encode('utf-8')).hexdigest()[:40]}"
    return doc_id


def _pick_text(entry: Any, metadata: dict[str, Any], content_field: str | None) -> tuple[str | None, str | None]:
    """(text, where it came from)."""
    data = getattr(entry, "data", None)
    if content_field == "data" or content_field is None:
        if isinstance(data, str) and data.strip():
            return data, "data"
        if content_field == "data":
            return None, None
    fields = (content_field,) if content_field else CONTENT_FIELDS
    for name in fields:
        value = metadata.get(name)
        if isinstance(value, str) and value.strip():
            return value, name
    return None, None


def _first_str(metadata: dict[str, Any], names: Sequence[str], limit: int) -> str | None:
    for name in names:
        value = metadata.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()[:limit]
    return None


def map_entry(entry: Any, *, twin_id: str, namespace: str, content_field: str | None,
              keep_vectors: bool) -> MappedVector | None:
    """The chunk for one range entry, or None when it has no text."""
    upstash_id = _clean(str(entry.id))
    raw_meta = getattr(entry, "metadata", None)
    metadata: dict[str, Any] = _clean(dict(raw_meta)) if isinstance(raw_meta, dict) else {}
    text, origin = _pick_text(entry, metadata, content_field)
    if text is None:
        return None
    content = _clean(text)
    if origin != "data" and origin is not None:
        metadata.pop(origin, None)
    metadata.update({"upstash_id": upstash_id, "upstash_namespace": namespace, "upstash_content_field": origin})
    title = _first_str(metadata, TITLE_FIELDS, MAX_TITLE)
    source = _first_str(metadata, SOURCE_FIELDS, 2000)
    vector = getattr(entry, "vector", None)
    usable = (keep_vectors and isinstance(vector, list) and len(vector) == EMBEDDING_DIM)
    document_id = document_id_for(upstash_id, namespace)
    return MappedVector(
        upstash_id=upstash_id,
        chunk_id=chunk_id(twin_id, document_id, 0),
        document_id=document_id,
        content=content,
        metadata=metadata,
        title=title,
        source=source,
        vector=[float(v) for v in vector] if usable and isinstance(vector, list) else None,
        content_hash=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        document_hash=document_hash(DocumentInput(content=content, id=document_id, title=title, source=source,
                                                  metadata=metadata)),
    )


def read_page(index: Any, service: UpstashService, *, cursor: str, limit: int, namespace: str,
              include_vectors: bool) -> tuple[str, list[Any]]:
    """One range page: (next cursor, "" after the last page; entries)."""
    result = service.call("range", lambda: index.range(
        cursor=cursor, limit=limit, include_vectors=include_vectors, include_metadata=True,
        include_data=True, namespace=namespace))
    return str(result.next_cursor or ""), list(result.vectors)


def import_page(*, db: Database, entries: list[Any], plan: EmbeddingPlan, embedder: Embedder, twin_id: str,
                namespace: str, content_field: str | None, dry_run: bool,
                save_checkpoint: Callable[[Conn, PageCounts], None]) -> PageCounts:
    """Write one range page (and the checkpoint past it) in one transaction; returns its counts.
    A dry run returns the same counts from reads alone."""
    counts = PageCounts()
    tally = counts["vectors"]
    tally.read = len(entries)
    mapped: dict[str, MappedVector] = {}
    for entry in entries:
        item = map_entry(entry, twin_id=twin_id, namespace=namespace, content_field=content_field,
                         keep_vectors=plan.keep_vectors)
        if item is None:
            tally.skip("no_text")
        else:
            mapped[item.chunk_id] = item

    # Decide what needs embedding before taking any lock: embedding is slow, and the twin row
    # stays locked only for the short write below (as in ingest).
    existing: dict[str, ExistingChunk] = {}
    unkept = [chunk for chunk, item in mapped.items() if item.vector is None]
    if unkept:
        existing = db.run(lambda conn: _existing_chunks(conn, twin_id, unkept))
    staged: list[tuple[MappedVector, list[float] | None]] = []
    to_embed: list[MappedVector] = []
    unchanged = 0
    for item in mapped.values():
        if item.vector is not None:
            staged.append((item, item.vector))  # kept vectors: the upsert compares them
            continue
        old = existing.get(item.chunk_id)
        if old is not None and old.content_hash == item.content_hash and old.embedder == plan.target:
            if old.metadata == item.metadata:
                unchanged += 1
            else:
                staged.append((item, None))  # metadata changed, text did not: keep the stored vector
            continue
        to_embed.append(item)
    counts.reembedded = len(to_embed)
    if dry_run:
        # What the write below would do, worked out from reads alone; nothing is embedded either
        # (a dry run must not spend money on the embedding API).
        return db.run(lambda conn: _dry_run_page(conn, counts, staged, to_embed, unchanged=unchanged,
                                                 twin_id=twin_id, embedder=embedder))
    if to_embed:
        batch = embed_in_batches(embedder, [item.content for item in to_embed])
        counts.tokens = batch.tokens
        staged.extend(zip(to_embed, batch.vectors, strict=True))

    def write(conn: Conn) -> PageCounts:
        page = PageCounts(reembedded=counts.reembedded, tokens=counts.tokens)
        page["vectors"].read = tally.read
        page["vectors"].skipped = dict(tally.skipped)
        page["vectors"].unchanged = unchanged
        if staged:
            # Before the transaction: registration costs catalog round trips, which would
            # otherwise run while this transaction holds the twin lock and stalls other writers.
            register_vector_types(conn)
        with conn.transaction():
            lock_twin_for_write(conn, twin_id, embedder)
            rows = _without_foreign(conn, page, staged, twin_id=twin_id)
            if rows:
                written, vanished = _write_rows(conn, rows, twin_id=twin_id, embedder=embedder.name)
                page["vectors"].written = written
                page["vectors"].skip("changed_during_import", vanished)
                page["vectors"].unchanged += len(rows) - written - vanished
                if written:
                    # Records the embedder and bumps content_version: cached answers are stale now.
                    conn.execute(query("ingest.set_twin_embedder"), {"twin_id": twin_id, "embedder": embedder.name})
            save_checkpoint(conn, page)
        return page

    return db.run(write)


_Row = tuple[MappedVector, list[float] | None]


def _without_foreign(conn: Conn, page: PageCounts, rows: list[_Row], *, twin_id: str) -> list[_Row]:
    """The rows whose document was not ingested directly (those are never overwritten)."""
    if not rows:
        return rows
    with conn.cursor(row_factory=scalar_row) as cur:
        foreign = set(cur.execute(query("upstash.foreign_documents"), {
            "twin_id": twin_id, "document_ids": [item.document_id for item, _ in rows]}).fetchall())
    kept = [(item, vec) for item, vec in rows if item.document_id not in foreign]
    page["vectors"].skip("id_conflict", len(rows) - len(kept))
    return kept


@dataclass(frozen=True)
class StoredChunk:
    """A row of ``upstash.stored_chunks``."""

    id: str
    content: str
    metadata: dict[str, Any]
    embedder: str
    embedding: Any


def _dry_run_page(conn: Conn, counts: PageCounts, staged: list[_Row], to_embed: list[MappedVector], *,
                  unchanged: int, twin_id: str, embedder: Embedder) -> PageCounts:
    """The counts ``write`` in import_page would produce, from read-only queries.

    ``upsert_stage_vectors`` writes a row when (embedding, content, metadata, embedder) differ
    from the stored one: a text to embed always does (it is new or changed), a metadata-only
    row does when its chunk still exists, a kept vector is compared as PostgreSQL would, in
    float32.
    """
    page = PageCounts(reembedded=counts.reembedded)
    tally = page["vectors"]
    tally.read = counts["vectors"].read
    tally.skipped = dict(counts["vectors"].skipped)
    tally.unchanged = unchanged
    rows: list[_Row] = [*staged, *((item, None) for item in to_embed)]
    if not rows:
        return page
    embedded = {id(item) for item in to_embed}
    register_vector_types(conn)  # catalog reads: the stored embeddings come back as vectors
    with read_only(conn):
        check_twin_embedder(conn, twin_id, embedder)
        rows = _without_foreign(conn, page, rows, twin_id=twin_id)
        with conn.cursor(row_factory=class_row(StoredChunk)) as cur:
            stored = {r.id: r for r in cur.execute(query("upstash.stored_chunks"), {
                "twin_id": twin_id, "ids": [item.chunk_id for item, _ in rows]}).fetchall()}
    for item, vector in rows:
        old = stored.get(item.chunk_id)
        if id(item) in embedded:
            tally.written += 1
        elif vector is None and old is None:
            tally.skip("changed_during_import")
        elif _differs(item, vector, old, embedder.name):
            tally.written += 1
        else:
            tally.unchanged += 1
    return page


def _differs(item: MappedVector, vector: list[float] | None, old: StoredChunk | None, embedder: str) -> bool:
    if old is None or (old.content, old.metadata, old.embedder) != (item.content, item.metadata, embedder):
        return True
    # vector(1536) stores float32: compare what PostgreSQL would store, not the float64 input.
    return vector is not None and array("f", vector).tolist() != _as_floats(old.embedding)


def _as_floats(vector: Any) -> list[float]:
    # pgvector's loader returns numpy arrays when numpy is installed, its own Vector otherwise.
    return [float(v) for v in (vector.tolist() if hasattr(vector, "tolist") else vector.to_list())]


def _write_rows(conn: Conn, rows: list[tuple[MappedVector, list[float] | None]], *, twin_id: str,
                embedder: str) -> tuple[int, int]:
    """(chunks written, staged rows that vanished) for one page, via a staging table. The caller
    registered pgvector's types before taking the twin lock (the COPY needs them)."""
    conn.execute(query("upstash.create_vector_stage"))
    with conn.cursor() as cur, cur.copy(query("upstash.copy_vector_stage")) as copy:
        copy.set_types(STAGE_COPY_TYPES)
        for item, vector in rows:
            copy.write_row((item.chunk_id, vector, item.content, Jsonb(item.metadata), twin_id, item.document_id,
                            0, item.content_hash, embedder, item.title, item.source, item.document_hash))
    with conn.cursor(row_factory=scalar_row) as cur:
        vanished = int(cur.execute(query("upstash.count_vanished_stage")).fetchone() or 0)
    conn.execute(query("upstash.upsert_stage_documents"))
    written = len(conn.execute(query("upstash.upsert_stage_vectors")).fetchall())
    return written, vanished
