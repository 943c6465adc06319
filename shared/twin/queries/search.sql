-- name: hybrid_search
-- Hybrid retrieval for one twin: HNSW cosine candidates and full-text candidates fused by reciprocal rank.
-- The semantic side keeps only candidates above the minimum similarity and the lexical side only
-- chunks matching every query term, so an unrelated question retrieves nothing at all.
-- hnsw.iterative_scan (database default or connection option) keeps the filtered index scan
-- going until it has `candidates` rows, so twin and metadata filters still return the full k.
-- A NULL filter means "no filter" and is folded away by the planner; the caller runs this
-- unprepared so every execution is planned with its values (a generic plan would guess the
-- filter's selectivity and abandon the HNSW index).
WITH semantic AS MATERIALIZED (
    SELECT id, embedding::halfvec(1536) <=> %(embedding)s::halfvec(1536) AS distance
    FROM vectors
    WHERE twin_id = %(twin_id)s AND (%(filter)s::jsonb IS NULL OR metadata @> %(filter)s::jsonb)
    ORDER BY embedding::halfvec(1536) <=> %(embedding)s::halfvec(1536)
    LIMIT %(candidates)s
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
        FROM vectors v, websearch_to_tsquery('english', %(query_text)s) AS q (query)
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
