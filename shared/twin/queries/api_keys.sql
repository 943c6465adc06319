-- name: insert_api_key
-- Store a new key by its hash (the key itself is shown once and never stored).
INSERT INTO api_keys (key_id, twin_id, key_hash, name, scopes)
VALUES (%(key_id)s, %(twin_id)s, %(key_hash)s, %(name)s, %(scopes)s)
RETURNING key_id, twin_id, name, scopes, created_at;

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
