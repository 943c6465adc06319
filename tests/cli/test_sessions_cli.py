"""`twin sessions list|show|delete` and `twin unanswered`, scoped by twin."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import psycopg

from tests.cli.conftest import Twin
from tests.cli.test_chat_cli import chat, ingest_notes
from tests.helpers import count


def one_session(twin_cli: Twin, twin_id: str, tmp_path: Path, questions: str) -> str:
    ingest_notes(twin_cli, twin_id, tmp_path)
    assert chat(twin_cli, twin_id, questions).returncode == 0
    [session] = twin_cli("sessions", "list", "--twin", twin_id, "--json").json["sessions"]
    return str(session["session_id"])


def test_sessions_show_lists_each_question_with_its_answer_and_sources(
        twin_cli: Twin, twin_id: str, tmp_path: Path) -> None:
    session_id = one_session(twin_cli, twin_id, tmp_path, "Where do you work?\nWhere do you sail?\n")

    shown = twin_cli("sessions", "show", session_id, "--twin", twin_id, "--json").json
    text = twin_cli("sessions", "show", session_id, "--twin", twin_id)

    assert [e["question"] for e in shown["exchanges"]] == ["Where do you work?", "Where do you sail?"]
    assert "Acme" in shown["exchanges"][0]["answer"]
    assert shown["exchanges"][1]["sources"][0]["document_id"] == "sailing.md"
    assert text.code == 0
    assert "2 questions" in text.out.splitlines()[0]
    assert "you>  Where do you sail?" in text.out
    assert "  [1] Sailing — " in text.out


def test_sessions_list_is_newest_first_with_questions_and_first_question(
        twin_cli: Twin, twin_id: str, tmp_path: Path) -> None:
    ingest_notes(twin_cli, twin_id, tmp_path)
    chat(twin_cli, twin_id, "Where do you work?\n")
    chat(twin_cli, twin_id, "Where do you sail?\nAnd when?\n")

    listed = twin_cli("sessions", "list", "--twin", twin_id, "--json").json["sessions"]
    limited = twin_cli("sessions", "list", "--twin", twin_id, "--limit", "1", "--json").json["sessions"]
    text = twin_cli("sessions", "list", "--twin", twin_id)

    assert [(s["questions"], s["first_question"]) for s in listed] == [(2, "Where do you sail?"),
                                                                       (1, "Where do you work?")]
    assert [s["session_id"] for s in limited] == [listed[0]["session_id"]]
    assert "1 question " in text.out
    assert "2 questions" in text.out


def test_a_session_of_another_twin_is_not_found(twin_cli: Twin, twin_id: str, tmp_path: Path) -> None:
    session_id = one_session(twin_cli, twin_id, tmp_path, "Where do you work?\n")
    other = f"{twin_id}-other"

    shown = twin_cli("sessions", "show", session_id, "--twin", other, "--json")
    deleted = twin_cli("sessions", "delete", session_id, "--twin", other)

    assert shown.code == 1
    assert shown.json["error"]["code"] == "session_not_found"
    assert deleted.code == 1
    assert "has no session" in deleted.err
    assert twin_cli("sessions", "list", "--twin", other, "--json").json["sessions"] == []


def test_sessions_delete_removes_the_session_and_its_messages(
        twin_cli: Twin, conn: psycopg.Connection[Any], twin_id: str, tmp_path: Path) -> None:
    session_id = one_session(twin_cli, twin_id, tmp_path, "Where do you work?\n")

    deleted = twin_cli("sessions", "delete", session_id, "--twin", twin_id)
    again = twin_cli("sessions", "delete", session_id, "--twin", twin_id)

    assert deleted.code == 0, deleted.err
    assert deleted.out == f"deleted session {session_id} (2 messages)\n"
    assert count(conn, "SELECT count(*) FROM chat_messages WHERE session_id = %s", (uuid.UUID(session_id),)) == 0
    assert again.code == 1
    assert f"twin '{twin_id}' has no session {session_id}" in again.err


def test_sessions_with_an_id_that_is_not_a_uuid_is_a_clear_error(twin_cli: Twin, twin_id: str) -> None:
    run = twin_cli("sessions", "show", "nope", "--twin", twin_id)
    assert run.code == 1
    assert run.err.startswith("error: 'nope' is not a session id")


def test_unanswered_lists_the_questions_the_twin_declined_once_each(
        twin_cli: Twin, twin_id: str, tmp_path: Path) -> None:
    ingest_notes(twin_cli, twin_id, tmp_path)
    chat(twin_cli, twin_id, "Where do you work?\nWhat is your favourite pizza topping?\n")
    chat(twin_cli, twin_id, "what is your favourite pizza topping?\n")

    found = twin_cli("unanswered", "--twin", twin_id, "--json").json
    recent = twin_cli("unanswered", "--twin", twin_id, "--since", "7d", "--json").json
    future = twin_cli("unanswered", "--twin", twin_id, "--since", "2999-01-01", "--json").json
    text = twin_cli("unanswered", "--twin", twin_id)

    assert [(q["question"], q["times_asked"]) for q in found["questions"]] == [
        ("what is your favourite pizza topping?", 2)]
    assert "rather not guess" in found["questions"][0]["last_answer"]
    assert recent["questions"] == found["questions"]
    assert future["questions"] == []
    assert "1 unanswered question" in text.out
    assert "(2 times)" in text.out


def test_unanswered_rejects_a_since_it_cannot_read(twin_cli: Twin, twin_id: str) -> None:
    run = twin_cli("unanswered", "--twin", twin_id, "--since", "last tuesday")
    assert run.code == 1
    assert "--since takes 7d" in run.err


def test_unanswered_help_states_the_rule(twin_cli: Twin) -> None:
    run = twin_cli("unanswered", "--help")
    assert "cited no sources" in run.out
    assert "no-context answer" in run.out
