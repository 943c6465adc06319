from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import psycopg
import pytest

from twin.errors import MigrationError
from twin.storage.migrations import default_migrations_dir, discover, migrate, status


def _connect(url: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(url, autocommit=True)


def test_migrate_on_empty_database_creates_seed_tables_and_hnsw_index(empty_db_url: str) -> None:
    with _connect(empty_db_url) as conn:
        applied = migrate(conn)
        assert [f.version for f in applied] == [f.version for f in discover()]
        tables = {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()}
        assert {"vectors", "database_cache", "ingestion_metadata", "rate_limits"} <= tables
        method = conn.execute(
            "SELECT am.amname FROM pg_class i JOIN pg_am am ON am.oid = i.relam"
            " WHERE i.relname = 'vectors_embedding_hnsw_idx'").fetchone()
        assert method == ("hnsw",)


def test_seed_columns_are_kept(empty_db_url: str) -> None:
    seed = {
        "vectors": {"id", "embedding", "content", "metadata", "created_at", "updated_at"},
        "rate_limits": {"key", "count", "expires_at"},
        "database_cache": {"key", "value", "expires_at"},
        "ingestion_metadata": {"id", "user_id", "document_count", "documents", "expires_at"},
    }
    with _connect(empty_db_url) as conn:
        migrate(conn)
        for table, columns in seed.items():
            found = {r[0] for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s", (table,))}
            assert columns <= found, table


def test_second_migrate_is_a_no_op(empty_db_url: str) -> None:
    with _connect(empty_db_url) as conn:
        migrate(conn)
        before = conn.execute("SELECT version, applied_at FROM schema_migrations ORDER BY version").fetchall()
        assert migrate(conn) == []
        after = conn.execute("SELECT version, applied_at FROM schema_migrations ORDER BY version").fetchall()
        assert before == after
        assert all(s.state == "applied" for s in status(conn))


def test_edited_applied_file_is_refused_naming_the_file(empty_db_url: str, tmp_path: Path) -> None:
    sql_dir = tmp_path / "sql"
    shutil.copytree(default_migrations_dir(), sql_dir)
    with _connect(empty_db_url) as conn:
        migrate(conn, sql_dir)
        first = sorted(sql_dir.glob("*.sql"))[0]
        first.write_text(first.read_text() + "\n-- an edit after the fact\n")
        (sql_dir / "9999_later.sql").write_text("CREATE TABLE later (id int);")
        with pytest.raises(MigrationError, match=re.escape(first.name)) as info:
            migrate(conn, sql_dir)
        assert info.value.code == "migration_checksum_mismatch"
        # nothing after the refusal ran
        assert conn.execute("SELECT to_regclass('later')").fetchone() == (None,)
        assert any(s.state == "changed" and s.name == first.name for s in status(conn, sql_dir))


def test_failed_file_rolls_back_and_is_not_recorded(empty_db_url: str, tmp_path: Path) -> None:
    sql_dir = tmp_path / "sql"
    sql_dir.mkdir()
    (sql_dir / "0001_ok.sql").write_text("CREATE TABLE ok_table (id int);")
    (sql_dir / "0002_broken.sql").write_text("CREATE TABLE half (id int);\nSELECT no_such_function();")
    with _connect(empty_db_url) as conn:
        with pytest.raises(MigrationError, match=r"0002_broken\.sql"):
            migrate(conn, sql_dir)
        assert conn.execute("SELECT to_regclass('half')").fetchone() == (None,)
        assert conn.execute("SELECT version FROM schema_migrations").fetchall() == [(1,)]


def test_non_transactional_file_runs_create_index_concurrently(empty_db_url: str, tmp_path: Path) -> None:
    sql_dir = tmp_path / "sql"
    sql_dir.mkdir()
    (sql_dir / "0001_table.sql").write_text("CREATE TABLE t (id int, v text);")
    (sql_dir / "0002_index.sql").write_text(
        "-- twin:no-transaction\n"
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_id_idx ON t (id);\n"
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS t_v_idx ON t (v);\n"
    )
    with _connect(empty_db_url) as conn:
        assert [f.name for f in migrate(conn, sql_dir)] == ["0001_table.sql", "0002_index.sql"]
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 't'")}
        assert indexes == {"t_id_idx", "t_v_idx"}


def test_two_concurrent_migrators_apply_each_file_once(empty_db_url: str, tmp_path: Path) -> None:
    sql_dir = tmp_path / "sql"
    shutil.copytree(default_migrations_dir(), sql_dir)
    # A slow file widens the race window: without the advisory lock both runners would try it.
    (sql_dir / "9000_slow.sql").write_text(
        "CREATE TABLE applied_log (n int);\nSELECT pg_sleep(0.5);\nINSERT INTO applied_log VALUES (1);")
    results: list[list[str]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            with _connect(empty_db_url) as conn:
                barrier.wait()
                results.append([f.name for f in migrate(conn, sql_dir)])
        except BaseException as e:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    applied = sorted(results, key=len)
    assert applied[0] == []
    assert "9000_slow.sql" in applied[1]
    with _connect(empty_db_url) as conn:
        assert conn.execute("SELECT count(*) FROM applied_log").fetchone() == (1,)
        assert conn.execute(
            "SELECT count(*) = count(DISTINCT version) FROM schema_migrations").fetchone() == (True,)


def test_badly_named_file_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "initial.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=r"initial\.sql"):
        discover(tmp_path)
