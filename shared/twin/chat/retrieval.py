"""Hybrid retrieval: one SQL statement fusing HNSW cosine and full-text ranks (RRF)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from twin.storage.db import Conn
from twin.storage.sqlfile import query
from twin.text.lexical import STOP_WORDS

RRF_K = 60  # the constant from the original reciprocal-rank-fusion paper; damps top-rank dominance


@dataclass(frozen=True)
class Hit:
    chunk_id: str
    document_id: str
    title: str | None
    content: str
    metadata: dict[str, Any]
    chunk_index: int
    similarity: float | None
    lexical_score: float | None
    score: float


@dataclass(frozen=True)
class Neighbour:
    """A row of ``chat.semantic_search`` / ``chat.exact_search``."""

    chunk_id: str
    similarity: float


def vector_literal(vector: Sequence[float]) -> str:
    """pgvector's text form. The query vector travels as text so the chat path needs no type
    registration (catalog round trips) and no numpy import. One %-format over the whole
    vector is ~3x faster than formatting each float separately."""
    return "[" + (",".join(["%.7g"] * len(vector)) % tuple(vector)) + "]"


# Up to this many chunks a twin is ranked by exact distance: recall 1.0 at a few milliseconds.
# Measured with bench/search.py (--twin-sizes): see bench/README.md for the crossover.
EXACT_SEARCH_MAX_CHUNKS = 5000
# Letters and digits, keeping inner hyphens and dots ("INC-4821", "node.js") so PostgreSQL's own
# parser sees the token as the documents' tsvector did; nothing else can reach to_tsquery.
_WORD = re.compile(r"[^\W_]+(?:[-.][^\W_]+)*")
_MAX_LEXICAL_WORDS = 8


def ranks_exactly(chunk_count: int | None) -> bool:
    """Exact ranking for a twin known to be small, the HNSW index otherwise."""
    return chunk_count is not None and chunk_count <= EXACT_SEARCH_MAX_CHUNKS


def _content_words(text: str) -> list[str]:
    words: list[str] = []
    for word in _WORD.findall(text):
        folded = word.casefold()
        if folded not in STOP_WORDS and folded not in (w.casefold() for w in words):
            words.append(word)
    return words[:_MAX_LEXICAL_WORDS]


def lexical_query(text: str, *, any_word: bool = False, related: str = "", cues: str = "") -> str:
    """The question's content words as ``to_tsquery`` syntax.

    ``any_word`` (a twin small enough to rank exactly): any of the words, so a chunk sharing even
    one ranks by how many it covers; at that size ranking every match costs little. Otherwise all
    the words or, from three words on, all but one: one absent word ("cats" in "does Chispa sleep
    with cats?") still does not drop the passage that answers, while a plain OR would match most of
    a large twin (ranking 16k of 100k chunks cost 230 ms in bench/recall.py); the vector side
    still finds what the words miss. ``related``: words an answer would use (twin.chat.intents),
    added only to an any-word query, where one more alternative cannot drop a match; there they
    stand in for the ``cues``, the question's words that only name its topic. Only letters
    and digits pass, each quoted,
    so no operator from the question reaches the parser; PostgreSQL stems them and drops its own
    stop words.
    """
    words = _content_words(text)
    if any_word:
        if related:
            dropped = {w.casefold() for w in _WORD.findall(cues)}
            words = [w for w in words if w.casefold() not in dropped]
        words += [w for w in _content_words(related) if w.casefold() not in {v.casefold() for v in words}]
        return " | ".join(f"'{w}'" for w in words)
    if len(words) <= 1:
        return " | ".join(f"'{w}'" for w in words)
    if len(words) == 2:
        return " & ".join(f"'{w}'" for w in words)  # "all but one" of two would be either word alone
    groups = [" & ".join(f"'{w}'" for j, w in enumerate(words) if j != i) for i in range(len(words))]
    return " | ".join(f"({g})" for g in groups)


def hybrid_search_params(*, twin_id: str, query_text: str, embedding: Sequence[float], k: int,
                         filters: dict[str, Any] | None = None, min_similarity: float = 0.0,
                         candidates: int | None = None, exact: bool = False,
                         any_word: bool | None = None, related_text: str = "", cue_text: str = "") -> dict[str, Any]:
    """The parameters of the ``chat.hybrid_search`` statement (also what `twin doctor` EXPLAINs)."""
    return {
        "twin_id": twin_id,
        "embedding": vector_literal(embedding),
        # Which words must match follows the twin's size, like the vector branch, unless a caller
        # (a benchmark comparing the two branches on one lexical query) says otherwise.
        "query_text": lexical_query(query_text, any_word=exact if any_word is None else any_word,
                                    related=related_text, cues=cue_text),
        "filter": Jsonb(filters) if filters else None,
        # Enough per side for the fusion to reorder the top k; more only slows filtered scans.
        "candidates": candidates or max(20, k * 4),
        "k": k,
        "min_similarity": min_similarity,
        "rrf_k": RRF_K,
        "exact": exact,
    }


def hybrid_search(conn: Conn, *, twin_id: str, query_text: str, embedding: Sequence[float], k: int,
                  filters: dict[str, Any] | None = None, min_similarity: float = 0.0,
                  candidates: int | None = None, chunk_count: int | None = None,
                  exact: bool | None = None, related_text: str = "", cue_text: str = "") -> list[Hit]:
    """The twin's best ``k`` chunks for a question. The strategy follows ``chunk_count``; ``exact``
    forces the vector branch only (benchmarks), keeping the lexical query production would use;
    ``related_text``: see ``lexical_query``."""
    params = hybrid_search_params(twin_id=twin_id, query_text=query_text, embedding=embedding, k=k,
                                  filters=filters, min_similarity=min_similarity, candidates=candidates,
                                  exact=ranks_exactly(chunk_count) if exact is None else exact,
                                  any_word=ranks_exactly(chunk_count), related_text=related_text,
                                  cue_text=cue_text)
    # prepare=False: see the statement's comment (generic plans skip the HNSW index).
    with conn.cursor(row_factory=class_row(Hit)) as cur:
        return cur.execute(query("chat.hybrid_search"), params, prepare=False).fetchall()


def semantic_search(conn: Conn, *, twin_id: str, embedding: Sequence[float], k: int,
                    filters: dict[str, Any] | None = None, exact: bool = False) -> list[tuple[str, float]]:
    """Vector-only search through the HNSW index, or exact (full scan) for measuring recall."""
    params = {"twin_id": twin_id, "embedding": vector_literal(embedding), "filter": Jsonb(filters) if filters else None,
              "k": k}
    with conn.cursor(row_factory=class_row(Neighbour)) as cur:
        if exact:
            found = cur.execute(query("chat.exact_search"), params, prepare=False).fetchall()
        else:
            found = cur.execute(query("chat.semantic_search"), params, prepare=False).fetchall()
    return [(n.chunk_id, float(n.similarity)) for n in found]


def document_openings(conn: Conn, *, twin_id: str, embedding: Sequence[float], k: int) -> list[Hit]:
    """The first chunk of up to ``k`` of the twin's documents, the closest to ``embedding`` first."""
    with conn.cursor(row_factory=class_row(Hit)) as cur:
        return cur.execute(query("chat.document_openings"),
                           {"twin_id": twin_id, "embedding": vector_literal(embedding), "k": k}).fetchall()


def experience_chunks(conn: Conn, *, twin_id: str, section: str, k: int) -> list[Hit]:
    """Up to ``k`` chunks filed under a heading matching ``section`` (a regex), in document order."""
    with conn.cursor(row_factory=class_row(Hit)) as cur:
        return cur.execute(query("chat.experience_chunks"), {"twin_id": twin_id, "section": section, "k": k}).fetchall()
