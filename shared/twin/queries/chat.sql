-- Chat sessions, the answer cache and retrieval: twin.chat (service, cache, retrieval).

-- name: twin_with_cached_answer
-- The twin's profile and, when cache_key is given, its cached answer for this question at the
-- twin's current content version (one round trip; a new ingest changes the version and so misses).
SELECT t.twin_id, t.display_name, t.persona, t.embedder, t.content_version, t.chunk_count,
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

-- name: hybrid_search
-- Hybrid retrieval for one twin: vector candidates and full-text candidates fused by reciprocal rank.
-- With exact (a twin at or below the exact-search threshold, twin.chat.retrieval) the vector side
-- ranks every chunk by exact distance at full precision: a few milliseconds at personal scale, and
-- it can never miss the nearest chunk, which an approximate scan can. Otherwise it walks the HNSW
-- index; hnsw.iterative_scan (database default or connection option) keeps a filtered scan going
-- until it has `candidates` rows. The caller runs this unprepared, so every execution is planned
-- with its values: the branch that `exact` switches off folds to a one-time false filter and costs
-- nothing, a NULL filter folds away, and no generic plan guesses the filter's selectivity and
-- abandons the HNSW index.
-- The semantic side keeps only candidates above the minimum similarity; the lexical side matches
-- chunks holding all of the question's words or all but one (the caller builds that query), ranked by
-- ts_rank, which rises with the terms a chunk covers, so one absent word does not drop a chunk.
WITH semantic AS MATERIALIZED (
    (SELECT id, embedding::halfvec(1536) <=> %(embedding)s::halfvec(1536) AS distance
     FROM vectors
     WHERE NOT %(exact)s AND twin_id = %(twin_id)s
       AND (%(filter)s::jsonb IS NULL OR metadata @> %(filter)s::jsonb)
     ORDER BY embedding::halfvec(1536) <=> %(embedding)s::halfvec(1536)
     LIMIT %(candidates)s)
    UNION ALL
    (SELECT id, embedding <=> %(embedding)s::vector(1536) AS distance
     FROM vectors
     WHERE %(exact)s AND twin_id = %(twin_id)s
       AND (%(filter)s::jsonb IS NULL OR metadata @> %(filter)s::jsonb)
     ORDER BY embedding <=> %(embedding)s::vector(1536)
     LIMIT %(candidates)s)
),
semantic_ranked AS (
    SELECT id, 1 - distance AS similarity, row_number() OVER (ORDER BY distance, id) AS rank
    FROM semantic
    WHERE 1 - distance >= %(min_similarity)s
),
lexical AS (
    -- ts_rank rather than ts_rank_cd: only the order matters to the fusion, and it is half the cost.
    SELECT id, lexical_score, row_number() OVER (ORDER BY lexical_score DESC, id) AS rank
    FROM (
        SELECT v.id, ts_rank(v.fts, q.query, 1) AS lexical_score
        FROM vectors v, to_tsquery('english', %(query_text)s) AS q (query)
        WHERE v.twin_id = %(twin_id)s AND (%(filter)s::jsonb IS NULL OR v.metadata @> %(filter)s::jsonb)
          AND v.fts @@ q.query
        ORDER BY lexical_score DESC, v.id
        LIMIT %(candidates)s
    ) matched
),
fused AS (
    SELECT coalesce(s.id, l.id) AS id, s.similarity, l.lexical_score,
           coalesce(1.0 / (%(rrf_k)s + s.rank), 0) + coalesce(1.0 / (%(rrf_k)s + l.rank), 0) AS score
    FROM semantic_ranked s
    FULL OUTER JOIN lexical l ON s.id = l.id
    ORDER BY score DESC, id
    LIMIT %(k)s
)
SELECT v.id AS chunk_id, v.document_id, d.title, v.content, v.metadata, v.chunk_index,
       f.similarity, f.lexical_score, f.score::float8 AS score
FROM fused f
JOIN vectors v ON v.id = f.id
JOIN documents d ON d.twin_id = v.twin_id AND d.document_id = v.document_id
ORDER BY f.score DESC, v.id;

-- name: semantic_search
-- Vector-only nearest neighbours for one twin through the HNSW index (benchmarks compare it with exact search).
SELECT id AS chunk_id, 1 - (embedding::halfvec(1536) <=> %(embedding)s::halfvec(1536)) AS similarity
FROM vectors
WHERE twin_id = %(twin_id)s AND (%(filter)s::jsonb IS NULL OR metadata @> %(filter)s::jsonb)
ORDER BY embedding::halfvec(1536) <=> %(embedding)s::halfvec(1536)
LIMIT %(k)s;

-- name: exact_search
-- Exact nearest neighbours by full scan at full precision: the ground truth for recall measurements.
SELECT id AS chunk_id, 1 - (embedding <=> %(embedding)s::vector(1536)) AS similarity
FROM vectors
WHERE twin_id = %(twin_id)s AND (%(filter)s::jsonb IS NULL OR metadata @> %(filter)s::jsonb)
ORDER BY embedding <=> %(embedding)s::vector(1536)
LIMIT %(k)s;

-- name: list_sessions
-- A twin's chat sessions, most recently active first, with their question count and first question (twin.chat.sessions).
SELECT s.session_id, s.created_at, s.updated_at, s.expires_at,
       (SELECT count(*) FROM chat_messages m WHERE m.session_id = s.session_id AND m.role = 'user') AS questions,
       (SELECT m.content FROM chat_messages m WHERE m.session_id = s.session_id AND m.role = 'user'
        ORDER BY m.id LIMIT 1) AS first_question
FROM chat_sessions s
WHERE s.twin_id = %(twin_id)s
ORDER BY s.updated_at DESC, s.session_id
LIMIT %(limit)s;

-- name: session_transcript
-- One session of this twin with every message and its sources, oldest first (no rows: no such session).
SELECT s.session_id, s.created_at AS started_at, s.updated_at, s.expires_at,
       m.id AS message_id, m.role, m.content, m.sources, m.created_at
FROM chat_sessions s
LEFT JOIN chat_messages m ON m.session_id = s.session_id
WHERE s.session_id = %(session_id)s AND s.twin_id = %(twin_id)s
ORDER BY m.id;

-- name: delete_session
-- Delete one session of this twin; its messages go with it (ON DELETE CASCADE). The count is read before the delete.
DELETE FROM chat_sessions s
WHERE s.session_id = %(session_id)s AND s.twin_id = %(twin_id)s
RETURNING s.session_id, (SELECT count(*) FROM chat_messages m WHERE m.session_id = s.session_id) AS messages;

-- name: unanswered_questions
-- Questions whose next message in the session is a decline: no sources, or the no-context text;
-- grouped by question text (case and surrounding space ignored), most recently asked first.
SELECT (array_agg(q.content ORDER BY q.id DESC))[1] AS question,
       count(*) AS times_asked,
       max(q.created_at) AS last_asked_at,
       (array_agg(q.session_id ORDER BY q.id DESC))[1] AS last_session_id,
       (array_agg(a.content ORDER BY q.id DESC))[1] AS last_answer
FROM chat_sessions s
JOIN chat_messages q ON q.session_id = s.session_id AND q.role = 'user'
JOIN LATERAL (
    SELECT n.role, n.content, n.sources FROM chat_messages n
    WHERE n.session_id = q.session_id AND n.id > q.id
    ORDER BY n.id LIMIT 1
) a ON a.role = 'assistant'
WHERE s.twin_id = %(twin_id)s
  AND (%(since)s::timestamptz IS NULL OR q.created_at >= %(since)s::timestamptz)
  AND (a.sources = '[]'::jsonb OR a.content = %(decline_text)s)
GROUP BY lower(btrim(q.content))
ORDER BY max(q.created_at) DESC
LIMIT %(limit)s;

-- name: section_headings
-- The twin's most used section headings (the last step of each chunk's heading path), for suggested questions.
SELECT heading
FROM (
    SELECT v.metadata->'heading_path'->>-1 AS heading, count(*) AS chunks
    FROM vectors v
    WHERE v.twin_id = %(twin_id)s AND jsonb_typeof(v.metadata->'heading_path') = 'array'
      AND jsonb_array_length(v.metadata->'heading_path') >= 2
    GROUP BY 1
) h
WHERE length(heading) BETWEEN 3 AND 40
ORDER BY chunks DESC, heading
LIMIT %(limit)s;

-- name: document_openings
-- The first chunk of each of a twin's documents, closest to the query first: where people introduce
-- themselves (a CV's title and profile, a bio's first lines, a profile export's headline). An
-- introduction reads these besides its search, whose hits a long story's details can crowd out.
SELECT v.id AS chunk_id, v.document_id, d.title, v.content, v.metadata, v.chunk_index,
       (1 - (v.embedding <=> %(embedding)s::vector(1536)))::float8 AS similarity,
       NULL::float8 AS lexical_score, 0::float8 AS score
FROM vectors v
JOIN documents d ON d.twin_id = v.twin_id AND d.document_id = v.document_id
WHERE v.twin_id = %(twin_id)s AND v.chunk_index = 0
ORDER BY v.embedding <=> %(embedding)s::vector(1536), v.id
LIMIT %(k)s;

-- name: experience_chunks
-- The chunks of a twin's documents filed under a resume's experience section (any heading of their
-- path matching `section`, twin.chat.career), in document order: the order of the jobs.
SELECT v.id AS chunk_id, v.document_id, d.title, v.content, v.metadata, v.chunk_index,
       NULL::float8 AS similarity, NULL::float8 AS lexical_score, 0::float8 AS score
FROM vectors v
JOIN documents d ON d.twin_id = v.twin_id AND d.document_id = v.document_id
WHERE v.twin_id = %(twin_id)s
  AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(v.metadata -> 'heading_path') AS path (heading)
              WHERE path.heading ~* %(section)s)
ORDER BY v.document_id, v.chunk_index
LIMIT %(k)s;
