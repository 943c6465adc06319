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
