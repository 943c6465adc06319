"""Versioned schema files from ``sql/``, applied in order, exactly once, checksummed.

Used by ``twin db migrate``, ``twin db status`` and the deploy-time migrator Lambda.

* Files are named ``NNNN_description.sql`` and applied in version order.
* Each file runs in its own transaction, unless its first lines carry
  ``-- twin:no-transaction`` (needed for ``CREATE INDEX CONCURRENTLY``); such a file runs one
  statement at a time (statements end with ``;`` at the end of a line) and should be
  written to be re-runnable (``IF NOT EXISTS``) since a failure midway leaves earlier
  statements applied.
* A session-level ``pg_advisory_lock`` serialises concurrent runners (two Lambdas during a
  deploy, a CLI and a deploy): the second waits, then finds nothing left to do.
* An applied file whose checksum changed stops everything with an error naming the file:
  the database no longer matches the code, and guessing is worse than stopping.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from twin.errors import MigrationError

logger = logging.getLogger(__name__)

# pg_advisory_lock takes a bigint; any fixed value unique to this project works.
ADVISORY_LOCK_KEY = 0x7477696E5F6D6967  # "twin_mig"
NO_TRANSACTION_MARKER = "-- twin:no-transaction"
_FILE_NAME = re.compile(r"^(\d+)_([A-Za-z0-9_\-]+)\.sql$")
_STATEMENT_END = re.compile(r";[ \t]*$", re.MULTILINE)

_CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)"""


@dataclass(frozen=True)
class MigrationFile:
    version: int
    name: str
    path: Path
    sql: str
    checksum: str

    @property
    def transactional(self) -> bool:
        head = "\n".join(self.sql.splitlines()[:5])
        return NO_TRANSACTION_MARKER not in head


@dataclass(frozen=True)
class MigrationState:
    version: int
    name: str
    state: str  # "applied", "pending", "changed" (checksum differs) or "missing" (no file)
    applied_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "name": self.name,
            "state": self.state,
            "applied_at": self.applied_at.isoformat() if self.applied_at else None,
        }


def default_migrations_dir() -> Path:
    """``TWIN_MIGRATIONS_DIR``, else the copy inside the Lambda layer, else the repo's sql/."""
    override = os.environ.get("TWIN_MIGRATIONS_DIR")
    if override:
        return Path(override)
    packaged = Path(__file__).resolve().parents[1] / "migrations_sql"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "sql"


def discover(directory: Path | None = None) -> list[MigrationFile]:
    directory = directory or default_migrations_dir()
    if not directory.is_dir():
        raise MigrationError(f"migrations directory not found: {directory}")
    files: dict[int, MigrationFile] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _FILE_NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files must be named NNNN_description.sql")
        version = int(match.group(1))
        if version in files:
            raise MigrationError(f"{path.name}: version {version} is also used by {files[version].path.name}")
        raw = path.read_bytes()
        files[version] = MigrationFile(
            version=version,
            name=path.name,
            path=path,
            sql=raw.decode("utf-8"),
            checksum=hashlib.sha256(raw).hexdigest(),
        )
    return [files[v] for v in sorted(files)]


def _applied(conn: psycopg.Connection[Any]) -> dict[int, tuple[str, str, datetime]]:
    exists = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return {}
    rows = conn.execute("SELECT version, name, checksum, applied_at FROM schema_migrations").fetchall()
    return {int(r[0]): (str(r[1]), str(r[2]), r[3]) for r in rows}


def status(conn: psycopg.Connection[Any], directory: Path | None = None) -> list[MigrationState]:
    files = {f.version: f for f in discover(directory)}
    applied = _applied(conn)
    states: list[MigrationState] = []
    for version in sorted(set(files) | set(applied)):
        file = files.get(version)
        record = applied.get(version)
        if record is None:
            assert file is not None
            states.append(MigrationState(version, file.name, "pending", None))
        elif file is None:
            states.append(MigrationState(version, record[0], "missing", record[2]))
        else:
            state = "applied" if record[1] == file.checksum else "changed"
            states.append(MigrationState(version, file.name, state, record[2]))
    return states


def _check_unchanged(files: Sequence[MigrationFile], applied: dict[int, tuple[str, str, datetime]]) -> None:
    for file in files:
        record = applied.get(file.version)
        if record is not None and record[1] != file.checksum:
            raise MigrationError(
                f"{file.name} was changed after it was applied (checksum {file.checksum[:12]} "
                f"!= applied {record[1][:12]}); restore it and put the change in a new file",
                code="migration_checksum_mismatch",
            )


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in _STATEMENT_END.split(sql) if s.strip() and not _only_comments(s)]


def _only_comments(chunk: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in chunk.splitlines())


def _apply(conn: psycopg.Connection[Any], file: MigrationFile) -> None:
    record = "INSERT INTO schema_migrations (version, name, checksum) VALUES (%s, %s, %s)"
    # Migration text comes from the project's own files, never from a request.
    if file.transactional:
        with conn.transaction():
            conn.execute(file.sql)
            conn.execute(record, (file.version, file.name, file.checksum))
        return
    for statement in _statements(file.sql):
        conn.execute(statement)
    conn.execute(record, (file.version, file.name, file.checksum))


def migrate(conn: psycopg.Connection[Any], directory: Path | None = None) -> list[MigrationFile]:
    """Apply pending files; returns the ones applied by this call (empty when up to date)."""
    if not conn.autocommit:
        raise MigrationError("migrate() needs an autocommit connection (each file manages its transaction)")
    files = discover(directory)
    conn.execute("SET statement_timeout = 0")  # index builds may outlast the request timeout
    conn.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
    try:
        conn.execute(_CREATE_TABLE)
        applied = _applied(conn)
        _check_unchanged(files, applied)
        done: list[MigrationFile] = []
        for file in files:
            if file.version in applied:
                continue
            logger.info("applying migration %s", file.name)
            try:
                _apply(conn, file)
            except psycopg.Error as e:
                first_line = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
                raise MigrationError(f"{file.name} failed: {first_line}") from e
            done.append(file)
        return done
    finally:
        if not conn.closed and not conn.broken:
            conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
