-- name: document_hashes
-- Current content hash of the given documents of one twin (to skip unchanged ones).
SELECT document_id, content_hash
FROM documents
WHERE twin_id = %(twin_id)s AND document_id = ANY(%(document_ids)s);

-- name: chunk_embeddings_by_hash
-- Existing embeddings of a twin's chunks by content hash, so an edited document only embeds new text.
SELECT DISTINCT ON (content_hash) content_hash, embedding
FROM vectors
WHERE twin_id = %(twin_id)s AND document_id = ANY(%(document_ids)s) AND embedder = %(embedder)s
  AND content_hash = ANY(%(content_hashes)s);

-- name: delete_document_chunks
-- Remove the chunks of documents about to be replaced (same transaction as the new COPY).
DELETE FROM vectors WHERE twin_id = %(twin_id)s AND document_id = ANY(%(document_ids)s);

-- name: upsert_documents
-- Insert or replace document rows in one statement from parallel arrays.
INSERT INTO documents (twin_id, document_id, title, source, metadata, content_hash, chunk_count, char_count, embedder)
SELECT %(twin_id)s, d.document_id, d.title, d.source, d.metadata, d.content_hash, d.chunk_count, d.char_count,
       %(embedder)s
FROM unnest(%(document_ids)s::text[], %(titles)s::text[], %(sources)s::text[], %(metadata)s::jsonb[],
            %(content_hashes)s::text[], %(chunk_counts)s::int[], %(char_counts)s::int[])
     AS d (document_id, title, source, metadata, content_hash, chunk_count, char_count)
ON CONFLICT (twin_id, document_id) DO UPDATE
SET title = excluded.title, source = excluded.source, metadata = excluded.metadata,
    content_hash = excluded.content_hash, chunk_count = excluded.chunk_count,
    char_count = excluded.char_count, embedder = excluded.embedder, updated_at = now();

-- name: copy_vectors
-- Bulk load of chunks (binary COPY; column order matches twin.ingest.VECTOR_COPY_TYPES).
COPY vectors (id, embedding, content, metadata, twin_id, document_id, chunk_index, content_hash, embedder)
FROM STDIN (FORMAT BINARY);

-- name: insert_ingestion
-- One audit row per ingest request (seed table ingestion_metadata; user_id is the twin).
INSERT INTO ingestion_metadata (id, user_id, document_count, documents, expires_at, embedder, tokens, api_key_id)
VALUES (%(id)s, %(twin_id)s, %(document_count)s, %(documents)s, now() + make_interval(secs => %(ttl_s)s),
        %(embedder)s, %(tokens)s, %(api_key_id)s);

-- name: list_documents
-- One page of a twin's documents, newest first; keyset pagination on (updated_at, document_id).
SELECT document_id, title, source, metadata, chunk_count, char_count, embedder, content_hash,
       created_at, updated_at
FROM documents
WHERE twin_id = %(twin_id)s
  AND (%(after_updated_at)s::timestamptz IS NULL
       OR (updated_at, document_id) < (%(after_updated_at)s::timestamptz, %(after_document_id)s::text))
ORDER BY updated_at DESC, document_id DESC
LIMIT %(limit)s;

-- name: delete_document
-- Delete one document; its chunks go with it (ON DELETE CASCADE).
DELETE FROM documents WHERE twin_id = %(twin_id)s AND document_id = %(document_id)s
RETURNING document_id, chunk_count;

-- name: count_documents
-- Number of documents and chunks of one twin.
SELECT (SELECT count(*) FROM documents WHERE twin_id = %(twin_id)s) AS documents,
       (SELECT count(*) FROM vectors WHERE twin_id = %(twin_id)s) AS chunks;
