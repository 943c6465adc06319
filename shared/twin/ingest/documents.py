"""Listing and deleting a twin's documents."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from twin.errors import InvalidRequest, NotFound
from twin.storage.db import Conn
from twin.storage.sqlfile import query

MAX_PAGE = 200


def _encode_cursor(updated_at: datetime, document_id: str) -> str:
    raw = json.dumps([updated_at.isoformat(), document_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        updated_at, document_id = json.loads(raw)
        datetime.fromisoformat(updated_at)
        return str(updated_at), str(document_id)
    except (ValueError, TypeError) as e:
        raise InvalidRequest("cursor is not one this API returned", code="invalid_cursor") from e


def list_documents(conn: Conn, *, twin_id: str, limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidRequest(f"limit must be between 1 and {MAX_PAGE}")
    after_updated_at, after_id = _decode_cursor(cursor) if cursor else (None, None)
    rows = conn.execute(query("list_documents"), {
        "twin_id": twin_id, "limit": limit + 1,
        "after_updated_at": after_updated_at, "after_document_id": after_id,
    }).fetchall()
    page = rows[:limit]
    items = [{
        "id": r[0], "title": r[1], "source": r[2], "metadata": r[3], "chunks": r[4], "characters": r[5],
        "embedder": r[6], "content_hash": r[7], "created_at": r[8].isoformat(), "updated_at": r[9].isoformat(),
    } for r in page]
    next_cursor = _encode_cursor(page[-1][9], page[-1][0]) if len(rows) > limit else None
    return {"twin_id": twin_id, "documents": items, "next_cursor": next_cursor}


def delete_document(conn: Conn, *, twin_id: str, document_id: str) -> dict[str, Any]:
    with conn.transaction():
        row = conn.execute(query("delete_document"), {"twin_id": twin_id, "document_id": document_id}).fetchone()
        if row is None:
            raise NotFound(f"twin '{twin_id}' has no document {document_id!r}", code="document_not_found")
        conn.execute(query("bump_content_version"), {"twin_id": twin_id})
    return {"id": row[0], "deleted": True, "chunks_deleted": row[1]}
