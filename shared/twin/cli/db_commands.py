"""`twin db migrate|status|stop|url|psql`."""

from __future__ import annotations

import argparse
from typing import Any

from twin.cli.common import add_json_flag, database, emit, plural


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

    url = db_sub.add_parser("url", help="print the connection URL in use (password redacted)")
    url.add_argument("--show-password", action="store_true", help="print the password too")
    add_json_flag(url)
    url.set_defaults(handler=_url)

    psql = db_sub.add_parser(
        "psql", help="open psql on the database in use (arguments after it go to psql)",
        description="Runs the psql that ships with the embedded server (else psql on PATH), connected "
                    "to the database the twin uses; the password travels in the environment, not argv.",
        usage="twin db psql [PSQL_ARGS ...]   e.g. twin db psql -c 'select count(*) from documents'")
    # Everything after `psql` is psql's, options included: main() hands unknown arguments through.
    psql.set_defaults(handler=_psql, passthrough=True)


def _migrate(args: argparse.Namespace) -> int:
    from twin.storage.migrations import migrate, status

    db = database(ensure_schema=False)
    applied = db.run(lambda conn: migrate(conn))
    states = db.run(lambda conn: status(conn))
    payload = {"applied": [f.name for f in applied], "migrations": [s.as_dict() for s in states]}
    emit(payload, as_json=args.json, human=lambda p: (
        "applied: " + ", ".join(p["applied"]) if p["applied"] else "schema is up to date"
    ) + f" ({plural(len(states), 'migration')})")
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


def _url(args: argparse.Namespace) -> int:
    from twin.ops.dbtools import connection_url, redact_url

    url = connection_url()
    shown = url if args.show_password else redact_url(url)
    emit({"url": shown, "redacted": not args.show_password}, as_json=args.json, human=lambda p: p["url"])
    return 0


def _psql(args: argparse.Namespace) -> int:
    import os

    from twin.cli.common import note
    from twin.ops.dbtools import connection_url, find_psql, psql_invocation

    executable, bundled = find_psql()
    if not bundled:
        note(f"note: the embedded server's psql was not found; using {executable} from PATH")
    argv, env = psql_invocation(executable, connection_url(), list(getattr(args, "extra", [])))
    os.execve(executable, argv, env)
    return 0  # pragma: no cover - execve does not return
