"""Ingest through the service: idempotence, atomicity, embedder handling, real SDK + stub."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import psycopg
import pytest

from tests.helpers import count, openai_settings
from tests.support.openai_stub import OpenAIStub
from twin.config import Settings
from twin.embeddings.hashing import OfflineEmbedder
from twin.embeddings.openai_embedder import OpenAIEmbedder
from twin.errors import DimensionMismatch, EmbedderMismatch, UpstreamError, UpstreamTimeout
from twin.ingest.schemas import DocumentInput
from twin.ingest.service import ingest_documents
from twin.storage.db import Database

RESUME = DocumentInput(
    id="resume", title="Resume",
    content="# Resume\n\n## Education\n\nI studied physics at the University of Tartu.\n\n"
            "## Work\n\nI work at Nordlight as a data engineer since 2019.\n",
    metadata={"kind": "resume"},
)
NOTES = DocumentInput(id="notes", title="Notes", content="I keep bees and brew cider in the autumn.")




def _chunks(conn: Any, twin_id: str) -> int:
    return count(conn, "SELECT count(*) FROM vectors WHERE twin_id = %s", (twin_id,))


def _ingest(db: Database, settings: Settings, twin_id: str, docs: list[DocumentInput], embedder: Any) -> Any:
    return ingest_documents(db=db, settings=settings, twin_id=twin_id, documents=docs, embedder=embedder)


def test_new_documents_are_created_with_chunks_and_metadata_row(db: Database, settings: Settings, conn: Any,
                                                                 twin_id: str) -> None:
    result = _ingest(db, settings, twin_id, [RESUME, NOTES], OfflineEmbedder())
    assert [(d.id, d.status) for d in result.documents] == [("resume", "created"), ("notes", "created")]
    assert _chunks(conn, twin_id) == sum(d.chunks for d in result.documents)
    row = conn.execute("SELECT user_id, document_count, expires_at > now() FROM ingestion_metadata WHERE id = %s",
                       (result.ingestion_id,)).fetchone()
    assert row == (twin_id, 2, True)
    assert result.mode == "offline"
    kinds = conn.execute("SELECT DISTINCT metadata->>'kind' FROM vectors WHERE document_id = 'resume'"
                         " AND twin_id = %s", (twin_id,)).fetchall()
    assert kinds == [("resume",)]


def test_unchanged_document_is_not_reembedded(db: Database, settings: Settings, stub: OpenAIStub,
                                              twin_id: str) -> None:
    embedder = OpenAIEmbedder(openai_settings(settings, stub.base_url))
    _ingest(db, settings, twin_id, [RESUME, NOTES], embedder)
    calls_after_first = len(stub.calls("/embeddings"))
    assert calls_after_first >= 1
    again = _ingest(db, settings, twin_id, [RESUME, NOTES], embedder)
    assert {d.status for d in again.documents} == {"unchanged"}
    assert len(stub.calls("/embeddings")) == calls_after_first
    assert again.tokens == 0


def test_changed_document_replaces_its_chunks_and_embeds_only_new_text(
        db: Database, settings: Settings, stub: OpenAIStub, conn: Any, twin_id: str) -> None:
    embedder = OpenAIEmbedder(openai_settings(settings, stub.base_url))
    _ingest(db, settings, twin_id, [RESUME], embedder)
    stub.reset()
    edited = replace(RESUME, content=RESUME.content.replace("Nordlight", "Baltic Grid"))
    result = _ingest(db, settings, twin_id, [edited], embedder)
    assert result.documents[0].status == "updated"
    contents = [r[0] for r in conn.execute(
        "SELECT content FROM vectors WHERE twin_id = %s ORDER BY chunk_index", (twin_id,))]
    assert any("Baltic Grid" in c for c in contents)
    assert not any("Nordlight" in c for c in contents)
    sent = [text for call in stub.calls("/embeddings") for text in call.json["input"]]
    # the untouched education chunk kept its stored embedding
    assert sent
    assert all("Tartu" not in text for text in sent)


def test_embeddings_are_batched_by_configured_size(db: Database, settings: Settings, stub: OpenAIStub,
                                                   twin_id: str) -> None:
    embedder = OpenAIEmbedder(openai_settings(settings, stub.base_url, embed_batch_size=2))
    docs = [DocumentInput(id=f"d{i}", content=f"Fact number {i}: I have visited city {i}.") for i in range(5)]
    result = _ingest(db, settings, twin_id, docs, embedder)
    sizes = [len(c.json["input"]) for c in stub.calls("/embeddings")]
    assert sizes == [2, 2, 1]
    assert result.embedded_chunks == 5


def test_rate_limited_and_failing_provider_is_retried_then_succeeds(
        db: Database, settings: Settings, stub: OpenAIStub, twin_id: str) -> None:
    stub.fail_next(status=429, retry_after="0", path="/embeddings")
    stub.fail_next(status=500, path="/embeddings")
    embedder = OpenAIEmbedder(openai_settings(settings, stub.base_url, openai_max_retries=2))
    result = _ingest(db, settings, twin_id, [NOTES], embedder)
    assert result.documents[0].status == "created"
    assert len(stub.calls("/embeddings")) == 3


def test_provider_errors_after_retries_leave_nothing_written(
        db: Database, settings: Settings, stub: OpenAIStub, conn: Any, twin_id: str) -> None:
    stub.fail_next(status=503, times=5, path="/embeddings")
    embedder = OpenAIEmbedder(openai_settings(settings, stub.base_url, openai_max_retries=1))
    with pytest.raises(UpstreamError):
        _ingest(db, settings, twin_id, [RESUME], embedder)
    assert _chunks(conn, twin_id) == 0
    assert count(conn, "SELECT count(*) FROM ingestion_metadata WHERE user_id = %s", (twin_id,)) == 0


def test_timeout_is_a_clear_error_and_nothing_is_written(
        db: Database, settings: Settings, stub: OpenAIStub, conn: Any, twin_id: str) -> None:
    stub.delay_next(seconds=3, times=3, path="/embeddings")
    embedder = OpenAIEmbedder(openai_settings(settings, stub.base_url, openai_timeout_s=0.5,
                                              openai_max_retries=1))
    with pytest.raises(UpstreamTimeout, match="timed out"):
        _ingest(db, settings, twin_id, [RESUME], embedder)
    assert _chunks(conn, twin_id) == 0
    assert count(conn, "SELECT count(*) FROM documents WHERE twin_id = %s", (twin_id,)) == 0


def test_database_error_on_a_later_document_writes_nothing(db: Database, settings: Settings, conn: Any,
                                                            twin_id: str) -> None:
    # GIVEN a request whose last document violates a table constraint (id longer than 200)
    bad = DocumentInput(id="x" * 300, content="I like sailing.")
    with pytest.raises(psycopg.errors.CheckViolation):
        _ingest(db, settings, twin_id, [NOTES, RESUME, bad], OfflineEmbedder())
    # THEN the two valid documents before it were not written either
    assert count(conn, "SELECT count(*) FROM documents WHERE twin_id = %s", (twin_id,)) == 0
    assert _chunks(conn, twin_id) == 0


def test_wrong_dimension_from_provider_is_refused(db: Database, settings: Settings, conn: Any,
                                                  twin_id: str) -> None:
    with OpenAIStub(embedding_dim=768) as small:
        embedder = OpenAIEmbedder(openai_settings(settings, small.base_url))
        with pytest.raises(DimensionMismatch, match="768"):
            _ingest(db, settings, twin_id, [NOTES], embedder)
    assert _chunks(conn, twin_id) == 0


def test_switching_embedder_for_a_twin_is_refused_clearly(db: Database, settings: Settings, stub: OpenAIStub,
                                                          conn: Any, twin_id: str) -> None:
    _ingest(db, settings, twin_id, [NOTES], OfflineEmbedder())
    embedder = OpenAIEmbedder(openai_settings(settings, stub.base_url))
    with pytest.raises(EmbedderMismatch, match="offline") as info:
        _ingest(db, settings, twin_id, [RESUME], embedder)
    assert info.value.status == 409
    assert count(conn, "SELECT count(DISTINCT embedder) FROM vectors WHERE twin_id = %s", (twin_id,)) == 1
    assert count(conn, "SELECT count(*) FROM documents WHERE twin_id = %s AND document_id = 'resume'",
                 (twin_id,)) == 0


def test_concurrent_identical_ingests_end_with_one_copy(db: Database, settings: Settings, conn: Any,
                                                        twin_id: str) -> None:
    results: list[Any] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        own = Database(settings, settings.database_url)
        try:
            barrier.wait()
            results.append(_ingest(own, settings, twin_id, [RESUME, NOTES], OfflineEmbedder()))
        except BaseException as e:  # noqa: BLE001 - asserted below
            errors.append(e)
        finally:
            own.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert count(conn, "SELECT count(*) FROM documents WHERE twin_id = %s", (twin_id,)) == 2
    expected = sum(d.chunks for d in results[0].documents)
    assert _chunks(conn, twin_id) == expected
    created = [d for r in results for d in r.documents if d.status == "created"]
    assert len(created) == 2  # each document was created by exactly one of the four requests


def test_documents_without_id_are_identified_by_content(db: Database, settings: Settings, twin_id: str) -> None:
    doc = DocumentInput(content="I was born in Tallinn in 1990.")
    first = _ingest(db, settings, twin_id, [doc], OfflineEmbedder())
    second = _ingest(db, settings, twin_id, [doc], OfflineEmbedder())
    assert first.documents[0].id == second.documents[0].id
    assert second.documents[0].status == "unchanged"


def test_ingest_bumps_the_twin_content_version(db: Database, settings: Settings, conn: Any, twin_id: str) -> None:
    _ingest(db, settings, twin_id, [NOTES], OfflineEmbedder())
    before = count(conn, "SELECT content_version FROM twins WHERE twin_id = %s", (twin_id,))
    _ingest(db, settings, twin_id, [RESUME], OfflineEmbedder())
    after = count(conn, "SELECT content_version FROM twins WHERE twin_id = %s", (twin_id,))
    assert after > before
