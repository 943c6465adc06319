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
