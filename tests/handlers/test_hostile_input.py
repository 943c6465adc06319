"""Hostile and malformed requests: every one is a clear 4xx with the error envelope, and nothing is written.

Each case was a 500 once (issue: robustness); they run through the local app in-process, the
same app `twin serve` and the Lambda Web Adapter run.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from tests.helpers import count
from twin.access.apikeys import create_key
from twin.api.local_app import build_local_app
from twin.storage.db import Database


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(build_local_app(), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def key(db: Database, twin_id: str) -> str:
    return db.run(lambda conn: create_key(conn, twin_id=twin_id, scopes=("ingest", "chat"))).key


def written(conn: Any, twin_id: str) -> int:
    return count(conn, "SELECT (SELECT count(*) FROM documents WHERE twin_id = %s)"
                       " + (SELECT count(*) FROM vectors WHERE twin_id = %s)", (twin_id, twin_id))


def assert_clear_4xx(response: Any, status: int | None = None, code: str | None = None) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    body = response.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"]["code"], str)
    assert body["error"]["message"]
    if status is not None:
        assert response.status_code == status, body
    if code is not None:
        assert body["error"]["code"] == code, body
    return body


def doc(**fields: Any) -> dict[str, Any]:
    return {"documents": [{"id": "d1", "title": "T", "content": "I like tea.", **fields}]}


INGEST_CASES = [
    pytest.param(doc(title="a\u0000b"), "invalid_text", id="nul-title"),
    pytest.param(doc(source="s\u0000"), "invalid_text", id="nul-source"),
    pytest.param(doc(id="a\u0000b"), "invalid_text", id="nul-id"),
    pytest.param(doc(metadata={"k\u0000": 1}), "invalid_text", id="nul-metadata-key"),
    pytest.param(doc(metadata={"k": "v\u0000"}), "invalid_text", id="nul-metadata-value"),
    pytest.param(doc(content="tea\u0000time"), "invalid_text", id="nul-content"),
    pytest.param(doc(content="#"), "empty_document", id="content-without-text"),
    pytest.param(doc(content="\u200b"), "empty_document", id="content-zero-width"),
    pytest.param(doc(id=5), "invalid_request", id="id-as-number"),
]


@pytest.mark.parametrize(("body", "code"), INGEST_CASES)
def test_hostile_ingest_body_is_refused_and_writes_nothing(client: TestClient, key: str, conn: Any, twin_id: str,
                                                           body: dict[str, Any], code: str) -> None:
    response = client.post("/api/ingest", json=body, headers={"x-api-key": key})
    assert_clear_4xx(response, 400, code)
    assert written(conn, twin_id) == 0


RAW_BODIES = [
    pytest.param('{"documents": [{"content": "x", "metadata": {"n": NaN}}]}', id="nan"),
    pytest.param('{"documents": [{"content": "x", "metadata": {"n": Infinity}}]}', id="infinity"),
    pytest.param('{"documents": [{"content": "x", "metadata": {"n": 1e400}}]}', id="overflowing-float"),
    pytest.param('{"documents": [{"content": "tea \\ud800 time"}]}', id="lone-surrogate"),
    pytest.param('{"documents": [{"content": "x", "metadata": ' + '{"a":' * 20000 + "1" + "}" * 20000 + "}]}",
                 id="deep-metadata"),
]


@pytest.mark.parametrize("raw", RAW_BODIES)
def test_unstorable_json_is_a_400_before_anything_is_written(client: TestClient, key: str, conn: Any,
                                                             twin_id: str, raw: str) -> None:
    response = client.post("/api/ingest", content=raw.encode(), headers={"x-api-key": key})
    assert_clear_4xx(response, 400)
    assert written(conn, twin_id) == 0


CHAT_CASES = [
    pytest.param({"message": "tea\u0000"}, "invalid_text", id="nul-message"),
    pytest.param({"message": "hi", "filters": {"k\u0000": "v"}}, "invalid_text", id="nul-filter-key"),
    pytest.param({"message": "hi", "filters": {"k": "v\u0000"}}, "invalid_text", id="nul-filter-value"),
    pytest.param({"message": 5}, "invalid_message_type", id="message-number"),
    pytest.param({"message": ["a"]}, "invalid_message_type", id="message-list"),
    pytest.param({"message": True}, "invalid_message_type", id="message-bool"),
    pytest.param({}, "empty_message", id="message-missing"),
]


@pytest.mark.parametrize(("body", "code"), CHAT_CASES)
def test_hostile_chat_body_is_refused(client: TestClient, body: dict[str, Any], code: str) -> None:
    assert_clear_4xx(client.post("/api/chat", json=body), 400, code)


@pytest.mark.parametrize("raw", [
    pytest.param("[" * 100000 + "]" * 100000, id="deep-array"),
    pytest.param('{"message": ' + "9" * 5001 + "}", id="huge-integer"),
    pytest.param('{"message": "hi", "filters": {"n": NaN}}', id="nan-filter"),
    pytest.param('{"message": "tea \\ud800 time"}', id="lone-surrogate"),
])
def test_unparseable_chat_body_is_a_400(client: TestClient, raw: str) -> None:
    assert_clear_4xx(client.post("/api/chat", content=raw.encode()), 400)


def _cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@pytest.mark.parametrize("cursor", [
    pytest.param(_cursor(["2024-W01-1", "x"]), id="iso-week-date"),
    pytest.param(_cursor(["2024-01-01T00:00:00+00:00", "a\u0000b"]), id="nul-in-id"),
    pytest.param(_cursor({"not": "a list"}), id="object"),
    pytest.param("%%%", id="not-base64"),
])
def test_forged_cursor_is_invalid_cursor(client: TestClient, key: str, cursor: str) -> None:
    response = client.get("/api/documents", params={"cursor": cursor}, headers={"x-api-key": key})
    assert_clear_4xx(response, 400, "invalid_cursor")


def test_delete_with_nul_in_the_id_is_a_400(client: TestClient, key: str) -> None:
    assert_clear_4xx(client.delete("/api/documents/a%00b", headers={"x-api-key": key}), 400, "invalid_text")


def test_document_whose_id_holds_a_slash_can_be_deleted_over_http(client: TestClient, key: str, conn: Any,
                                                                   twin_id: str) -> None:
    created = client.post("/api/ingest", json=doc(id="notes/2024/cv.md"), headers={"x-api-key": key})
    assert created.status_code == 200, created.text

    response = client.delete("/api/documents/notes%2F2024%2Fcv.md", headers={"x-api-key": key})

    assert response.status_code == 200, response.text
    assert written(conn, twin_id) == 0


@pytest.mark.parametrize("path", ["/static/a%00b.js", "/static/%2e%2e", "/static/x.exe", "/docs/assets/a%00"])
def test_asset_names_that_are_no_shipped_file_are_a_json_404(client: TestClient, path: str) -> None:
    assert_clear_4xx(client.get(path), 404, "asset_not_found")


def test_options_without_cors_configured_is_a_json_4xx(client: TestClient) -> None:
    response = client.options("/api/chat")
    assert_clear_4xx(response)


def test_unexpected_failure_is_a_json_500_and_the_connection_survives(db: Database) -> None:
    from fastapi import APIRouter

    from twin.api.app_factory import create_app

    router = APIRouter()

    @router.get("/boom")
    async def boom() -> None:
        raise RuntimeError("not a client's fault")

    with TestClient(create_app(router), raise_server_exceptions=False) as test_client:
        response = test_client.get("/boom")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"
