"""Database connections tuned for Lambda.

One connection per process, opened on first use and reused across warm invocations. A
frozen Lambda may thaw to a connection the server (or a proxy) closed long ago, and a local
server may have restarted, so ``Database.run`` re-opens the connection once when it finds it
broken and replays the unit of work (each unit is one transaction, so a replay is safe).

Connections run in autocommit mode: reads are single statements, writes open an explicit
``conn.transaction()``, and a frozen process never sits "idle in transaction" holding locks.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from twin.config import Settings
from twin.errors import ConfigurationError, DatabaseUnavailable

logger = logging.getLogger(__name__)

T = TypeVar("T")
Conn = psycopg.Connection[Any]


def redact(conninfo: str) -> str:
    """A connection string safe to log: the password never leaves this module."""
    try:
        params = conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError:
        return "<unparseable connection string>"
    if "password" in params:
        params["password"] = "***"
    return make_conninfo(**{k: str(v) for k, v in params.items() if v is not None})


def _conninfo_from_secret(secret_arn: str) -> str:
    # Powertools caches the secret (max_age) so warm invocations do not call Secrets Manager.
    from aws_lambda_powertools.utilities import parameters

    try:
        secret = parameters.get_secret(secret_arn, transform="json", max_age=300)
    except Exception as e:
        raise ConfigurationError(f"could not read database secret {secret_arn}: {type(e).__name__}") from e
    if not isinstance(secret, dict):
        raise ConfigurationError(f"database secret {secret_arn} is not a JSON object")
    missing = [k for k in ("host", "username", "password") if not secret.get(k)]
    if missing:
        raise ConfigurationError(f"database secret {secret_arn} lacks {', '.join(missing)}")
    return make_conninfo(
        host=str(secret["host"]),
        port=str(secret.get("port", 5432)),
        user=str(secret["username"]),
        password=str(secret["password"]),
        dbname=str(secret.get("dbname") or secret.get("database") or "postgres"),
        sslmode=str(secret.get("sslmode", "require")),
    )


def resolve_conninfo(settings: Settings) -> str:
    """DATABASE_URL, else the RDS-shaped secret, else the embedded server."""
    if settings.database_url:
        return settings.database_url
    if settings.database_secret_arn:
        return _conninfo_from_secret(settings.database_secret_arn)
    from twin.storage.embedded import embedded_database_url

    return embedded_database_url(settings.data_dir)


def connect(settings: Settings, conninfo: str | None = None, *, autocommit: bool = True) -> Conn:
    """Open one connection with the project's session settings.

    libpq options already in the URL (sslmode, sslrootcert, target_session_attrs...) are
    kept: keyword arguments only add what the URL does not say.
    """
    conninfo = conninfo if conninfo is not None else resolve_conninfo(settings)
    given = conninfo_to_dict(conninfo)
    kwargs: dict[str, Any] = {
        "autocommit": autocommit,
        "connect_timeout": given.get("connect_timeout", settings.db_connect_timeout_s),
        "application_name": given.get("application_name", settings.db_application_name),
    }
    # A thawed Lambda may hold a socket whose peer (a NAT, a proxy) silently forgot it; without
    # these a query on it would hang for the kernel's TCP timeout (minutes) instead of failing
    # fast and reconnecting. Unix sockets ignore them.
    for option, value in (("keepalives", 1), ("keepalives_idle", 30), ("keepalives_interval", 10),
                          ("keepalives_count", 3), ("tcp_user_timeout", 15_000)):
        if option not in given:
            kwargs[option] = value
    if settings.db_behind_pooler:
        # RDS Proxy / PgBouncer in transaction mode hand each transaction to any backend:
        # named prepared statements would not exist there. Session options would pin the
        # connection, so statement_timeout and hnsw settings come from database defaults.
        kwargs["prepare_threshold"] = None
    elif "options" not in given:
        kwargs["options"] = (
            f"-c statement_timeout={settings.db_statement_timeout_ms} "
            f"-c hnsw.ef_search={settings.hnsw_ef_search} -c hnsw.iterative_scan=relaxed_order"
        )
    try:
        return psycopg.connect(conninfo, **kwargs)
    except psycopg.OperationalError as e:
        # libpq's message names host and reason, never the password; the conninfo is not echoed.
        reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        host = given.get("host", "localhost")
        # Clients get no host or socket path (an embedded server's lives in the user's data folder);
        # logs and the CLI get the whole reason.
        raise DatabaseUnavailable("the database is unavailable right now; try again shortly",
                                  private_detail=f"cannot connect to PostgreSQL at {host}: {reason}") from e


def register_vector_types(conn: Conn) -> None:
    """Teach this connection pgvector's types (binary COPY needs them).

    ``register_vector`` costs catalog round trips and imports numpy, so it runs once per
    connection and only on the paths that need it (bulk writes), not on every request.
    """
    if getattr(conn, "_twin_vector_registered", False):
        return
    from pgvector.psycopg import register_vector

    register_vector(conn)
    conn._twin_vector_registered = True  # type: ignore[attr-defined]


class Database:
    """Holds this process's one connection."""

    def __init__(self, settings: Settings, conninfo: str | None = None) -> None:
        self._settings = settings
        self._conninfo = conninfo
        self._conn: Conn | None = None
        self._lock = threading.Lock()

    @property
    def settings(self) -> Settings:
        return self._settings

    def connection(self) -> Conn:
        conn = self._conn
        if conn is None or conn.closed or conn.broken:
            if conn is not None:
                logger.info("database connection was closed; reconnecting")
            if self._conninfo is None:
                self._conninfo = resolve_conninfo(self.settings)
            conn = connect(self.settings, self._conninfo)
            self._conn = conn
        return conn

    def run(self, work: Callable[[Conn], T]) -> T:
        """Run one unit of work (one transaction at most), reconnecting once if the
        connection turns out to be dead (after a Lambda thaw or a server restart)."""
        with self._lock:
            conn = self.connection()
            try:
                return work(conn)
            except psycopg.OperationalError:
                if not (conn.closed or conn.broken):
                    raise
                logger.warning("database connection lost mid-request; reconnecting once")
                self.close()
                return work(self.connection())

    @property
    def conninfo(self) -> str | None:
        """The connection string resolved so far (``None`` until the first connect)."""
        return self._conninfo

    def forget_conninfo(self) -> None:
        """Resolve the connection string again on the next connect (a rotated secret)."""
        self._conninfo = None

    def adopt(self, conn: Conn, conninfo: str, *, timeout_s: float) -> bool:
        """Take a connection opened elsewhere (the warm-up thread) unless a live one is held.

        Waits at most ``timeout_s`` for the lock: ``run`` holds it while it connects, and a
        request already doing that must not be delayed by this one. A connection not taken is
        closed here. Returns whether it was taken.
        """
        taken = False
        if self._lock.acquire(timeout=timeout_s):
            try:
                current = self._conn
                if current is None or current.closed or current.broken:
                    self._conn = conn
                    if self._conninfo is None:
                        self._conninfo = conninfo
                    taken = True
            finally:
                self._lock.release()
        if not taken:
            conn.close()
        return taken

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None


__all__ = ["Conn", "Database", "connect", "redact", "register_vector_types", "resolve_conninfo"]
