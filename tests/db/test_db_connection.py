from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from twin.config import Settings
from twin.errors import DatabaseUnavailable
from twin.storage.db import Database, connect, redact, resolve_conninfo


def _backend_pid(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT pg_backend_pid()").fetchone()
    assert row is not None
    return int(row[0])


def test_connection_is_opened_lazily_and_reused(settings: Settings) -> None:
    database = Database(settings, settings.database_url)
    assert database._conn is None
    first = database.run(_backend_pid)
    second = database.run(_backend_pid)
    assert first == second
    database.close()


def test_connection_is_reopened_once_after_the_server_kills_it(settings: Settings, conn: Any) -> None:
    database = Database(settings, settings.database_url)
    pid = database.run(_backend_pid)
    conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
    # WHEN the next invocation runs on the dead connection (as after a Lambda thaw)
    new_pid = database.run(_backend_pid)
    # THEN it transparently got a new session
    assert new_pid != pid
    database.close()


def test_error_that_is_not_a_lost_connection_is_not_retried(settings: Settings) -> None:
    database = Database(settings, settings.database_url)
    calls = 0

    def failing(c: Any) -> None:
        nonlocal calls
        calls += 1
        c.execute("SELECT no_such_column FROM vectors")

    with pytest.raises(psycopg.errors.UndefinedColumn):
        database.run(failing)
    assert calls == 1
    database.close()


def test_session_settings_apply_statement_timeout_and_application_name(settings: Settings) -> None:
    tuned = replace(settings, db_statement_timeout_ms=1234, db_application_name="twin-test")
    with connect(tuned, tuned.database_url) as c:
        assert c.execute("SHOW statement_timeout").fetchone() == ("1234ms",)
        assert c.execute("SHOW application_name").fetchone() == ("twin-test",)
        assert c.execute("SHOW hnsw.iterative_scan").fetchone() == ("relaxed_order",)
        assert c.autocommit


def test_behind_a_pooler_prepared_statements_are_disabled(settings: Settings) -> None:
    with connect(replace(settings, db_behind_pooler=True), settings.database_url) as c:
        assert c.prepare_threshold is None


def test_options_in_the_url_are_honoured(settings: Settings) -> None:
    url = psycopg.conninfo.make_conninfo(settings.database_url, application_name="from-url")
    with connect(settings, url) as c:
        assert c.execute("SHOW application_name").fetchone() == ("from-url",)


def test_unreachable_server_is_a_clear_error_without_the_password(settings: Settings) -> None:
    url = "postgresql://twin:s3cret-pw@127.0.0.1:1/twin?connect_timeout=2"
    with pytest.raises(DatabaseUnavailable) as info:
        connect(settings, url)
    assert "s3cret-pw" not in str(info.value)
    assert "s3cret-pw" not in info.value.private_detail
    assert "127.0.0.1" in info.value.private_detail  # for logs and the CLI
    assert "127.0.0.1" not in info.value.message  # clients never learn hosts or socket paths


def test_redact_hides_the_password() -> None:
    assert "hunter2" not in redact("postgresql://u:hunter2@db.example:5432/x?sslmode=require")
    assert "sslmode=require" in redact("postgresql://u:hunter2@db.example:5432/x?sslmode=require")


def test_credentials_come_from_secrets_manager_secret(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from moto import mock_aws

    params = conninfo_to_dict(settings.database_url)
    with mock_aws():
        import boto3
        from aws_lambda_powertools.utilities import parameters

        parameters.clear_caches()
        client = boto3.client("secretsmanager", region_name="us-east-1")
        # The JSON shape RDS writes for a managed master secret (plus dbname, as RDS Proxy secrets carry).
        arn = client.create_secret(Name="twin/db", SecretString=json.dumps({
            "engine": "postgres", "host": params["host"], "port": int(params.get("port") or 5432),
            "username": params.get("user") or "postgres", "password": "unused-by-trust-auth",
            "dbname": params["dbname"], "sslmode": "disable",
        }))["ARN"]
        from_secret = replace(settings, database_url="", database_secret_arn=arn)
        conninfo = resolve_conninfo(from_secret)
        assert conninfo_to_dict(conninfo)["dbname"] == params["dbname"]
        database = Database(from_secret)
        assert database.run(lambda c: c.execute("SELECT current_database()").fetchone()) == (params["dbname"],)
        database.close()
        parameters.clear_caches()


def test_malformed_secret_is_a_configuration_error(settings: Settings) -> None:
    from moto import mock_aws

    from twin.errors import ConfigurationError

    with mock_aws():
        import boto3
        from aws_lambda_powertools.utilities import parameters

        parameters.clear_caches()
        arn = boto3.client("secretsmanager", region_name="us-east-1").create_secret(
            Name="twin/bad", SecretString=json.dumps({"host": "db"}))["ARN"]
        with pytest.raises(ConfigurationError, match="lacks username, password"):
            resolve_conninfo(replace(settings, database_url="", database_secret_arn=arn))
        parameters.clear_caches()
