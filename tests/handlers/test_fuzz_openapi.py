"""Property-based fuzzing driven by the app's own OpenAPI schema (schemathesis, in-process ASGI, no network).

Every route, with and without a valid key: never a 5xx, every 4xx is the error envelope, and a
refused request writes nothing.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.helpers import count
from twin import runtime
from twin.access.apikeys import create_key
from twin.access.twins import set_profile
from twin.api.local_app import build_local_app
from twin.storage.db import Database

schema = schemathesis.openapi.from_asgi("/openapi.json", build_local_app())
FUZZ_TWIN = "fuzz-twin"


@pytest.fixture
def fuzz_key(db: Database) -> str:
    db.run(lambda conn: set_profile(conn, twin_id=FUZZ_TWIN, display_name="Fuzz", persona=""))
    runtime.reset(settings=db.settings, database=db)
    return db.run(lambda conn: create_key(conn, twin_id=FUZZ_TWIN, scopes=("ingest", "chat"))).key


def _written(conn: psycopg.Connection[Any]) -> int:
    return count(conn, "SELECT (SELECT count(*) FROM documents WHERE twin_id = %(t)s)"
                       " + (SELECT count(*) FROM vectors WHERE twin_id = %(t)s)"
                       " + (SELECT count(*) FROM chat_sessions WHERE twin_id = %(t)s)", {"t": FUZZ_TWIN})


def _check(case: Any, conn: psycopg.Connection[Any], headers: dict[str, str]) -> None:
    before = _written(conn)
    response = case.call(headers=headers)
    assert response.status_code < 500, (case.method, case.formatted_path, response.status_code, response.text)
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"}, body
        assert isinstance(body["error"]["code"], str)
        assert body["error"]["message"]
        assert _written(conn) == before, "a refused request wrote rows"


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzzed_requests_with_a_key_never_fail_on_the_server(case: Any, fuzz_key: str,
                                                             conn: psycopg.Connection[Any]) -> None:
    _check(case, conn, {"x-api-key": fuzz_key})


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzzed_requests_without_a_key_never_fail_on_the_server(case: Any, fuzz_key: str,
                                                                conn: psycopg.Connection[Any]) -> None:
    _check(case, conn, {})
