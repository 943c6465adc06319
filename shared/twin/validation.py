"""Validation of what clients send, shared by the HTTP API and the CLI.

Hand-written rather than left to FastAPI's body parsing because every failure must be a 400
with a stable code and a message naming the offending field, whatever the client sent
(invalid JSON, a base64 body without content type, wrong types), never a 422 or a 500.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from twin.errors import InvalidRequest, PayloadTooLarge

# API Gateway caps a synchronous Lambda payload at 6 MB (10 MB for REST APIs); the body limit
# leaves room for the event envelope and base64 growth.
MAX_BODY_BYTES = 4_500_000
MAX_DOCUMENTS = 100
MAX_DOCUMENT_CHARS = 1_000_000
MAX_TITLE_CHARS = 500
MAX_ID_CHARS = 200
MAX_METADATA_BYTES = 16_000
TWIN_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


@dataclass(frozen=True)
class DocumentInput:
    content: str
    id: str | None = None
    title: str | None = None
    source: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def parse_json_body(body: bytes) -> Any:
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"request body is {len(body)} bytes; the limit is {MAX_BODY_BYTES}")
    if not body.strip():
        raise InvalidRequest("request body is empty; send a JSON object", code="invalid_json")
    try:
        return json.loads(body)
    except UnicodeDecodeError as e:
        raise InvalidRequest("request body is not UTF-8 text", code="invalid_json") from e
    except json.JSONDecodeError as e:
        raise InvalidRequest(f"request body is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}",
                             code="invalid_json") from e


def require_object(payload: Any, what: str = "request body") -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise InvalidRequest(f"{what} must be a JSON object, got {_json_type(payload)}")
    return payload


def reject_unknown(payload: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(payload) - allowed)
    if unknown:
        raise InvalidRequest(f"{where}: unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}")


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def optional_str(payload: dict[str, Any], key: str, where: str, *, max_chars: int) -> str | None:
    value = payload.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidRequest(f"{where}.{key} must be a string, got {_json_type(value)}")
    value = value.strip()
    if len(value) > max_chars:
        raise InvalidRequest(f"{where}.{key} is {len(value)} characters; the limit is {max_chars}")
    return value or None


def validate_twin_id(value: Any, where: str = "twin_id") -> str:
    if not isinstance(value, str) or not TWIN_ID.match(value):
        raise InvalidRequest(
            f"{where} must be 1-63 characters of a-z, 0-9, '-' or '_', starting with a letter or digit",
            code="invalid_twin_id")
    return value


def _metadata(payload: dict[str, Any], where: str) -> dict[str, Any]:
    value = payload.get("metadata")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidRequest(f"{where}.metadata must be an object, got {_json_type(value)}")
    if len(json.dumps(value)) > MAX_METADATA_BYTES:
        raise InvalidRequest(f"{where}.metadata is larger than {MAX_METADATA_BYTES} bytes of JSON")
    return value


def parse_document(raw: Any, where: str) -> DocumentInput:
    doc = require_object(raw, where)
    reject_unknown(doc, {"id", "title", "content", "source", "metadata"}, where)
    content = doc.get("content")
    if not isinstance(content, str):
        raise InvalidRequest(f"{where}.content must be a string, got {_json_type(content)}", code="invalid_document")
    if not content.strip():
        raise InvalidRequest(f"{where}.content is empty", code="empty_document")
    if len(content) > MAX_DOCUMENT_CHARS:
        raise PayloadTooLarge(f"{where}.content is {len(content)} characters; the limit is {MAX_DOCUMENT_CHARS}")
    doc_id = doc.get("id")
    if doc_id is not None and isinstance(doc_id, (int, float)) and not isinstance(doc_id, bool):
        doc_id = str(doc_id)
    return DocumentInput(
        content=content,
        id=optional_str({"id": doc_id}, "id", where, max_chars=MAX_ID_CHARS),
        title=optional_str(doc, "title", where, max_chars=MAX_TITLE_CHARS),
        source=optional_str(doc, "source", where, max_chars=2000),
        metadata=_metadata(doc, where),
    )


def parse_documents(raw: Any) -> list[DocumentInput]:
    if not isinstance(raw, list):
        raise InvalidRequest(f"documents must be an array, got {_json_type(raw)}")
    if not raw:
        raise InvalidRequest("documents is empty; send at least one document")
    if len(raw) > MAX_DOCUMENTS:
        raise PayloadTooLarge(f"{len(raw)} documents in one request; the limit is {MAX_DOCUMENTS}",
                              code="too_many_documents")
    documents = [parse_document(item, f"documents[{i}]") for i, item in enumerate(raw)]
    seen: dict[str, int] = {}
    for i, doc in enumerate(documents):
        if doc.id is None:
            continue
        if doc.id in seen:
            raise InvalidRequest(f"documents[{i}].id {doc.id!r} repeats documents[{seen[doc.id]}].id",
                                 code="duplicate_document_id")
        seen[doc.id] = i
    return documents


@dataclass(frozen=True)
class IngestRequest:
    documents: list[DocumentInput]
    twin_id: str | None


def parse_ingest_request(payload: Any) -> IngestRequest:
    body = require_object(payload)
    reject_unknown(body, {"documents", "twin_id"}, "request body")
    if "documents" not in body:
        raise InvalidRequest("request body needs a 'documents' array")
    twin_id = body.get("twin_id")
    return IngestRequest(
        documents=parse_documents(body["documents"]),
        twin_id=validate_twin_id(twin_id) if twin_id is not None else None,
    )
