"""Routes: POST /api/ingest, GET /api/documents, DELETE /api/documents/{id} (key with 'ingest' scope)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from twin import runtime
from twin.access.apikeys import authorize_twin
from twin.api.auth import Caller, admit
from twin.api.request_context import json_body
from twin.validation import validate_twin_id

logger = logging.getLogger("twin.api.ingest")
router = APIRouter(tags=["ingest"])

_INGEST_BODY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["documents"],
    "properties": {
        "twin_id": {"type": "string", "description": "defaults to the API key's twin"},
        "documents": {
            "type": "array", "minItems": 1, "maxItems": 100,
            "items": {
                "type": "object", "required": ["content"],
                "properties": {
                    "id": {"type": "string"}, "title": {"type": "string"}, "content": {"type": "string"},
                    "source": {"type": "string"}, "metadata": {"type": "object"},
                },
            },
        },
    },
}


def _caller(request: Request) -> Caller:
    settings = runtime.settings()
    return runtime.database().run(lambda conn: admit(
        conn, request, scope="ingest", route="ingest", limit=settings.ingest_rate_limit, require_key=True))


def _twin_for(caller: Caller, requested: str | None) -> str:
    assert caller.key is not None  # require_key=True
    return authorize_twin(caller.key, requested)


def _ingest(caller: Caller, payload: Any) -> dict[str, Any]:
    from twin import runtime
    from twin.ingest.service import ingest_documents
    from twin.validation import parse_ingest_request

    settings = runtime.settings()
    parsed = parse_ingest_request(payload)
    twin_id = _twin_for(caller, parsed.twin_id)
    embedder = runtime.current().embedder
    result = ingest_documents(db=runtime.database(), settings=settings, twin_id=twin_id, documents=parsed.documents,
                              embedder=embedder, api_key_id=caller.key.key_id if caller.key else None)
    from twin.aws.metrics import record

    record("DocumentsIngested", len(result.documents))
    record("ChunksEmbedded", result.embedded_chunks)
    record("EmbeddingTokens", result.tokens)
    logger.info("ingested %d documents for twin %s with %s (%s mode), %d chunks embedded",
                len(result.documents), twin_id, result.embedder, result.mode, result.embedded_chunks)
    return result.as_dict()


@router.post("/api/ingest", summary="Add or update documents of a twin",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": _INGEST_BODY_SCHEMA}}}})
async def ingest(request: Request) -> JSONResponse:
    caller = await run_in_threadpool(_caller, request)
    payload = await json_body(request)
    body = await run_in_threadpool(_ingest, caller, payload)
    return JSONResponse(body, headers=caller.limits.headers())


@router.get("/api/documents", summary="List a twin's documents (newest first, paginated)")
async def list_documents(request: Request, limit: int = Query(50, ge=1, le=200), cursor: str | None = None,
                         twin_id: str | None = None) -> JSONResponse:
    from twin.ingest.documents import list_documents as list_docs

    caller = await run_in_threadpool(_caller, request)
    twin = _twin_for(caller, validate_twin_id(twin_id) if twin_id else None)
    body = await run_in_threadpool(
        runtime.database().run, lambda conn: list_docs(conn, twin_id=twin, limit=limit, cursor=cursor))
    return JSONResponse(body, headers=caller.limits.headers())


@router.delete("/api/documents/{document_id}", summary="Delete a document and its chunks")
async def delete_document(request: Request, document_id: str, twin_id: str | None = None) -> JSONResponse:
    from twin.ingest.documents import delete_document as delete_doc

    caller = await run_in_threadpool(_caller, request)
    twin = _twin_for(caller, validate_twin_id(twin_id) if twin_id else None)
    body = await run_in_threadpool(
        runtime.database().run, lambda conn: delete_doc(conn, twin_id=twin, document_id=document_id))
    return JSONResponse(body, headers=caller.limits.headers())
