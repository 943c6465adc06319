-- Twins (profile, content version), API keys and rate limits: twin.access, and the twin rows
-- every writer creates on first use.

-- name: ensure_twin
-- Create the twin row on first use; a no-op when it exists.
INSERT INTO twins (twin_id) VALUES (%(twin_id)s)
ON CONFLICT (twin_id) DO NOTHING;

-- name: get_twin
-- One twin's profile and content version.
SELECT twin_id, display_name, persona, embedder, content_version
FROM twins WHERE twin_id = %(twin_id)s;

-- name: upsert_twin_profile
-- Create or edit a twin's display name and persona (NULL keeps the current value); an edit moves the
-- content version, since the persona shapes answers and cached ones are stale now.
INSERT INTO twins (twin_id, display_name, persona)
VALUES (%(twin_id)s, coalesce(%(display_name)s, ''), coalesce(%(persona)s, ''))
ON CONFLICT (twin_id) DO UPDATE
SET display_name = coalesce(%(display_name)s, twins.display_name),
    persona = coalesce(%(persona)s, twins.persona),
    content_version = twins.content_version + 1,
    updated_at = now()
RETURNING twin_id, display_name, persona, embedder, content_version;

-- name: bump_content_version
-- Any write to a twin's content invalidates its cached answers (the version is in the cache key).
UPDATE twins SET content_version = content_version + 1, updated_at = now()
WHERE twin_id = %(twin_id)s;

-- name: insert_api_key
-- Store a new key by its hash (the key itself is shown once and never stored).
INSERT INTO api_keys (key_id, twin_id, key_hash, name, scopes)
VALUES (%(key_id)s, %(twin_id)s, %(key_hash)s, %(name)s, %(scopes)s);

-- name: authenticate_api_key
-- Look a key up by hash and note its use; last_used_at is written at most every 5 minutes so the
-- hot path stays a read.
WITH found AS (
    SELECT key_id, twin_id, scopes FROM api_keys
    WHERE key_hash = %(key_hash)s AND revoked_at IS NULL
), touched AS (
    UPDATE api_keys SET last_used_at = now()
    WHERE key_id = (SELECT key_id FROM found)
      AND (last_used_at IS NULL OR last_used_at < now() - interval '5 minutes')
)
SELECT key_id, twin_id, scopes FROM found;

-- name: revoke_api_key
-- Revoke a key; it stops working at once.
UPDATE api_keys SET revoked_at = now()
WHERE key_id = %(key_id)s AND revoked_at IS NULL
RETURNING key_id;

-- name: list_api_keys
-- Keys of one twin (or all twins when twin_id is NULL), without hashes.
SELECT key_id, twin_id, name, scopes, created_at, last_used_at, revoked_at
FROM api_keys
WHERE %(twin_id)s::text IS NULL OR twin_id = %(twin_id)s
ORDER BY created_at;

-- name: hit_rate_limit
-- Count one request in the caller's fixed window, atomically, in one round trip.
-- The upsert takes the row lock, so concurrent requests are counted exactly (no read-then-write race).
INSERT INTO rate_limits AS r (key, count, expires_at)
VALUES (%(key)s, 1, now() + make_interval(secs => %(window_s)s))
ON CONFLICT (key) DO UPDATE
SET count = CASE WHEN r.expires_at <= now() THEN 1 ELSE r.count + 1 END,
    expires_at = CASE WHEN r.expires_at <= now() THEN excluded.expires_at ELSE r.expires_at END
RETURNING count, greatest(1, ceil(extract(epoch FROM expires_at - now())))::int AS reset_s, 0::bigint AS tokens_used;

-- name: hit_rate_limit_with_budget
-- The same count, plus today's token use read in the same statement (chat's budget check).
WITH hit AS (
    INSERT INTO rate_limits AS r (key, count, expires_at)
    VALUES (%(key)s, 1, now() + make_interval(secs => %(window_s)s))
    ON CONFLICT (key) DO UPDATE
    SET count = CASE WHEN r.expires_at <= now() THEN 1 ELSE r.count + 1 END,
        expires_at = CASE WHEN r.expires_at <= now() THEN excluded.expires_at ELSE r.expires_at END
    RETURNING count, expires_at
)
SELECT hit.count,
       greatest(1, ceil(extract(epoch FROM hit.expires_at - now())))::int AS reset_s,
       coalesce((SELECT t.count FROM rate_limits t WHERE t.key = %(budget_key)s AND t.expires_at > now()), 0)
           AS tokens_used
FROM hit;

-- name: add_token_usage
-- Add model tokens to the caller's daily budget counter (expires at the next UTC midnight).
INSERT INTO rate_limits AS r (key, count, expires_at)
VALUES (%(key)s, %(tokens)s, %(expires_at)s)
ON CONFLICT (key) DO UPDATE
SET count = CASE WHEN r.expires_at <= now() THEN excluded.count ELSE r.count + excluded.count END,
    expires_at = CASE WHEN r.expires_at <= now() THEN excluded.expires_at ELSE r.expires_at END
RETURNING count;

-- name: twin_public_profile
-- What the visitors' page shows of a twin: its name, persona, whether it has an embedder and how many documents.
SELECT t.twin_id, t.display_name, t.persona, t.embedder,
       (SELECT count(*) FROM documents d WHERE d.twin_id = t.twin_id) AS documents
FROM twins t WHERE t.twin_id = %(twin_id)s;
