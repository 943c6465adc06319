"""Redis keys -> database_cache rows and chat sessions.

Each SCAN page costs two pipelined requests after the SCAN itself: ``TYPE`` + ``PTTL`` for every
key, then ``GET`` for strings and ``LRANGE 0 -1`` for lists (two rounds because ``GET`` on a
list fails the whole pipeline).

* **Strings** become ``database_cache`` rows keyed ``upstash:<twin>:<redis key>`` (prefixed: the
  old app's keys mean nothing to this one and must not collide with its ``answer:``/``embedding:``
  keys, nor with another twin importing the same database), ``twin_id`` set, and
  ``expires_at`` = now + the key's remaining PTTL, measured when it was read (-1: no expiry,
  NULL; -2: gone in between, skipped).
* **Lists whose every item is a JSON chat message** become chat sessions. Two shapes are read:
  ``{"role", "content", ...}`` (the Upstash RAG chat SDK, ``@upstash/rag-chat``) and
  ``{"type": "human"|"ai", "data": {"content"}}`` (LangChain's Upstash Redis history). Both
  stores ``LPUSH`` each message, so ``LRANGE 0 -1`` returns the newest first and the list is
  reversed (``newest_first=False`` for apps that ``RPUSH``). Roles map to user/assistant;
  system/tool messages are skipped and reported (chat_messages holds only the two).
  The session id is the key's own id when that is a UUID (after a ``history:``-like prefix), so
  a browser that kept its session id continues the conversation; otherwise a uuid5 of twin and
  key, so re-runs land on the same session. Expiry: the key's TTL, else the default session TTL.
  A re-run appends messages added in Upstash since, leaves a session alone when PostgreSQL
  already holds the Upstash messages (and maybe newer ones), and skips (reports) a session whose
  messages diverged.
* **Rate-limit counters** (``@upstash/ratelimit:*``, ``ratelimit:*``, ``rate-limit:*``...) are
  skipped without being read: they live for seconds to a day.
* Hashes, sets, sorted sets, streams, JSON and lists of anything else are skipped, with the type
  as the reason.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from psycopg.rows import class_row, scalar_row

from twin.importers.upstash.dry_run import read_only
from twin.importers.upstash.remote import UpstashService
from twin.importers.upstash.report import PageCounts
from twin.storage.db import Conn, Database
from twin.storage.sqlfile import query

RATE_LIMIT_KEY = re.compile(r"^(@upstash/ratelimit|ratelimit|rate[-_]?limit(er)?)([:/|_-]|$)", re.IGNORECASE)
CHAT_KEY_PREFIXES = ("chat-history:", "chat_history:", "chathistory:", "history:", "message_store:", "messages:",
                     "chat:", "session:")
CACHE_KEY_PREFIX = "upstash:"
MAX_KEY_BYTES = 1000
SESSION_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:digital-twin:upstash-import:chat-session")
_ROLES = {"user": "user", "human": "user", "assistant": "assistant", "ai": "assistant", "bot": "assistant"}


@dataclass
class KeyEntry:
    key: str
    kind: str  # Redis TYPE: string, list, hash, set, zset, stream, none, ...
    pttl_ms: int
    read_at: float  # time.monotonic() when PTTL was answered
    value: str | None = None
    items: list[str] = field(default_factory=list)
    error: str | None = None  # a reason to skip ("not_utf8")

    def remaining_s(self, now: float | None = None) -> float | None:
        """Seconds to live from ``now`` (None: no expiry)."""
        if self.pttl_ms == -1:
            return None
        return self.pttl_ms / 1000.0 - ((now if now is not None else time.monotonic()) - self.read_at)


@dataclass(frozen=True)
class ChatHistory:
    messages: list[tuple[str, str]]  # (role, content), oldest first, user/assistant only
    unsupported: int  # messages with another role


def is_rate_limit_key(key: str) -> bool:
    return bool(RATE_LIMIT_KEY.match(key))


def cache_key(twin_id: str, key: str) -> str:
    return f"{CACHE_KEY_PREFIX}{twin_id}:{key}"


def session_id_for(twin_id: str, key: str) -> uuid.UUID:
    tail = key
    for prefix in CHAT_KEY_PREFIXES:
        if key.lower().startswith(prefix):
            tail = key[len(prefix):]
            break
    try:
        return uuid.UUID(tail)
    except ValueError:
        return uuid.uuid5(SESSION_NAMESPACE, f"{twin_id}\x00{key}")


def _message(raw: str) -> tuple[str, str] | None:
    """(role, content) of one stored message, or None when it is not a chat message."""
    try:
        obj = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(obj, dict):
        return None
    if "role" in obj and "content" in obj:
        role, content = obj["role"], obj["content"]
    elif isinstance(obj.get("type"), str) and isinstance(obj.get("data"), dict) and "content" in obj["data"]:
        role, content = obj["type"], obj["data"]["content"]
    else:
        return None
    if isinstance(content, list):
        # OpenAI-style content parts: keep the text parts.
        content = "\n".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("text"))
    if not isinstance(role, str) or not isinstance(content, str):
        return None
    return role.lower(), content.replace("\x00", "")


def parse_chat_history(items: list[str], *, newest_first: bool = True) -> ChatHistory | None:
    """The conversation stored in a list, or None when any item is not a chat message."""
    parsed: list[tuple[str, str]] = []
    for raw in items:
        message = _message(raw)
        if message is None:
            return None
        parsed.append(message)
    if newest_first:
        parsed.reverse()
    kept = [(_ROLES[role], content) for role, content in parsed if role in _ROLES]
    return ChatHistory(messages=kept, unsupported=len(parsed) - len(kept))


# -- reading ----------------------------------------------------------------------------------


def scan_page(client: Any, service: UpstashService, *, cursor: int, count: int) -> tuple[int, list[str]]:
    next_cursor, keys = service.call("SCAN", lambda: client.scan(cursor, count=count))
    # SCAN may return a key twice; within a page that is cheap to undo.
    return int(next_cursor), list(dict.fromkeys(str(k) for k in keys))


def read_keys(client: Any, service: UpstashService, keys: list[str]) -> list[KeyEntry]:
    """Type, TTL and value of each key (retried as a unit: a retry re-reads the types)."""
    if not keys:
        return []
    return service.call("TYPE/PTTL/GET/LRANGE pipeline", lambda: _read_keys(client, keys))


def _read_keys(client: Any, keys: list[str]) -> list[KeyEntry]:
    pipe = client.pipeline()
    for key in keys:
        pipe.type(key)
        pipe.pttl(key)
    answers = pipe.exec()
    read_at = time.monotonic()
    entries = [KeyEntry(key, str(answers[2 * i]), int(answers[2 * i + 1]), read_at) for i, key in enumerate(keys)]
    wanted = [e for e in entries if e.kind in ("string", "list")]
    if not wanted:
        return entries
    values = _fetch_text(client, wanted)
    for entry, value in zip(wanted, values, strict=True):
        if entry.error:
            continue
        if entry.kind == "string":
            entry.value = None if value is None else str(value)
        else:
            entry.items = [str(v) for v in (value or [])]
    return entries


def _fetch_text(client: Any, entries: list[KeyEntry]) -> list[Any]:
    """Values of ``entries``, None for the ones that are not UTF-8 text (marked ``not_utf8``).

    The SDK decodes every value of a pipeline as UTF-8, so one binary value fails the whole
    pipeline. Halving the batch until the culprit stands alone keeps the rest batched: one
    binary key in a 200-key page costs about 16 more requests, not 200.
    """
    try:
        return _fetch(client, entries)
    except UnicodeDecodeError:
        if len(entries) == 1:
            entries[0].error = "not_utf8"
            return [None]
    middle = len(entries) // 2
    return _fetch_text(client, entries[:middle]) + _fetch_text(client, entries[middle:])


def _fetch(client: Any, entries: list[KeyEntry]) -> list[Any]:
    pipe = client.pipeline()
    for entry in entries:
        if entry.kind == "string":
            pipe.get(entry.key)
        else:
            pipe.lrange(entry.key, 0, -1)
    return list(pipe.exec())


# -- writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Session:
    session_id: uuid.UUID
    key: str
    history: ChatHistory
    ttl_s: float


def import_page(*, db: Database, entries: list[KeyEntry], skipped_rate_limit: int, twin_id: str,
                session_ttl_s: int, newest_first: bool, dry_run: bool,
                save_checkpoint: Callable[[Conn, PageCounts], None]) -> PageCounts:
    """Write one SCAN page (and the checkpoint past it) in one transaction; returns its counts.
    A dry run returns the same counts from reads alone."""
    base = PageCounts()
    keys = base["keys"]
    keys.read = len(entries) + skipped_rate_limit
    keys.skip("rate_limit_counter", skipped_rate_limit)
    strings: list[KeyEntry] = []
    sessions: list[_Session] = []
    for entry in entries:
        if entry.error:
            keys.skip(entry.error)
        elif len(entry.key.encode("utf-8")) > MAX_KEY_BYTES:
            keys.skip("key_too_long")
        elif entry.kind == "none" or entry.pttl_ms == -2:
            keys.skip("expired")
        elif entry.kind == "string":
            if entry.value is None:
                keys.skip("expired")
            else:
                strings.append(entry)
        elif entry.kind == "list":
            if not entry.items:
                keys.skip("empty_list")
                continue
            history = parse_chat_history(entry.items, newest_first=newest_first)
            if history is None:
                keys.skip("list_not_chat_history")
            elif not history.messages:
                keys.skip("no_chat_messages")
            else:
                remaining = entry.remaining_s()
                ttl = float(session_ttl_s) if remaining is None else remaining
                sessions.append(_Session(session_id_for(twin_id, entry.key), entry.key, history, ttl))
        else:
            keys.skip(f"unsupported_type:{entry.kind}")

    def write(conn: Conn) -> PageCounts:
        page = PageCounts()
        page["keys"].read = keys.read
        page["keys"].skipped = dict(keys.skipped)
        with read_only(conn) if dry_run else conn.transaction():
            if strings:
                _write_strings(conn, page, strings, twin_id=twin_id, dry_run=dry_run)
            if sessions:
                _write_sessions(conn, page, sessions, twin_id=twin_id, dry_run=dry_run)
            if not dry_run:
                save_checkpoint(conn, page)
        return page

    return db.run(write)


def _write_strings(conn: Conn, page: PageCounts, strings: list[KeyEntry], *, twin_id: str, dry_run: bool) -> None:
    cache = page["cache"]
    cache.read = len(strings)
    now = time.monotonic()
    live: list[tuple[KeyEntry, float | None]] = []
    for entry in strings:
        remaining = entry.remaining_s(now)
        if remaining is not None and remaining <= 0:
            cache.skip("expired")
            page["keys"].skip("expired")
        else:
            live.append((entry, remaining))
    if not live:
        return
    keys = [cache_key(twin_id, e.key) for e, _ in live]
    values = [e.value.replace("\x00", "") if e.value else "" for e, _ in live]
    ttls = [ttl for _, ttl in live]
    if dry_run:
        written = conn.execute(query("upstash.cache_would_change"),
                               {"keys": keys, "values": values, "ttl_s": ttls}).fetchall()
    else:
        written = conn.execute(query("upstash.upsert_cache"),
                               {"twin_id": twin_id, "keys": keys, "values": values, "ttl_s": ttls}).fetchall()
    cache.written = len(written)
    cache.unchanged = len(live) - cache.written
    page["keys"].written += cache.written
    page["keys"].unchanged += cache.unchanged
    if dry_run:
        return  # nothing to confirm: a dry run is not verified
    with conn.cursor(row_factory=scalar_row) as cur:
        page.confirmed["cache"] += int(cur.execute(query("upstash.count_cache"), {"keys": keys}).fetchone() or 0)


@dataclass(frozen=True)
class SessionOwner:
    """A row of ``upstash.lock_sessions``."""

    session_id: uuid.UUID
    twin_id: str


@dataclass(frozen=True)
class StoredMessage:
    """A row of ``upstash.session_messages``."""

    session_id: uuid.UUID
    role: str
    content: str


def _skip_session(page: PageCounts, reason: str, messages: int) -> None:
    page["sessions"].skip(reason)
    page["keys"].skip(reason)
    page["messages"].skip(reason, messages)


def _write_sessions(conn: Conn, page: PageCounts, sessions: list[_Session], *, twin_id: str, dry_run: bool) -> None:
    tally, messages, keys = page["sessions"], page["messages"], page["keys"]
    tally.read = len(sessions)
    if not dry_run:
        conn.execute(query("access.ensure_twin"), {"twin_id": twin_id})
    ids = [s.session_id for s in sessions]
    with conn.cursor(row_factory=class_row(SessionOwner)) as cur:
        if dry_run:
            found = cur.execute(query("upstash.session_owners"), {"session_ids": ids}).fetchall()
        else:
            found = cur.execute(query("upstash.lock_sessions"), {"session_ids": ids}).fetchall()
        owners = {o.session_id: o.twin_id for o in found}
    stored: dict[uuid.UUID, list[tuple[str, str]]] = {}
    with conn.cursor(row_factory=class_row(StoredMessage)) as cur:
        for m in cur.execute(query("upstash.session_messages"), {"session_ids": ids}).fetchall():
            stored.setdefault(m.session_id, []).append((m.role, m.content))
    present: list[tuple[uuid.UUID, int]] = []
    seen: set[uuid.UUID] = set()
    for session in sessions:
        imported = session.history.messages
        messages.read += len(imported) + session.history.unsupported
        messages.skip("unsupported_role", session.history.unsupported)

        if session.session_id in seen:
            # Two keys of one page name the same UUID session: the first one wins.
            _skip_session(page, "session_diverged", len(imported))
            continue
        seen.add(session.session_id)
        owner = owners.get(session.session_id)
        if owner is not None and owner != twin_id:
            _skip_session(page, "session_of_other_twin", len(imported))
            continue
        have = stored.get(session.session_id, [])
        if owner is None:
            if not dry_run:
                conn.execute(query("upstash.insert_session"), {"session_id": session.session_id,
                                                               "twin_id": twin_id, "ttl_s": session.ttl_s})
            tail = imported
        elif have[:len(imported)] == imported:
            tail = []  # PostgreSQL already holds these messages (and maybe newer ones)
        elif imported[:len(have)] == have:
            tail = imported[len(have):]  # Upstash has messages added since the last import
        else:
            _skip_session(page, "session_diverged", len(imported))
            continue
        if tail and not dry_run:
            conn.execute(query("upstash.append_messages"), {
                "session_id": session.session_id, "roles": [r for r, _ in tail], "contents": [c for _, c in tail]})
        if tail:
            tally.written += 1
            keys.written += 1
        else:
            tally.unchanged += 1
            keys.unchanged += 1
        messages.written += len(tail)
        messages.unchanged += len(imported) - len(tail)
        present.append((session.session_id, len(imported)))
    if present and not dry_run:
        with conn.cursor(row_factory=scalar_row) as cur:
            confirmed = cur.execute(query("upstash.count_sessions"), {
                "twin_id": twin_id, "session_ids": [sid for sid, _ in present],
                "message_counts": [n for _, n in present]}).fetchone()
        page.confirmed["sessions"] += int(confirmed or 0)
