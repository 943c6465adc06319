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
