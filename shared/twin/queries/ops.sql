-- Expired-row purges (twin.ops.cleanup) run by the scheduled Cleanup function and `twin cleanup`.
-- Each statement deletes one bounded batch and is its own short transaction: rows are picked
-- through the expires_at index in expiry order, locked with FOR UPDATE SKIP LOCKED so a
-- concurrent cleanup (or a request updating the same row) is stepped over instead of waited
-- for, and matched back by primary key (a ctid join can turn into a whole-table scan).
-- A row another cleanup already deleted is neither locked nor deleted here, so two runs
-- never count the same row. NULL expires_at means "never expires" and is never matched.

-- name: purge_expired_cache
-- Delete one batch of expired database_cache entries (query embeddings, cached answers).
DELETE FROM database_cache
WHERE key IN (
    SELECT key FROM database_cache
    WHERE expires_at <= now()
    ORDER BY expires_at
    LIMIT %(batch)s
    FOR UPDATE SKIP LOCKED
);

-- name: purge_expired_rate_limits
-- Delete one batch of rate-limit windows that have ended.
DELETE FROM rate_limits
WHERE key IN (
    SELECT key FROM rate_limits
    WHERE expires_at <= now()
    ORDER BY expires_at
    LIMIT %(batch)s
    FOR UPDATE SKIP LOCKED
);

-- name: purge_expired_ingestion_metadata
-- Delete one batch of ingest-request records past their retention.
DELETE FROM ingestion_metadata
WHERE id IN (
    SELECT id FROM ingestion_metadata
    WHERE expires_at <= now()
    ORDER BY expires_at
    LIMIT %(batch)s
    FOR UPDATE SKIP LOCKED
);

-- name: purge_expired_chat_sessions
-- Delete one batch of expired chat sessions; their chat_messages go with them (ON DELETE CASCADE).
DELETE FROM chat_sessions
WHERE session_id IN (
    SELECT session_id FROM chat_sessions
    WHERE expires_at <= now()
    ORDER BY expires_at
    LIMIT %(batch)s
    FOR UPDATE SKIP LOCKED
);

-- name: export_snapshot
-- `twin export` (twin.ops.backup) reads the whole twin from one snapshot, so counts, documents and chunks agree with each other.
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY;

-- name: export_twin
-- The twin's profile and embedder with the counts the export header promises.
SELECT t.twin_id, t.display_name, t.persona, t.embedder, t.created_at,
       (SELECT count(*) FROM documents d WHERE d.twin_id = t.twin_id) AS documents,
       (SELECT count(*) FROM vectors v WHERE v.twin_id = t.twin_id) AS chunks,
       (SELECT count(*) FROM api_keys k WHERE k.twin_id = t.twin_id) AS api_keys
FROM twins t WHERE t.twin_id = %(twin_id)s;

-- name: export_documents
-- Every document row of the twin, in id order.
SELECT document_id, title, source, metadata, content_hash, chunk_count, char_count, embedder,
       created_at, updated_at
FROM documents WHERE twin_id = %(twin_id)s
ORDER BY document_id;

-- name: export_chunks
-- Every chunk of the twin with its embedding as pgvector text ('[0.1,...]', which is also JSON), in document order.
SELECT document_id, chunk_index, content, metadata, content_hash, embedder, embedding::text AS embedding,
       created_at, updated_at
FROM vectors WHERE twin_id = %(twin_id)s
ORDER BY document_id, chunk_index;

-- name: export_api_keys
-- The twin's API keys without their hashes (a backup never carries anything that authenticates).
SELECT key_id, name, scopes, created_at, last_used_at, revoked_at
FROM api_keys WHERE twin_id = %(twin_id)s
ORDER BY created_at, key_id;

-- name: lock_restore_target
-- Lock the (just ensured) target twin for the restore's transaction and count what it already holds.
SELECT t.display_name, t.persona,
       (SELECT count(*) FROM documents d WHERE d.twin_id = t.twin_id) AS documents
FROM twins t WHERE t.twin_id = %(twin_id)s
FOR UPDATE;

-- name: delete_twin_documents
-- `twin restore --replace`: drop the target twin's documents; their chunks go with them (ON DELETE CASCADE).
DELETE FROM documents WHERE twin_id = %(twin_id)s;

-- name: restore_twin_profile
-- Set the restored twin's embedder and profile (a non-empty name or persona is kept unless replacing) and
-- bump its content version so no cached answer survives.
UPDATE twins
SET embedder = %(embedder)s,
    display_name = CASE WHEN %(replace)s OR display_name = '' THEN %(display_name)s ELSE display_name END,
    persona = CASE WHEN %(replace)s OR persona = '' THEN %(persona)s ELSE persona END,
    content_version = content_version + 1, updated_at = now()
WHERE twin_id = %(twin_id)s;

-- name: copy_restore_documents
-- Bulk load of restored document rows (binary COPY; column order matches twin.ops.backup.DOCUMENT_COPY_TYPES).
COPY documents (twin_id, document_id, title, source, metadata, content_hash, chunk_count, char_count, embedder,
                created_at, updated_at)
FROM STDIN (FORMAT BINARY);

-- name: copy_restore_chunks
-- Bulk load of restored chunks (binary COPY; column order matches twin.ops.backup.CHUNK_COPY_TYPES).
COPY vectors (id, embedding, content, metadata, twin_id, document_id, chunk_index, content_hash, embedder,
              created_at, updated_at)
FROM STDIN (FORMAT BINARY);

-- name: restored_counts
-- What the target twin holds after the restore's writes (checked against the file before commit).
SELECT (SELECT count(*) FROM documents d WHERE d.twin_id = %(twin_id)s) AS documents,
       (SELECT count(*) FROM vectors v WHERE v.twin_id = %(twin_id)s) AS chunks;
