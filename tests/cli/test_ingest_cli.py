"""`twin ingest`: ids from paths, one bad file never stops a folder, --mirror, --dry-run, --if-empty."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from tests.cli.conftest import Twin
from tests.helpers import count


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def stored(conn: psycopg.Connection[Any], twin_id: str) -> dict[str, str]:
    rows = conn.execute("SELECT document_id, source FROM documents WHERE twin_id = %s", (twin_id,)).fetchall()
    return {str(r[0]): str(r[1]) for r in rows}


def test_one_bad_file_is_reported_and_the_rest_of_the_folder_lands_with_exit_1(
        twin_cli: Twin, conn: psycopg.Connection[Any], twin_id: str, tmp_path: Path) -> None:
    # GIVEN a folder with two good files, an empty one, an unsupported one and a non-UTF-8 one
    notes = tmp_path / "notes"
    write(notes / "about.md", "# About\n\nI sail on weekends.")
    write(notes / "work" / "resume.md", "# Resume\n\nI build data pipelines.")
    write(notes / "empty.md", "\n")
    write(notes / "cv.docx", "not really a docx")
    (notes / "latin1.txt").write_bytes("Köln".encode("latin-1"))

    # WHEN it is ingested
    run = twin_cli("ingest", str(notes), "--twin", twin_id, "--json")

    # THEN the good files landed, every other file is listed with its reason, and the exit code says a file failed
    assert run.code == 1, run.err
    payload = run.json
    assert [(d["id"], d["status"]) for d in payload["documents"]] == [("about.md", "created"),
                                                                      ("work/resume.md", "created")]
    assert payload["skipped"] == [{"path": str(notes / "cv.docx"), "reason": "unsupported file type '.docx'"},
                                  {"path": str(notes / "empty.md"), "reason": "has no text"}]
    [failed] = payload["failed"]
    assert failed["path"] == str(notes / "latin1.txt")
    assert "UTF-8" in failed["reason"]
    assert f"skipped {notes / 'cv.docx'}: unsupported file type '.docx'" in run.err
    assert f"failed  {notes / 'latin1.txt'}: is not valid UTF-8" in run.err
    assert stored(conn, twin_id) == {"about.md": str(notes / "about.md"),
                                     "work/resume.md": str(notes / "work" / "resume.md")}


def test_skipped_files_alone_do_not_fail_the_run_and_counts_are_pluralised(
        twin_cli: Twin, twin_id: str, tmp_path: Path) -> None:
    write(tmp_path / "notes" / "about.md", "I sail on weekends.")
    write(tmp_path / "notes" / "empty.txt", "")
    (tmp_path / "notes" / "photo.jpg").write_bytes(b"\xff\xd8\xff")

    run = twin_cli("ingest", str(tmp_path / "notes"), "--twin", twin_id)

    assert run.code == 0, run.err
    assert f"twin {twin_id}: 1 document (1 created), 1 chunk," in run.out
    assert "  created      about.md (1 chunk)" in run.out
    assert "skipped 2 files (listed on stderr)" in run.out
    assert "FAILED" not in run.out


def test_same_file_name_in_two_folders_is_two_documents_and_reingest_from_elsewhere_is_unchanged(
        twin_cli: Twin, conn: psycopg.Connection[Any], twin_id: str, tmp_path: Path) -> None:
    write(tmp_path / "notes" / "resume.md", "Short resume.")
    write(tmp_path / "notes" / "work" / "resume.md", "Work resume.")

    first = twin_cli("ingest", "notes", "--twin", twin_id, "--json", cwd=tmp_path)
    again = twin_cli("ingest", "../../notes", "--twin", twin_id, "--json", cwd=tmp_path / "notes" / "work")

    assert first.code == 0, first.err
    assert [d["id"] for d in first.json["documents"]] == ["resume.md", "work/resume.md"]
    assert again.code == 0, again.err
    assert {d["status"] for d in again.json["documents"]} == {"unchanged"}
    assert count(conn, "SELECT count(*) FROM documents WHERE twin_id = %s", (twin_id,)) == 2


def test_reingest_after_the_id_scheme_change_keeps_the_old_id_instead_of_duplicating(
        twin_cli: Twin, db: Any, conn: psycopg.Connection[Any], twin_id: str, tmp_path: Path) -> None:
    from twin.embeddings.hashing import OfflineEmbedder
    from twin.ingest.schemas import DocumentInput
    from twin.ingest.service import ingest_documents

    # GIVEN a twin filled by the old loader: id "resume" (no extension), source as typed, relative
    write(tmp_path / "notes" / "resume.md", "# Resume\n\nI build data pipelines.")
    ingest_documents(db=db, settings=db.settings, twin_id=twin_id, embedder=OfflineEmbedder(), documents=[
        DocumentInput(content="# Resume\n\nI build data pipelines.", id="resume", title="Resume",
                      source="notes/resume.md")])

    # WHEN the same folder is ingested with the new ids
    run = twin_cli("ingest", "notes", "--twin", twin_id, "--json", cwd=tmp_path)

    # THEN the document keeps its id (updated: its source is absolute now) and is not duplicated
    assert run.code == 0, run.err
    assert [(d["id"], d["status"]) for d in run.json["documents"]] == [("resume", "updated")]
    assert "keeping the id 'resume'" in run.err
    assert stored(conn, twin_id) == {"resume": str(tmp_path / "notes" / "resume.md")}


def test_an_id_that_held_another_file_is_updated_with_a_warning_and_id_prefix_keeps_both(
        twin_cli: Twin, conn: psycopg.Connection[Any], twin_id: str, tmp_path: Path) -> None:
    write(tmp_path / "a" / "resume.md", "A's resume.")
    write(tmp_path / "b" / "resume.md", "B's resume.")
    assert twin_cli("ingest", str(tmp_path / "a"), "--twin", twin_id).code == 0

    moved = twin_cli("ingest", str(tmp_path / "b"), "--twin", twin_id, "--json")

    assert moved.code == 0, moved.err
    assert f"warning: resume.md: this id held {tmp_path / 'a' / 'resume.md'}" in moved.err
    assert "--id-prefix" in moved.err
    assert moved.json["messages"] == [line for line in moved.err.splitlines() if line.startswith("warning")]
    assert stored(conn, twin_id) == {"resume.md": str(tmp_path / "b" / "resume.md")}

    kept = twin_cli("ingest", str(tmp_path / "a"), "--twin", twin_id, "--id-prefix", "a/")
    assert kept.code == 0, kept.err
    assert set(stored(conn, twin_id)) == {"resume.md", "a/resume.md"}


def test_mirror_dry_run_lists_what_would_change_and_writes_nothing(
        twin_cli: Twin, conn: psycopg.Connection[Any], twin_id: str, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes / "keep.md", "Keep me.")
    gone = write(notes / "gone.md", "Delete me.")
    assert twin_cli("ingest", str(notes), "--twin", twin_id).code == 0
    gone.unlink()
    write(notes / "new.md", "New here.")
    write(notes / "keep.md", "Keep me, edited.")
    before = conn.execute("SELECT document_id, content_hash, updated_at FROM documents WHERE twin_id = %s "
                          "ORDER BY 1", (twin_id,)).fetchall()

    run = twin_cli("ingest", str(notes), "--twin", twin_id, "--mirror", "--dry-run", "--json")
    text = twin_cli("ingest", str(notes), "--twin", twin_id, "--mirror", "--dry-run")

    assert run.code == 0, run.err
    payload = run.json
    assert payload["dry_run"] is True
    assert payload["ingested"] is False
    assert {d["id"]: d["status"] for d in payload["documents"]} == {"keep.md": "updated", "new.md": "created"}
    assert [(d["id"], d["source"]) for d in payload["deleted"]] == [("gone.md", str(gone))]
    assert "dry run, nothing written" in text.out
    assert "would delete gone.md" in text.out
    assert "would create new.md" in text.out
    after = conn.execute("SELECT document_id, content_hash, updated_at FROM documents WHERE twin_id = %s "
                         "ORDER BY 1", (twin_id,)).fetchall()
    assert after == before


def test_mirror_deletes_only_documents_whose_file_is_gone_under_that_folder(
        twin_cli: Twin, conn: psycopg.Connection[Any], twin_id: str, tmp_path: Path) -> None:
    # GIVEN a twin holding a folder's files, a file from another folder, and a JSON file of several documents
    notes = tmp_path / "notes"
    write(notes / "keep.md", "Keep me.")
    gone = write(notes / "sub" / "gone.md", "Delete me.")
    broken = write(notes / "broken.md", "Fine for now.")
    write(notes / "posts.json", '[{"id": "post-1", "content": "One."}, {"id": "post-2", "content": "Two."}]')
    write(tmp_path / "elsewhere" / "other.md", "Another folder.")
    assert twin_cli("ingest", str(notes), "--twin", twin_id).code == 0
    assert twin_cli("ingest", str(tmp_path / "elsewhere"), "--twin", twin_id).code == 0
    # ...then one file is deleted, one becomes unreadable and the JSON file loses an entry
    gone.unlink()
    broken.write_bytes(b"\xff\xfe broken")
    write(notes / "posts.json", '[{"id": "post-1", "content": "One."}]')

    # WHEN the folder is mirrored
    run = twin_cli("ingest", str(notes), "--twin", twin_id, "--mirror", "--json")

    # THEN only the gone file's document and the vanished entry are deleted; the unreadable file is
    # reported (exit 1) and keeps its document; the other folder is untouched
    assert run.code == 1, run.err
    assert sorted(d["id"] for d in run.json["deleted"]) == ["post-2", "sub/gone.md"]
    assert set(stored(conn, twin_id)) == {"keep.md", "broken.md", "post-1", "other.md"}
    assert count(conn, "SELECT count(*) FROM vectors WHERE twin_id = %s AND document_id = 'sub/gone.md'",
                 (twin_id,)) == 0


def test_mirror_refuses_to_empty_a_folder_that_yields_no_documents(
        twin_cli: Twin, conn: psycopg.Connection[Any], twin_id: str, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    first = write(notes / "a.md", "A.")
    second = write(notes / "b.md", "B.")
    assert twin_cli("ingest", str(notes), "--twin", twin_id).code == 0
    first.unlink()
    second.unlink()  # e.g. a drive that is not mounted: the folder is there, its files are not

    run = twin_cli("ingest", str(notes), "--twin", twin_id, "--mirror", "--json")

    assert run.code == 1
    assert run.json["error"]["code"] == "mirror_refused"
    assert "would delete all 2 documents" in run.err
    assert set(stored(conn, twin_id)) == {"a.md", "b.md"}


def test_if_empty_ingests_into_an_empty_twin_and_leaves_a_twin_with_documents_alone(
        twin_cli: Twin, conn: psycopg.Connection[Any], twin_id: str, tmp_path: Path) -> None:
    sample = write(tmp_path / "sample" / "about.md", "Sample text.")

    first = twin_cli("ingest", str(sample.parent), "--twin", twin_id, "--if-empty", "--json")
    write(sample, "The user's own edit.")
    second = twin_cli("ingest", str(sample.parent), "--twin", twin_id, "--if-empty")
    second_json = twin_cli("ingest", str(sample.parent), "--twin", twin_id, "--if-empty", "--json")

    assert first.code == 0, first.err
    assert first.json["documents"][0]["status"] == "created"
    assert second.code == 0, second.err
    assert second.out == f"twin {twin_id} already has 1 document; nothing ingested (--if-empty)\n"
    assert second_json.json == {"twin_id": twin_id, "ingested": False, "reason": "twin_not_empty",
                                "documents_in_twin": 1}
    [(content,)] = conn.execute("SELECT content FROM vectors WHERE twin_id = %s", (twin_id,)).fetchall()
    assert "Sample text." in content
    assert "own edit" not in content


def test_missing_path_is_an_error_and_nothing_is_ingested(
        twin_cli: Twin, conn: psycopg.Connection[Any], twin_id: str, tmp_path: Path) -> None:
    write(tmp_path / "a.md", "A.")
    run = twin_cli("ingest", str(tmp_path / "a.md"), str(tmp_path / "typo"), "--twin", twin_id)
    assert run.code == 1
    assert run.err.startswith(f"error: {tmp_path / 'typo'}: no such file or directory")
    assert count(conn, "SELECT count(*) FROM documents WHERE twin_id = %s", (twin_id,)) == 0


def test_documents_count_is_zero_for_a_twin_that_does_not_exist(twin_cli: Twin, twin_id: str,
                                                                tmp_path: Path) -> None:
    assert twin_cli("documents", "count", "--twin", twin_id).out == "0\n"
    write(tmp_path / "a.md", "A.")
    assert twin_cli("ingest", str(tmp_path / "a.md"), "--twin", twin_id).code == 0
    assert twin_cli("documents", "count", "--twin", twin_id, "--json").json == {"twin_id": twin_id, "documents": 1}


def test_every_json_output_ends_with_a_newline(twin_cli: Twin, twin_id: str, tmp_path: Path) -> None:
    write(tmp_path / "a.md", "A.")
    runs = [
        twin_cli("ingest", str(tmp_path / "a.md"), "--twin", twin_id, "--json"),
        twin_cli("documents", "list", "--twin", twin_id, "--json"),
        twin_cli("documents", "count", "--twin", twin_id, "--json"),
        twin_cli("profile", "show", "--twin", twin_id, "--json"),
        twin_cli("profile", "show", "--twin", f"{twin_id}-missing", "--json"),  # an error is JSON too
        twin_cli("ingest", str(tmp_path / "missing"), "--twin", twin_id, "--json"),
    ]
    for run in runs:
        assert run.out.endswith("}\n"), run.out
        assert run.out.count("\n") == 1, run.out
