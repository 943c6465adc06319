"""SnapStart hooks, in process: before-snapshot closes the connection, after-restore re-seeds and resets."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from twin import runtime
from twin.aws import snapstart
from twin.config import Settings
from twin.storage.db import Database


@pytest.fixture
def db_runtime(migrated_db_url: str, tmp_path: Path) -> Iterator[Database]:
    settings = replace(Settings(), database_url=migrated_db_url, data_dir=tmp_path, openai_api_key="")
    database = Database(settings, migrated_db_url)
    runtime.reset(settings=settings, database=database)
    yield database
    runtime.reset()


def test_hooks_register_with_the_real_snapshot_restore_py() -> None:
    from snapshot_restore_py import get_after_restore, get_before_snapshot

    assert snapstart.register()
    assert any(entry[0] is snapstart.before_snapshot for entry in get_before_snapshot())
    assert any(entry[0] is snapstart.after_restore for entry in get_after_restore())
    snapstart.register()  # idempotent
    assert sum(entry[0] is snapstart.after_restore for entry in get_after_restore()) == 1


def test_snapshot_then_restore_closes_and_reopens_clears_caches_and_reseeds(
        db_runtime: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from aws_lambda_powertools.utilities import parameters

    # GIVEN a warm process: an open connection, a cached parameter, seeded randomness
    first = db_runtime.run(lambda conn: conn.execute("SELECT pg_backend_pid()").fetchone())
    before_conn = db_runtime._conn
    assert before_conn is not None
    cleared: list[bool] = []
    real_clear = parameters.clear_caches
    monkeypatch.setattr(parameters, "clear_caches", lambda: (cleared.append(True), real_clear())[1])
    random.seed(1234)

    # WHEN the snapshot is taken
    snapstart.before_snapshot()
    # THEN the connection is closed and the chat path was warmed (offline: the embedder object is built)
    assert before_conn.closed
    assert db_runtime._conn is None
    assert runtime.current()._chat_service is not None

    # WHEN two restored copies start from the same frozen PRNG state
    state = random.getstate()
    snapstart.after_restore()
    copy_a = [random.random() for _ in range(4)]
    session_a = uuid.uuid4()
    random.setstate(state)
    snapstart.after_restore()
    copy_b = [random.random() for _ in range(4)]
    session_b = uuid.uuid4()

    # THEN randomness differs, ids differ, caches were cleared, and the next query reconnects
    assert copy_a != copy_b
    assert session_a != session_b
    assert len(cleared) == 2
    assert db_runtime._conn is None
    second = db_runtime.run(lambda conn: conn.execute("SELECT pg_backend_pid()").fetchone())
    assert db_runtime._conn is not None
    assert db_runtime._conn is not before_conn
    assert second != first


def test_restored_copies_hand_out_different_session_ids(db_runtime: Database) -> None:
    # uuid4 reads os.urandom, never the (copied) PRNG state: two restores from one state differ.
    state = random.getstate()
    ids = []
    for _ in range(2):
        random.setstate(state)
        snapstart.after_restore()
        ids.append(str(uuid.uuid4()))
    assert ids[0] != ids[1]


def test_no_module_derives_ids_from_the_seeded_prng() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "twin"
    users = sorted(str(p.relative_to(shared)) for p in shared.rglob("*.py")
                   if any(s in p.read_text(encoding="utf-8") for s in ("import random", "from random")))
    # Upstash import jitters its retry back-off (not an id); the SnapStart hook re-seeds.
    assert users == ["aws/snapstart.py", "importers/upstash/remote.py"]
