"""MemoisedEmbedding: a warm process embeds each sentence once, and answers exactly as without it."""

from __future__ import annotations

from collections.abc import Sequence

from twin.embeddings.base import EmbeddingBatch
from twin.embeddings.hashing import OfflineEmbedder
from twin.embeddings.memo import MemoisedEmbedding


class CountingEmbedder:
    """The real hashing embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        self.inner = OfflineEmbedder()
        self.name, self.dim, self.mode = self.inner.name, self.inner.dim, self.inner.mode
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str]) -> EmbeddingBatch:
        self.embedded.extend(texts)
        return self.inner.embed(texts)


def test_memoised_vectors_equal_the_embedders_own_to_float32_precision() -> None:
    embedder = CountingEmbedder()
    texts = ["I grew up in Bergen.", "My cat is called Tusse."]
    direct = OfflineEmbedder().embed(texts).vectors
    for memo_vector, vector in zip(MemoisedEmbedding(embedder)(texts), direct, strict=True):
        assert len(memo_vector) == len(vector)
        assert max(abs(a - b) for a, b in zip(memo_vector, vector, strict=True)) < 1e-6


def test_a_text_seen_before_is_not_embedded_again() -> None:
    embedder = CountingEmbedder()
    memo = MemoisedEmbedding(embedder)
    memo(["a cat", "a dog"])
    second = memo(["a dog", "a bird", "a bird"])
    assert embedder.embedded == ["a cat", "a dog", "a bird"]
    assert second[1] == second[2]


def test_the_least_recently_used_vector_leaves_first() -> None:
    embedder = CountingEmbedder()
    memo = MemoisedEmbedding(embedder, capacity=2)
    memo(["a cat", "a dog"])
    memo(["a cat"])  # the cat is now more recent than the dog
    memo(["a bird"])
    assert len(memo) == 2
    embedder.embedded.clear()
    memo(["a cat", "a dog"])
    assert embedder.embedded == ["a dog"]
