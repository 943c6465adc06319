"""Hybrid retrieval in SQL: twin scoping, metadata filters that keep the full k, relevance floor."""

from __future__ import annotations

from typing import Any

from twin.chat.offline import EXPERIENCE_SECTION
from twin.chat.retrieval import experience_chunks, hybrid_search, semantic_search
from twin.chat.schemas import validate_filters
from twin.config import Settings
from twin.embeddings.hashing import OfflineEmbedder
from twin.ingest.schemas import DocumentInput
from twin.ingest.service import ingest_documents
from twin.storage.db import Database

EMBEDDER = OfflineEmbedder()


def _load(db: Database, settings: Settings, twin_id: str, docs: list[DocumentInput]) -> None:
    ingest_documents(db=db, settings=settings, twin_id=twin_id, documents=docs, embedder=EMBEDDER)


def _search(db: Database, twin_id: str, text: str, **kwargs: Any) -> list[Any]:
    vector = EMBEDDER.embed([text]).vectors[0]
    return db.run(lambda conn: hybrid_search(conn, twin_id=twin_id, query_text=text, embedding=vector,
                                             **{"k": 5, "min_similarity": 0.08, **kwargs}))


def test_metadata_filter_returns_only_matching_chunks_and_the_full_k(db: Database, settings: Settings,
                                                                     twin_id: str) -> None:
    # GIVEN many posts about cooking, of which only a few are tagged 'travel'
    docs = [DocumentInput(id=f"post-{i}", content=f"Post {i}: I cooked a new pasta recipe with garlic, number {i}.",
                          metadata={"category": "travel" if i % 10 == 0 else "food"}) for i in range(60)]
    _load(db, settings, twin_id, docs)
    # WHEN searching for cooking restricted to travel posts
    hits = _search(db, twin_id, "pasta recipe with garlic", filters={"category": "travel"})
    # THEN k=5 of the six travel posts come back, and nothing else
    assert len(hits) == 5
    assert all(h.metadata["category"] == "travel" for h in hits)
    exact = db.run(lambda conn: semantic_search(conn, twin_id=twin_id, k=10, filters={"category": "travel"},
                                                embedding=EMBEDDER.embed(["pasta recipe"]).vectors[0]))
    assert len(exact) == 6


def test_unrelated_question_retrieves_nothing(db: Database, settings: Settings, twin_id: str) -> None:
    bio = DocumentInput(id="bio", content="I grew up on a farm near Ghent and I love cycling.")
    _load(db, settings, twin_id, [bio])
    assert _search(db, twin_id, "What is the airspeed of an unladen swallow?") == []
    assert _search(db, twin_id, "Where did you grow up?")[0].document_id == "bio"


def test_lexical_match_finds_rare_identifiers(db: Database, settings: Settings, twin_id: str) -> None:
    docs = [DocumentInput(id=f"n{i}", content=f"Meeting note {i} about quarterly planning and budgets.")
            for i in range(20)]
    docs.append(DocumentInput(id="ticket", content="I fixed incident INC-4821 in the billing service."))
    _load(db, settings, twin_id, docs)
    hits = _search(db, twin_id, "INC-4821")
    assert hits[0].document_id == "ticket"
    assert hits[0].lexical_score is not None


def test_search_is_scoped_to_the_twin(db: Database, settings: Settings, twin_id: str) -> None:
    _load(db, settings, twin_id, [DocumentInput(id="mine", content="I play the cello in an orchestra.")])
    _load(db, settings, f"{twin_id}-x", [DocumentInput(id="theirs", content="I play the cello in a quartet.")])
    hits = _search(db, twin_id, "Do you play the cello?")
    assert [h.document_id for h in hits] == ["mine"]


def test_filter_validation_accepts_scalars_and_lists() -> None:
    assert validate_filters({"a": "x", "b": 1, "c": True, "d": ["x", "y"]}) == {"a": "x", "b": 1, "c": True,
                                                                                  "d": ["x", "y"]}
    assert validate_filters(None) == {}


def test_experience_chunks_are_the_resume_jobs_in_document_order_and_nothing_else(db: Database, settings: Settings,
                                                                                   twin_id: str) -> None:
    jobs = "\n\n".join(f"### Employer {i} — Engineer\n\n*{2020 - 2 * i} - {2022 - 2 * i}*\n\n- Built thing {i}."
                       for i in range(4))
    resume = DocumentInput(id="cv.md", content=f"# Ada Byrne\n\n## Summary\n\nEngineer.\n\n## Work Experience\n\n{jobs}"
                                                "\n\n## Education\n\n### MSc — Leeds\n\n*2014*")
    _load(db, settings, twin_id, [resume, DocumentInput(id="bio", content="I worked at Employer 9 for years.")])
    found = db.run(lambda conn: experience_chunks(conn, twin_id=twin_id, section=EXPERIENCE_SECTION, k=40))
    assert [h.metadata["heading_path"][-1] for h in found] == [f"Employer {i} — Engineer" for i in range(4)]
    assert db.run(lambda conn: experience_chunks(conn, twin_id="nobody", section=EXPERIENCE_SECTION, k=40)) == []
