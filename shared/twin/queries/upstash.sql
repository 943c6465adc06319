-- Statements of `twin import upstash` (twin.importers.upstash).
-- Every write runs in the transaction of one page of Upstash data, together with the
-- checkpoint update, so an interrupted import never loses or repeats a page. A dry run only
-- reads, in READ ONLY transactions (twin.importers.upstash.dry_run).

-- name: checkpoint_get
-- The saved position of an interrupted import (a database_cache row that never expires).
SELECT value FROM database_cache WHERE key = %(key)s;

-- name: checkpoint_put
-- Save the import's position and counts (same transaction as the page it follows).
INSERT INTO database_cache (key, value, expires_at, twin_id)
VALUES (%(key)s, %(value)s, NULL, %(twin_id)s)
ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = NULL, twin_id = excluded.twin_id;

-- name: checkpoint_delete
-- Forget the checkpoint once an import completed (or on --restart).
DELETE FROM database_cache WHERE key = %(key)s;

-- name: read_only_transaction
-- Dry runs: the page's transaction may only read (a stray write raises instead of leaving dead rows).
SET TRANSACTION READ ONLY;

-- name: twin_embedder
-- The twin's embedder and whether it holds vectors, read without creating or locking the twin row.
SELECT embedder,
       EXISTS (SELECT 1 FROM vectors v WHERE v.twin_id = t.twin_id) AS has_vectors
FROM twins t
WHERE twin_id = %(twin_id)s;

-- name: stored_chunks
-- Dry runs: the stored columns upsert_stage_vectors compares, to tell "would write" from "unchanged".
SELECT id, content, metadata, embedder, embedding
FROM vectors
WHERE twin_id = %(twin_id)s AND id = ANY(%(ids)s);

-- name: existing_chunks
-- Stored hash, embedder and metadata of a page's chunks: unchanged texts are not embedded again.
SELECT id, content_hash, embedder, metadata
FROM vectors
WHERE twin_id = %(twin_id)s AND id = ANY(%(ids)s);

-- name: foreign_documents
-- Documents of the page's ids that were not imported from Upstash (ingested directly): never overwritten.
SELECT document_id
FROM documents
WHERE twin_id = %(twin_id)s AND document_id = ANY(%(document_ids)s) AND NOT (metadata ? 'upstash_id');

-- name: create_vector_stage
-- Transaction-local staging table for one page: the copy_vectors columns plus document fields.
-- A NULL embedding means "text unchanged, keep the stored vector" (metadata-only update).
CREATE TEMPORARY TABLE upstash_vector_stage (
    id            text PRIMARY KEY,
    embedding     vector(1536),
    content       text NOT NULL,
    metadata      jsonb NOT NULL,
    twin_id       text NOT NULL,
    document_id   text NOT NULL,
    chunk_index   integer NOT NULL,
    content_hash  text NOT NULL,
    embedder      text NOT NULL,
    title         text,
    source        text,
    document_hash text NOT NULL
) ON COMMIT DROP;

-- name: copy_vector_stage
-- Binary COPY of one page into the staging table (column order: copy_vectors, then title, source, document_hash).
COPY upstash_vector_stage (id, embedding, content, metadata, twin_id, document_id, chunk_index, content_hash,
                           embedder, title, source, document_hash)
FROM STDIN (FORMAT BINARY);

-- name: count_vanished_stage
-- Staged metadata-only rows whose chunk was deleted after it was read: they have no vector to keep.
SELECT count(*) FROM upstash_vector_stage s
WHERE s.embedding IS NULL AND NOT EXISTS (SELECT 1 FROM vectors v WHERE v.id = s.id);

-- name: upsert_stage_documents
-- One document per imported vector; an unchanged document is left alone (no updated_at churn).
INSERT INTO documents (twin_id, document_id, title, source, metadata, content_hash, chunk_count, char_count,
                       embedder)
SELECT s.twin_id, s.document_id, s.title, s.source, s.metadata, s.document_hash, 1, length(s.content), s.embedder
FROM upstash_vector_stage s
WHERE s.embedding IS NOT NULL OR EXISTS (SELECT 1 FROM vectors v WHERE v.id = s.id)
ON CONFLICT (twin_id, document_id) DO UPDATE
SET title = excluded.title, source = excluded.source, metadata = excluded.metadata,
    content_hash = excluded.content_hash, chunk_count = 1, char_count = excluded.char_count,
    embedder = excluded.embedder, updated_at = now()
WHERE documents.metadata ? 'upstash_id'
  AND (documents.content_hash, documents.embedder) IS DISTINCT FROM (excluded.content_hash, excluded.embedder);

-- name: upsert_stage_vectors
-- Insert new chunks and update changed ones; RETURNING lists only rows actually written, so a
-- second run of the same import reports (and writes) nothing.
INSERT INTO vectors (id, embedding, content, metadata, twin_id, document_id, chunk_index, content_hash, embedder)
SELECT s.id, coalesce(s.embedding, v.embedding), s.content, s.metadata, s.twin_id, s.document_id, s.chunk_index,
       s.content_hash, s.embedder
FROM upstash_vector_stage s
LEFT JOIN vectors v ON v.id = s.id
WHERE coalesce(s.embedding, v.embedding) IS NOT NULL
ON CONFLICT (id) DO UPDATE
SET embedding = excluded.embedding, content = excluded.content, metadata = excluded.metadata,
    content_hash = excluded.content_hash, embedder = excluded.embedder, updated_at = now()
WHERE (vectors.embedding, vectors.content, vectors.metadata, vectors.embedder)
      IS DISTINCT FROM (excluded.embedding, excluded.content, excluded.metadata, excluded.embedder)
RETURNING id;

-- name: count_imported_vectors
-- Chunks of this twin imported from one Upstash namespace (for the final row-count check).
SELECT count(*) FROM vectors
WHERE twin_id = %(twin_id)s AND metadata @> %(marker)s::jsonb;

-- name: upsert_cache
-- Redis strings into database_cache with their remaining TTL (NULL: no expiry). A row is only
-- rewritten when its value changed or its expiry moved by more than a second.
INSERT INTO database_cache (key, value, expires_at, twin_id)
SELECT c.key, c.value,
       CASE WHEN c.ttl_s IS NULL THEN NULL ELSE now() + make_interval(secs => c.ttl_s) END,
       %(twin_id)s
FROM unnest(%(keys)s::text[], %(values)s::text[], %(ttl_s)s::float8[]) AS c (key, value, ttl_s)
ON CONFLICT (key) DO UPDATE
SET value = excluded.value, expires_at = excluded.expires_at, twin_id = excluded.twin_id
WHERE database_cache.value IS DISTINCT FROM excluded.value
   OR (database_cache.expires_at IS NULL) <> (excluded.expires_at IS NULL)
   OR abs(extract(epoch FROM database_cache.expires_at - excluded.expires_at)) > 1
RETURNING key;

-- name: cache_would_change
-- Dry runs: the keys upsert_cache would write (missing, another value, or an expiry moved by more than a second).
SELECT c.key
FROM unnest(%(keys)s::text[], %(values)s::text[], %(ttl_s)s::float8[]) AS c (key, value, ttl_s)
LEFT JOIN database_cache d ON d.key = c.key
WHERE d.key IS NULL
   OR d.value IS DISTINCT FROM c.value
   OR (d.expires_at IS NULL) <> (c.ttl_s IS NULL)
   OR abs(extract(epoch FROM d.expires_at - (now() + make_interval(secs => c.ttl_s)))) > 1;

-- name: count_cache
-- How many of the given cache keys exist (per-page verification, inside the page's transaction).
SELECT count(*) FROM database_cache WHERE key = ANY(%(keys)s);

-- name: lock_sessions
-- The page's sessions that already exist, locked so a concurrent chat cannot interleave.
SELECT session_id, twin_id FROM chat_sessions WHERE session_id = ANY(%(session_ids)s::uuid[])
ORDER BY session_id
FOR UPDATE;

-- name: session_owners
-- Dry runs: which of the page's sessions exist and for which twin (lock_sessions without the lock).
SELECT session_id, twin_id FROM chat_sessions WHERE session_id = ANY(%(session_ids)s::uuid[])
ORDER BY session_id;

-- name: session_messages
-- Stored messages of the page's existing sessions, oldest first.
SELECT session_id, role, content FROM chat_messages
WHERE session_id = ANY(%(session_ids)s::uuid[])
ORDER BY session_id, id;

-- name: insert_session
-- Create an imported chat session (expiry from the Redis key's TTL, else the default session TTL).
INSERT INTO chat_sessions (session_id, twin_id, expires_at)
VALUES (%(session_id)s, %(twin_id)s, now() + make_interval(secs => %(ttl_s)s))
ON CONFLICT (session_id) DO NOTHING;

-- name: append_messages
-- Append messages to a session in their conversation order (identity ids follow the ORDER BY).
INSERT INTO chat_messages (session_id, role, content)
SELECT %(session_id)s, m.role, m.content
FROM unnest(%(roles)s::text[], %(contents)s::text[]) WITH ORDINALITY AS m (role, content, ord)
ORDER BY m.ord;

-- name: count_sessions
-- Sessions of this twin holding at least the expected number of messages (per-page verification).
SELECT count(*)
FROM unnest(%(session_ids)s::uuid[], %(message_counts)s::int[]) AS e (session_id, messages)
JOIN chat_sessions s ON s.session_id = e.session_id AND s.twin_id = %(twin_id)s
WHERE (SELECT count(*) FROM chat_messages m WHERE m.session_id = e.session_id) >= e.messages;
