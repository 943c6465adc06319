"""Every HTTP sample in events/ through the real Lambda handlers, against a fresh database.

The samples are what `sam local invoke -e` and `twin invoke` feed the functions, including
the shapes `sam local generate-event` makes (REST v1 and HTTP API v2, base64 body, no
content-type header).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.helpers import EVENTS, lambda_response_json
from twin import runtime
from twin.access.apikeys import create_key
from twin.aws.local_invoke import invoke, load_event
from twin.config import Settings
from twin.storage.db import Database
from twin.storage.migrations import migrate


@pytest.fixture
def events_db(empty_db_url: str, tmp_path: Path) -> Iterator[Database]:
    with psycopg.connect(empty_db_url, autocommit=True) as conn:
        migrate(conn)
    database = Database(replace(Settings(), database_url=empty_db_url, data_dir=tmp_path), empty_db_url)
    runtime.reset(settings=database.settings, database=database)
    yield database
    runtime.reset()


@pytest.fixture
def key(events_db: Database) -> str:
    return events_db.run(lambda conn: create_key(conn, twin_id="default", scopes=("ingest", "chat"))).key


def _with_key(event: dict[str, Any], key: str) -> dict[str, Any]:
    event = copy.deepcopy(event)
    event["headers"]["x-api-key"] = key
    return event


def _invoke(function: str, name: str, key: str | None = None) -> tuple[int, Any]:
    event = load_event(EVENTS / name)
    if key is not None:
        event = _with_key(event, key)
    response = invoke(function, event)
    return response["statusCode"], lambda_response_json(response)


def test_sample_events_run_through_ingest_and_chat_handlers(key: str) -> None:
    status, body = _invoke("ingest", "ingest_post.json", key)
    assert status == 200, body
    assert {d["status"] for d in body["documents"]} == {"created"}

    status, body = _invoke("ingest", "documents_list.json", key)
    assert status == 200, body
    assert {d["id"] for d in body["documents"]} == {"bio", "hobbies"}

    for sample in ("chat_post.json", "chat_post_http_v2_base64.json", "chat_post_rest_v1_base64.json"):
        status, body = _invoke("chat", sample)
        assert status == 200, (sample, body)
        assert body["sources"], sample
        assert body["mode"] == "offline"

    status, body = _invoke("chat", "health.json")
    assert (status, body["status"]) == (200, "ok")

    status, body = _invoke("ingest", "documents_delete.json", key)
    assert (status, body["deleted"]) == (200, True)


def test_sample_ingest_event_with_the_placeholder_key_is_401(events_db: Database) -> None:
    status, body = _invoke("ingest", "ingest_post.json")
    assert (status, body["error"]["code"]) == (401, "invalid_api_key")
