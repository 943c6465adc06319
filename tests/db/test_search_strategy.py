"""Search that cannot miss at personal scale: exact ranking below a size, HNSW above; partial word matches rank."""

from __future__ import annotations

import math
import random
from typing import Any

import psycopg

from twin.chat.retrieval import (
    EXACT_SEARCH_MAX_CHUNKS,
    hybrid_search,
    hybrid_search_params,
    lexical_query,
    ranks_exactly,
)
from twin.config import EMBEDDING_DIM, Settings
from twin.embeddings.base import pad
from twin.embeddings.hashing import OfflineEmbedder
from twin.ingest.schemas import DocumentInput
from twin.ingest.service import ingest_documents
from twin.storage.db import Database


def test_small_twins_are_ranked_exactly_and_large_ones_through_the_index() -> None:
    assert ranks_exactly(10)
    assert ranks_exactly(EXACT_SEARCH_MAX_CHUNKS)
    assert not ranks_exactly(EXACT_SEARCH_MAX_CHUNKS + 1)
    assert not ranks_exactly(None)


def test_the_branch_switched_off_is_folded_away_by_the_planner(conn: psycopg.Connection[Any], twin_id: str) -> None:
    from twin.storage.sqlfile import query

    vector = pad([1.0] + [0.0] * 383)
    for exact in (True, False):
        params = hybrid_search_params(twin_id=twin_id, query_text="tea", embedding=vector, k=5, exact=exact)
        rows = conn.execute("EXPLAIN (COSTS OFF) " + query("chat.hybrid_search"), params, prepare=False).fetchall()
        plan = "\n".join(str(r[0]) for r in rows)
        semantic_side = plan.split("CTE lexical")[0] if "CTE lexical" in plan else plan
        branches = semantic_side.split("->  Limit")[1:3]
        off = [b for b in branches if "One-Time Filter: false" in b]
        assert len(off) == 1, plan  # planned with its values: exactly one branch never runs
        assert ("halfvec" in off[0]) is exact, plan  # exact switches off the index (halfvec) branch


def test_lexical_query_lets_one_word_be_absent_and_no_operator_through() -> None:
    assert lexical_query('Does "Chispa" | like cats & dogs?') == (
        "('like' & 'cats' & 'dogs') | ('Chispa' & 'cats' & 'dogs') | ('Chispa' & 'like' & 'dogs') | "
        "('Chispa' & 'like' & 'cats')")
    assert lexical_query("tea?") == "'tea'"
    assert lexical_query("green tea?") == "'green' & 'tea'"
    assert lexical_query("Does Chispa like cats?", any_word=True) == "'Chispa' | 'like' | 'cats'"
    assert lexical_query("Who are you?") == ""


def test_an_any_word_query_swaps_the_topic_cue_for_the_words_answers_use() -> None:
    assert lexical_query("Are you married, Ana?", any_word=True, related="husband wife", cues="married") == (
        "'Ana' | 'husband' | 'wife'")
    # With every word required, an added alternative could only drop matches: the question stays as asked.
    assert lexical_query("Are you married, Ana?", related="husband wife", cues="married") == "'married' & 'Ana'"


def test_zero_padding_leaves_cosine_similarity_unchanged() -> None:
    rng = random.Random(7)
    a, b = [rng.uniform(-1, 1) for _ in range(384)], [rng.uniform(-1, 1) for _ in range(384)]

    def cosine(x: list[float], y: list[float]) -> float:
        return sum(p * q for p, q in zip(x, y, strict=True)) / math.sqrt(sum(p * p for p in x) * sum(q * q for q in y))

    assert len(pad(a)) == EMBEDDING_DIM
    assert math.isclose(cosine(pad(a), pad(b)), cosine(a, b), rel_tol=1e-12)


def test_chunk_count_follows_every_write_path(db: Database, settings: Settings, conn: psycopg.Connection[Any],
                                              twin_id: str) -> None:
    docs = [DocumentInput(id=f"d{i}", content=f"Note {i} about tea and biscuits number {i}.") for i in range(3)]
    ingest_documents(db=db, settings=settings, twin_id=twin_id, documents=docs, embedder=OfflineEmbedder())

    def counted() -> tuple[int, int]:
        stored = conn.execute("SELECT chunk_count FROM twins WHERE twin_id = %s", (twin_id,)).fetchone()
        actual = conn.execute("SELECT count(*) FROM vectors WHERE twin_id = %s", (twin_id,)).fetchone()
        assert stored is not None
        assert actual is not None
        return int(stored[0]), int(actual[0])

    assert counted() == (3, 3)
    conn.execute("DELETE FROM documents WHERE twin_id = %s AND document_id = 'd1'", (twin_id,))  # cascades
    assert counted() == (2, 2)


def test_one_absent_word_does_not_drop_the_chunk_that_answers(db: Database, settings: Settings, twin_id: str) -> None:
    embedder = OfflineEmbedder()
    docs = [DocumentInput(id="pets", content="My greyhound Chispa sleeps on the sofa all afternoon."),
            DocumentInput(id="work", content="I build ridership forecasts for transit agencies.")]
    ingest_documents(db=db, settings=settings, twin_id=twin_id, documents=docs, embedder=embedder)
    question = "Does Chispa the greyhound sleep with cats?"  # "cats" is in no document

    hits = db.run(lambda conn: hybrid_search(conn, twin_id=twin_id, query_text=question,
                                             embedding=embedder.embed([question]).vectors[0], k=2,
                                             chunk_count=EXACT_SEARCH_MAX_CHUNKS + 1))  # the strict query

    assert hits[0].document_id == "pets"
    assert hits[0].lexical_score is not None
