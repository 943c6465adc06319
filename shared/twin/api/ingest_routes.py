"""Routes: POST /api/ingest, GET /api/documents, DELETE /api/documents/{id} (key with 'ingest' scope)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from twin import runtime
from twin.api.deps import Caller, IngestCaller, JsonBody
from twin.api.responses import errors, json_request_body
from twin.ingest.schemas import IngestRequest, IngestResponse, parse_ingest_request
from twin.validation import check_text, validate_twin_id

logger = logging.getLogger(__name__)
router = APIRouter(tags=["ingest"])
REQUEST_MODELS = (IngestRequest,)


def _twin(caller: Caller, requested: str | None) -> str:
    return caller.twin_for(validate_twin_id(requested) if requested is not None else None)


def _ingest(caller: Caller, payload: Any) -> dict[str, Any]:
    from twin.aws.metrics import record
    from twin.ingest.service import ingest_documents

    parsed = parse_ingest_request(payload)
    twin_id = _twin(caller, parsed.twin_id)
    result = ingest_documents(db=runtime.database(), settings=runtime.settings(), twin_id=twin_id,
                              documents=parsed.documents, embedder=runtime.current().embedder,
                              api_key_id=caller.key.key_id if caller.key else None)
    record("DocumentsIngested", len(result.documents))
    record("ChunksEmbedded", result.embedded_chunks)
    record("EmbeddingTokens", result.tokens)
    logger.info("ingested %d documents for twin %s with %s (%s mode), %d chunks embedded",
                len(result.documents), twin_id, result.embedder, result.mode, result.embedded_chunks)
    return result.as_dict()


# The caller comes first: an unauthenticated client learns nothing about what its body lacks.
@router.post("/api/ingest", summary="Add or update documents of a twin", response_model=IngestResponse,
             responses=errors(400, 401, 403, 409, 413, 422, 429, 502, 503, 504),
             openapi_extra=json_request_body(IngestRequest))
async def ingest(caller: IngestCaller, payload: JsonBody) -> JSONResponse:
    body = await run_in_threadpool(_ingest, caller, payload)
    return JSONResponse(body, headers=caller.limits.headers())


@router.get("/api/documents", summary="List a twin's documents (newest first, paginated)",
            responses=errors(400, 401, 403, 429, 503))
async def list_documents(caller: IngestCaller, limit: int = Query(50, ge=1, le=200), cursor: str | None = None,
                         twin_id: str | None = None) -> JSONResponse:
    from twin.ingest.documents import list_documents as list_docs

    twin = _twin(caller, twin_id)
    body = await run_in_threadpool(
        runtime.database().run, lambda conn: list_docs(conn, twin_id=twin, limit=limit, cursor=cursor))
    return JSONResponse(body, headers=caller.limits.headers())


# `:path` so an id holding "/" (the CLI's ids are relative paths) can be deleted too.
@router.delete("/api/documents/{document_id:path}", summary="Delete a document and its chunks",
               responses=errors(400, 401, 403, 404, 429, 503))
async def delete_document(caller: IngestCaller, document_id: str, twin_id: str | None = None) -> JSONResponse:
    from twin.ingest.documents import delete_document as delete_doc

    check_text(document_id, "document id")
    twin = _twin(caller, twin_id)
    body = await run_in_threadpool(
        runtime.database().run, lambda conn: delete_doc(conn, twin_id=twin, document_id=document_id))
    return JSONResponse(body, headers=caller.limits.headers())
