"""`twin ask` and `twin serve`."""

from __future__ import annotations

import argparse
import textwrap
from typing import Any

from twin.cli.common import add_json_flag, add_twin_flag, database, emit, twin_id_from


def register(subparsers: Any) -> None:
    ask = subparsers.add_parser("ask", help="ask the twin a question")
    ask.add_argument("question")
    add_twin_flag(ask)
    ask.add_argument("--session", default=None, help="session_id from an earlier answer, for follow-ups")
    ask.add_argument("--filter", action="append", default=[], metavar="FIELD=VALUE",
                     help="only use chunks whose metadata FIELD equals VALUE (repeatable)")
    add_json_flag(ask)
    ask.set_defaults(handler=_ask)

    serve = subparsers.add_parser("serve", help="run the local HTTP API (all routes, docs at /docs)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=_serve)


def _filters(items: list[str]) -> dict[str, Any] | None:
    from twin.errors import InvalidRequest

    if not items:
        return None
    filters: dict[str, Any] = {}
    for item in items:
        field, sep, value = item.partition("=")
        if not sep or not field:
            raise InvalidRequest(f"--filter needs FIELD=VALUE, got {item!r}")
        filters[field] = value
    return filters


def _human(p: dict[str, Any]) -> str:
    lines = [textwrap.fill(p["answer"], width=100, replace_whitespace=False)]
    if p["sources"]:
        lines.append("")
        lines.append("Sources:")
        lines.extend(f"  [{s['number']}] {s['title'] or s['document_id']} — {s['snippet']}" for s in p["sources"])
    note = "offline mode: set OPENAI_API_KEY for model answers" if p["mode"] == "offline" else p["mode"]
    lines.append("")
    lines.append(f"({note}{', cached' if p['cached'] else ''}; session {p['session_id']})")
    return "\n".join(lines)


def _ask(args: argparse.Namespace) -> int:
    from twin import runtime
    from twin.chat.schemas import parse_chat_request

    payload: dict[str, Any] = {"message": args.question}
    if args.session:
        payload["session_id"] = args.session
    filters = _filters(args.filter)
    if filters:
        payload["filters"] = filters
    request = parse_chat_request(payload)
    database()  # the embedded server is started and migrated on first use
    response = runtime.current().chat_service.answer(request, twin_id=twin_id_from(args))
    emit(response.as_dict(), as_json=args.json, human=_human)
    return 0


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from twin import runtime
    from twin.api.local_app import build_local_app
    from twin.api.server_config import uvicorn_options

    database()  # start the embedded server and migrate before the first request
    settings = runtime.settings()
    embedder = runtime.current().embedder.name
    mode = "OpenAI" if settings.uses_openai else f"offline (no OPENAI_API_KEY; embedder {embedder})"
    base = f"http://{args.host}:{args.port}"
    where = "DATABASE_URL" if settings.database_url else f"embedded PostgreSQL in {settings.data_dir}"
    print(f"digital-twin is up\n  chat page: {base}/\n  API docs:  {base}/docs\n  twin:      {settings.default_twin}"
          f"\n  mode:      {mode}\n  data:      {where}", flush=True)
    uvicorn.run(build_local_app(), host=args.host, port=args.port, **uvicorn_options(settings))
    return 0
