"""The sample events in events/ run through the real Cleanup and Migrate handlers
(twin.aws.local_invoke, the same path as `twin invoke`), and through `twin invoke` itself."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.db.test_cleanup import seed
from tests.handlers.test_migrate_function import ResponseServer, response_server  # noqa: F401 - fixture
from twin import runtime
from twin.aws.local_invoke import LambdaContext, invoke, load_event
from twin.cli.main import main
from twin.storage.migrations import discover, migrate

EVENTS = Path(__file__).resolve().parents[2] / "events"
METRICS = {
    "database_cache": "ExpiredCacheRowsDeleted",
    "rate_limits": "ExpiredRateLimitRowsDeleted",
    "ingestion_metadata": "ExpiredIngestionMetadataRowsDeleted",
    "chat_sessions": "ExpiredChatSessionsDeleted",
}


@pytest.fixture
def function_db(empty_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database of our own, named by DATABASE_URL as the deployed function would see it."""
    monkeypatch.setenv("DATABASE_URL", empty_db_url)
    monkeypatch.delenv("DATABASE_SECRET_ARN", raising=False)
    monkeypatch.delenv("TWIN_MIGRATIONS_DIR", raising=False)
    runtime.reset()
    yield empty_db_url
    runtime.reset()


@pytest.fixture
def migrated_function_db(function_db: str) -> str:
    with psycopg.connect(function_db, autocommit=True) as conn:
        migrate(conn)
    return function_db


def emf_documents(stdout: str) -> list[dict[str, Any]]:
    documents = []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{") and '"_aws"' in line:
            documents.append(json.loads(line))
    return documents


def metric_value(document: dict[str, Any], name: str) -> float:
    # Powertools writes each value as a list (one entry per add_metric call)
    value = document[name]
    return float(sum(value)) if isinstance(value, list) else float(value)


def test_scheduled_event_purges_and_publishes_one_metric_per_table(
        migrated_function_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with psycopg.connect(migrated_function_db, autocommit=True) as conn:
        seed(conn, tag="ev", expired=3, live=1)
    event = load_event(EVENTS / "cleanup_scheduled.json")
    assert event["detail-type"] == "Scheduled Event"

    returned = invoke("cleanup", event, fresh=True)

    assert returned == {"database_cache": 3, "rate_limits": 3, "ingestion_metadata": 3, "chat_sessions": 3}
    documents = emf_documents(capsys.readouterr().out)
    assert len(documents) == 1, "one EMF document per invocation"
    emf = documents[0]
    directive = emf["_aws"]["CloudWatchMetrics"][0]
    assert directive["Namespace"] == "DigitalTwinTests"
    names = {m["Name"] for m in directive["Metrics"]}
    assert set(METRICS.values()) <= names
    for table, metric in METRICS.items():
        assert metric_value(emf, metric) == returned[table], metric
    assert metric_value(emf, "CleanupBacklog") == 0

    # a second scheduled run finds nothing and still reports zeros
    assert invoke("cleanup", event) == dict.fromkeys(METRICS, 0)
    again = emf_documents(capsys.readouterr().out)
    assert [metric_value(doc, "ExpiredCacheRowsDeleted") for doc in again] == [0]


def test_migrate_events_create_update_delete(function_db: str, response_server: ResponseServer) -> None:  # noqa: F811
    latest = str(discover()[-1].version)
    for name, status, applied in (
        ("migrate_create.json", "SUCCESS", True),
        ("migrate_update.json", "SUCCESS", False),
        ("migrate_delete.json", "SUCCESS", False),
    ):
        event = load_event(EVENTS / name)
        assert event["ResourceType"] == "Custom::SchemaMigration"
        event["ResponseURL"] = response_server.url

        returned = invoke("migrate", event, context=LambdaContext.for_function("migrate"))

        body = response_server.received[-1].body
        assert body == returned
        assert body["Status"] == status, (name, body["Reason"])
        assert body["RequestId"] == event["RequestId"]
        if event["RequestType"] != "Delete":
            assert body["Data"]["Version"] == latest
            assert bool(body["Data"]["Applied"]) is applied
    assert len(response_server.received) == 3
    with psycopg.connect(function_db) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions == [f.version for f in discover()]


def test_twin_invoke_prints_only_the_result_on_stdout(
        migrated_function_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with psycopg.connect(migrated_function_db, autocommit=True) as conn:
        seed(conn, tag="cli", expired=2, live=0)

    code = main(["invoke", "cleanup", str(EVENTS / "cleanup_scheduled.json"), "--json"])

    out, err = capsys.readouterr()
    assert code == 0
    # logs and EMF go to stderr so stdout parses as the handler's return value
    assert json.loads(out) == {"database_cache": 2, "rate_limits": 2, "ingestion_metadata": 2, "chat_sessions": 2}
    assert "ExpiredCacheRowsDeleted" in err


def test_twin_cleanup_command_reports_counts(migrated_function_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with psycopg.connect(migrated_function_db, autocommit=True) as conn:
        seed(conn, tag="cmd", expired=4, live=1)

    code = main(["cleanup", "--json", "--batch-size", "3"])

    assert code == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload == {"deleted": dict.fromkeys(METRICS, 4), "total": 16, "complete": True}


def test_twin_invoke_unknown_event_file_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["invoke", "cleanup", str(EVENTS / "no_such_event.json")])

    assert code == 1
    assert "event file not found" in capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(p.name for p in EVENTS.glob("*.json")))
def test_every_sample_event_is_valid_json_with_a_known_shape(name: str) -> None:
    event = load_event(EVENTS / name)
    if name.startswith("migrate_"):
        assert {"RequestType", "ResponseURL", "StackId", "RequestId", "LogicalResourceId",
                "ResourceProperties"} <= set(event)
    elif name.startswith("cleanup_"):
        assert event["source"] == "aws.events"
    elif event.get("version") == "2.0":
        assert event["requestContext"]["http"]["sourceIp"]
        assert event["routeKey"] == f'{event["requestContext"]["http"]["method"]} ' + (
            event["rawPath"] if "pathParameters" not in event else "/api/documents/{id}")
    else:
        assert event["requestContext"]["identity"]["sourceIp"]
        assert event["isBase64Encoded"] is True
        assert not {k.lower() for k in event["headers"]} & {"content-type"}
