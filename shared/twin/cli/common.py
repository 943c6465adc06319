"""Helpers shared by the CLI commands: output and database bootstrap."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

from twin import runtime
from twin.storage.db import Database


def add_json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")


def add_twin_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--twin", dest="twin_id", default=None,
                        help="twin id (default: TWIN_DEFAULT_TWIN or 'default')")


def twin_id_from(args: argparse.Namespace) -> str:
    return str(args.twin_id or runtime.settings().default_twin)


def emit(payload: Any, *, as_json: bool, human: Callable[[Any], str]) -> None:
    if as_json:
        print(json.dumps(payload, default=str))
    else:
        print(human(payload))


def database(*, ensure_schema: bool = True) -> Database:
    """The process Database. On the embedded server the schema is brought up to date
    automatically (a laptop user should never have to think about it); a real server is
    only migrated by `twin db migrate` or the deploy-time migrator."""
    db = runtime.database()
    settings = runtime.settings()
    if ensure_schema and not settings.database_url and not settings.database_secret_arn:
        from twin.storage.migrations import migrate

        db.run(lambda conn: migrate(conn))
    return db


def is_terminal() -> bool:
    return sys.stderr.isatty()
