from __future__ import annotations

import psycopg

from twin.ops.doctor import SEED_TABLES, run_doctor


def test_doctor_on_a_migrated_database_is_healthy_and_shows_hnsw(migrated_db_url: str) -> None:
    with psycopg.connect(migrated_db_url, autocommit=True) as conn:
        report = run_doctor(conn)
    assert report.ok, [c for c in report.checks if not c.ok]
    assert {t["table"] for t in report.tables} >= set(SEED_TABLES)
    assert any(i["method"] == "hnsw" and i["table"] == "vectors" for i in report.indexes)
    assert report.search_plan["index_usable"] is True
    assert report.server["pgvector_version"].startswith("0.")
    cache = next(t for t in report.tables if t["table"] == "database_cache")
    assert "expired_rows" in cache


def test_doctor_on_an_unmigrated_database_fails_with_a_clear_message(empty_db_url: str) -> None:
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        report = run_doctor(conn)
    assert not report.ok
    failed = {c.name: c.detail for c in report.checks if not c.ok}
    assert "twin db migrate" in " ".join(failed.values())


def test_doctor_reports_expired_rows(migrated_db_url: str) -> None:
    with psycopg.connect(migrated_db_url, autocommit=True) as conn:
        conn.execute("INSERT INTO database_cache (key, value, expires_at) VALUES"
                     " ('doctor-expired', '1', now() - interval '1 minute')")
        try:
            report = run_doctor(conn)
        finally:
            conn.execute("DELETE FROM database_cache WHERE key = 'doctor-expired'")
    cache = next(t for t in report.tables if t["table"] == "database_cache")
    assert cache["expired_rows"] >= 1


def test_doctor_flags_an_index_that_cannot_serve_the_query(empty_db_url: str) -> None:
    from twin.storage.migrations import migrate

    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        migrate(conn)
        # The seed's mistake: an index for L2 while the query orders by cosine distance.
        conn.execute("DROP INDEX vectors_embedding_hnsw_idx")
        conn.execute("CREATE INDEX wrong_idx ON vectors USING hnsw ((embedding::halfvec(1536)) halfvec_l2_ops)")
        report = run_doctor(conn)
    failed = {c.name for c in report.checks if not c.ok}
    assert {"vector_index", "search_uses_vector_index"} <= failed
