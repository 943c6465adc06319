"""Chat completions through the real OpenAI SDK against the local HTTP stub."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import stub_settings
from tests.support.openai_stub import DEFAULT_ANSWER, OpenAIStub
from twin import runtime
from twin.chat.llm import ChatModel, ChunkDelta, Completion, build_chat_model, read_chunk
from twin.config import EMBEDDING_DIM, Settings
from twin.errors import ConfigurationError, InvalidRequest, UpstreamError, UpstreamTimeout

SHARED = Path(__file__).resolve().parents[2] / "shared"
MESSAGES = [
    {"role": "system", "content": "You are Ada's digital twin. Cite sources like [1]."},
    {"role": "user", "content": "Where did you study?"},
]


def test_completion_returns_answer_text_and_token_usage(stub: OpenAIStub) -> None:
    completion = ChatModel(stub_settings(stub)).complete(messages=MESSAGES)

    assert completion.text == DEFAULT_ANSWER
    assert "[1]" in completion.text
    assert completion.model == "gpt-4.1-mini"
    assert completion.prompt_tokens > 0
    assert completion.completion_tokens > 0
    assert completion.total_tokens == completion.prompt_tokens + completion.completion_tokens


def test_request_uses_configured_model_answer_limit_and_temperature(stub: OpenAIStub) -> None:
    settings = stub_settings(stub, chat_model="gpt-test", max_answer_tokens=321, openai_api_key="sk-9")
    model = ChatModel(settings)

    model.complete(messages=MESSAGES)
    model.complete(messages=MESSAGES, max_tokens=50, temperature=0.0)

    first, second = stub.calls("/chat/completions")
    assert first.path == "/v1/chat/completions"
    assert first.headers["authorization"] == "Bearer sk-9"
    assert first.json["model"] == "gpt-test"
    assert first.json["messages"] == MESSAGES
    assert first.json["max_completion_tokens"] == 321
    assert first.json["temperature"] == 0.2
    assert second.json["max_completion_tokens"] == 50
    assert second.json["temperature"] == 0.0


def test_callable_answer_sees_the_request(stub: OpenAIStub) -> None:
    stub.answer = lambda body: f"You asked: {body['messages'][-1]['content']}"

    completion = ChatModel(stub_settings(stub)).complete(messages=MESSAGES)

    assert completion.text == "You asked: Where did you study?"


def test_rate_limited_request_is_retried_then_succeeds(stub: OpenAIStub) -> None:
    stub.fail_next(status=429, retry_after="0.01", times=2)

    completion = ChatModel(stub_settings(stub, openai_max_retries=2)).complete(messages=MESSAGES)

    assert completion.text == DEFAULT_ANSWER
    assert len(stub.calls("/chat/completions")) == 3


def test_server_errors_exhaust_retries_then_raise_upstream_error(stub: OpenAIStub) -> None:
    stub.fail_next(status=503, retry_after="0.01", times=10)

    with pytest.raises(UpstreamError, match=r"chat request failed .*HTTP 503.* after 3 attempts") as raised:
        ChatModel(stub_settings(stub, openai_max_retries=2)).complete(messages=MESSAGES)

    assert type(raised.value) is UpstreamError
    assert len(stub.calls("/chat/completions")) == 3


def test_timeout_raises_upstream_timeout_after_bounded_retries(stub: OpenAIStub) -> None:
    stub.delay_next(seconds=2.0, times=10)

    started = time.monotonic()
    with pytest.raises(UpstreamTimeout, match="chat request timed out after 2 attempts"):
        ChatModel(stub_settings(stub, openai_timeout_s=0.3, openai_max_retries=1)).complete(messages=MESSAGES)

    assert len(stub.calls("/chat/completions")) == 2
    assert time.monotonic() - started < 2.5


def test_rejected_key_is_a_configuration_error_that_does_not_echo_the_key(stub: OpenAIStub) -> None:
    stub.fail_next(status=401)

    with pytest.raises(ConfigurationError, match="OPENAI_API_KEY was rejected") as raised:
        ChatModel(stub_settings(stub, openai_api_key="sk-leaky-123")).complete(messages=MESSAGES)

    assert "sk-leaky" not in str(raised.value.to_dict())
    assert len(stub.calls("/chat/completions")) == 1


def test_unknown_model_is_a_configuration_error(stub: OpenAIStub) -> None:
    stub.fail_next(status=404)

    with pytest.raises(ConfigurationError, match=r"'gpt-nope'.*HTTP 404"):
        ChatModel(stub_settings(stub, chat_model="gpt-nope")).complete(messages=MESSAGES)


def test_bad_request_is_an_invalid_request_and_not_retried(stub: OpenAIStub) -> None:
    stub.fail_next(status=400)

    with pytest.raises(InvalidRequest, match="HTTP 400"):
        ChatModel(stub_settings(stub)).complete(messages=MESSAGES)

    assert len(stub.calls("/chat/completions")) == 1


def test_response_without_choices_is_an_upstream_error(stub: OpenAIStub) -> None:
    stub.fail_next(
        status=200,
        body={"id": "x", "object": "chat.completion", "created": 0, "model": "gpt-4.1-mini", "choices": []},
    )

    with pytest.raises(UpstreamError, match="no choices"):
        ChatModel(stub_settings(stub)).complete(messages=MESSAGES)


def test_no_key_means_no_chat_model() -> None:
    assert build_chat_model(Settings()) is None


def test_chat_model_is_cached_per_settings_until_reset(stub: OpenAIStub) -> None:
    settings = stub_settings(stub)

    runtime.reset(settings=settings)
    first = runtime.current().chat_model

    assert isinstance(first, ChatModel)
    assert runtime.current().chat_model is first
    runtime.reset()
    assert runtime.current().chat_model is not first


def test_missing_key_is_a_configuration_error_when_building_directly() -> None:
    with pytest.raises(ConfigurationError, match="no OpenAI API key"):
        ChatModel(Settings())


def test_completion_total_tokens_adds_prompt_and_completion() -> None:
    assert Completion(text="hi", prompt_tokens=7, completion_tokens=5, model="m").total_tokens == 12


LEAN_CALLS = """
import json, sys
from twin.chat.llm import ChatModel
from twin.config import Settings
from twin.embeddings.openai_embedder import OpenAIEmbedder
settings = Settings(openai_api_key="sk-lean", openai_base_url=sys.argv[1], openai_timeout_s=2.0)
text = ChatModel(settings).complete(messages=[{"role": "user", "content": "hi"}]).text
vectors = OpenAIEmbedder(settings).embed(["hi"]).vectors
print(json.dumps({"text": text, "dim": len(vectors[0]),
                  "resources": sorted(m for m in sys.modules if m.startswith(("openai.resources", "openai.lib")))}))
"""


def test_model_calls_go_through_the_client_post_without_the_sdks_resource_modules(stub: OpenAIStub) -> None:
    # A cold start's first answer skips the chat and embeddings resources (and their parsing and
    # streaming helpers): a fresh interpreter, as a Lambda's first request.
    proc = subprocess.run([sys.executable, "-c", LEAN_CALLS, stub.base_url], capture_output=True, text=True,
                          timeout=120, check=False, env={**os.environ, "PYTHONPATH": str(SHARED)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["text"] == DEFAULT_ANSWER
    assert result["dim"] == EMBEDDING_DIM
    assert not [m for m in result["resources"] if m.startswith(("openai.resources.chat", "openai.lib.streaming"))]
    assert "openai.resources.embeddings" not in result["resources"]
    assert [call.json["encoding_format"] for call in stub.calls("/embeddings")] == ["base64"]


def test_streamed_chunk_yields_its_content_and_refusal_pieces() -> None:
    chunk = {"model": "gpt-x", "choices": [{"delta": {"content": "Hello"}}, {"delta": {"refusal": "No."}},
                                           {"delta": {"content": ""}}]}
    assert read_chunk(chunk) == ChunkDelta(model="gpt-x", usage=None, choices=3, pieces=("Hello", "No."))


def test_usage_chunk_without_choices_carries_the_token_counts() -> None:
    choices: object
    for choices in ([], None, "absent"):
        chunk: dict[str, object] = {"model": "gpt-x", "usage": {"prompt_tokens": 12, "completion_tokens": 5}}
        if choices != "absent":
            chunk["choices"] = choices
        assert read_chunk(chunk) == ChunkDelta(model="gpt-x", usage=(12, 5), choices=0, pieces=())


def test_chunk_fields_of_the_wrong_shape_count_as_absent() -> None:
    odd: list[object] = [None, "text", [1, 2],
                         {"model": 7, "choices": [None, {"delta": "x"}, {"delta": {"content": 3}}],
                          "usage": {"prompt_tokens": True, "completion_tokens": -4}}]
    assert [read_chunk(chunk) for chunk in odd] == [
        ChunkDelta(model="", usage=None, choices=0, pieces=()),
        ChunkDelta(model="", usage=None, choices=0, pieces=()),
        ChunkDelta(model="", usage=None, choices=0, pieces=()),
        ChunkDelta(model="", usage=(0, 0), choices=2, pieces=()),
    ]
