"""The hashing embedder: deterministic feature hashing in pure Python, the fallback offline embedder.

No model files and no network; lexical, not semantic. Its vectors fill all ``EMBEDDING_DIM``
dimensions, so unlike model embedders it needs no padding.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TypeVar

from twin.config import EMBEDDING_DIM
from twin.embeddings.base import EmbeddingBatch, estimate_tokens, require_text
from twin.text.lexical import STOP_WORDS, TOKEN_RE, normalise, stem

_T = TypeVar("_T")

# Relative weights: whole words matter most; character trigrams give partial credit to
# morphological variants the stemmer misses; bigrams reward phrases seen in the same order.
_UNIGRAM_WEIGHT = 1.0
_TRIGRAM_BLOCK_WEIGHT = 0.5
_BIGRAM_WEIGHT = 0.5
_MEMO_LIMIT = 200_000
_EMPTY_FEATURE = "\x00empty"


_MASK64 = (1 << 64) - 1


def _hash64(feature: str) -> int:
    # blake2b, not hash(): Python salts str hashes per process and vectors are stored forever.
    digest = hashlib.blake2b(feature.encode("utf-8"), digest_size=8, person=b"twin-hash-v1").digest()
    return int.from_bytes(digest, "little")


def _pair_hash(first: int, second: int) -> int:
    # Bigrams are mostly unique, so hashing their text would dominate the run time. The word
    # hashes are already uniform 64-bit values, so one multiply-add (order-sensitive) plus folding
    # the high half into the low bits is enough mixing, and it is as stable as blake2b itself.
    x = (first * 0x9E3779B97F4A7C15 + second) & _MASK64
    return x ^ (x >> 32)


def _slot(h: int, weight: float) -> tuple[int, float]:
    # Signed hashing makes collisions cancel in expectation instead of inflating similarity.
    return h % EMBEDDING_DIM, (weight if h >> 63 == 0 else -weight)


class OfflineEmbedder:
    """Deterministic feature-hashing embedder: pure Python, no model files, no network.

    Features are stemmed word unigrams, character trigrams of each stem and bigrams of adjacent
    content words, each with sub-linear term frequency (1 + ln tf), signed-hashed into 1536
    dimensions and L2-normalised. It is lexical, not semantic: good enough to find the chunk that
    shares words with a question, and reproducible across processes and machines. Change
    ``name`` whenever the algorithm changes, because stored vectors would no longer match.
    """

    name = "offline:hash-v1"
    dim = EMBEDDING_DIM
    mode = "offline"

    def __init__(self) -> None:
        # Chunks repeat the same vocabulary; memoising per-word work makes ~20k chunks cheap.
        self._stems: dict[str, str] = {}
        self._words: dict[str, _WordFeatures] = {}

    def embed(self, texts: Sequence[str]) -> EmbeddingBatch:
        require_text(texts)
        vectors = [self.embed_one(text) for text in texts]
        return EmbeddingBatch(vectors=vectors, tokens=sum(estimate_tokens(t) for t in texts))

    def embed_one(self, text: str) -> list[float]:
        """The unit vector for one text (blank text gets a fixed vector rather than an error)."""
        words = self._content_words(text)
        if not words:
            return _empty_vector()
        vec = [0.0] * EMBEDDING_DIM
        memo = self._words
        word_hashes: dict[str, int] = {}
        for word, tf in Counter(words).items():
            features = memo.get(word) or self._features_of(word)
            word_hashes[word] = features.hash
            if tf == 1:
                for index, value in features.slots:
                    vec[index] += value
            else:
                weight = 1.0 + math.log(tf)
                for index, value in features.slots:
                    vec[index] += weight * value
        hashes = [word_hashes[word] for word in words]
        for (first, second), tf in Counter(pairwise(hashes)).items():
            index, value = _slot(_pair_hash(first, second), _BIGRAM_WEIGHT * (1.0 + math.log(tf)))
            vec[index] += value
        return _unit(vec)

    def _content_words(self, text: str) -> list[str]:
        tokens = TOKEN_RE.findall(normalise(text))
        content = [t for t in tokens if t not in STOP_WORDS]
        # A text made only of function words ("who are you?") still deserves a distinct vector.
        return [self._stem(t) for t in (content or tokens)]

    def _stem(self, word: str) -> str:
        cached = self._stems.get(word)
        if cached is None:
            cached = stem(word)
            _remember(self._stems, word, cached)
        return cached

    def _features_of(self, word: str) -> _WordFeatures:
        cached = self._words.get(word)
        if cached is None:
            cached = _word_features(word)
            _remember(self._words, word, cached)
        return cached


@dataclass(frozen=True, slots=True)
class _WordFeatures:
    hash: int
    slots: tuple[tuple[int, float], ...]


def _remember(memo: dict[str, _T], key: str, value: _T) -> None:
    # Bounded so a long-lived warm process cannot grow without limit on unusual input.
    if len(memo) >= _MEMO_LIMIT:
        memo.clear()
    memo[key] = value


def _word_features(word: str) -> _WordFeatures:
    word_hash = _hash64("w:" + word)
    slots = [_slot(word_hash, _UNIGRAM_WEIGHT)]
    # Numbers get no trigrams: 2015 and 2016 should not look alike.
    if len(word) >= 3 and not any(c.isdigit() for c in word):
        padded = f"#{word}#"
        grams = sorted({padded[i : i + 3] for i in range(len(padded) - 2)})
        # Scaled so a word's trigram block has the same norm however long the word is.
        scale = _TRIGRAM_BLOCK_WEIGHT / math.sqrt(len(grams))
        slots.extend(_slot(_hash64("c:" + gram), scale) for gram in grams)
    return _WordFeatures(hash=word_hash, slots=tuple(slots))


def _empty_vector() -> list[float]:
    # A fixed direction for texts with no word at all ("!!!"), so every vector has unit length.
    vec = [0.0] * EMBEDDING_DIM
    index, value = _slot(_hash64(_EMPTY_FEATURE), 1.0)
    vec[index] = value
    return vec


def _unit(vec: list[float]) -> list[float]:
    norm = math.hypot(*vec)
    if norm == 0.0:
        # Every feature cancelled out (vanishingly rare).
        return _empty_vector()
    inv = 1.0 / norm
    return [v * inv for v in vec]


