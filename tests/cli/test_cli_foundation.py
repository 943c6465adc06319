"""The `twin` command as a user runs it: a real process, a real (embedded) database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXTERNAL_URL


def twin(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "twin.cli.main", *args], env=env, text=True,
                          capture_output=True, timeout=timeout, check=False)


@pytest.fixture
def cli_env(tmp_path: Path, empty_db_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env["DATABASE_URL"] = empty_db_url
    env["TWIN_DATA_DIR"] = str(tmp_path / "data")
    return env


def test_db_migrate_twice_then_doctor_json_lists_seed_tables_and_hnsw(cli_env: dict[str, str]) -> None:
    first = twin("db", "migrate", "--json", env=cli_env)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["applied"]
    second = twin("db", "migrate", "--json", env=cli_env)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout)["applied"] == []

    doctor = twin("doctor", "--json", env=cli_env)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    report = json.loads(doctor.stdout)
    assert {"vectors", "database_cache", "ingestion_metadata", "rate_limits"} <= {t["table"] for t in report["tables"]}
    assert "hnsw" in {i["method"] for i in report["indexes"]}


def test_doctor_exits_non_zero_on_an_unmigrated_database(cli_env: dict[str, str]) -> None:
    doctor = twin("doctor", env=cli_env)
    assert doctor.returncode == 1
    assert "twin db migrate" in doctor.stdout


def test_db_status_json_shows_pending_then_applied(cli_env: dict[str, str]) -> None:
    pending = twin("db", "status", "--json", env=cli_env)
    assert pending.returncode == 1
    assert {m["state"] for m in json.loads(pending.stdout)["migrations"]} == {"pending"}
    twin("db", "migrate", env=cli_env)
    applied = twin("db", "status", "--json", env=cli_env)
    assert applied.returncode == 0
    assert json.loads(applied.stdout)["up_to_date"] is True


def test_unreachable_database_is_a_clear_message_with_the_reason_not_a_traceback(cli_env: dict[str, str]) -> None:
    env = {**cli_env, "DATABASE_URL": "postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2"}
    result = twin("doctor", env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: the database is unavailable")
    assert "cannot connect to PostgreSQL at 127.0.0.1" in result.stderr  # the operator sees the reason
    assert "pw" not in result.stderr.replace("postgresql", "")


@pytest.mark.skipif(bool(EXTERNAL_URL), reason="exercises the embedded server, not DATABASE_URL")
def test_embedded_database_starts_in_data_dir_and_persists_across_runs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "OPENAI_API_KEY")}
    env["TWIN_DATA_DIR"] = str(tmp_path / "twin-data")
    try:
        assert twin("db", "migrate", env=env).returncode == 0
        assert (tmp_path / "twin-data" / "pgdata" / "PG_VERSION").exists()
        again = twin("db", "migrate", "--json", env=env)
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["applied"] == []
    finally:
        twin("db", "stop", env=env)
