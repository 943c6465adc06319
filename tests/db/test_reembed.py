"""Moving a twin to another embedder: all of its vectors, or none of them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import count, openai_settings
from tests.support.openai_stub import OpenAIStub
from twin.config import Settings
from twin.embeddings.hashing import OfflineEmbedder
from twin.embeddings.openai_embedder import OpenAIEmbedder
from twin.errors import Conflict, NotFound, UpstreamError
from twin.ingest.reembed import reembed_twin
from twin.ingest.schemas import DocumentInput
from twin.ingest.service import ingest_documents
from twin.storage.db import Database

DOCS = [DocumentInput(id=f"d{i}", content=f"Memory {i}: I hiked the ridge number {i} with friends.") for i in range(5)]




def test_reembed_moves_every_vector_to_the_new_embedder(db: Database, settings: Settings, stub: OpenAIStub,
                                                        conn: Any, twin_id: str) -> None:
    ingest_documents(db=db, settings=settings, twin_id=twin_id, documents=DOCS, embedder=OfflineEmbedder())
    version = count(conn, "SELECT content_version FROM twins WHERE twin_id = %s", (twin_id,))
    embedder = OpenAIEmbedder(openai_settings(settings, stub.base_url))
    result = reembed_twin(db=db, twin_id=twin_id, embedder=embedder, batch=2)
    assert result.chunks == 5
    assert len(stub.calls("/embeddings")) >= 3  # batches of 2
    assert conn.execute("SELECT DISTINCT embedder FROM vectors WHERE twin_id = %s", (twin_id,)).fetchall() == [
        (embedder.name,)]
    assert conn.execute("SELECT embedder FROM twins WHERE twin_id = %s", (twin_id,)).fetchone() == (embedder.name,)
    assert count(conn, "SELECT content_version FROM twins WHERE twin_id = %s", (twin_id,)) > version
    # and ingest with the new embedder is accepted now
    ingest_documents(db=db, settings=settings, twin_id=twin_id, embedder=embedder,
                     documents=[DocumentInput(id="new", content="I also paint watercolours.")])


def test_failed_reembed_leaves_the_twin_on_its_old_embedder(db: Database, settings: Settings, stub: OpenAIStub,
                                                            conn: Any, twin_id: str) -> None:
    ingest_documents(db=db, settings=settings, twin_id=twin_id, documents=DOCS, embedder=OfflineEmbedder())
    stub.fail_next(status=500, times=10, path="/embeddings")
    embedder = OpenAIEmbedder(openai_settings(settings, stub.base_url, openai_max_retries=0))
    with pytest.raises(UpstreamError):
        reembed_twin(db=db, twin_id=twin_id, embedder=embedder)
    assert conn.execute("SELECT DISTINCT embedder FROM vectors WHERE twin_id = %s", (twin_id,)).fetchall() == [
        ("offline:hash-v1",)]


def test_reembed_of_unknown_twin_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound):
        reembed_twin(db=db, twin_id="nobody-at-all", embedder=OfflineEmbedder())


def test_chunks_written_during_reembed_abort_the_swap(db: Database, settings: Settings, stub: OpenAIStub,
                                                     conn: Any, twin_id: str) -> None:
    ingest_documents(db=db, settings=settings, twin_id=twin_id, documents=DOCS, embedder=OfflineEmbedder())
    embedder = OpenAIEmbedder(openai_settings(settings, stub.base_url))
    original_embed = embedder.embed

    def embed_while_an_old_ingest_lands(texts: Any) -> Any:
        # Another process, still on the old embedder, ingests while the new vectors are computed.
        other = Database(settings, settings.database_url)
        ingest_documents(db=other, settings=settings, twin_id=twin_id, embedder=OfflineEmbedder(),
                         documents=[DocumentInput(id="late", content="I also keep a garden.")])
        other.close()
        return original_embed(texts)

    embedder.embed = embed_while_an_old_ingest_lands  # type: ignore[method-assign]
    with pytest.raises(Conflict):
        reembed_twin(db=db, twin_id=twin_id, embedder=embedder)
    assert conn.execute("SELECT DISTINCT embedder FROM vectors WHERE twin_id = %s", (twin_id,)).fetchall() == [
        ("offline:hash-v1",)]
