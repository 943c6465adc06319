"""The shapes of a chat: the question a visitor sends and the answer they get back.

Declared once as Pydantic models: FastAPI documents them, ``parse_chat_request`` validates
with them and maps every failure to the stable ``error.code`` clients rely on.
"""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

from twin.errors import InvalidRequest, PayloadTooLarge
from twin.validation import check_text, validate_model, validate_twin_id

MAX_MESSAGE_CHARS = 4000
MAX_FILTER_KEYS = 10


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


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


class ChatRequest(BaseModel):
    """A visitor's question. ``session_id`` continues a conversation; follow-ups use its history."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    message: StrictStr = Field(description=f"the question, at most {MAX_MESSAGE_CHARS} characters")
    session_id: uuid.UUID | None = Field(None, description="from an earlier answer, to ask a follow-up")
    twin_id: StrictStr | None = Field(None, description="defaults to the server's default twin (or the key's)")
    filters: dict[str, Any] = Field(default_factory=dict,
                                    description="metadata field -> value (containment match on chunks)")

    @field_validator("message")
    @classmethod
    def _message(cls, value: str) -> str:
        # The HTTP body is checked whole before this (twin.validation.read_json_body); a question
        # from a questions file or a caller in-process is checked here, so none reaches SQL with a NUL.
        value = check_text(value, "message").strip()
        if not value:
            raise InvalidRequest("message must be a non-empty string", code="empty_message")
        if len(value) > MAX_MESSAGE_CHARS:
            raise PayloadTooLarge(f"message is {len(value)} characters; the limit is {MAX_MESSAGE_CHARS}",
                                  code="message_too_long")
        return value

    @field_validator("twin_id")
    @classmethod
    def _twin_id(cls, value: str | None) -> str | None:
        return validate_twin_id(value) if value is not None else None

    @field_validator("filters", mode="before")
    @classmethod
    def _filters(cls, value: Any) -> dict[str, Any]:
        return validate_filters(value)


_CODES = {"message": "invalid_message_type", "session_id": "invalid_session_id", "twin_id": "invalid_twin_id",
          "filters": "invalid_filters"}
_MISSING = {"message": "empty_message"}


def parse_chat_request(payload: Any) -> ChatRequest:
    return validate_model(ChatRequest, payload, codes=_CODES, missing_codes=_MISSING)


class Source(BaseModel):
    number: int = Field(description="the n of the [n] citations in the answer")
    document_id: str
    title: str | None
    chunk_id: str
    score: float = Field(description="fused retrieval score: orders the sources, not a probability")
    similarity: float | None = Field(None, description="cosine similarity to the question (0-1), when the "
                                     "passage came from the vector side")
    snippet: str


class Usage(BaseModel):
    prompt_tokens: int
    completion_tokens: int
    embedding_tokens: int


class ChatAnswer(BaseModel):
    answer: str
    sources: list[Source]
    session_id: str
    mode: str = Field(description="offline (extractive, no model) or openai")
    cached: bool
    answered: bool = Field(description="false when the notes held nothing relevant (the answer says so)")
    usage: Usage | None = None
