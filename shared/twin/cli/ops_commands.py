"""`twin cleanup` and `twin invoke FUNCTION EVENT_FILE`."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from twin.aws.local_invoke import FUNCTIONS
from twin.cli.common import add_json_flag, database, emit


def register(subparsers: Any) -> None:
    cleanup = subparsers.add_parser(
        "cleanup", help="delete expired cache, rate-limit, ingest and session rows")
    add_json_flag(cleanup)
    cleanup.add_argument("--batch-size", type=int, default=1000,
                         help="rows per DELETE statement (default 1000); smaller means shorter locks")
    cleanup.set_defaults(handler=_cleanup)

    invoke = subparsers.add_parser(
        "invoke", help="run a Lambda handler locally with an event file (no Docker)",
        description="Loads functions/FUNCTION/app.py and calls handler(event, context) with a "
                    "Lambda-like context; prints what the handler returns as JSON on stdout "
                    "(the function's own logs go to stderr).")
    invoke.add_argument("function", choices=FUNCTIONS, metavar="FUNCTION", help=" | ".join(FUNCTIONS))
    invoke.add_argument("event_file", type=Path, metavar="EVENT_FILE", help="e.g. events/chat_post.json")
    add_json_flag(invoke)
    invoke.set_defaults(handler=_invoke)


def _cleanup(args: argparse.Namespace) -> int:
    from twin.ops.cleanup import purge_expired

    result = purge_expired(db=database(), batch_size=args.batch_size)
    payload = {"deleted": result.as_dict(), "total": result.total, "complete": result.complete}

    def human(p: dict[str, Any]) -> str:
        lines = [f"{table:<20} {count}" for table, count in p["deleted"].items()]
        lines.append(f"{'total':<20} {p['total']}")
        if not p["complete"]:
            lines.append("more expired rows remain: run again")
        return "\n".join(lines)

    emit(payload, as_json=args.json, human=human)
    return 0


def _invoke(args: argparse.Namespace) -> int:
    from twin.aws.local_invoke import LambdaContext, check_event, load_event, load_handler

    event = load_event(args.event_file)
    check_event(args.function, event)
    if args.function != "migrate":
        # On the embedded server, bring the schema up to date as the deploy would have.
        database()
    context = LambdaContext.for_function(args.function)
    # Powertools writes JSON logs and EMF metrics to stdout; keep stdout for the result so
    # `twin invoke ... --json | jq` works. The logger binds its stream when the module is
    # first imported, so the import happens inside the redirect too.
    with contextlib.redirect_stdout(sys.stderr):
        handler = load_handler(args.function)
        result = handler(event, context)
    print(json.dumps(result, default=str, indent=None if args.json else 2))
    return 0
