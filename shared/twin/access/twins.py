"""Twins: their profile (display name, persona) and what a visitor may see of them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from psycopg.rows import class_row

from twin.errors import NotFound
from twin.storage.db import Conn
from twin.storage.sqlfile import query


@dataclass(frozen=True)
class TwinProfile:
    twin_id: str
    display_name: str
    persona: str
    embedder: str | None
    content_version: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PublicProfile:
    twin_id: str
    display_name: str
    persona: str
    embedder: str | None
    documents: int


def get_profile(conn: Conn, twin_id: str) -> TwinProfile | None:
    with conn.cursor(row_factory=class_row(TwinProfile)) as cur:
        return cur.execute(query("access.get_twin"), {"twin_id": twin_id}).fetchone()


def set_profile(conn: Conn, *, twin_id: str, display_name: str | None, persona: str | None,
                create: bool = True) -> TwinProfile:
    """Edit (or, with ``create``, create) a twin's profile, in one statement that also moves the
    content version (cached answers are stale once the persona changes)."""
    with conn.transaction():
        if not create and get_profile(conn, twin_id) is None:
            raise NotFound(f"there is no twin {twin_id!r}; pass --create to make it", code="twin_not_found")
        with conn.cursor(row_factory=class_row(TwinProfile)) as cur:
            profile = cur.execute(query("access.upsert_twin_profile"), {
                "twin_id": twin_id, "display_name": display_name, "persona": persona}).fetchone()
    assert profile is not None  # an upsert with RETURNING always returns its row
    return profile


def public_profile(conn: Conn, twin_id: str) -> PublicProfile:
    with conn.cursor(row_factory=class_row(PublicProfile)) as cur:
        found = cur.execute(query("access.twin_public_profile"), {"twin_id": twin_id}).fetchone()
    if found is None:
        raise NotFound(f"there is no twin {twin_id!r}", code="twin_not_found")
    return found
