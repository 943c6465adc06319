-- Each twin's chunk count, kept by the database itself, so a search can choose its strategy from
-- a value it already reads (the twin row) instead of asking the planner or counting rows.
-- Statement-level triggers with transition tables see every write path at once (ingest's COPY,
-- deletes cascading from documents, the Upstash import, reembed), at one UPDATE per statement.
ALTER TABLE twins ADD COLUMN chunk_count bigint NOT NULL DEFAULT 0;

UPDATE twins t SET chunk_count = c.n
FROM (SELECT twin_id, count(*) AS n FROM vectors GROUP BY twin_id) c
WHERE c.twin_id = t.twin_id;

CREATE FUNCTION twins_count_added_chunks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE twins t SET chunk_count = t.chunk_count + a.n
    FROM (SELECT twin_id, count(*) AS n FROM added_chunks GROUP BY twin_id) a
    WHERE t.twin_id = a.twin_id;
    RETURN NULL;
END
$$;

CREATE FUNCTION twins_count_removed_chunks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE twins t SET chunk_count = greatest(t.chunk_count - r.n, 0)
    FROM (SELECT twin_id, count(*) AS n FROM removed_chunks GROUP BY twin_id) r
    WHERE t.twin_id = r.twin_id;
    RETURN NULL;
END
$$;

CREATE TRIGGER vectors_count_added AFTER INSERT ON vectors
    REFERENCING NEW TABLE AS added_chunks FOR EACH STATEMENT EXECUTE FUNCTION twins_count_added_chunks();
CREATE TRIGGER vectors_count_removed AFTER DELETE ON vectors
    REFERENCING OLD TABLE AS removed_chunks FOR EACH STATEMENT EXECUTE FUNCTION twins_count_removed_chunks();
