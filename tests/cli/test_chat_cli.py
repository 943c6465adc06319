"""`twin chat`: a conversation in the terminal, driven through a pipe as a script would."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.cli.conftest import Twin

NOTES = {
    "work.md": "# Work\n\nI build data pipelines at Acme in Berlin. "
               "Before Acme I worked at Globex as a data engineer.\n",
    "sailing.md": "# Sailing\n\nI sail a small boat on the Wannsee every weekend.\n",
}


def ingest_notes(twin_cli: Twin, twin_id: str, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    for name, text in NOTES.items():
        (folder / name).write_text(text, encoding="utf-8")
    run = twin_cli("ingest", str(folder), "--twin", twin_id)
    assert run.code == 0, run.err


def chat(twin_cli: Twin, twin_id: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "twin.cli.main", "chat", "--twin", twin_id], input=stdin,
                          env=twin_cli.env, text=True, capture_output=True, timeout=120, check=False)


def test_chat_answers_piped_questions_with_sources_and_keeps_one_session(
        twin_cli: Twin, twin_id: str, tmp_path: Path) -> None:
    ingest_notes(twin_cli, twin_id, tmp_path)

    run = chat(twin_cli, twin_id, "Where do you work?\nAnd before that?\n")

    assert run.returncode == 0, run.stderr
    assert "you>" not in run.stdout  # no prompt when stdin is not a terminal
    answers = [block for block in run.stdout.split("\n\n") if block.strip()]
    assert len(answers) == 2, run.stdout
    assert "Acme" in answers[0]
    assert "Globex" in answers[1]
    assert "  [1] Work — " in answers[0]  # the sources under the answer
    sessions = twin_cli("sessions", "list", "--twin", twin_id, "--json").json["sessions"]
    assert [(s["questions"], s["first_question"]) for s in sessions] == [(2, "Where do you work?")]


def test_chat_prints_an_error_and_goes_on_with_the_next_question(
        twin_cli: Twin, twin_id: str, tmp_path: Path) -> None:
    ingest_notes(twin_cli, twin_id, tmp_path)

    run = chat(twin_cli, twin_id, "x" * 5000 + "\n\nWhere do you sail?\n")

    assert run.returncode == 0, run.stderr
    assert "error: message is 5000 characters" in run.stderr
    assert "Traceback" not in run.stderr
    assert "Wannsee" in run.stdout


def test_chat_ends_cleanly_at_end_of_input(twin_cli: Twin, twin_id: str, tmp_path: Path) -> None:
    ingest_notes(twin_cli, twin_id, tmp_path)

    run = chat(twin_cli, twin_id, "")

    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


def test_chat_of_an_unknown_twin_says_so_and_still_exits_cleanly(twin_cli: Twin, twin_id: str) -> None:
    run = chat(twin_cli, twin_id, "Hello?\n")

    assert run.returncode == 0
    assert f"error: there is no twin '{twin_id}'" in run.stderr


def test_chat_interrupted_with_ctrl_c_exits_130_without_a_traceback(
        twin_cli: Twin, twin_id: str, tmp_path: Path) -> None:
    ingest_notes(twin_cli, twin_id, tmp_path)
    # Ctrl-C as a terminal delivers it: a suite started in the background (`cmd &` in a script) hands
    # its children SIGINT ignored, and Python then never raises KeyboardInterrupt.
    as_in_a_terminal = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                        "sys.argv = ['twin', *sys.argv[1:]]; runpy.run_module('twin.cli.main', run_name='__main__')")
    process = subprocess.Popen([sys.executable, "-c", as_in_a_terminal, "chat", "--twin", twin_id],
                               env=twin_cli.env, text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        assert process.stdin is not None
        assert process.stdout is not None
        # WHEN one answer has come back and the chat is waiting for the next question
        process.stdin.write("Where do you work?\n")
        process.stdin.flush()
        lines = []
        while (line := process.stdout.readline()) not in ("\n", ""):
            lines.append(line)
        time.sleep(0.5)  # back at its prompt, even on a loaded machine
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    # THEN it says it ended, exits 130, and shows no traceback
    assert "Acme" in "".join(lines)
    assert process.returncode == 130
    assert "Traceback" not in err
    assert "interrupted" in err
