"""Nothing slow runs while a writer holds a twin's row lock."""

from __future__ import annotations

import pytest
from psycopg.pq import TransactionStatus

from twin.config import Settings
from twin.embeddings.hashing import OfflineEmbedder
from twin.ingest import service
from twin.ingest.schemas import DocumentInput
from twin.storage.db import Conn, Database


def test_ingest_registers_vector_types_before_taking_the_twin_lock(
        db: Database, settings: Settings, twin_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a spy on pgvector's type registration (its catalog look-ups would stall every other
    # writer of the twin if they ran under the lock)
    states: list[TransactionStatus] = []
    register = service.register_vector_types

    def spy(conn: Conn) -> None:
        states.append(conn.info.transaction_status)
        register(conn)

    monkeypatch.setattr(service, "register_vector_types", spy)
    doc = DocumentInput(id="bio", content="I grew up by the sea and I restore old boats.")
    # WHEN a document is created and then edited (the edit also reads stored vectors to reuse)
    service.ingest_documents(db=db, settings=settings, twin_id=twin_id, documents=[doc], embedder=OfflineEmbedder())
    edited = DocumentInput(id="bio", content=doc.content + "\n\nI also sail in winter.")
    service.ingest_documents(db=db, settings=settings, twin_id=twin_id, documents=[edited],
                             embedder=OfflineEmbedder())
    # THEN every registration ran outside any transaction
    assert states
    assert all(state == TransactionStatus.IDLE for state in states)
