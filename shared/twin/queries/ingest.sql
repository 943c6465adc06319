-- Documents and their chunks: twin.ingest (service, documents, reembed). Writers of one twin
-- serialise on lock_twin for the rest of their transaction.

-- name: lock_twin
-- Serialise writers of one twin for the rest of the transaction and read its embedder.
SELECT embedder,
       EXISTS (SELECT 1 FROM vectors v WHERE v.twin_id = t.twin_id) AS has_vectors
FROM twins t
WHERE twin_id = %(twin_id)s
FOR UPDATE;

-- name: set_twin_embedder
-- Record which embedder the twin's vectors come from and invalidate cached answers by version.
UPDATE twins
SET embedder = %(embedder)s, content_version = content_version + 1, updated_at = now()
WHERE twin_id = %(twin_id)s;

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

-- name: chunks_to_reembed
-- Every chunk of a twin with its text, to embed again with another embedder.
SELECT id, content FROM vectors WHERE twin_id = %(twin_id)s ORDER BY id;

-- name: create_reembed_stage
-- A transaction-local staging table for the new vectors (dropped at commit).
CREATE TEMPORARY TABLE reembed_stage (id text PRIMARY KEY, embedding vector(1536) NOT NULL) ON COMMIT DROP;

-- name: copy_reembed_stage
-- Bulk load of the new vectors into the staging table.
COPY reembed_stage (id, embedding) FROM STDIN (FORMAT BINARY);

-- name: apply_reembed_stage
-- Swap in the new vectors for every staged chunk of the twin.
UPDATE vectors v SET embedding = s.embedding, embedder = %(embedder)s, updated_at = now()
FROM reembed_stage s
WHERE v.id = s.id AND v.twin_id = %(twin_id)s;

-- name: set_documents_embedder
-- Record the new embedder on the twin's documents.
UPDATE documents SET embedder = %(embedder)s WHERE twin_id = %(twin_id)s;

-- name: count_other_embedder_chunks
-- Chunks of the twin still from another embedder after the swap (written while re-embedding).
SELECT count(*) FROM vectors WHERE twin_id = %(twin_id)s AND embedder <> %(embedder)s;
