"""functions/migrate: the CloudFormation custom resource that applies sql/ on deploy.

A local HTTP server stands in for the pre-signed S3 ResponseURL, so every test sees the exact
PUT CloudFormation would receive.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.support.local_server import JsonHandler, LocalServer
from twin import runtime
from twin.aws.cfn_response import build_response, run_custom_resource
from twin.aws.local_invoke import LambdaContext, load_function
from twin.storage.migrations import default_migrations_dir, discover

EVENTS = Path(__file__).resolve().parents[2] / "events"
UNREACHABLE_DB = "postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=2"


@dataclass
class ReceivedPut:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class ResponseServer(LocalServer[ReceivedPut]):
    """Records PUTs to /response/...; answers ``status`` (200 like S3, or an error)."""

    def __init__(self) -> None:
        super().__init__()
        self.status = 200
        self.arrived = threading.Event()

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        recorder = self

        class Handler(JsonHandler):
            def do_PUT(self) -> None:
                body = json.loads(self.read_body())
                recorder._record(ReceivedPut(self.path, dict(self.headers.items()), body))
                self.send_response(recorder.status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                recorder.arrived.set()

        return Handler

    @property
    def url(self) -> str:
        return f"{self.base_url}/response/presigned?X-Amz-Signature=test"

    @property
    def received(self) -> list[ReceivedPut]:
        return self.requests

    def only(self) -> ReceivedPut:
        received = self.received
        assert len(received) == 1, received
        return received[0]


@pytest.fixture
def response_server() -> Iterator[ResponseServer]:
    with ResponseServer() as server:
        yield server


def load_event(name: str, response_url: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    event["ResponseURL"] = response_url
    return event


def point_at(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("DATABASE_SECRET_ARN", raising=False)
    runtime.reset()


@pytest.fixture
def fresh_db(empty_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.delenv("TWIN_MIGRATIONS_DIR", raising=False)
    point_at(monkeypatch, empty_db_url)
    yield empty_db_url
    runtime.reset()


def invoke_migrate(event: dict[str, Any], **context: Any) -> dict[str, Any]:
    handler = load_function("migrate").handler
    result: dict[str, Any] = handler(event, LambdaContext.for_function("migrate", **context))
    return result


def tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()
    return {str(r[0]) for r in rows}


def test_create_applies_every_migration_and_answers_success(
        fresh_db: str, response_server: ResponseServer) -> None:
    event = load_event("migrate_create.json", response_server.url)

    returned = invoke_migrate(event, log_stream_name="2025/03/10/[$LATEST]abc")

    put = response_server.only()
    files = discover()
    assert put.path.startswith("/response/presigned")
    # the pre-signed URL is signed for an empty content type
    assert put.headers.get("Content-Type", "") == ""
    assert put.body["Status"] == "SUCCESS"
    assert put.body["PhysicalResourceId"] == "digital-twin-schema"
    for key in ("StackId", "RequestId", "LogicalResourceId"):
        assert put.body[key] == event[key]
    assert put.body["Data"] == {"Applied": ",".join(f.name for f in files), "Version": str(files[-1].version)}
    assert returned == put.body
    assert {"schema_migrations", "vectors", "chat_sessions"} <= tables(fresh_db)


def test_update_on_an_up_to_date_schema_applies_nothing(fresh_db: str, response_server: ResponseServer) -> None:
    invoke_migrate(load_event("migrate_create.json", response_server.url))

    invoke_migrate(load_event("migrate_update.json", response_server.url))

    update = response_server.received[-1].body
    assert update["Status"] == "SUCCESS"
    assert update["PhysicalResourceId"] == "digital-twin-schema"
    assert update["Data"] == {"Applied": "", "Version": str(discover()[-1].version)}


def test_broken_migration_answers_failed_naming_the_file(
        fresh_db: str, response_server: ResponseServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN the real first migration followed by a broken one
    sql_dir = tmp_path / "sql"
    sql_dir.mkdir()
    first = discover()[0]
    shutil.copy(first.path, sql_dir / first.path.name)
    (sql_dir / "0002_broken_thing.sql").write_text("CREATE TABLE half_done (id int;\n")
    monkeypatch.setenv("TWIN_MIGRATIONS_DIR", str(sql_dir))

    # WHEN CloudFormation creates the resource
    invoke_migrate(load_event("migrate_create.json", response_server.url), log_stream_name="stream-xyz")

    # THEN it hears FAILED, with the file and where to find the logs
    body = response_server.only().body
    assert body["Status"] == "FAILED"
    assert "0002_broken_thing.sql" in body["Reason"]
    assert "stream-xyz" in body["Reason"]
    assert body["PhysicalResourceId"] == "digital-twin-schema"
    assert "half_done" not in tables(fresh_db)


def test_unreachable_database_still_gets_an_answer(
        response_server: ResponseServer, monkeypatch: pytest.MonkeyPatch) -> None:
    point_at(monkeypatch, UNREACHABLE_DB)
    try:
        invoke_migrate(load_event("migrate_create.json", response_server.url))
    finally:
        runtime.reset()

    body = response_server.only().body
    assert body["Status"] == "FAILED"
    assert "cannot connect" in body["Reason"]
    assert "127.0.0.1" in body["Reason"]


def test_delete_answers_success_without_touching_the_schema(
        fresh_db: str, response_server: ResponseServer) -> None:
    invoke_migrate(load_event("migrate_delete.json", response_server.url))

    body = response_server.only().body
    assert body["Status"] == "SUCCESS"
    assert body["PhysicalResourceId"] == "digital-twin-schema"
    assert tables(fresh_db) == set()


def test_delete_keeps_an_existing_schema_and_needs_no_database(
        fresh_db: str, response_server: ResponseServer, monkeypatch: pytest.MonkeyPatch) -> None:
    invoke_migrate(load_event("migrate_create.json", response_server.url))
    before = tables(fresh_db)

    # a stack being deleted may already have lost its database: Delete must not connect
    point_at(monkeypatch, UNREACHABLE_DB)
    invoke_migrate(load_event("migrate_delete.json", response_server.url))

    assert response_server.received[-1].body["Status"] == "SUCCESS"
    assert tables(fresh_db) == before


def test_delete_echoes_the_physical_id_cloudformation_holds(
        fresh_db: str, response_server: ResponseServer) -> None:
    event = load_event("migrate_delete.json", response_server.url)
    event["PhysicalResourceId"] = "an-older-id"

    invoke_migrate(event)

    assert response_server.only().body["PhysicalResourceId"] == "an-older-id"


def update_with_a_broken_migration(stack_status: str, response_server: ResponseServer, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Sends an Update, with sql/ plus a migration that fails, from a stack in ``stack_status``;
    returns the one response CloudFormation hears."""
    sql_dir = tmp_path / "sql"
    shutil.copytree(default_migrations_dir(), sql_dir)
    (sql_dir / "0999_broken.sql").write_text("THIS IS NOT SQL;\n")
    monkeypatch.setenv("TWIN_MIGRATIONS_DIR", str(sql_dir))
    module = load_function("migrate")
    monkeypatch.setattr(module, "_stack_status", lambda stack_id: stack_status)

    invoke_migrate(load_event("migrate_update.json", response_server.url))

    return response_server.only().body


def test_update_during_a_rollback_leaves_the_schema_alone(
        fresh_db: str, response_server: ResponseServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a migration that fails, and a stack that is rolling back because of it
    # WHEN the rollback's Update arrives
    body = update_with_a_broken_migration("UPDATE_ROLLBACK_IN_PROGRESS", response_server, tmp_path, monkeypatch)

    # THEN it succeeds without running anything (else: UPDATE_ROLLBACK_FAILED)
    assert body["Status"] == "SUCCESS"
    assert tables(fresh_db) == set()


def test_the_same_update_outside_a_rollback_does_fail(
        fresh_db: str, response_server: ResponseServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = update_with_a_broken_migration("UPDATE_IN_PROGRESS", response_server, tmp_path, monkeypatch)

    assert body["Status"] == "FAILED"
    assert "0999_broken.sql" in body["Reason"]


def test_unknown_request_type_answers_failed(response_server: ResponseServer) -> None:
    event = load_event("migrate_create.json", response_server.url)
    event["RequestType"] = "Rename"

    invoke_migrate(event)

    body = response_server.only().body
    assert body["Status"] == "FAILED"
    assert "Rename" in body["Reason"]


def test_an_action_that_outlives_the_lambda_timeout_is_answered_failed_in_time(
        response_server: ResponseServer) -> None:
    event = load_event("migrate_create.json", response_server.url)
    # 10.5 s left and a 10 s safety margin: the guard must answer after ~0.5 s
    context = LambdaContext.for_function("migrate", timeout_s=10.5, log_stream_name="slow-stream")
    finished = threading.Event()

    def slow(_: Any) -> dict[str, str]:
        assert response_server.arrived.wait(timeout=5), "no FAILED sent before the timeout"
        finished.set()
        return {"Applied": "late"}

    started = time.monotonic()
    returned = run_custom_resource(event, context, physical_resource_id="digital-twin-schema",
                                   on_create=slow, on_update=slow)

    assert finished.is_set()
    assert time.monotonic() - started < 5
    body = response_server.only().body  # the late SUCCESS is never sent
    assert body["Status"] == "FAILED"
    assert "Lambda timeout" in body["Reason"]
    assert "slow-stream" in body["Reason"]
    assert returned == body


def test_a_rejected_response_put_does_not_raise(response_server: ResponseServer) -> None:
    response_server.status = 403  # an expired pre-signed URL
    event = load_event("migrate_delete.json", response_server.url)

    body = invoke_migrate(event)

    assert body["Status"] == "SUCCESS"
    assert len(response_server.received) == 1  # a 4xx is not retried


def test_oversized_data_becomes_a_failed_response() -> None:
    body = build_response({"StackId": "s", "RequestId": "r", "LogicalResourceId": "l"}, status="SUCCESS",
                          physical_resource_id="p", data={"Big": "x" * 5000})
    assert body["Status"] == "FAILED"
    assert body["Data"] == {}
    assert len(json.dumps(body)) <= 4096
