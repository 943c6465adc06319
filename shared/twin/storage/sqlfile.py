"""Named SQL statements kept in ``twin/queries/*.sql``.

Each statement sits under a ``-- name: <name>`` line followed by a one-line comment saying
what it is for (the aiosql convention), so SQL stays SQL: greppable, reviewable, and never
built by string formatting. Parameters are psycopg's ``%(name)s``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import LiteralString

QUERIES_DIR = Path(__file__).resolve().parents[1] / "queries"
_NAME_LINE = re.compile(r"^--\s*name:\s*([a-z_][a-z0-9_]*)\s*$", re.MULTILINE)


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
def _all_queries() -> dict[str, str]:
    queries: dict[str, str] = {}
    for path in sorted(QUERIES_DIR.glob("*.sql")):
        for name, statement in parse_named_queries(path.read_text(encoding="utf-8"), origin=path.name).items():
            if name in queries:
                raise ValueError(f"{path.name}: query {name!r} is also defined in another file")
            queries[name] = statement
    return queries


def query(name: str) -> LiteralString:
    """The statement called ``name``; the text comes from files shipped with the package,
    never from input, which is what LiteralString promises psycopg."""
    try:
        return _all_queries()[name]
    except KeyError:
        raise KeyError(f"no SQL statement named {name!r} in {QUERIES_DIR}") from None
