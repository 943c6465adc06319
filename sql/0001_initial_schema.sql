-- Initial schema: the seed's four tables (vectors, database_cache, ingestion_metadata,
-- rate_limits) keep their names and columns, extended for many twins, idempotent ingest and
-- hybrid search; plus twins, documents, chat sessions and API keys.
--
-- Fixes against the seed:
--   * timestamps are timestamptz (the seed used timestamp without time zone, so expiry
--     compared against now() depended on the session's TimeZone);
--   * the vector index is HNSW (an IVFFlat index built on an empty table keeps useless
--     centroids: recall@10 0.09-0.20 at 100k rows until REINDEX) and its operator class
--     matches the query operator: cosine distance `<=>` with halfvec_cosine_ops (the seed
--     indexed for cosine but queried with `<->`, so the index was never used);
--   * the index is on a halfvec(1536) expression: half the size of a vector index, same recall.

CREATE EXTENSION IF NOT EXISTS vector;

-- One row per digital twin (a person). Everything else is scoped by twin_id.
CREATE TABLE twins (
    twin_id         text PRIMARY KEY
                    CONSTRAINT twins_twin_id_format CHECK (twin_id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    display_name    text NOT NULL DEFAULT '',
    persona         text NOT NULL DEFAULT '',
    -- Which embedder produced this twin's vectors; vectors of different embedders live in
    -- different spaces and must never be mixed in one twin.
    embedder        text,
    -- Bumped by every write to the twin's content; part of the answer cache key, so any
    -- ingest or delete invalidates cached answers without scanning the cache.
    content_version bigint NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE documents (
    twin_id      text NOT NULL REFERENCES twins (twin_id) ON DELETE CASCADE,
    document_id  text NOT NULL CONSTRAINT documents_id_length CHECK (length(document_id) BETWEEN 1 AND 200),
    title        text,
    source       text,
    metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
    content_hash text NOT NULL,
    chunk_count  integer NOT NULL,
    char_count   integer NOT NULL,
    embedder     text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (twin_id, document_id)
);

CREATE INDEX documents_twin_updated_idx ON documents (twin_id, updated_at DESC, document_id DESC);

-- Seed table: one row per chunk. Seed columns: id, embedding, content, metadata, created_at, updated_at.
CREATE TABLE vectors (
    id           text PRIMARY KEY,
    embedding    vector(1536) NOT NULL,
    content      text NOT NULL,
    metadata     jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    twin_id      text NOT NULL,
    document_id  text NOT NULL,
    chunk_index  integer NOT NULL,
    content_hash text NOT NULL,
    embedder     text NOT NULL,
    fts          tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
    FOREIGN KEY (twin_id, document_id) REFERENCES documents (twin_id, document_id) ON DELETE CASCADE,
    UNIQUE (twin_id, document_id, chunk_index)
);

-- Keep the 6 KB vector in the row instead of TOAST: a scan then reads it without a detour, and
-- the planner, which prices a scan by heap pages, sees what scanning 1536-d vectors really
-- costs and uses the HNSW index for large twins (with TOAST it believed a 20k-row scan cheap
-- and took 250 ms per query). Small twins are still scanned exactly, as they should be.
-- The tsvector stays in the row too (MAIN: compressed, moved out only as a last resort):
-- out of line, ranking 500 full-text matches cost a TOAST fetch each (16 ms instead of 6 ms at
-- 100k rows, bench/search.py). content and metadata stay EXTENDED, so a row always fits.
ALTER TABLE vectors ALTER COLUMN embedding SET STORAGE PLAIN;
ALTER TABLE vectors ALTER COLUMN fts SET STORAGE MAIN;

CREATE INDEX vectors_embedding_hnsw_idx ON vectors
    USING hnsw ((embedding::halfvec(1536)) halfvec_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX vectors_fts_idx ON vectors USING gin (fts);
CREATE INDEX vectors_metadata_idx ON vectors USING gin (metadata jsonb_path_ops);
CREATE INDEX vectors_twin_idx ON vectors (twin_id);

-- Seed table: key/value cache with expiry (query embeddings, answers, imported Redis strings).
CREATE TABLE database_cache (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    expires_at timestamptz,
    twin_id    text,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX database_cache_expires_idx ON database_cache (expires_at) WHERE expires_at IS NOT NULL;

-- Seed table: one row per ingest request. user_id is the seed's name for the twin.
CREATE TABLE ingestion_metadata (
    id             text PRIMARY KEY,
    user_id        text NOT NULL,
    document_count integer NOT NULL,
    documents      jsonb NOT NULL,
    expires_at     timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    embedder       text NOT NULL,
    tokens         integer NOT NULL DEFAULT 0,
    api_key_id     text
);

CREATE INDEX ingestion_metadata_user_idx ON ingestion_metadata (user_id, created_at DESC);
CREATE INDEX ingestion_metadata_expires_idx ON ingestion_metadata (expires_at) WHERE expires_at IS NOT NULL;

-- Seed table: fixed-window counters (requests and daily token budgets). UNLOGGED: counters
-- live for a minute or a day, losing them in a crash only resets limits early, and skipping
-- WAL halves the cost of the one statement every request runs (450 us -> 235 us measured).
CREATE UNLOGGED TABLE rate_limits (
    key        text PRIMARY KEY,
    count      bigint NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX rate_limits_expires_idx ON rate_limits (expires_at);

CREATE TABLE chat_sessions (
    session_id uuid PRIMARY KEY,
    twin_id    text NOT NULL REFERENCES twins (twin_id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

CREATE INDEX chat_sessions_expires_idx ON chat_sessions (expires_at);

CREATE TABLE chat_messages (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES chat_sessions (session_id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('user', 'assistant')),
    content    text NOT NULL,
    sources    jsonb NOT NULL DEFAULT '[]'::jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX chat_messages_session_idx ON chat_messages (session_id, id);

-- API keys are stored as sha256 of the full key; keys are 256-bit random, so a fast hash
-- is enough (no password stretching needed) and lookup stays one index probe.
CREATE TABLE api_keys (
    key_id       text PRIMARY KEY,
    twin_id      text NOT NULL REFERENCES twins (twin_id) ON DELETE CASCADE,
    key_hash     text NOT NULL UNIQUE,
    name         text NOT NULL DEFAULT '',
    scopes       text[] NOT NULL CHECK (scopes <@ ARRAY['ingest', 'chat']::text[] AND cardinality(scopes) > 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE INDEX api_keys_twin_idx ON api_keys (twin_id);
