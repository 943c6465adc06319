"""`twin chat` (a conversation in the terminal), `twin sessions list|show|delete` and `twin unanswered`."""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TYPE_CHECKING, Any

from twin.cli.common import add_json_flag, add_twin_flag, database, emit, note, plural, twin_id_from

if TYPE_CHECKING:
    from twin.chat.schemas import ChatRequest
    from twin.chat.service import ChatService

_CHAT_EPILOG = """\
Type a question and press Enter; follow-ups keep the conversation (one session). Ctrl-D
(end of input) ends it, as does Ctrl-C. Questions can also be piped in, one per line:
  printf 'What do you do?\\nAnd before that?\\n' | twin chat
"""

_UNANSWERED_EPILOG = """\
A question counts as unanswered when the twin's reply to it cited no sources (retrieval
found nothing relevant enough), or was word for word the no-context answer ("I don't have
anything in my notes about that, so I'd rather not guess."). Repeats of a question (same
text, ignoring case) are listed once with how often they were asked. Sessions are deleted
when they expire (`twin cleanup`), and their questions with them.
"""


def register(subparsers: Any) -> None:
    chat = subparsers.add_parser("chat", help="talk with the twin in the terminal (answers stream as they come)",
                                 epilog=_CHAT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_twin_flag(chat)
    chat.set_defaults(handler=_chat)

    sessions = subparsers.add_parser("sessions", help="list, show or delete visitors' chat sessions")
    sessions_sub = sessions.add_subparsers(dest="sessions_command", required=True, metavar="SUBCOMMAND")
    listing = sessions_sub.add_parser("list", help="sessions, most recently active first")
    add_twin_flag(listing)
    listing.add_argument("--limit", type=int, default=20, help="at most this many sessions (default 20)")
    add_json_flag(listing)
    listing.set_defaults(handler=_list)
    show = sessions_sub.add_parser("show", help="every question and answer of a session, with sources")
    show.add_argument("session_id", metavar="SESSION_ID")
    add_twin_flag(show)
    add_json_flag(show)
    show.set_defaults(handler=_show)
    delete = sessions_sub.add_parser("delete", help="delete a session and its messages")
    delete.add_argument("session_id", metavar="SESSION_ID")
    add_twin_flag(delete)
    add_json_flag(delete)
    delete.set_defaults(handler=_delete)

    unanswered = subparsers.add_parser(
        "unanswered", help="questions the twin could not answer (what to write notes about next)",
        epilog=_UNANSWERED_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_twin_flag(unanswered)
    unanswered.add_argument("--since", default=None, metavar="WHEN",
                            help="only questions asked since: 7d, 12h, 2w, 30m or a date like 2026-11-01")
    unanswered.add_argument("--limit", type=int, default=100, help="at most this many questions (default 100)")
    add_json_flag(unanswered)
    unanswered.set_defaults(handler=_unanswered)


# --- twin chat -------------------------------------------------------------------------------


def _print_sources(sources: list[dict[str, Any]]) -> None:
    for s in sources:
        print(f"  [{s['number']}] {s.get('title') or s['document_id']} — {s['snippet']}")


def _turn(service: ChatService, request: ChatRequest, twin_id: str, *, prefix: str) -> str:
    """Stream one answer to stdout; returns the session id to continue with."""
    session_id = ""
    sources: list[dict[str, Any]] = []
    started = False
    # Closed explicitly: a Ctrl-C mid-answer still runs the stream's finally, which records what was said.
    events = service.stream(request, twin_id=twin_id, subject=None)
    try:
        for event, data in events:
            if event == "meta":
                session_id = data["session_id"]
            elif event == "sources":
                sources = data["sources"]
            elif event == "delta":
                if not started:
                    sys.stdout.write(prefix)
                    started = True
                sys.stdout.write(data["text"])
                sys.stdout.flush()
    finally:
        close = getattr(events, "close", None)  # a generator: runs the stream's finally now
        if close is not None:
            close()
    sys.stdout.write("\n")
    if sources:
        _print_sources(sources)
    sys.stdout.write("\n")  # a blank line ends each answer (scripts reading the output can split on it)
    sys.stdout.flush()
    return session_id


def _read_question(interactive: bool) -> str | None:
    """The next line, None at end of input. The prompt is only for a person at a terminal."""
    try:
        return input("you> ") if interactive else input()
    except EOFError:
        return None


def _chat(args: argparse.Namespace) -> int:
    from twin import runtime
    from twin.chat.schemas import parse_chat_request
    from twin.errors import NotFound, TwinError

    interactive = sys.stdin.isatty()
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - line editing and history for input()
    twin_id = twin_id_from(args)
    database()
    service = runtime.current().chat_service
    if interactive:
        mode = "offline mode: set OPENAI_API_KEY for model answers" if service.mode == "offline" else service.mode
        note(f"chatting with twin {twin_id} ({mode}); Ctrl-D to end")
    session_id: str | None = None
    try:
        while True:
            line = _read_question(interactive)
            if line is None:
                if interactive:
                    sys.stdout.write("\n")
                return 0
            if not line.strip():
                continue
            payload: dict[str, Any] = {"message": line}
            if session_id:
                payload["session_id"] = session_id
            try:
                session_id = _turn(service, parse_chat_request(payload), twin_id,
                                   prefix="twin> " if interactive else "")
            except TwinError as e:
                if isinstance(e, NotFound) and e.code == "session_not_found":
                    session_id = None  # expired meanwhile: the next question starts a new one
                print(f"error: {e.message}", file=sys.stderr)
    except KeyboardInterrupt:
        sys.stdout.write("\n")
        sys.stdout.flush()
        print("chat ended (interrupted)", file=sys.stderr)
        return 130


# --- twin sessions ---------------------------------------------------------------------------


def _short(text: str | None, width: int = 60) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _list(args: argparse.Namespace) -> int:
    from twin.chat.sessions import list_sessions

    twin_id = twin_id_from(args)
    found = database().run(lambda conn: list_sessions(conn, twin_id=twin_id, limit=args.limit))
    payload = {"twin_id": twin_id, "sessions": [s.as_dict() for s in found]}

    def human(p: dict[str, Any]) -> str:
        if not p["sessions"]:
            return f"twin {twin_id} has no chat sessions"
        lines = [f"{'SESSION':<36}  {'STARTED':<16}  {'LAST ACTIVITY':<16}  {'QUESTIONS':<12}  FIRST QUESTION"]
        for s in found:
            lines.append(f"{s.session_id!s:<36}  {s.created_at:%Y-%m-%d %H:%M}  {s.updated_at:%Y-%m-%d %H:%M}  "
                         f"{plural(s.questions, 'question'):<12}  {_short(s.first_question)}")
        return "\n".join(lines)

    emit(payload, as_json=args.json, human=human)
    return 0


def _show(args: argparse.Namespace) -> int:
    from twin.chat.sessions import parse_session_id, session_transcript

    twin_id = twin_id_from(args)
    session_id = parse_session_id(args.session_id)
    transcript = database().run(lambda conn: session_transcript(conn, twin_id=twin_id, session_id=session_id))

    def human(p: dict[str, Any]) -> str:
        lines = [f"session {p['session_id']} (twin {twin_id}): {plural(len(p['exchanges']), 'question')}, "
                 f"started {transcript.started_at:%Y-%m-%d %H:%M}, "
                 f"last activity {transcript.last_activity_at:%Y-%m-%d %H:%M}"]
        for exchange in transcript.exchanges:
            lines.append("")
            lines.append(f"you>  {exchange.question}")
            lines.append(f"twin> {exchange.answer if exchange.answer is not None else '(no answer recorded)'}")
            lines.extend(f"  [{s.get('number')}] {s.get('title') or s.get('document_id')} — {s.get('snippet', '')}"
                         for s in exchange.sources)
        return "\n".join(lines)

    emit(transcript.as_dict(), as_json=args.json, human=human)
    return 0


def _delete(args: argparse.Namespace) -> int:
    from twin.chat.sessions import delete_session, parse_session_id

    twin_id = twin_id_from(args)
    session_id = parse_session_id(args.session_id)
    deleted = database().run(lambda conn: delete_session(conn, twin_id=twin_id, session_id=session_id))
    payload = {"twin_id": twin_id, "session_id": str(deleted.session_id), "deleted": True,
               "messages_deleted": deleted.messages}
    emit(payload, as_json=args.json, human=lambda p: (
        f"deleted session {p['session_id']} ({plural(p['messages_deleted'], 'message')})"))
    return 0


def _unanswered(args: argparse.Namespace) -> int:
    from twin.chat.sessions import parse_since, unanswered_questions

    twin_id = twin_id_from(args)
    since = parse_since(args.since)
    found = database().run(lambda conn: unanswered_questions(conn, twin_id=twin_id, since=since, limit=args.limit))
    payload = {"twin_id": twin_id, "since": since.isoformat() if since else None,
               "questions": [q.as_dict() for q in found]}

    def human(p: dict[str, Any]) -> str:
        when = f" since {since:%Y-%m-%d %H:%M}" if since else ""
        if not found:
            return f"twin {twin_id}: no unanswered questions{when}"
        lines = [f"twin {twin_id}: {plural(len(found), 'unanswered question')}{when}"]
        for q in found:
            times = f" ({plural(q.times_asked, 'time')})" if q.times_asked > 1 else ""
            lines.append(f"  {q.last_asked_at:%Y-%m-%d %H:%M}  {_short(q.question, 90)}{times}")
        return "\n".join(lines)

    emit(payload, as_json=args.json, human=human)
    return 0
