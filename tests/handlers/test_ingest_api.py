"""POST /api/ingest, GET/DELETE /api/documents through the real Lambda handler (Mangum + FastAPI)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import count, http_v2_event, lambda_response_json
from twin.access.apikeys import KEY_PREFIX, create_key
from twin.aws.local_invoke import invoke
from twin.ingest.schemas import MAX_DOCUMENTS
from twin.storage.db import Database


@pytest.fixture
def ingest_key(db: Database, twin_id: str) -> str:
    return db.run(lambda conn: create_key(conn, twin_id=twin_id, scopes=("ingest",))).key


@pytest.fixture
def chat_only_key(db: Database, twin_id: str) -> str:
    return db.run(lambda conn: create_key(conn, twin_id=twin_id, scopes=("chat",))).key


@pytest.fixture(autouse=True)
def _process_database(db: Database) -> None:
    """The handler uses the process-wide Database, which the db fixture installs."""


def call(method: str, path: str, key: str | None = None, **kwargs: Any) -> tuple[int, Any, dict[str, str]]:
    headers = dict(kwargs.pop("headers", {}) or {})
    if key:
        headers["x-api-key"] = key
    response = invoke("ingest", http_v2_event(method, path, headers=headers, **kwargs))
    return response["statusCode"], lambda_response_json(response), response.get("headers") or {}


DOC = {"id": "bio", "title": "Bio", "content": "I grew up in Accra and moved to Berlin in 2015."}


def test_ingest_creates_documents_and_reports_status(ingest_key: str, conn: Any, twin_id: str) -> None:
    status, body, headers = call("POST", "/api/ingest", ingest_key, body={"documents": [DOC]})
    assert status == 200, body
    assert body["documents"] == [{"id": "bio", "chunks": 1, "status": "created"}]
    assert body["ingestion_id"].startswith("ing_")
    assert body["mode"] == "offline"
    assert "embedding_tokens" in body["usage"]
    assert headers["ratelimit-limit"]
    assert count(conn, "SELECT count(*) FROM vectors WHERE twin_id = %s", (twin_id,)) == 1
    status, again, _ = call("POST", "/api/ingest", ingest_key, body={"documents": [DOC]})
    assert again["documents"][0]["status"] == "unchanged"


def test_bearer_authorization_header_is_accepted(ingest_key: str) -> None:
    status, body, _ = call("POST", "/api/ingest", headers={"authorization": f"Bearer {ingest_key}"},
                           body={"documents": [DOC]})
    assert status == 200, body


def test_missing_key_is_401(conn: Any, twin_id: str) -> None:
    status, body, _ = call("POST", "/api/ingest", body={"documents": [DOC], "twin_id": twin_id})
    assert status == 401
    assert body["error"]["code"] == "missing_api_key"
    assert count(conn, "SELECT count(*) FROM documents WHERE twin_id = %s", (twin_id,)) == 0


def test_unknown_key_is_401() -> None:
    status, body, _ = call("POST", "/api/ingest", "twin_nope_nope", body={"documents": [DOC]})
    assert (status, body["error"]["code"]) == (401, "invalid_api_key")


def test_key_without_ingest_scope_is_403(chat_only_key: str, conn: Any, twin_id: str) -> None:
    status, body, _ = call("POST", "/api/ingest", chat_only_key, body={"documents": [DOC]})
    assert (status, body["error"]["code"]) == (403, "insufficient_scope")
    assert count(conn, "SELECT count(*) FROM documents WHERE twin_id = %s", (twin_id,)) == 0


def test_key_cannot_write_to_another_twin(ingest_key: str, conn: Any) -> None:
    status, body, _ = call("POST", "/api/ingest", ingest_key, body={"documents": [DOC], "twin_id": "someone-else"})
    assert (status, body["error"]["code"]) == (403, "wrong_twin")
    assert count(conn, "SELECT count(*) FROM documents WHERE twin_id = 'someone-else'") == 0


def test_revoked_key_stops_working(db: Database, ingest_key: str) -> None:
    from twin.access.apikeys import revoke_key

    key_id = ingest_key.split("_")[1]
    db.run(lambda conn: revoke_key(conn, key_id))
    status, _, _ = call("POST", "/api/ingest", ingest_key, body={"documents": [DOC]})
    assert status == 401


def test_keys_are_stored_hashed(ingest_key: str, conn: Any) -> None:
    assert count(conn, "SELECT count(*) FROM api_keys WHERE key_hash = %s", (ingest_key,)) == 0
    # The whole secret after "<prefix><key id>_": the urlsafe secret may itself hold "_", and a
    # fragment of two or three characters after the last one occurs in a hex hash by chance.
    secret = ingest_key.removeprefix(KEY_PREFIX).split("_", 1)[1]
    assert count(conn, "SELECT count(*) FROM api_keys WHERE position(%s in key_hash) > 0", (secret,)) == 0


BAD_BODIES = [
    pytest.param({"raw_body": "{not json"}, 400, "invalid_json", id="invalid-json"),
    pytest.param({"raw_body": ""}, 400, "invalid_json", id="empty-body"),
    pytest.param({"body": []}, 400, "invalid_request", id="array-body"),
    pytest.param({"body": {}}, 400, "invalid_request", id="no-documents"),
    pytest.param({"body": {"documents": "text"}}, 400, "invalid_request", id="documents-not-array"),
    pytest.param({"body": {"documents": []}}, 400, "invalid_request", id="documents-empty"),
    pytest.param({"body": {"documents": [{"content": "  "}]}}, 400, "empty_document", id="empty-content"),
    pytest.param({"body": {"documents": [{"content": 42}]}}, 400, "invalid_document", id="content-not-string"),
    pytest.param({"body": {"documents": [{"content": "x", "metadata": [1]}]}}, 400, "invalid_request",
                 id="metadata-not-object"),
    pytest.param({"body": {"documents": [{"content": "x", "title": 7}]}}, 400, "invalid_request",
                 id="title-not-string"),
    pytest.param({"body": {"documents": [{"content": "x", "colour": "red"}]}}, 400, "invalid_request",
                 id="unknown-field"),
    pytest.param({"body": {"documents": [{"id": "a", "content": "x"}, {"id": "a", "content": "y"}]}}, 400,
                 "duplicate_document_id", id="duplicate-ids"),
    pytest.param({"body": {"documents": [{"content": "x"}], "twin_id": "Bad Twin!"}}, 400, "invalid_twin_id",
                 id="bad-twin-id"),
    pytest.param({"body": {"documents": [{"content": "x"}] * (MAX_DOCUMENTS + 1)}}, 413, "too_many_documents",
                 id="too-many-documents"),
    pytest.param({"body": {"documents": [{"content": "x" * 1_000_001}]}}, 413, "payload_too_large",
                 id="document-too-large"),
]


@pytest.mark.parametrize(("kwargs", "status", "code"), BAD_BODIES)
def test_bad_input_is_a_clear_4xx_and_writes_nothing(kwargs: dict[str, Any], status: int, code: str,
                                                     ingest_key: str, conn: Any, twin_id: str) -> None:
    got_status, body, _ = call("POST", "/api/ingest", ingest_key, **kwargs)
    assert got_status == status, body
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert count(conn, "SELECT count(*) FROM documents WHERE twin_id = %s", (twin_id,)) == 0
    assert count(conn, "SELECT count(*) FROM ingestion_metadata WHERE user_id = %s", (twin_id,)) == 0


def test_base64_body_without_content_type_is_accepted(ingest_key: str, twin_id: str) -> None:
    # As `sam local generate-event apigateway http-api-proxy` produces it.
    status, body, _ = call("POST", "/api/ingest", ingest_key, body={"documents": [DOC]}, base64_body=True)
    assert status == 200, body
    assert body["documents"][0]["status"] == "created"


def test_list_documents_paginates_newest_first(ingest_key: str) -> None:
    docs = [{"id": f"doc-{i}", "content": f"Note {i}: I planted {i} trees."} for i in range(5)]
    for doc in docs:  # one request each so updated_at differs
        assert call("POST", "/api/ingest", ingest_key, body={"documents": [doc]})[0] == 200
    status, page1, _ = call("GET", "/api/documents", ingest_key, query="limit=2")
    assert status == 200
    assert [d["id"] for d in page1["documents"]] == ["doc-4", "doc-3"]
    cursor = page1["next_cursor"]
    _, page2, _ = call("GET", "/api/documents", ingest_key, query=f"limit=2&cursor={cursor}")
    _, page3, _ = call("GET", "/api/documents", ingest_key, query=f"limit=2&cursor={page2['next_cursor']}")
    assert [d["id"] for d in page2["documents"] + page3["documents"]] == ["doc-2", "doc-1", "doc-0"]
    assert page3["next_cursor"] is None


def test_bad_cursor_and_limit_are_400(ingest_key: str) -> None:
    assert call("GET", "/api/documents", ingest_key, query="cursor=garbage")[0] == 400
    assert call("GET", "/api/documents", ingest_key, query="limit=0")[0] == 400


def test_delete_removes_document_and_its_chunks(ingest_key: str, conn: Any, twin_id: str) -> None:
    call("POST", "/api/ingest", ingest_key, body={"documents": [DOC]})
    status, body, _ = call("DELETE", "/api/documents/bio", ingest_key)
    assert status == 200, body
    assert body == {"id": "bio", "deleted": True, "chunks_deleted": 1}
    assert count(conn, "SELECT count(*) FROM vectors WHERE twin_id = %s", (twin_id,)) == 0
    status, body, _ = call("DELETE", "/api/documents/bio", ingest_key)
    assert (status, body["error"]["code"]) == (404, "document_not_found")


def test_delete_needs_a_key() -> None:
    status, _, _ = call("DELETE", "/api/documents/bio")
    assert status == 401


def test_unknown_route_is_a_json_404(ingest_key: str) -> None:
    status, body, _ = call("GET", "/api/nowhere", ingest_key)
    assert status == 404
    assert body["error"]["code"] == "route_not_found"

