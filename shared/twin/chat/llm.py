"""Chat completions through the OpenAI SDK; ``None`` from ``get_chat_model`` means offline mode.

The SDK's own retries (429/5xx/timeouts, Retry-After aware, bounded by ``openai_max_retries``) are
relied on; only the final failure is translated into a domain error. The request goes through the
client's ``post`` (the SDK's documented way to reach any endpoint, with the same retries, timeouts
and errors) rather than ``client.chat.completions``: that resource imports the SDK's parsing and
streaming helpers, ~30 ms of a cold start (bench/coldstart.py), for features this call never uses.
The streamed chunks are read as the plain JSON they arrive as (``Stream[object]``), not built into
the SDK's ``ChatCompletionChunk`` models: building one costs ~0.6 ms of CPU here, and an answer
streams one chunk per token or so (bench/warm_chat.py --mode stub; see bench/README.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from twin.config import Settings
from twin.errors import UpstreamError
from twin.openai_client import make_openai_client, map_openai_error, resolve_openai_api_key

if TYPE_CHECKING:
    from openai import Stream

__all__ = ["ChatModel", "ChunkDelta", "Completion", "build_chat_model", "read_chunk"]


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    model: str

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class ChatModel:
    def __init__(self, settings: Settings, *, api_key: str | None = None) -> None:
        self._settings = settings
        self.model = settings.chat_model
        self._client = make_openai_client(settings, api_key)

    def complete(
        self,
        *,
        messages: list[dict[str, str]],
        max_tokens: int | None = None,
        temperature: float = 0.2,
    ) -> Completion:
        """One completion, whole; ``max_tokens`` defaults to ``settings.max_answer_tokens``. The
        stream collected, so buffered and streamed answers share one request and one error path."""
        for item in self.stream(messages=messages, max_tokens=max_tokens, temperature=temperature):
            if isinstance(item, Completion):
                return item
        raise AssertionError("stream() always ends with a Completion")  # pragma: no cover

    def stream(
        self,
        *,
        messages: list[dict[str, str]],
        max_tokens: int | None = None,
        temperature: float = 0.2,
    ) -> Iterator[str | Completion]:
        """The answer as it is generated: text deltas, then one ``Completion`` with the full text
        and the token usage (``stream_options.include_usage``: the last chunk carries it)."""
        import openai

        limit = max_tokens if max_tokens is not None else self._settings.max_answer_tokens
        parts: list[str] = []
        prompt_tokens = completion_tokens = 0
        model = self.model
        choices = 0
        try:
            body = {"model": self.model, "messages": messages, "max_completion_tokens": limit,
                    "temperature": temperature, "stream": True, "stream_options": {"include_usage": True}}
            stream: Stream[object] = self._client.post(
                "/chat/completions", body=body, cast_to=object, stream=True, stream_cls=openai.Stream[object])
            with stream:
                for chunk in stream:
                    delta = read_chunk(chunk)
                    model = delta.model or model
                    if delta.usage is not None:
                        prompt_tokens, completion_tokens = delta.usage
                    choices += delta.choices
                    for piece in delta.pieces:
                        parts.append(piece)
                        yield piece
        except openai.OpenAIError as e:
            raise map_openai_error(e, what="chat", model=self.model, settings=self._settings) from e
        if not choices:
            raise UpstreamError(f"chat model {self.model!r} returned no choices")
        yield Completion(text="".join(parts), prompt_tokens=prompt_tokens, completion_tokens=completion_tokens,
                         model=model)


@dataclass(frozen=True)
class ChunkDelta:
    """What one streamed ``chat.completion.chunk`` carries that the answer needs."""

    model: str
    usage: tuple[int, int] | None  # prompt and completion tokens: the last chunk, with include_usage
    choices: int
    pieces: tuple[str, ...]  # the text each choice adds, empty ones left out


def read_chunk(chunk: object) -> ChunkDelta:
    """One chunk's JSON, read defensively: OpenAI-compatible servers differ in what they leave out
    (``choices`` null or absent on the usage chunk, ``delta`` without ``content``), and whatever a
    field holds that is not what the API documents counts as absent rather than failing the answer."""
    fields = chunk if isinstance(chunk, dict) else {}
    model = fields.get("model")
    usage = fields.get("usage")
    tokens = None
    if isinstance(usage, dict):
        prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
        tokens = (_count(prompt), _count(completion))
    choices = fields.get("choices")
    listed = [choice for choice in choices if isinstance(choice, dict)] if isinstance(choices, list) else []
    pieces: list[str] = []
    for choice in listed:
        delta = choice.get("delta")
        if isinstance(delta, dict):
            # A refusal arrives in its own field; it is still the answer to show.
            piece = delta.get("content") or delta.get("refusal")
            if isinstance(piece, str) and piece:
                pieces.append(piece)
    return ChunkDelta(model=model if isinstance(model, str) else "", usage=tokens, choices=len(listed),
                      pieces=tuple(pieces))


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def build_chat_model(settings: Settings) -> ChatModel | None:
    """The chat model for ``settings``, or ``None`` when no OpenAI key resolves (offline mode)."""
    key = resolve_openai_api_key(settings)
    return ChatModel(settings, api_key=key) if key else None
