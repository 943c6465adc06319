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
    """One JSON object (or the human text) on stdout, always ending with a newline, so shell
    pipelines and line-reading clients see a complete line."""
    text = json.dumps(payload, default=str) if as_json else human(payload)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def note(message: str) -> None:
    """A line for the person at the terminal (stderr), kept out of stdout so --json stays parseable."""
    print(message, file=sys.stderr)


def plural(n: int, word: str, many: str | None = None) -> str:
    """E.g. "1 document", "2 documents", "0 documents"."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


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
