"""`twin export` / `twin restore`: one twin as a JSON-lines file, and back, without re-embedding.

The file (gzip-compressed when its name ends in ``.gz``), one JSON object per line::

    {"format": "digital-twin-export", "version": 1, "twin_id": ..., "embedder": ..., "exported_at": ...,
     "twin_version": ..., "embedding_dim": 1536, "counts": {"documents": N, "chunks": N, "api_keys": N}}
    {"type": "twin", "twin_id", "display_name", "persona", "embedder", "created_at"}
    {"type": "document", "document_id", "title", "source", "metadata", "content_hash", "chunk_count",
     "char_count", "embedder", "created_at", "updated_at"}                      (one per document)
    {"type": "chunk", "document_id", "chunk_index", "content", "metadata", "content_hash", "embedder",
     "embedding": [floats], "created_at", "updated_at"}                         (one per chunk, after documents)
    {"type": "api_key", "key_id", "name", "scopes", "created_at", "last_used_at", "revoked_at"}

Embeddings drop their trailing zeros (the zero padding that lets any model up to 1536-d share one
column): padding them back gives the identical vector. API keys are listed for the record only:
a backup never holds a key's hash, so keys cannot be restored and are never written back.

A restore is one transaction: the target twin is locked, refused when it holds documents (unless
``replace``), documents and chunks are bulk-loaded with binary COPY, and the counts written are
checked against the file before commit, so a truncated or edited file changes nothing.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from psycopg.rows import class_row
from psycopg.types.json import Jsonb

import twin
from twin.config import EMBEDDING_DIM
from twin.errors import Conflict, InvalidRequest, NotFound
from twin.ingest.service import chunk_id
from twin.storage.db import Conn, Database, register_vector_types
from twin.storage.sqlfile import query

FORMAT = "digital-twin-export"
VERSION = 1
DOCUMENT_COPY_TYPES = ["text", "text", "text", "text", "jsonb", "text", "int4", "int4", "text",
                       "timestamptz", "timestamptz"]
CHUNK_COPY_TYPES = ["text", "vector", "text", "jsonb", "text", "text", "int4", "text", "text",
                    "timestamptz", "timestamptz"]


class InvalidBackup(InvalidRequest):
    """The file is not a twin export this version can read, or it is damaged or incomplete."""

    code = "invalid_backup"


# --- rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportTwin:
    """A row of ``ops.export_twin``."""

    twin_id: str
    display_name: str
    persona: str
    embedder: str | None
    created_at: datetime
    documents: int
    chunks: int
    api_keys: int


@dataclass(frozen=True)
class ExportDocument:
    """A row of ``ops.export_documents``."""

    document_id: str
    title: str | None
    source: str | None
    metadata: dict[str, Any]
    content_hash: str
    chunk_count: int
    char_count: int
    embedder: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ExportChunk:
    """A row of ``ops.export_chunks``; the embedding is pgvector's text form."""

    document_id: str
    chunk_index: int
    content: str
    metadata: dict[str, Any]
    content_hash: str
    embedder: str
    embedding: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ExportApiKey:
    """A row of ``ops.export_api_keys`` (never the hash)."""

    key_id: str
    name: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class RestoreTarget:
    """A row of ``ops.lock_restore_target``."""

    display_name: str
    persona: str
    documents: int


@dataclass(frozen=True)
class RestoredCounts:
    """A row of ``ops.restored_counts``."""

    documents: int
    chunks: int


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportResult:
    twin_id: str
    path: str
    embedder: str | None
    documents: int
    chunks: int
    api_keys: int
    bytes: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class RestoreResult:
    twin_id: str
    source_twin_id: str
    path: str
    embedder: str | None
    documents: int = 0
    chunks: int = 0
    replaced_documents: int = 0
    api_keys_not_restored: int = 0
    messages: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# --- export ----------------------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def _trimmed(embedding_text: str) -> list[float]:
    values: list[float] = json.loads(embedding_text)  # '[0.1,-2e-05,...]' is valid JSON
    end = len(values)
    while end and values[end - 1] == 0.0:
        end -= 1
    return values[:end]


def _open_text(path: Path, mode: str) -> IO[str]:
    if path.name.endswith(".gz"):
        handle: IO[str] = gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[assignment]  # noqa: SIM115
        return handle
    return open(path, mode, encoding="utf-8")


def _write_export(conn: Conn, out: IO[str], twin_id: str) -> ExportTwin:
    with conn.transaction():
        conn.execute(query("ops.export_snapshot"))
        with conn.cursor(row_factory=class_row(ExportTwin)) as cur:
            found = cur.execute(query("ops.export_twin"), {"twin_id": twin_id}).fetchone()
        if found is None:
            raise NotFound(f"there is no twin {twin_id!r} to export", code="twin_not_found")
        out.write(_line({
            "format": FORMAT, "version": VERSION, "twin_id": twin_id, "embedder": found.embedder,
            "exported_at": datetime.now(UTC).isoformat(), "twin_version": twin.__version__,
            "embedding_dim": EMBEDDING_DIM,
            "counts": {"documents": found.documents, "chunks": found.chunks, "api_keys": found.api_keys},
        }))
        out.write(_line({"type": "twin", "twin_id": twin_id, "display_name": found.display_name,
                         "persona": found.persona, "embedder": found.embedder,
                         "created_at": _iso(found.created_at)}))
        with conn.cursor(row_factory=class_row(ExportDocument)) as cur:
            for d in cur.execute(query("ops.export_documents"), {"twin_id": twin_id}):
                out.write(_line({"type": "document", "document_id": d.document_id, "title": d.title,
                                 "source": d.source, "metadata": d.metadata, "content_hash": d.content_hash,
                                 "chunk_count": d.chunk_count, "char_count": d.char_count,
                                 "embedder": d.embedder, "created_at": _iso(d.created_at),
                                 "updated_at": _iso(d.updated_at)}))
        # A server-side cursor: a big twin's embeddings stream through instead of sitting in memory.
        with conn.cursor(name="twin_export_chunks", row_factory=class_row(ExportChunk)) as chunks:
            chunks.itersize = 500
            for c in chunks.execute(query("ops.export_chunks"), {"twin_id": twin_id}):
                out.write(_line({"type": "chunk", "document_id": c.document_id, "chunk_index": c.chunk_index,
                                 "content": c.content, "metadata": c.metadata, "content_hash": c.content_hash,
                                 "embedder": c.embedder, "embedding": _trimmed(c.embedding),
                                 "created_at": _iso(c.created_at), "updated_at": _iso(c.updated_at)}))
        with conn.cursor(row_factory=class_row(ExportApiKey)) as cur:
            for k in cur.execute(query("ops.export_api_keys"), {"twin_id": twin_id}):
                out.write(_line({"type": "api_key", "key_id": k.key_id, "name": k.name, "scopes": list(k.scopes),
                                 "created_at": _iso(k.created_at), "last_used_at": _iso(k.last_used_at),
                                 "revoked_at": _iso(k.revoked_at)}))
    return found


def export_twin(*, db: Database, twin_id: str, path: Path) -> ExportResult:
    """Write the twin to ``path`` (through a temporary file beside it: a failed export leaves no
    half-written backup under the real name)."""
    path = path.expanduser()
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InvalidRequest(f"{directory}: no such directory", code="invalid_path")
    suffix = ".part.gz" if path.name.endswith(".gz") else ".part"
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=directory)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with _open_text(tmp, "w") as out:
            found = db.run(lambda conn: _write_export(conn, out, twin_id))
        tmp.replace(path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return ExportResult(twin_id=twin_id, path=str(path), embedder=found.embedder, documents=found.documents,
                        chunks=found.chunks, api_keys=found.api_keys, bytes=path.stat().st_size)


# --- restore ---------------------------------------------------------------------------------


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        handle = _open_text(path, "r")
    except FileNotFoundError as e:
        raise InvalidRequest(f"{path}: no such file", code="invalid_path") from e
    with handle:
        number = 0
        try:
            for number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                try:
                    record = json.loads(text)
                except json.JSONDecodeError as e:
                    raise InvalidBackup(f"{path}:{number}: not JSON ({e.msg}); is the file complete?") from e
                if not isinstance(record, dict):
                    raise InvalidBackup(f"{path}:{number}: each line must be a JSON object")
                yield number, record
        except (OSError, EOFError, UnicodeDecodeError) as e:  # gzip.BadGzipFile is an OSError
            raise InvalidBackup(f"{path}: cannot be read after line {number} ({e})") from e


def _header(path: Path, records: Iterator[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
    first = next(records, None)
    if first is None or first[1].get("format") != FORMAT:
        raise InvalidBackup(f"{path} is not a twin export (its first line is no {FORMAT!r} header)")
    header = first[1]
    if not isinstance(header.get("version"), int) or header["version"] > VERSION:
        raise InvalidBackup(f"{path} is export format version {header.get('version')!r}; this twin reads "
                            f"versions up to {VERSION} (upgrade digital-twin)")
    counts = header.get("counts")
    if not isinstance(counts, dict) or not all(isinstance(counts.get(k), int) for k in ("documents", "chunks")):
        raise InvalidBackup(f"{path}: the header has no counts")
    return header


def _when(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _document_row(twin_id: str, r: dict[str, Any]) -> tuple[Any, ...]:
    return (twin_id, r["document_id"], r.get("title"), r.get("source"), Jsonb(r.get("metadata") or {}),
            r["content_hash"], int(r["chunk_count"]), int(r["char_count"]), r["embedder"],
            _when(r.get("created_at")) or datetime.now(UTC), _when(r.get("updated_at")) or datetime.now(UTC))


def _chunk_row(twin_id: str, r: dict[str, Any], where: str) -> tuple[Any, ...]:
    embedding = r["embedding"]
    if not isinstance(embedding, list) or len(embedding) > EMBEDDING_DIM:
        raise InvalidBackup(f"{where}: an embedding must be a list of at most {EMBEDDING_DIM} numbers")
    vector = [float(x) for x in embedding] + [0.0] * (EMBEDDING_DIM - len(embedding))
    index = int(r["chunk_index"])
    return (chunk_id(twin_id, r["document_id"], index), vector, r["content"], Jsonb(r.get("metadata") or {}),
            twin_id, r["document_id"], index, r["content_hash"], r["embedder"],
            _when(r.get("created_at")) or datetime.now(UTC), _when(r.get("updated_at")) or datetime.now(UTC))


def _restore(conn: Conn, *, path: Path, twin_id: str | None, replace: bool) -> RestoreResult:
    from twin.validation import validate_twin_id

    records = _records(path)
    header = _header(path, records)
    twin_line = next(records, None)
    if twin_line is None or twin_line[1].get("type") != "twin":
        raise InvalidBackup(f"{path}: the line after the header must be the twin")
    source = twin_line[1]
    target = validate_twin_id(twin_id or str(source.get("twin_id") or header.get("twin_id") or ""), "--twin")
    embedder = source.get("embedder") or header.get("embedder")
    result = RestoreResult(twin_id=target, source_twin_id=str(source.get("twin_id") or header.get("twin_id")),
                           path=str(path), embedder=embedder)
    documents: set[str] = set()
    api_keys: list[dict[str, Any]] = []
    try:
        with conn.transaction():
            conn.execute(query("access.ensure_twin"), {"twin_id": target})
            with conn.cursor(row_factory=class_row(RestoreTarget)) as cur:
                existing = cur.execute(query("ops.lock_restore_target"), {"twin_id": target}).fetchone()
            assert existing is not None
            if existing.documents and not replace:
                raise Conflict(
                    f"twin {target!r} already has {existing.documents} document"
                    f"{'' if existing.documents == 1 else 's'}; nothing was restored. Restore into another "
                    "twin with --twin NEW_ID, or pass --replace to replace its documents with the file's",
                    code="twin_not_empty", details={"twin_id": target, "documents": existing.documents})
            if existing.documents:
                conn.execute(query("ops.delete_twin_documents"), {"twin_id": target})
                result.replaced_documents = existing.documents
            conn.execute(query("ops.restore_twin_profile"), {
                "twin_id": target, "embedder": embedder, "replace": replace,
                "display_name": str(source.get("display_name") or ""), "persona": str(source.get("persona") or "")})

            pending: tuple[int, dict[str, Any]] | None = None
            with conn.cursor() as cur, cur.copy(query("ops.copy_restore_documents")) as copy:
                copy.set_types(DOCUMENT_COPY_TYPES)
                for number, record in records:
                    if record.get("type") != "document":
                        pending = (number, record)
                        break
                    if record.get("document_id") in documents:
                        raise InvalidBackup(f"{path}:{number}: document {record.get('document_id')!r} appears twice")
                    copy.write_row(_row(path, number, lambda r=record: _document_row(target, r)))
                    documents.add(record["document_id"])
            with conn.cursor() as cur, cur.copy(query("ops.copy_restore_chunks")) as copy:
                copy.set_types(CHUNK_COPY_TYPES)
                rest = ([pending] if pending else [])
                for number, record in _chain(rest, records):
                    kind = record.get("type")
                    if kind == "chunk":
                        if record.get("document_id") not in documents:
                            raise InvalidBackup(f"{path}:{number}: a chunk of document "
                                                f"{record.get('document_id')!r}, which the file does not hold")
                        where = f"{path}:{number}"
                        copy.write_row(_row(path, number, lambda r=record, w=where: _chunk_row(target, r, w)))
                        result.chunks += 1
                    elif kind == "api_key":
                        api_keys.append(record)
                    elif kind == "document":
                        raise InvalidBackup(f"{path}:{number}: documents must come before chunks")
                    else:
                        raise InvalidBackup(f"{path}:{number}: unknown record type {kind!r}")
            result.documents = len(documents)
            _verify(conn, path, header, result)
    except InvalidBackup:
        raise
    except (KeyError, TypeError, ValueError) as e:  # a field missing or of the wrong type
        raise InvalidBackup(f"{path}: a record lacks a field or has a wrong value ({e})") from e
    result.api_keys_not_restored = len(api_keys)
    return result


def _chain(first: list[tuple[int, dict[str, Any]]],
           rest: Iterator[tuple[int, dict[str, Any]]]) -> Iterator[tuple[int, dict[str, Any]]]:
    yield from first
    yield from rest


def _row(path: Path, number: int, build: Any) -> tuple[Any, ...]:
    try:
        row: tuple[Any, ...] = build()
    except (KeyError, TypeError, ValueError) as e:
        raise InvalidBackup(f"{path}:{number}: a record lacks a field or has a wrong value ({e})") from e
    return row


def _verify(conn: Conn, path: Path, header: dict[str, Any], result: RestoreResult) -> None:
    """Raised inside the transaction, so a file whose counts do not add up restores nothing."""
    with conn.cursor(row_factory=class_row(RestoredCounts)) as cur:
        stored = cur.execute(query("ops.restored_counts"), {"twin_id": result.twin_id}).fetchone()
    assert stored is not None
    expected = header["counts"]
    seen = {"documents": result.documents, "chunks": result.chunks}
    written = {"documents": stored.documents, "chunks": stored.chunks}
    for what in ("documents", "chunks"):
        if not expected[what] == seen[what] == written[what]:
            raise InvalidBackup(
                f"{path}: the header promises {expected[what]} {what}, the file holds {seen[what]} and "
                f"{written[what]} were written; nothing was restored (is the file truncated?)",
                details={"expected": expected, "in_file": seen, "written": written})


def restore_twin(*, db: Database, path: Path, twin_id: str | None = None, replace: bool = False,
                 configured_embedder: str | None = None) -> RestoreResult:
    path = path.expanduser()
    if not path.is_file():
        raise InvalidRequest(f"{path}: no such file", code="invalid_path")

    def work(conn: Conn) -> RestoreResult:
        register_vector_types(conn)  # catalog reads, before the transaction takes the twin lock
        return _restore(conn, path=path, twin_id=twin_id, replace=replace)

    result = db.run(work)
    if result.api_keys_not_restored:
        n = result.api_keys_not_restored
        result.messages.append(f"{n} API key{'' if n == 1 else 's'} not restored: create new ones with "
                               f"`twin keys create --twin {result.twin_id}`")
    if result.embedder and configured_embedder and result.embedder != configured_embedder:
        result.messages.append(
            f"the restored vectors come from {result.embedder} but the configured embedder is "
            f"{configured_embedder}: configure {result.embedder} (TWIN_EMBEDDER) or run "
            f"`twin reembed --twin {result.twin_id}`")
    return result


__all__ = ["FORMAT", "VERSION", "ExportResult", "InvalidBackup", "RestoreResult", "export_twin", "restore_twin"]
