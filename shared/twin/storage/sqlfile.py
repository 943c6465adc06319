"""Named SQL statements kept in ``twin/queries/<owner>.sql``.

Each file is a namespace named after the package that runs its statements (``access``,
``chat``, ``ingest``, ``ops``, ``upstash``), so ``query("chat.session_history")`` is the
``-- name: session_history`` block of ``queries/chat.sql`` (the aiosql convention). Each
statement sits under its name line and starts with a one-line comment saying what it is for,
so SQL stays SQL: greppable, reviewable, and never built by string formatting. Parameters are
psycopg's ``%(name)s``. tests/test_sql_catalog.py checks that every statement has its comment,
is used, and is called with the parameters it names.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import LiteralString

QUERIES_DIR = Path(__file__).resolve().parents[1] / "queries"
_NAME_LINE = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)
_NAMESPACE = re.compile(r"^[a-z_][a-z0-9_]*$")


def parse_named_queries(text: str, *, origin: str) -> dict[str, str]:
    parts = _NAME_LINE.split(text)
    # parts = [preamble, name1, body1, name2, body2, ...]
    found: dict[str, str] = {}
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        statement = body.strip().rstrip(";").strip()
        if not statement:
            raise ValueError(f"{origin}: query {name!r} is empty")
        if name in found:
            raise ValueError(f"{origin}: query {name!r} is defined twice")
        found[name] = statement
    return found


@lru_cache(maxsize=1)
def catalog() -> dict[str, str]:
    """Every statement by qualified name, ``<file stem>.<statement name>``."""
    queries: dict[str, str] = {}
    for path in sorted(QUERIES_DIR.glob("*.sql")):
        if not _NAMESPACE.match(path.stem):
            raise ValueError(f"{path.name}: a query file is named like a Python identifier (it is a namespace)")
        for name, statement in parse_named_queries(path.read_text(encoding="utf-8"), origin=path.name).items():
            queries[f"{path.stem}.{name}"] = statement
    return queries


def query(name: str) -> LiteralString:
    """The statement called ``name`` (``"<file>.<statement>"``); the text comes from files
    shipped with the package, never from input, which is what LiteralString promises psycopg."""
    statements = catalog()
    if name not in statements:
        raise KeyError(f"no SQL statement named {name!r} in {QUERIES_DIR} (names are '<file>.<statement>')")
    return statements[name]
