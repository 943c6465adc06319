"""Listing and deleting a twin's documents."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.rows import class_row

from twin.errors import InvalidRequest, NotFound
from twin.storage.db import Conn
from twin.storage.sqlfile import query

MAX_PAGE = 200


@dataclass(frozen=True)
class StoredDocument:
    """A row of ``ingest.list_documents``."""

    document_id: str
    title: str | None
    source: str | None
    metadata: dict[str, Any]
    chunk_count: int
    char_count: int
    embedder: str | None
    content_hash: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DeletedDocument:
    """A row of ``ingest.delete_document``."""

    document_id: str
    chunk_count: int


def _encode_cursor(updated_at: datetime, document_id: str) -> str:
    raw = json.dumps([updated_at.isoformat(), document_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        updated_at, document_id = json.loads(raw)
        if not isinstance(updated_at, str) or not isinstance(document_id, str) or "\x00" in document_id:
            raise ValueError("cursor parts are not two strings")
        # Only the exact form this API writes: Python also accepts forms PostgreSQL does not ("2024-W01-1").
        if datetime.fromisoformat(updated_at).isoformat() != updated_at:
            raise ValueError("cursor timestamp is not in the form this API writes")
        return updated_at, document_id
    except (ValueError, TypeError) as e:
        raise InvalidRequest("cursor is not one this API returned", code="invalid_cursor") from e


def list_documents(conn: Conn, *, twin_id: str, limit: int = 50, cursor: str | None = None) -> dict[str, Any]:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidRequest(f"limit must be between 1 and {MAX_PAGE}")
    after_updated_at, after_id = _decode_cursor(cursor) if cursor else (None, None)
    with conn.cursor(row_factory=class_row(StoredDocument)) as cur:
        rows = cur.execute(query("ingest.list_documents"), {
            "twin_id": twin_id, "limit": limit + 1,
            "after_updated_at": after_updated_at, "after_document_id": after_id,
        }).fetchall()
    page = rows[:limit]
    items = [{
        "id": d.document_id, "title": d.title, "source": d.source, "metadata": d.metadata, "chunks": d.chunk_count,
        "characters": d.char_count, "embedder": d.embedder, "content_hash": d.content_hash,
        "created_at": d.created_at.isoformat(), "updated_at": d.updated_at.isoformat(),
    } for d in page]
    next_cursor = _encode_cursor(page[-1].updated_at, page[-1].document_id) if len(rows) > limit else None
    return {"twin_id": twin_id, "documents": items, "next_cursor": next_cursor}


def delete_document(conn: Conn, *, twin_id: str, document_id: str) -> dict[str, Any]:
    with conn.transaction():
        with conn.cursor(row_factory=class_row(DeletedDocument)) as cur:
            deleted = cur.execute(query("ingest.delete_document"),
                                  {"twin_id": twin_id, "document_id": document_id}).fetchone()
        if deleted is None:
            raise NotFound(f"twin '{twin_id}' has no document {document_id!r}", code="document_not_found")
        conn.execute(query("access.bump_content_version"), {"twin_id": twin_id})
    return {"id": deleted.document_id, "deleted": True, "chunks_deleted": deleted.chunk_count}
