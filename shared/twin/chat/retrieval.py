"""Hybrid retrieval: one SQL statement fusing HNSW cosine and full-text ranks (RRF)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from twin.errors import InvalidRequest
from twin.storage.db import Conn
from twin.storage.sqlfile import query

RRF_K = 60  # the constant from the original reciprocal-rank-fusion paper; damps top-rank dominance
MAX_FILTER_KEYS = 10


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


def vector_literal(vector: Sequence[float]) -> str:
    """pgvector's text form. The query vector travels as text so the chat path needs no type
    registration (catalog round trips) and no numpy import. One %-format over the whole
    vector is ~3x faster than formatting each float separately."""
    return "[" + (",".join(["%.7g"] * len(vector)) % tuple(vector)) + "]"


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) and value is not None


def validate_filters(raw: Any) -> dict[str, Any]:
    """Filters match chunk metadata by containment: {"source": "resume"} or {"tags": ["python"]}."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InvalidRequest("filters must be an object of metadata field -> value", code="invalid_filters")
    if len(raw) > MAX_FILTER_KEYS:
        raise InvalidRequest(f"filters may name at most {MAX_FILTER_KEYS} fields", code="invalid_filters")
    for key, value in raw.items():
        ok = _scalar(value) or (isinstance(value, list) and value and all(_scalar(v) for v in value))
        if not key or not ok:
            raise InvalidRequest(
                f"filters.{key} must be a string, number, boolean or a non-empty array of them",
                code="invalid_filters")
    return dict(raw)


def hybrid_search_params(*, twin_id: str, query_text: str, embedding: Sequence[float], k: int,
                         filters: dict[str, Any] | None = None, min_similarity: float = 0.0,
                         candidates: int | None = None) -> dict[str, Any]:
    """The parameters of the ``hybrid_search`` statement (also what `twin doctor` EXPLAINs)."""
    return {
        "twin_id": twin_id,
        "embedding": vector_literal(embedding),
        "query_text": query_text,
        "filter": Jsonb(filters) if filters else None,
        # Enough per side for the fusion to reorder the top k; more only slows filtered scans.
        "candidates": candidates or max(20, k * 4),
        "k": k,
        "min_similarity": min_similarity,
        "rrf_k": RRF_K,
    }


def hybrid_search(conn: Conn, *, twin_id: str, query_text: str, embedding: Sequence[float], k: int,
                  filters: dict[str, Any] | None = None, min_similarity: float = 0.0,
                  candidates: int | None = None) -> list[Hit]:
    params = hybrid_search_params(twin_id=twin_id, query_text=query_text, embedding=embedding, k=k,
                                  filters=filters, min_similarity=min_similarity, candidates=candidates)
    # prepare=False: see the statement's comment (generic plans skip the HNSW index).
    rows = conn.execute(query("hybrid_search"), params, prepare=False).fetchall()
    return [Hit(chunk_id=r[0], document_id=r[1], title=r[2], content=r[3], metadata=r[4], chunk_index=r[5],
                similarity=float(r[6]) if r[6] is not None else None,
                lexical_score=float(r[7]) if r[7] is not None else None, score=float(r[8])) for r in rows]


def semantic_search(conn: Conn, *, twin_id: str, embedding: Sequence[float], k: int,
                    filters: dict[str, Any] | None = None, exact: bool = False) -> list[tuple[str, float]]:
    """Vector-only search through the HNSW index, or exact (full scan) for measuring recall."""
    rows = conn.execute(query("exact_search" if exact else "semantic_search"), {
        "twin_id": twin_id, "embedding": vector_literal(embedding), "filter": Jsonb(filters) if filters else None,
        "k": k,
    }, prepare=False).fetchall()
    return [(str(r[0]), float(r[1])) for r in rows]
