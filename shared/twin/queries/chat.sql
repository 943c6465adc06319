-- name: twin_with_cached_answer
-- The twin's profile and, when cache_key is given, its cached answer for this question at the
-- twin's current content version (one round trip; a new ingest changes the version and so misses).
SELECT t.twin_id, t.display_name, t.persona, t.embedder, t.content_version,
       (SELECT c.value FROM database_cache c
        WHERE c.key = 'answer:' || t.twin_id || ':' || t.content_version || ':' || %(question_key)s
          AND (c.expires_at IS NULL OR c.expires_at > now())) AS cached_answer
FROM twins t
WHERE t.twin_id = %(twin_id)s;

-- name: session_history
-- A live session of this twin with its last messages, oldest first (no rows: unknown or expired).
SELECT s.session_id, m.role, m.content
FROM chat_sessions s
LEFT JOIN LATERAL (
    SELECT id, role, content FROM chat_messages
    WHERE session_id = s.session_id ORDER BY id DESC LIMIT %(limit)s
) m ON true
WHERE s.session_id = %(session_id)s AND s.twin_id = %(twin_id)s AND s.expires_at > now()
ORDER BY m.id;

-- name: record_exchange
-- Create or extend the session and append the question and answer, in one statement.
WITH session AS (
    INSERT INTO chat_sessions (session_id, twin_id, expires_at)
    VALUES (%(session_id)s, %(twin_id)s, now() + make_interval(secs => %(ttl_s)s))
    ON CONFLICT (session_id) DO UPDATE
    SET updated_at = now(), expires_at = excluded.expires_at
    WHERE chat_sessions.twin_id = excluded.twin_id
    RETURNING session_id
)
INSERT INTO chat_messages (session_id, role, content, sources)
SELECT session.session_id, m.role, m.content, m.sources
FROM session,
     (VALUES ('user', %(question)s, '[]'::jsonb), ('assistant', %(answer)s, %(sources)s::jsonb))
         AS m (role, content, sources);

-- name: cache_get
-- A cached value that has not expired.
SELECT value FROM database_cache
WHERE key = %(key)s AND (expires_at IS NULL OR expires_at > now());

-- name: cache_put
-- Store or refresh a cached value with its expiry (one atomic upsert).
INSERT INTO database_cache (key, value, expires_at, twin_id)
VALUES (%(key)s, %(value)s, now() + make_interval(secs => %(ttl_s)s), %(twin_id)s)
ON CONFLICT (key) DO UPDATE
SET value = excluded.value, expires_at = excluded.expires_at, twin_id = excluded.twin_id;
