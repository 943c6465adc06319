"""The embedder protocol every capability depends on, and the checks all embedders share.

``Embedder.name`` is stored beside the vectors because vectors from different embedders are not
comparable. Importing this package must stay cheap (Lambda cold start): ``openai``, powertools
and numpy are never imported at module level, and the offline path never imports them at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from twin.config import EMBEDDING_DIM
from twin.errors import DimensionMismatch, InvalidRequest


@dataclass(frozen=True)
class EmbeddingBatch:
    vectors: list[list[float]]
    tokens: int


class Embedder(Protocol):
    name: str
    dim: int
    mode: str

    def embed(self, texts: Sequence[str]) -> EmbeddingBatch: ...


def estimate_tokens(text: str) -> int:
    """An *estimate* of the token count (about 4 tokens per 3 words); no tokenizer is bundled."""
    words = len(text.split())
    return math.ceil(words * 4 / 3)


def require_text(texts: Sequence[str]) -> None:
    # Rejected in both modes so behaviour does not depend on whether a key is configured
    # (the OpenAI API answers 400 to an empty input).
    if isinstance(texts, str):
        raise InvalidRequest("embed() takes a sequence of texts, not a single string")
    for i, text in enumerate(texts):
        if not text.strip():
            raise InvalidRequest(f"text #{i} is empty; there is nothing to embed")




def pad(vector: list[float]) -> list[float]:
    """``vector`` zero-padded to the ``vector(EMBEDDING_DIM)`` column.

    Zeros change neither dot products nor norms, so cosine similarity is exactly the model's own:
    one column and one HNSW index serve every model up to 1536 dimensions.
    """
    missing = EMBEDDING_DIM - len(vector)
    return vector + [0.0] * missing if missing > 0 else vector


class Padded:
    """A model embedder of fewer than ``EMBEDDING_DIM`` dimensions, stored zero-padded."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.mode = inner.mode
        self.native_dim = inner.dim
        self.dim = EMBEDDING_DIM

    def embed(self, texts: Sequence[str]) -> EmbeddingBatch:
        batch = self.inner.embed(texts)
        return EmbeddingBatch(vectors=[pad(v) for v in batch.vectors], tokens=batch.tokens)


def is_semantic(embedder: Embedder) -> bool:
    """Whether similarity between its vectors means similar meaning (a model), not shared words (hashing)."""
    return not embedder.name.startswith("offline:hash")


# Texts per embed() call on the write paths: bounds memory and request size, and gives progress a beat.
WRITE_BATCH = 256


def check_dimension(vectors: Sequence[Sequence[float]], embedder: Embedder) -> None:
    for vector in vectors:
        if len(vector) != EMBEDDING_DIM:
            raise DimensionMismatch(
                f"embedder {embedder.name} returned {len(vector)}-dimensional vectors; "
                f"the schema stores {EMBEDDING_DIM}")


def embed_in_batches(embedder: Embedder, texts: Sequence[str], *, batch: int = WRITE_BATCH,
                     progress: Callable[[int, int], None] | None = None) -> EmbeddingBatch:
    """Every text embedded, ``batch`` at a time, each vector checked against the column's size.
    The one loop behind ingest, reembed and the Upstash import."""
    vectors: list[list[float]] = []
    tokens = 0
    step = max(1, batch)
    for start in range(0, len(texts), step):
        result = embedder.embed(list(texts[start:start + step]))
        check_dimension(result.vectors, embedder)
        vectors.extend(result.vectors)
        tokens += result.tokens
        if progress is not None:
            progress(min(start + step, len(texts)), len(texts))
    return EmbeddingBatch(vectors=vectors, tokens=tokens)
