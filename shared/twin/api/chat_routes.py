"""Routes: POST /api/chat (public by default) and GET /api/health."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from twin import runtime
from twin.api.deps import Caller, ChatCaller, JsonBody
from twin.api.responses import errors, json_request_body
from twin.chat.schemas import ChatAnswer, ChatRequest, parse_chat_request

router = APIRouter(tags=["chat"])
REQUEST_MODELS = (ChatRequest,)


def chat_request(payload: JsonBody) -> ChatRequest:
    # Validated before the caller is counted: a malformed request does not spend the rate limit.
    return parse_chat_request(payload)


ChatBody = Annotated[ChatRequest, Depends(chat_request)]


def _answer(request: ChatRequest, caller: Caller) -> dict[str, Any]:
    twin_id = caller.twin_for(request.twin_id)
    response = runtime.current().chat_service.answer(request, twin_id=twin_id, subject=caller.subject)
    _record_metrics(response)
    return response.as_dict()


def _record_metrics(response: Any) -> None:
    from twin.aws.metrics import record

    record("ChatCacheHit", 1 if response.cached else 0)
    if response.usage:
        record("ModelTokens", sum(response.usage.values()))
    if response.retrieval_ms is not None:
        record("RetrievalLatency", response.retrieval_ms, "Milliseconds")


@router.post("/api/chat", summary="Ask the twin a question", response_model=ChatAnswer,
             responses=errors(400, 401, 403, 404, 409, 413, 429, 502, 503, 504),
             openapi_extra=json_request_body(ChatRequest))
async def chat(request: ChatBody, caller: ChatCaller) -> JSONResponse:
    body = await run_in_threadpool(_answer, request, caller)
    return JSONResponse(body, headers=caller.limits.headers())


def _health() -> dict[str, Any]:
    settings = runtime.settings()
    row = runtime.database().run(lambda conn: conn.execute("SELECT 1 AS ok").fetchone())
    ok = row is not None
    return {"status": "ok" if ok else "degraded", "database": "ok" if ok else "unreachable",
            "mode": "openai" if settings.uses_openai else "offline"}


@router.get("/api/health", summary="Liveness and database reachability", responses=errors(503))
async def health() -> JSONResponse:
    return JSONResponse(await run_in_threadpool(_health))
