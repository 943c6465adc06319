"""A real HTTP server speaking the subset of the OpenAI API the twin uses.

Tests point the real ``openai`` SDK at it, so retries, timeouts, headers and JSON (de)serialisation
are exercised end to end instead of being mocked away.

    with OpenAIStub() as stub:
        settings = replace(Settings(), openai_api_key="test", openai_base_url=stub.base_url)
        stub.fail_next(status=429, retry_after="0.01", times=2)
        ...
        assert len(stub.calls("/embeddings")) == 3

The SDK only honours a *positive* Retry-After: "0" makes it fall back to its own backoff
(0.5 s, 1 s, ...), so fast tests use a small positive value such as "0.01".
"""

from __future__ import annotations

import base64
import json
import re
import struct
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.local_server import Faults, JsonHandler, LocalServer
from twin.embeddings.base import estimate_tokens
from twin.embeddings.hashing import OfflineEmbedder

DEFAULT_ANSWER = "I studied computer science at the University of Edinburgh [1]."

Answer = str | Callable[[dict[str, Any]], str]

_ERROR_TYPES = {
    400: ("invalid_request_error", "invalid_request"),
    401: ("invalid_request_error", "invalid_api_key"),
    403: ("invalid_request_error", "unsupported_country_region_territory"),
    404: ("invalid_request_error", "model_not_found"),
    429: ("requests", "rate_limit_exceeded"),
}


@dataclass(frozen=True)
class RecordedRequest:
    path: str
    headers: dict[str, str]
    json: dict[str, Any]
    received_at: float


@dataclass
class _Fault:
    status: int | None = None
    delay_s: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    path: str | None = None

    def applies_to(self, path: str) -> bool:
        return self.path is None or path.endswith(self.path)


class OpenAIStub(LocalServer[RecordedRequest]):
    """``POST /v1/embeddings`` and ``POST /v1/chat/completions`` on 127.0.0.1, on a free port."""

    base_path = "/v1"

    def __init__(self, *, answer: Answer = DEFAULT_ANSWER, embedding_dim: int | None = None) -> None:
        super().__init__()
        self.answer: Answer = answer
        # None: 1536-d OfflineEmbedder vectors; anything else: vectors of that length (mismatch tests).
        self.embedding_dim = embedding_dim
        # Return ``data`` in reverse order, as the API is allowed to, to prove clients sort by index.
        self.reverse_embedding_order = False
        # Pause between streamed chunks, so a test can watch deltas arrive one by one.
        self.stream_delay_s = 0.0
        self._embedder = OfflineEmbedder()
        self._faults: Faults[_Fault] = Faults()

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    # -- scripting ---------------------------------------------------------------------------

    def fail_next(
        self,
        *,
        status: int,
        times: int = 1,
        retry_after: str | None = None,
        retry_after_ms: str | None = None,
        body: dict[str, Any] | None = None,
        path: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests (to ``path``, if given) with ``status`` and ``body``.

        ``body`` defaults to an OpenAI-shaped error; a 200 with a custom body scripts odd replies.
        """
        headers = {}
        if retry_after is not None:
            headers["retry-after"] = retry_after
        if retry_after_ms is not None:
            headers["retry-after-ms"] = retry_after_ms
        self._faults.add(_Fault(status=status, headers=headers, body=body, path=path) for _ in range(times))

    def delay_next(self, *, seconds: float, times: int = 1, path: str | None = None) -> None:
        """Hold the next ``times`` requests for ``seconds`` before answering normally."""
        self._faults.add(_Fault(delay_s=seconds, path=path) for _ in range(times))

    def pending_faults(self) -> int:
        return len(self._faults)

    # -- inspection --------------------------------------------------------------------------

    def calls(self, path: str | None = None) -> list[RecordedRequest]:
        """Recorded requests whose path ends with ``path`` ("/embeddings"), or all of them."""
        return [r for r in self.requests if path is None or r.path.endswith(path)]

    def reset(self) -> None:
        with self._lock:
            self._requests.clear()
            self._faults.clear()

    # -- serving (called from handler threads) -----------------------------------------------

    def _receive(self, request: RecordedRequest) -> _Fault | None:
        """Records ``request`` and takes the fault scripted for it, as one step."""
        with self._lock:
            self._record(request)
            return self._faults.take(lambda fault: fault.applies_to(request.path))

    def _embeddings(self, body: dict[str, Any]) -> dict[str, Any]:
        raw_input = body.get("input")
        inputs = [raw_input] if isinstance(raw_input, str) else list(raw_input or [])
        vectors = self._vectors(inputs)
        as_base64 = body.get("encoding_format") == "base64"
        data = [
            {"object": "embedding", "index": i, "embedding": _b64(vec) if as_base64 else vec}
            for i, vec in enumerate(vectors)
        ]
        if self.reverse_embedding_order:
            data.reverse()
        tokens = sum(estimate_tokens(str(text)) for text in inputs)
        return {
            "object": "list",
            "model": body.get("model", ""),
            "data": data,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }

    def _vectors(self, inputs: list[Any]) -> list[list[float]]:
        if self.embedding_dim is not None:
            return [[1.0 / max(1, self.embedding_dim) ** 0.5] * self.embedding_dim for _ in inputs]
        with self._lock:  # the embedder's memo is not meant for concurrent writers
            return [self._embedder.embed_one(str(text)) for text in inputs]

    def _chat(self, body: dict[str, Any]) -> dict[str, Any]:
        text = self.answer(body) if callable(self.answer) else self.answer
        prompt_tokens = sum(estimate_tokens(str(m.get("content", ""))) for m in body.get("messages", []))
        completion_tokens = estimate_tokens(text)
        return {
            "id": "chatcmpl-stub",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", ""),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": None},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }


def _b64(vector: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def _error_body(status: int, request_headers: dict[str, str]) -> dict[str, Any]:
    kind, code = _ERROR_TYPES.get(status, ("server_error", None))
    message = f"stub error {status}"
    if status == 401:
        # Like the real API, echo part of the presented key, so tests can prove it never leaks.
        key = request_headers.get("authorization", "").removeprefix("Bearer ")
        message = f"Incorrect API key provided: {key}. You can find your API key at ..."
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _handler_for(stub: OpenAIStub) -> type[BaseHTTPRequestHandler]:
    class Handler(JsonHandler):
        def do_POST(self) -> None:
            raw = self.read_body()
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = {"_unparsed": raw.decode("utf-8", "replace")}
            headers = self.lower_headers()
            fault = stub._receive(RecordedRequest(self.path, headers, body, time.monotonic()))
            if fault is not None and fault.delay_s:
                stub._sleep(fault.delay_s)
            if fault is not None and fault.status is not None:
                self._send(fault.status, fault.body or _error_body(fault.status, headers), fault.headers)
            elif self.path.rstrip("/").endswith("/embeddings"):
                self._send(200, stub._embeddings(body))
            elif self.path.rstrip("/").endswith("/chat/completions") and body.get("stream"):
                self._stream(stub._chat(body), include_usage=bool((body.get("stream_options") or {})
                                                                  .get("include_usage")))
            elif self.path.rstrip("/").endswith("/chat/completions"):
                self._send(200, stub._chat(body))
            else:
                error = {"message": f"no route {self.path}", "type": "invalid_request_error"}
                self._send(404, {"error": error})

        def _stream(self, completion: dict[str, Any], *, include_usage: bool) -> None:
            """The completion as the API streams it: word-sized content deltas, a finish chunk,
            the usage chunk when asked for, then ``[DONE]``."""
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("x-request-id", f"req_stub_{len(stub.requests)}")
            self.end_headers()
            text = completion["choices"][0]["message"]["content"] or ""
            pieces = [p for p in re.split(r"(?<=\s)", text) if p]
            base = {"id": completion["id"], "object": "chat.completion.chunk", "created": completion["created"],
                    "model": completion["model"]}
            chunks = [{**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""},
                                            "finish_reason": None}]}]
            chunks += [{**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                       for piece in pieces]
            chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            if include_usage:
                chunks.append({**base, "choices": [], "usage": completion["usage"]})
            for chunk in chunks:
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
                if stub.stream_delay_s:
                    time.sleep(stub.stream_delay_s)
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
            self.send_json(status, payload, {"x-request-id": f"req_stub_{len(stub.requests)}", **(headers or {})})

    return Handler


def running_stub(**kwargs: Any) -> Iterator[OpenAIStub]:
    """Body of a pytest fixture: ``yield from running_stub()``."""
    with OpenAIStub(**kwargs) as stub:
        yield stub
