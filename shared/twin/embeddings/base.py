"""The embedder protocol every capability depends on, and the checks all embedders share.

``Embedder.name`` is stored beside the vectors because vectors from different embedders are not
comparable. Importing this package must stay cheap (Lambda cold start): ``openai``, powertools
and numpy are never imported at module level, and the offline path never imports them at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from twin.errors import InvalidRequest


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


