"""Embeddings from the OpenAI API or any OpenAI-compatible server (``OPENAI_BASE_URL``)."""

from __future__ import annotations

import base64
import sys
from array import array
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from twin.config import EMBEDDING_DIM, Settings
from twin.embeddings.base import EmbeddingBatch, pad, require_text
from twin.errors import DimensionMismatch, UpstreamError
from twin.openai_client import make_openai_client, map_openai_error

if TYPE_CHECKING:
    from openai.types import CreateEmbeddingResponse

# OpenAI caps a request at 300k tokens summed over inputs; 250k characters stays well below that
# for any text (a token is rarely shorter than one character) while keeping bodies a few MB.
MAX_REQUEST_CHARS = 250_000


class OpenAIEmbedder:
    """Embeddings from the OpenAI API; retries (429/5xx/timeouts, Retry-After aware) are the SDK's."""

    mode = "openai"
    dim = EMBEDDING_DIM

    def __init__(self, settings: Settings, *, api_key: str | None = None) -> None:
        self._settings = settings
        self.model = settings.embedding_model
        # A non-default size makes other vectors: the name (stored beside them) says which.
        sized = settings.embedding_dim and settings.embedding_dim != EMBEDDING_DIM
        self.name = f"openai:{self.model}" + (f"@{settings.embedding_dim}" if sized else "")
        self.expected_dim = settings.embedding_dim or (EMBEDDING_DIM if self.model.startswith("text-embedding-3")
                                                       else None)
        self._client = make_openai_client(settings, api_key)

    def embed(self, texts: Sequence[str]) -> EmbeddingBatch:
        require_text(texts)
        vectors: list[list[float]] = []
        tokens = 0
        for batch in _batches(texts, self._settings.embed_batch_size, MAX_REQUEST_CHARS):
            batch_vectors, batch_tokens = self._embed_batch(batch)
            vectors.extend(batch_vectors)
            tokens += batch_tokens
        return EmbeddingBatch(vectors=vectors, tokens=tokens)

    def _embed_batch(self, batch: list[str]) -> tuple[list[list[float]], int]:
        import openai

        try:
            response = self._create(batch)
        except openai.OpenAIError as e:
            raise map_openai_error(e, what="embedding", model=self.model, settings=self._settings) from e
        return self._vectors(response, len(batch)), _total_tokens(response)

    def _create(self, batch: list[str]) -> CreateEmbeddingResponse:
        from openai.types import CreateEmbeddingResponse

        # base64 keeps the body a quarter of the JSON floats' size; _decode_vector reads it. The
        # client's post, not client.embeddings: twin.chat.llm says why.
        body: dict[str, object] = {"input": batch, "model": self.model, "encoding_format": "base64"}
        if self.model.startswith("text-embedding-3"):
            # Only text-embedding-3 models can shorten their output; older ones reject the field.
            body["dimensions"] = self.expected_dim or EMBEDDING_DIM
        return self._client.post("/embeddings", body=body, cast_to=CreateEmbeddingResponse)

    def _vectors(self, response: CreateEmbeddingResponse, expected: int) -> list[list[float]]:
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != expected:
            raise UpstreamError(
                f"embedding model {self.model!r} returned {len(data)} vectors for {expected} inputs"
            )
        vectors = [_decode_vector(item.embedding) for item in data]
        for vector in vectors:
            if (self.expected_dim and len(vector) != self.expected_dim) or len(vector) > EMBEDDING_DIM:
                expected = self.expected_dim or EMBEDDING_DIM
                raise DimensionMismatch(
                    f"embedding model {self.model!r} returned a vector of length {len(vector)}; expected "
                    f"{expected} (TWIN_EMBEDDING_DIM), and the database holds at most vector({EMBEDDING_DIM})",
                    details={"model": self.model, "received": len(vector), "expected": expected},
                )
        return [pad(vector) for vector in vectors]


def _batches(texts: Sequence[str], max_items: int, max_chars: int) -> Iterator[list[str]]:
    """Consecutive slices of at most ``max_items`` texts and (unless one text alone) ``max_chars``."""
    batch: list[str] = []
    chars = 0
    for text in texts:
        if batch and (len(batch) >= max(1, max_items) or chars + len(text) > max_chars):
            yield batch
            batch, chars = [], 0
        batch.append(text)
        chars += len(text)
    if batch:
        yield batch


def _decode_vector(raw: object) -> list[float]:
    if isinstance(raw, str):
        # base64 of little-endian float32, as the OpenAI API documents.
        values = array("f", base64.b64decode(raw))
        if sys.byteorder == "big":
            values.byteswap()
        return values.tolist()
    if isinstance(raw, list):
        # A compatible proxy may ignore encoding_format and send floats.
        return [float(v) for v in raw]
    raise UpstreamError(f"embedding response holds an unexpected {type(raw).__name__} instead of a vector")


def _total_tokens(response: CreateEmbeddingResponse) -> int:
    usage = getattr(response, "usage", None)
    return int(getattr(usage, "total_tokens", 0) or 0)


