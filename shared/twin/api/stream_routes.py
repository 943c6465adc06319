"""Route: POST /api/chat/stream, the answer as Server-Sent Events.

Everything that can refuse a request (validation, rate limit, token budget, unknown twin or
session, embedder mismatch) runs before the first byte, so those stay ordinary JSON errors with
their status. Then: ``meta``, ``sources``, ``delta``..., ``usage``, ``done`` (or ``error``), with a
``: ping`` comment whenever nothing was sent for ``HEARTBEAT_S``. The service runs on a worker
thread; when the client goes away the thread is told to stop and the service records what
was answered so far (its generator's ``finally``).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from twin import runtime
from twin.api.chat_routes import ChatBody
from twin.api.deps import Caller, ChatCaller
from twin.api.responses import errors, json_request_body
from twin.chat.schemas import ChatRequest
from twin.chat.service import ChatEvent
from twin.errors import TwinError, error_body

router = APIRouter(tags=["chat"])
HEARTBEAT_S = 10.0
_END = object()


def encode(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


def _events(request: ChatRequest, caller: Caller) -> Iterator[ChatEvent]:
    twin_id = caller.twin_for(request.twin_id)
    return runtime.current().chat_service.stream(request, twin_id=twin_id, subject=caller.subject)


def _start(request: ChatRequest, caller: Caller) -> tuple[Iterator[ChatEvent], ChatEvent]:
    events = _events(request, caller)
    return events, next(events)  # the first event: any refusal is raised here, before the response


async def _relay(events: Iterator[ChatEvent], first: ChatEvent) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[object] = asyncio.Queue()
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in events:
                loop.call_soon_threadsafe(queue.put_nowait, item)
                if stop.is_set():
                    break
        except TwinError as e:
            loop.call_soon_threadsafe(queue.put_nowait, ("error", error_body(e.code, e.message)))
        except Exception:
            import logging

            logging.getLogger(__name__).exception("chat stream failed")
            loop.call_soon_threadsafe(queue.put_nowait, ("error", error_body(
                "internal_error", "the answer failed midway; it was logged")))
        finally:
            events_close = getattr(events, "close", None)
            if events_close is not None:
                events_close()  # runs the service's finally: usage and the exchange are recorded
            loop.call_soon_threadsafe(queue.put_nowait, _END)

    worker = threading.Thread(target=produce, name="chat-stream", daemon=True)
    yield encode(*first)
    worker.start()
    try:
        while True:
            try:
                item = await asyncio.wait_for(queue.get(), timeout=HEARTBEAT_S)
            except TimeoutError:
                yield b": ping\n\n"
                continue
            if item is _END:
                return
            assert isinstance(item, tuple)
            yield encode(*item)
    finally:
        stop.set()


@router.post("/api/chat/stream", summary="Ask the twin a question; the answer streams as Server-Sent Events",
             responses={**errors(400, 401, 403, 404, 409, 413, 429, 503),
                        200: {"content": {"text/event-stream": {}},
                              "description": "events: meta, sources, delta..., usage, done | error"}},
             openapi_extra=json_request_body(ChatRequest))
async def chat_stream(request: ChatBody, caller: ChatCaller) -> StreamingResponse:
    events, first = await run_in_threadpool(_start, request, caller)
    headers = {**caller.limits.headers(), "Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(_relay(events, first), media_type="text/event-stream", headers=headers)
