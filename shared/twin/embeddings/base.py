"""Text embedders: OpenAI when a key is configured, a deterministic hashing embedder otherwise.

Both produce ``EMBEDDING_DIM`` (1536) floats so one ``vector(1536)`` column serves either mode;
``Embedder.name`` is stored beside the vectors because vectors from different embedders are not
comparable. Importing this module must stay cheap (Lambda cold start): ``openai``, powertools
and numpy are never imported at module level, and the offline path never imports them at all.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import math
import re
import sys
import threading
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Protocol, TypeVar

from twin.config import EMBEDDING_DIM, Settings, get_settings
from twin.errors import DimensionMismatch, InvalidRequest, UpstreamError
from twin.openai_client import make_openai_client, map_openai_error, resolve_openai_api_key

if TYPE_CHECKING:
    from openai.types import CreateEmbeddingResponse

__all__ = [
    "EMBEDDING_DIM",
    "Embedder",
    "EmbeddingBatch",
    "OfflineEmbedder",
    "OpenAIEmbedder",
    "estimate_tokens",
    "get_embedder",
    "reset_embedder",
    "resolve_openai_api_key",
]

log = logging.getLogger(__name__)
_T = TypeVar("_T")

# OpenAI caps a request at 300k tokens summed over inputs; 250k characters stays well below that
# for any text (a token is rarely shorter than one character) while keeping bodies a few MB.
MAX_REQUEST_CHARS = 250_000


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


def _require_text(texts: Sequence[str]) -> None:
    # Rejected in both modes so behaviour does not depend on whether a key is configured
    # (the OpenAI API answers 400 to an empty input).
    if isinstance(texts, str):
        raise InvalidRequest("embed() takes a sequence of texts, not a single string")
    for i, text in enumerate(texts):
        if not text.strip():
            raise InvalidRequest(f"text #{i} is empty; there is nothing to embed")


# --------------------------------------------------------------------------------------------
# Offline embedder
# --------------------------------------------------------------------------------------------

# Function words carry no topic: without IDF (the embedder is stateless) they would dominate a
# short question such as "Where did you study?" and match every chunk written in the first person.
STOP_WORDS = frozenset({
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "being", "before", "but", "by", "can", "could", "did", "do", "does", "doing", "done",
    "for", "from", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i",
    "if", "in", "into", "is", "it", "its", "just", "me", "more", "most", "my", "myself", "no", "nor",
    "not", "of", "on", "once", "only", "or", "other", "our", "ours", "please", "same", "she", "should",
    "so", "some", "such", "tell", "than", "that", "the", "their", "theirs", "them", "then", "there",
    "these", "they", "this", "those", "to", "too", "us", "very", "was", "we", "were", "what", "when",
    "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
    "yourself",
})

_TOKEN_RE = re.compile(r"[^\W_]+")
_APOSTROPHES_RE = re.compile(r"['\u2019\u02bc]")
_VOWELS = frozenset("aeiouy")

# Relative weights: whole words matter most; character trigrams give partial credit to
# morphological variants the stemmer misses; bigrams reward phrases seen in the same order.
_UNIGRAM_WEIGHT = 1.0
_TRIGRAM_BLOCK_WEIGHT = 0.5
_BIGRAM_WEIGHT = 0.5
_MEMO_LIMIT = 200_000
_EMPTY_FEATURE = "\x00empty"


def _normalise(text: str) -> str:
    text = text.lower()
    if not text.isascii():
        # "Café" and "cafe" should hash alike; decomposing then dropping accents does that.
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    # Drop apostrophes rather than split on them: "don't" -> "dont", "anna's" -> "annas" -> "anna".
    return _APOSTROPHES_RE.sub("", text)


def _undouble(stem: str) -> str:
    # "running" -> "runn" -> "run"; keep "ll"/"ss"/"zz" which are usually part of the word.
    if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "lsz" and stem[-1] not in _VOWELS:
        return stem[:-1]
    return stem


def stem(word: str) -> str:
    """A deliberately light suffix stripper: "worked"/"working"/"works" -> "work"."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith(("ies", "ied")) and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ing") and len(word) - 3 >= 3:
        return _strip_e(_undouble(word[:-3]))
    if word.endswith("ed") and len(word) - 2 >= 3:
        return _strip_e(_undouble(word[:-2]))
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return _strip_e(word)


def _strip_e(word: str) -> str:
    # "love"/"loved"/"loving" all reduce to "lov" only if the silent e is dropped everywhere.
    if word.endswith("e") and len(word) > 3:
        return word[:-1]
    return word


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
        _require_text(texts)
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
        tokens = _TOKEN_RE.findall(_normalise(text))
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


# --------------------------------------------------------------------------------------------
# OpenAI embedder
# --------------------------------------------------------------------------------------------


class OpenAIEmbedder:
    """Embeddings from the OpenAI API; retries (429/5xx/timeouts, Retry-After aware) are the SDK's."""

    mode = "openai"
    dim = EMBEDDING_DIM

    def __init__(self, settings: Settings, *, api_key: str | None = None) -> None:
        self._settings = settings
        self.model = settings.embedding_model
        self.name = f"openai:{self.model}"
        self._client = make_openai_client(settings, api_key)

    def embed(self, texts: Sequence[str]) -> EmbeddingBatch:
        _require_text(texts)
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
        # base64 is asked for explicitly so the SDK hands it back untouched and never imports numpy.
        if self.model.startswith("text-embedding-3"):
            # Only text-embedding-3 models can shorten their output; older ones reject the field.
            return self._client.embeddings.create(
                input=batch, model=self.model, dimensions=EMBEDDING_DIM, encoding_format="base64"
            )
        return self._client.embeddings.create(input=batch, model=self.model, encoding_format="base64")

    def _vectors(self, response: CreateEmbeddingResponse, expected: int) -> list[list[float]]:
        data = sorted(response.data, key=lambda item: item.index)
        if len(data) != expected:
            raise UpstreamError(
                f"embedding model {self.model!r} returned {len(data)} vectors for {expected} inputs"
            )
        vectors = [_decode_vector(item.embedding) for item in data]
        for vector in vectors:
            if len(vector) != EMBEDDING_DIM:
                raise DimensionMismatch(
                    f"embedding model {self.model!r} returned a vector of length {len(vector)}; "
                    f"the database stores vector({EMBEDDING_DIM})",
                    details={"model": self.model, "received": len(vector), "expected": EMBEDDING_DIM},
                )
        return vectors


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


# --------------------------------------------------------------------------------------------
# Selection
# --------------------------------------------------------------------------------------------

_lock = threading.Lock()
_cached: tuple[Settings, Embedder] | None = None


def get_embedder(settings: Settings | None = None) -> Embedder:
    """The process-wide embedder for ``settings``: OpenAI when a key resolves, else offline."""
    global _cached
    settings = settings or get_settings()
    with _lock:
        if _cached is not None and _cached[0] == settings:
            return _cached[1]
        embedder = _build_embedder(settings)
        _cached = (settings, embedder)
        return embedder


def _build_embedder(settings: Settings) -> Embedder:
    key = resolve_openai_api_key(settings)
    if key:
        return OpenAIEmbedder(settings, api_key=key)
    if settings.uses_openai:
        # A configured but empty secret/parameter silently changes which vectors get stored.
        log.warning("an OpenAI key source is configured but resolved to an empty key; using offline embedder")
    return OfflineEmbedder()


def reset_embedder() -> None:
    """Forget the cached embedder (tests, or after changing settings)."""
    global _cached
    with _lock:
        _cached = None
