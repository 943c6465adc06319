"""Vectors of texts embedded before, kept for the life of the process.

The offline answerer embeds the candidate sentences of every question, and questions about one
person keep meeting the same sentences: a warm function embeds each of them once. Vectors are
kept as float32 arrays (1.5 KB for 384 dimensions), at most ``capacity`` of them, least recently
used first out.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Sequence

from twin.embeddings.base import Embedder

__all__ = ["MemoisedEmbedding"]

DEFAULT_CAPACITY = 8192


class MemoisedEmbedding:
    """``embedder.embed(texts).vectors``, embedding only the texts not seen recently."""

    def __init__(self, embedder: Embedder, capacity: int = DEFAULT_CAPACITY) -> None:
        self.embedder = embedder
        self.capacity = capacity
        self._vectors: OrderedDict[str, array[float]] = OrderedDict()
        self._lock = threading.Lock()  # the local server answers from a thread pool

    def __call__(self, texts: Sequence[str]) -> list[list[float]]:
        with self._lock:
            known = {t: self._vectors[t] for t in texts if t in self._vectors}
            for text in known:
                self._vectors.move_to_end(text)
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            fresh = {t: array("f", v) for t, v in zip(missing, self.embedder.embed(missing).vectors, strict=True)}
            known.update(fresh)
            with self._lock:
                self._vectors.update(fresh)
                while len(self._vectors) > self.capacity:
                    self._vectors.popitem(last=False)
        return [known[t].tolist() for t in texts]

    def __len__(self) -> int:
        return len(self._vectors)
