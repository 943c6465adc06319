-- name: ensure_twin
-- Create the twin row on first use; a no-op when it exists.
INSERT INTO twins (twin_id) VALUES (%(twin_id)s)
ON CONFLICT (twin_id) DO NOTHING;

-- name: lock_twin
-- Serialise writers of one twin for the rest of the transaction and read its embedder.
SELECT embedder, content_version,
       EXISTS (SELECT 1 FROM vectors v WHERE v.twin_id = t.twin_id) AS has_vectors
FROM twins t
WHERE twin_id = %(twin_id)s
FOR UPDATE;

-- name: set_twin_embedder
-- Record which embedder the twin's vectors come from and invalidate cached answers by version.
UPDATE twins
SET embedder = %(embedder)s, content_version = content_version + 1, updated_at = now()
WHERE twin_id = %(twin_id)s;

-- name: bump_content_version
-- Any write to a twin's content invalidates its cached answers (the version is in the cache key).
UPDATE twins SET content_version = content_version + 1, updated_at = now()
WHERE twin_id = %(twin_id)s;

-- name: get_twin
-- One twin's profile and content version.
SELECT twin_id, display_name, persona, embedder, content_version
FROM twins WHERE twin_id = %(twin_id)s;

-- name: upsert_twin_profile
-- Create or edit a twin's display name and persona (NULL keeps the current value).
INSERT INTO twins (twin_id, display_name, persona)
VALUES (%(twin_id)s, coalesce(%(display_name)s, ''), coalesce(%(persona)s, ''))
ON CONFLICT (twin_id) DO UPDATE
SET display_name = coalesce(%(display_name)s, twins.display_name),
    persona = coalesce(%(persona)s, twins.persona),
    updated_at = now()
RETURNING twin_id, display_name, persona, embedder, content_version;

-- name: list_twins
-- All twins with their document counts, for `twin profile list`.
SELECT t.twin_id, t.display_name, t.embedder,
       (SELECT count(*) FROM documents d WHERE d.twin_id = t.twin_id) AS documents
FROM twins t ORDER BY t.twin_id;
