-- Database-wide defaults for vector search, so no request pays a SET round trip and
-- connections behind RDS Proxy are not pinned by session state.
--   hnsw.ef_search = 100: recall@10 >= 0.95 at 100k rows (bench/search.py);
--   hnsw.iterative_scan = relaxed_order: filtered searches (twin, metadata) keep scanning
--   the index until they have k rows instead of returning fewer (pgvector >= 0.8).
-- Needs database ownership; where the migrating role lacks it, connections set the same
-- values at connect time instead (twin.db), so this is best effort, not a failure.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET hnsw.ef_search = 100', current_database());
    EXECUTE format('ALTER DATABASE %I SET hnsw.iterative_scan = relaxed_order', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'not the database owner: hnsw defaults are set per connection instead';
END
$$;
