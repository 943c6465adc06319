"""Routes: POST /api/chat (public by default) and GET /api/health."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from twin import runtime
from twin.access.apikeys import authorize_twin
from twin.api.auth import Caller, admit
from twin.api.request_context import json_body

logger = logging.getLogger("twin.api.chat")
router = APIRouter(tags=["chat"])

_CHAT_BODY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["message"],
    "properties": {
        "message": {"type": "string", "maxLength": 4000},
        "session_id": {"type": "string", "format": "uuid"},
        "twin_id": {"type": "string"},
        "filters": {"type": "object", "description": "metadata field -> value (containment match)"},
    },
}


def _answer(request: Request, payload: Any) -> tuple[dict[str, Any], dict[str, str]]:
    from twin.chat.service import parse_chat_request

    settings = runtime.settings()
    parsed = parse_chat_request(payload)
    caller: Caller = runtime.database().run(lambda conn: admit(
        conn, request, scope="chat", route="chat", limit=settings.chat_rate_limit,
        require_key=settings.chat_requires_key, daily_token_budget=settings.daily_token_budget))
    twin_id = authorize_twin(caller.key, parsed.twin_id) if caller.key else (parsed.twin_id or settings.default_twin)
    response = runtime.current().chat_service.answer(parsed, twin_id=twin_id, subject=caller.subject)
    _record_metrics(response)
    return response.as_dict(), caller.limits.headers()


def _record_metrics(response: Any) -> None:
    from twin.aws.metrics import record

    record("ChatCacheHit", 1 if response.cached else 0)
    if response.usage:
        record("ModelTokens", sum(response.usage.values()))
    if response.retrieval_ms is not None:
        record("RetrievalLatency", response.retrieval_ms, "Milliseconds")


@router.post("/api/chat", summary="Ask the twin a question",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": _CHAT_BODY_SCHEMA}}}})
async def chat(request: Request) -> JSONResponse:
    payload = await json_body(request)
    body, headers = await run_in_threadpool(_answer, request, payload)
    return JSONResponse(body, headers=headers)


def _health() -> dict[str, Any]:
    settings = runtime.settings()
    row = runtime.database().run(lambda conn: conn.execute("SELECT 1").fetchone())
    return {"status": "ok" if row == (1,) else "degraded", "database": "ok" if row == (1,) else "unreachable",
            "mode": "openai" if settings.uses_openai else "offline"}


@router.get("/api/health", summary="Liveness and database reachability")
async def health() -> JSONResponse:
    return JSONResponse(await run_in_threadpool(_health))
