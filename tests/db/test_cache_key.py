"""The answer-cache key is built in Python (twin.chat.cache) and looked up in SQL (chat.twin_with_cached_answer):
the two must agree, or every cached answer would silently miss."""

from __future__ import annotations

import json
from typing import Any

import psycopg

from twin.access.twins import set_profile
from twin.chat import cache
from twin.storage.sqlfile import query


def test_sql_lookup_finds_the_answer_stored_under_the_python_key(conn: psycopg.Connection[Any], twin_id: str) -> None:
    profile = set_profile(conn, twin_id=twin_id, display_name="Ada", persona="")
    question = cache.question_key(question="Where did you study?", filters={}, mode="offline", model="m")
    cache.put(conn, cache.answer_key(twin_id, profile.content_version, question),
              json.dumps({"answer": "In Edinburgh.", "sources": []}), ttl_s=60, twin_id=twin_id)

    row = conn.execute(query("chat.twin_with_cached_answer"), {"twin_id": twin_id, "question_key": question}).fetchone()

    assert row is not None
    assert json.loads(row[-1])["answer"] == "In Edinburgh."
