"""`twin db migrate|status|stop`."""

from __future__ import annotations

import argparse
from typing import Any

from twin.cli.common import add_json_flag, database, emit


def register(subparsers: Any) -> None:
    db = subparsers.add_parser("db", help="schema migrations and the embedded database")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="SUBCOMMAND")

    migrate = db_sub.add_parser("migrate", help="apply pending sql/ files (safe to run concurrently)")
    add_json_flag(migrate)
    migrate.set_defaults(handler=_migrate)

    status = db_sub.add_parser("status", help="applied and pending migrations")
    add_json_flag(status)
    status.set_defaults(handler=_status)

    stop = db_sub.add_parser("stop", help="stop the embedded PostgreSQL (data is kept)")
    stop.set_defaults(handler=_stop)


def _migrate(args: argparse.Namespace) -> int:
    from twin.storage.migrations import migrate, status

    db = database(ensure_schema=False)
    applied = db.run(lambda conn: migrate(conn))
    states = db.run(lambda conn: status(conn))
    payload = {"applied": [f.name for f in applied], "migrations": [s.as_dict() for s in states]}
    emit(payload, as_json=args.json, human=lambda p: (
        "applied: " + ", ".join(p["applied"]) if p["applied"] else "schema is up to date"
    ) + f" ({len(states)} migrations)")
    return 0


def _status(args: argparse.Namespace) -> int:
    from twin.storage.migrations import status

    states = database(ensure_schema=False).run(lambda conn: status(conn))
    payload = {"migrations": [s.as_dict() for s in states],
               "up_to_date": all(s.state == "applied" for s in states)}

    def human(p: dict[str, Any]) -> str:
        lines = [f"{m['name']:<40} {m['state']:<8} {m['applied_at'] or ''}" for m in p["migrations"]]
        return "\n".join(lines)

    emit(payload, as_json=args.json, human=human)
    return 0 if payload["up_to_date"] else 1


def _stop(args: argparse.Namespace) -> int:
    from twin import runtime
    from twin.storage.embedded import stop_embedded_server

    settings = runtime.settings()
    if settings.database_url:
        print("DATABASE_URL is set: there is no embedded server to stop")
        return 0
    stopped = stop_embedded_server(settings.data_dir)
    print("embedded PostgreSQL stopped" if stopped else "embedded PostgreSQL was not running")
    return 0
