"""The chat request's own checks, which hold for callers that bypass the HTTP body check."""

from __future__ import annotations

import pytest

from twin.chat.schemas import ChatRequest
from twin.errors import InvalidRequest


@pytest.mark.parametrize("message", ["Where \x00 do you work?", "lone \ud800 surrogate"])
def test_a_message_postgresql_cannot_store_is_refused_before_any_query(message: str) -> None:
    # `twin eval` reads questions from a file and asks them in-process: a NUL there once reached
    # the session insert and failed as a database error.
    with pytest.raises(InvalidRequest) as refused:
        ChatRequest(message=message)
    assert refused.value.code == "invalid_text"


def test_a_message_is_stripped_and_kept() -> None:
    assert ChatRequest(message="  Where do you work?  ").message == "Where do you work?"
