"""API keys: created once, stored as a hash, checked by scope and twin.

A key looks like ``twin_<key id>_<secret>``: the key id is public (it appears in listings and
logs), the secret is 256 random bits. Only sha256(key) is stored; with that much entropy a
slow password hash would add latency without adding safety.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from psycopg.rows import class_row

from twin.errors import Forbidden, InvalidRequest, NotFound, Unauthorized
from twin.storage.db import Conn
from twin.storage.sqlfile import query

SCOPES = ("ingest", "chat")
KEY_PREFIX = "twin_"


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    twin_id: str
    scopes: tuple[str, ...]

    def __post_init__(self) -> None:
        # A text[] column arrives as a list; the key stays immutable.
        object.__setattr__(self, "scopes", tuple(self.scopes))


@dataclass(frozen=True)
class StoredKey:
    """A key as ``access.list_api_keys`` lists it (never its hash)."""

    key_id: str
    twin_id: str
    name: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class CreatedKey:
    key: str
    key_id: str
    twin_id: str
    scopes: tuple[str, ...]
    name: str


def hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def parse_scopes(text: str | list[str]) -> tuple[str, ...]:
    items = text.split(",") if isinstance(text, str) else text
    scopes = tuple(sorted({s.strip() for s in items if s.strip()}))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise InvalidRequest(f"scopes must be a non-empty subset of {', '.join(SCOPES)}; got {', '.join(items)}")
    return scopes


def create_key(conn: Conn, *, twin_id: str, scopes: tuple[str, ...], name: str = "") -> CreatedKey:
    key_id = secrets.token_hex(6)
    raw = f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    with conn.transaction():
        conn.execute(query("access.ensure_twin"), {"twin_id": twin_id})
        conn.execute(query("access.insert_api_key"), {
            "key_id": key_id, "twin_id": twin_id, "key_hash": hash_key(raw), "name": name, "scopes": list(scopes),
        })
    return CreatedKey(key=raw, key_id=key_id, twin_id=twin_id, scopes=scopes, name=name)


def authenticate(conn: Conn, raw_key: str | None, *, scope: str) -> ApiKey:
    """The key's identity, or Unauthorized (no/unknown/revoked key) / Forbidden (wrong scope)."""
    if not raw_key:
        raise Unauthorized("an API key is required: send 'Authorization: Bearer <key>' or 'x-api-key: <key>'",
                           code="missing_api_key")
    with conn.cursor(row_factory=class_row(ApiKey)) as cur:
        key = cur.execute(query("access.authenticate_api_key"), {"key_hash": hash_key(raw_key.strip())}).fetchone()
    if key is None:
        raise Unauthorized("the API key is not valid or was revoked", code="invalid_api_key")
    if scope not in key.scopes:
        raise Forbidden(f"this API key lacks the '{scope}' scope (it has: {', '.join(key.scopes)})",
                        code="insufficient_scope")
    return key


def authorize_twin(key: ApiKey, requested_twin: str | None) -> str:
    """A key acts for its own twin only; naming another twin is refused, not ignored."""
    if requested_twin is not None and requested_twin != key.twin_id:
        raise Forbidden(f"this API key belongs to twin '{key.twin_id}', not '{requested_twin}'",
                        code="wrong_twin")
    return key.twin_id


def revoke_key(conn: Conn, key_id: str) -> None:
    if conn.execute(query("access.revoke_api_key"), {"key_id": key_id}).fetchone() is None:
        raise NotFound(f"no active API key with id {key_id!r}")


def list_keys(conn: Conn, twin_id: str | None = None) -> list[dict[str, Any]]:
    with conn.cursor(row_factory=class_row(StoredKey)) as cur:
        keys = cur.execute(query("access.list_api_keys"), {"twin_id": twin_id}).fetchall()

    def iso(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return [{"key_id": k.key_id, "twin_id": k.twin_id, "name": k.name, "scopes": list(k.scopes),
             "created_at": iso(k.created_at), "last_used_at": iso(k.last_used_at), "revoked_at": iso(k.revoked_at)}
            for k in keys]


def key_from_headers(headers: Any) -> str | None:
    """``Authorization: Bearer <key>`` or ``x-api-key: <key>`` (header names case-insensitive)."""
    auth = headers.get("authorization") or ""
    if auth.lower().startswith("bearer "):
        return str(auth[7:].strip()) or None
    value = headers.get("x-api-key")
    return str(value).strip() if value else None
