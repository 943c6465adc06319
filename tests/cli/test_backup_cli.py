"""`twin export` / `twin restore`: a twin moves to another database and id without re-embedding."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.cli.conftest import Twin, cli_environment
from tests.cli.test_chat_cli import NOTES, ingest_notes
from tests.helpers import count


def chunks(url: str, twin_id: str) -> dict[tuple[str, int], tuple[str, str, str]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT document_id, chunk_index, content, embedding::text, embedder FROM vectors"
                            " WHERE twin_id = %s", (twin_id,)).fetchall()
    return {(str(r[0]), int(r[1])): (str(r[2]), str(r[3]), str(r[4])) for r in rows}


@pytest.fixture
def other_db(empty_db_url: str, tmp_path: Path) -> Twin:
    """`twin` on a second, freshly migrated database."""
    cli = Twin(cli_environment(empty_db_url, tmp_path / "other-data"))
    assert cli("db", "migrate").code == 0
    return cli


@pytest.mark.parametrize("name", ["backup.jsonl", "backup.jsonl.gz"])
def test_export_then_restore_into_another_database_and_twin_keeps_everything_and_answers(
        twin_cli: Twin, other_db: Twin, migrated_db_url: str, empty_db_url: str, twin_id: str, tmp_path: Path,
        name: str) -> None:
    # GIVEN a twin with a profile, documents and an API key
    ingest_notes(twin_cli, twin_id, tmp_path)
    assert twin_cli("profile", "set", "--twin", twin_id, "--name", "Ada").code == 0
    assert twin_cli("keys", "create", "--twin", twin_id, "--name", "laptop").code == 0
    backup = tmp_path / name

    # WHEN it is exported and restored under another id in another database
    exported = twin_cli("export", "--twin", twin_id, str(backup), "--json")
    restored = other_db("restore", str(backup), "--twin", "restored", "--json")

    # THEN the counts match, the vectors are the same (no re-embedding), keys are reported, and it answers
    assert exported.code == 0, exported.err
    assert exported.json["documents"] == len(NOTES)
    assert exported.json["api_keys"] == 1
    assert restored.code == 0, restored.err
    assert (restored.json["documents"], restored.json["chunks"]) == (len(NOTES), exported.json["chunks"])
    assert "1 API key not restored: create new ones with `twin keys create --twin restored`" in restored.err
    assert chunks(empty_db_url, "restored") == chunks(migrated_db_url, twin_id)
    assert other_db("documents", "count", "--twin", "restored").out == f"{len(NOTES)}\n"
    assert other_db("profile", "show", "--twin", "restored", "--json").json["display_name"] == "Ada"
    answer = other_db("ask", "Where do you work?", "--twin", "restored", "--json").json
    assert "Acme" in answer["answer"]
    assert answer["sources"][0]["document_id"] == "work.md"
    with psycopg.connect(empty_db_url) as conn:
        assert count(conn, "SELECT count(*) FROM api_keys") == 0


def test_the_export_file_is_a_header_then_records_and_never_holds_a_key_hash(
        twin_cli: Twin, conn: psycopg.Connection[Any], twin_id: str, tmp_path: Path) -> None:
    ingest_notes(twin_cli, twin_id, tmp_path)
    twin_cli("keys", "create", "--twin", twin_id)
    backup = tmp_path / "b.jsonl.gz"

    run = twin_cli("export", "--twin", twin_id, str(backup))

    with gzip.open(backup, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    header = records[0]
    assert run.out.startswith(f"exported twin {twin_id} to {backup}: 2 documents, 2 chunks, 1 API key")
    assert (header["format"], header["version"], header["twin_id"]) == ("digital-twin-export", 1, twin_id)
    assert header["counts"] == {"documents": 2, "chunks": 2, "api_keys": 1}
    assert [r["type"] for r in records[1:]] == ["twin", "document", "document", "chunk", "chunk", "api_key"]
    [key_hash] = conn.execute("SELECT key_hash FROM api_keys WHERE twin_id = %s", (twin_id,)).fetchone() or [""]
    assert str(key_hash) not in gzip.decompress(backup.read_bytes()).decode("utf-8")
    assert set(records[-1]) == {"type", "key_id", "name", "scopes", "created_at", "last_used_at", "revoked_at"}


def test_restore_refuses_a_twin_with_documents_unless_replace(
        twin_cli: Twin, twin_id: str, tmp_path: Path) -> None:
    ingest_notes(twin_cli, twin_id, tmp_path)
    backup = tmp_path / "b.jsonl"
    twin_cli("export", "--twin", twin_id, str(backup))
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "extra.md").write_text("# Extra\n\nSomething else entirely.\n", encoding="utf-8")
    target = f"{twin_id}-copy"
    assert twin_cli("ingest", str(tmp_path / "more"), "--twin", target).code == 0

    refused = twin_cli("restore", str(backup), "--twin", target, "--json")
    replaced = twin_cli("restore", str(backup), "--twin", target, "--replace")

    assert refused.code == 1
    assert refused.json["error"]["code"] == "twin_not_empty"
    assert replaced.code == 0, replaced.err
    assert "replacing 1 document" in replaced.out
    listed = twin_cli("documents", "list", "--twin", target, "--json").json["documents"]
    assert sorted(d["id"] for d in listed) == sorted(NOTES)


def test_restore_of_a_truncated_file_restores_nothing(
        twin_cli: Twin, conn: psycopg.Connection[Any], twin_id: str, tmp_path: Path) -> None:
    ingest_notes(twin_cli, twin_id, tmp_path)
    backup = tmp_path / "b.jsonl"
    twin_cli("export", "--twin", twin_id, str(backup))
    lines = backup.read_text(encoding="utf-8").splitlines(keepends=True)
    backup.write_text("".join(lines[:-1]), encoding="utf-8")  # the last chunk is lost
    target = f"{twin_id}-cut"

    run = twin_cli("restore", str(backup), "--twin", target, "--json")

    assert run.code == 1
    assert run.json["error"]["code"] == "invalid_backup"
    assert "header promises 2 chunks" in run.err
    assert count(conn, "SELECT count(*) FROM twins WHERE twin_id = %s", (target,)) == 0


def test_restore_of_a_file_that_is_no_export_is_a_clear_error(twin_cli: Twin, tmp_path: Path) -> None:
    other = tmp_path / "notes.jsonl"
    other.write_text('{"hello": "world"}\n', encoding="utf-8")

    run = twin_cli("restore", str(other))

    assert run.code == 1
    assert "is not a twin export" in run.err
