"""Import from Upstash: move a twin's vectors, cache and chat history from the old Next.js
app's Upstash Vector index and Upstash Redis database into PostgreSQL (`twin import upstash`).

The run, in order:

1. check credentials and read what is there (vector index info, Redis DBSIZE): a bad token or an
   unreachable host fails here, before anything is written;
2. decide whether Upstash's vectors can be kept or the texts must be embedded again
   (``twin.importers.upstash.vectors.plan_embeddings``), and refuse early if the twin holds vectors of
   another embedder (as ingest does);
3. page through the index with ``range`` and write each page (documents + chunks by binary COPY
   into a staging table, then upserts that only touch changed rows);
4. SCAN the Redis keys and write each page (strings -> database_cache, chat lists -> sessions);
5. compare row counts with Upstash's, report, and drop the checkpoint.

Every page is one transaction that also saves the checkpoint (``twin.importers.upstash.checkpoint``), so
an import stopped by a crash, Ctrl-C or an Upstash failure resumes after the last committed page
when run again; writes are idempotent by id, so running a finished import again reads
everything and writes nothing new. A dry run reads everything and works out each page's counts
from read-only queries in READ ONLY transactions (``twin.importers.upstash.dry_run``): nothing
is written, not even a row that is rolled back or the checkpoint, and the embedding API is
never called.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from psycopg.rows import scalar_row
from psycopg.types.json import Jsonb

from twin.config import Settings
from twin.embeddings.base import Embedder
from twin.errors import ConfigurationError, InvalidRequest, TwinError
from twin.importers.upstash import redis_keys, vectors
from twin.importers.upstash.checkpoint import Checkpoint, checkpoint_key, load_checkpoint
from twin.importers.upstash.dry_run import check_twin_embedder
from twin.importers.upstash.remote import (
    REDIS_ENV,
    VECTOR_ENV,
    RetryPolicy,
    UpstashService,
    redis_service,
    vector_service,
)
from twin.importers.upstash.report import Check, ImportReport, PageCounts
from twin.storage.db import Conn, Database
from twin.storage.sqlfile import query
from twin.validation import validate_twin_id

__all__ = ["ImportOptions", "ImportReport", "RetryPolicy", "UpstashCredentials", "import_from_upstash"]

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 1000  # Upstash caps a range page at 1000 vectors

# progress(phase, done, total): phase is "vectors" or "redis"; total may be unknown (None).
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True)
class UpstashCredentials:
    vector_url: str = ""
    vector_token: str = ""
    redis_url: str = ""
    redis_token: str = ""

    @classmethod
    def resolve(cls, *, vector_url: str | None = None, vector_token: str | None = None,
                redis_url: str | None = None, redis_token: str | None = None,
                env: Mapping[str, str] | None = None) -> UpstashCredentials:
        """Flags first, then the environment names the old app used."""
        env = os.environ if env is None else env
        return cls(
            vector_url=(vector_url or env.get(VECTOR_ENV[0], "")).strip(),
            vector_token=(vector_token or env.get(VECTOR_ENV[1], "")).strip(),
            redis_url=(redis_url or env.get(REDIS_ENV[0], "")).strip(),
            redis_token=(redis_token or env.get(REDIS_ENV[1], "")).strip(),
        )

    def __repr__(self) -> str:  # never print tokens, even in a traceback's locals
        return f"UpstashCredentials(vector_url={self.vector_url!r}, redis_url={self.redis_url!r}, tokens=***)"


@dataclass(frozen=True)
class ImportOptions:
    twin_id: str
    namespace: str = ""
    # "data", a metadata key, or None: data, else text/content/pageContent/... from metadata.
    content_field: str | None = None
    # Model that produced the Upstash vectors (default: the index's own model, else text-embedding-3-small).
    embedding_model: str | None = None
    vectors: bool = True
    redis: bool = True
    dry_run: bool = False
    restart: bool = False
    page_size: int = 100
    scan_count: int = 200
    # LPUSH-based chat stores (@upstash/rag-chat, LangChain) keep the newest message first.
    chat_newest_first: bool = True
    session_ttl_s: int | None = None  # for chat lists without a TTL; default: settings.session_ttl_s
    retry: RetryPolicy = field(default_factory=RetryPolicy)


@dataclass
class _Vectors:
    index: Any
    service: UpstashService
    plan: vectors.EmbeddingPlan
    total: int


@dataclass
class _Redis:
    client: Any
    service: UpstashService
    total: int


def import_from_upstash(*, db: Database, settings: Settings, embedder: Embedder, credentials: UpstashCredentials,
                        options: ImportOptions, progress: Progress | None = None) -> ImportReport:
    started = time.monotonic()
    twin_id = validate_twin_id(options.twin_id, "--twin")
    if not 1 <= options.page_size <= MAX_PAGE_SIZE:
        raise InvalidRequest(f"--page-size must be between 1 and {MAX_PAGE_SIZE}, got {options.page_size}")
    want_vectors, want_redis = _which(credentials, options)
    report = ImportReport(twin_id=twin_id, namespace=options.namespace, dry_run=options.dry_run)

    # 1-2. Everything that can fail without writing fails here.
    vec = _open_vectors(credentials, options, embedder) if want_vectors else None
    red = _open_redis(credentials, options) if want_redis else None
    if vec is not None:
        report.embedding = vec.plan.as_dict()
        _refuse_mixed_embedders(db, twin_id, embedder)

    fingerprint = {
        "namespace": options.namespace, "content_field": options.content_field, "vectors": want_vectors,
        "redis": want_redis, "target_embedder": embedder.name, "chat_newest_first": options.chat_newest_first,
        "keep_vectors": vec.plan.keep_vectors if vec else None, "source_embedder": vec.plan.source if vec else None,
    }
    checkpoint = _checkpoint(db, twin_id, options, fingerprint)
    if checkpoint.existed:
        report.restore(checkpoint.report_state)
        logger.info("resuming the import of twin %s from checkpoint %s", twin_id, checkpoint.key)

    try:
        if vec is not None and not checkpoint.vectors_done:
            _import_vectors(db, vec, checkpoint, report, embedder, options, progress)
        if red is not None and not checkpoint.redis_done:
            session_ttl = options.session_ttl_s if options.session_ttl_s is not None else settings.session_ttl_s
            _import_redis(db, red, checkpoint, report, options, session_ttl, progress)
        if not options.dry_run:
            report.checks = _verify(db, report, vec, red)
            db.run(checkpoint.delete)
    except TwinError as e:
        raise _with_resume_hint(e, checkpoint, options) from e
    if not want_vectors:
        report.notes.append("vectors not imported (no Upstash Vector credentials or --no-vectors)")
    if not want_redis:
        report.notes.append("Redis not imported (no Upstash Redis credentials or --no-redis)")
    report.elapsed_s = time.monotonic() - started
    return report


def _which(credentials: UpstashCredentials, options: ImportOptions) -> tuple[bool, bool]:
    for label, url, token, env, flags in (
        ("Upstash Vector", credentials.vector_url, credentials.vector_token, VECTOR_ENV,
         ("--vector-url", "--vector-token")),
        ("Upstash Redis", credentials.redis_url, credentials.redis_token, REDIS_ENV,
         ("--redis-url", "--redis-token")),
    ):
        if bool(url) != bool(token):
            missing = (flags[1], env[1]) if url else (flags[0], env[0])
            raise ConfigurationError(f"{label}: the URL and the token go together; {missing[0]} (or {missing[1]}) "
                                     f"is missing", code="upstash_credentials_incomplete")
    want_vectors = options.vectors and bool(credentials.vector_url)
    want_redis = options.redis and bool(credentials.redis_url)
    if not want_vectors and not want_redis:
        raise ConfigurationError(
            "nothing to import: give the Upstash REST credentials with --vector-url/--vector-token and/or "
            f"--redis-url/--redis-token, or set {', '.join(VECTOR_ENV + REDIS_ENV)}",
            code="upstash_credentials_missing")
    return want_vectors, want_redis


def _open_vectors(credentials: UpstashCredentials, options: ImportOptions, embedder: Embedder) -> _Vectors:
    index, service = vector_service(credentials.vector_url, credentials.vector_token, options.retry)
    info = service.call("info", index.info)
    namespaces = dict(info.namespaces or {})
    if options.namespace and options.namespace not in namespaces:
        known = ", ".join(repr(n) for n in sorted(namespaces)) or "none"
        raise InvalidRequest(f"the Upstash Vector index at {service.host} has no namespace {options.namespace!r} "
                             f"(namespaces: {known})", code="upstash_namespace_not_found")
    dense = info.dense_index
    plan = vectors.plan_embeddings(
        dimension=int(dense.dimension if dense else info.dimension),
        index_model=(dense.embedding_model or None) if dense else None,
        declared_model=options.embedding_model, target=embedder)
    ns_info = namespaces.get(options.namespace)
    total = int(ns_info.vector_count) if ns_info is not None else 0
    logger.info("Upstash Vector at %s: %d vectors in namespace %r; %s", service.host, total, options.namespace,
                plan.reason)
    return _Vectors(index=index, service=service, plan=plan, total=total)


def _open_redis(credentials: UpstashCredentials, options: ImportOptions) -> _Redis:
    client, service = redis_service(credentials.redis_url, credentials.redis_token, options.retry)
    total = int(service.call("DBSIZE", client.dbsize))
    return _Redis(client=client, service=service, total=total)


def _refuse_mixed_embedders(db: Database, twin_id: str, embedder: Embedder) -> None:
    """Fail before embedding anything if the twin holds another embedder's vectors (the same
    check runs again under the lock of every page's write). Read-only: a twin that fails the
    check, or a dry run, leaves no twin row behind."""
    db.run(lambda conn: check_twin_embedder(conn, twin_id, embedder))


def _checkpoint(db: Database, twin_id: str, options: ImportOptions, fingerprint: dict[str, Any]) -> Checkpoint:
    fresh = Checkpoint(key=checkpoint_key(twin_id, options.namespace), twin_id=twin_id, fingerprint=fingerprint)
    if options.dry_run:
        return fresh  # a dry run neither resumes nor leaves a checkpoint behind
    if options.restart:
        db.run(fresh.delete)
        return fresh
    stored = db.run(lambda conn: load_checkpoint(conn, twin_id=twin_id, namespace=options.namespace,
                                                 fingerprint=fingerprint))
    stored.check_fingerprint(fingerprint)
    return stored


def _import_vectors(db: Database, vec: _Vectors, checkpoint: Checkpoint, report: ImportReport, embedder: Embedder,
                    options: ImportOptions, progress: Progress | None) -> None:
    cursor = checkpoint.vector_cursor
    while True:
        next_cursor, entries = vectors.read_page(
            vec.index, vec.service, cursor=cursor, limit=options.page_size, namespace=options.namespace,
            include_vectors=vec.plan.keep_vectors)

        def save(conn: Conn, page: PageCounts, next_cursor: str = next_cursor) -> None:
            checkpoint.vector_cursor = next_cursor
            checkpoint.vectors_done = not next_cursor
            checkpoint.report_state = report.state(page)
            checkpoint.save(conn)

        if entries:
            page = vectors.import_page(db=db, entries=entries, plan=vec.plan, embedder=embedder,
                                       twin_id=report.twin_id, namespace=options.namespace,
                                       content_field=options.content_field, dry_run=options.dry_run,
                                       save_checkpoint=save)
            report.merge(page)
        if progress is not None:
            progress("vectors", report["vectors"].read, vec.total)
        if not next_cursor or (next_cursor == cursor and not entries):
            return
        cursor = next_cursor


def _import_redis(db: Database, red: _Redis, checkpoint: Checkpoint, report: ImportReport, options: ImportOptions,
                  session_ttl_s: int, progress: Progress | None) -> None:
    cursor = checkpoint.redis_cursor
    while True:
        next_cursor, keys = redis_keys.scan_page(red.client, red.service, cursor=cursor, count=options.scan_count)
        counters = [k for k in keys if redis_keys.is_rate_limit_key(k)]
        readable = [k for k in keys if not redis_keys.is_rate_limit_key(k)]
        entries = redis_keys.read_keys(red.client, red.service, readable)

        def save(conn: Conn, page: PageCounts, next_cursor: int = next_cursor) -> None:
            checkpoint.redis_cursor = next_cursor
            checkpoint.redis_done = next_cursor == 0
            checkpoint.report_state = report.state(page)
            checkpoint.save(conn)

        page = redis_keys.import_page(db=db, entries=entries, skipped_rate_limit=len(counters),
                                      twin_id=report.twin_id, session_ttl_s=session_ttl_s,
                                      newest_first=options.chat_newest_first, dry_run=options.dry_run,
                                      save_checkpoint=save)
        report.merge(page)
        if progress is not None:
            progress("redis", report["keys"].read, red.total)
        if next_cursor == 0:
            return
        cursor = next_cursor


def _verify(db: Database, report: ImportReport, vec: _Vectors | None, red: _Redis | None) -> list[Check]:
    checks: list[Check] = []
    if vec is not None:
        info = vec.service.call("info", vec.index.info)
        ns = dict(info.namespaces or {}).get(report.namespace)
        upstash = int(ns.vector_count) if ns is not None else 0
        marker = Jsonb({"upstash_namespace": report.namespace})

        def count_imported(conn: Conn) -> int:
            with conn.cursor(row_factory=scalar_row) as cur:
                return int(cur.execute(query("upstash.count_imported_vectors"),
                                       {"twin_id": report.twin_id, "marker": marker}).fetchone() or 0)

        found = db.run(count_imported)
        t = report["vectors"]
        expected = t.read - t.skipped_total
        notes = []
        if t.read != upstash:
            notes.append(f"read {t.read} of {upstash} vectors: the index changed during the import")
        if found != expected:
            notes.append("PostgreSQL holds imported chunks whose vectors are gone from Upstash" if found > expected
                         else "chunks are missing in PostgreSQL")
        checks.append(Check("vectors", upstash=upstash, read=t.read, expected=expected, postgres=found,
                            ok=not notes, note="; ".join(notes)))
    if red is not None:
        dbsize = int(red.service.call("DBSIZE", red.client.dbsize))
        keys, cache, sessions = report["keys"], report["cache"], report["sessions"]
        imported = keys.written + keys.unchanged
        found_keys = report.confirmed.get("cache", 0) + report.confirmed.get("sessions", 0)
        checks.append(Check("redis keys", upstash=dbsize, read=keys.read, expected=imported, postgres=found_keys,
                            ok=keys.read == dbsize and found_keys == imported,
                            note="" if keys.read == dbsize else
                            f"scanned {keys.read} of {dbsize} keys: keys were added, deleted or expired meanwhile"))
        for name, tally in (("cache", cache), ("sessions", sessions)):
            expected = tally.written + tally.unchanged
            found = report.confirmed.get(name, 0)
            checks.append(Check(name, upstash=tally.read, read=tally.read, expected=expected, postgres=found,
                                ok=found == expected))
    return checks


def _with_resume_hint(e: TwinError, checkpoint: Checkpoint, options: ImportOptions) -> TwinError:
    if options.dry_run:
        return e
    if checkpoint.existed:
        hint = (" The import stopped at a checkpoint: run the same command again to resume after the last "
                "page written (or add --restart to start over).")
    else:
        hint = " Nothing was written; run the same command again."
    try:
        return type(e)(e.message + hint, code=e.code,
                       details={**e.details, "checkpoint": checkpoint.key, "resumable": checkpoint.existed})
    except TypeError:  # an error type with another constructor: keep it as it was
        return e
