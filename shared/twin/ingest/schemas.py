"""What an ingest is made of: the service's ``DocumentInput`` and the HTTP request and response shapes.

The Pydantic models are the one declaration of the HTTP shapes: FastAPI documents them and
``parse_ingest_request`` validates with them, mapping every failure to a stable ``error.code``.
``DocumentInput`` is what loaders, the Upstash importer and the API hand to the service: a plain
frozen dataclass, so a 20k-document bulk load pays no validation it already did.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr, field_validator

from twin.errors import InvalidRequest, PayloadTooLarge
from twin.validation import require_object, validate_model, validate_twin_id

MAX_DOCUMENTS = 100
MAX_DOCUMENT_CHARS = 1_000_000
MAX_TITLE_CHARS = 500
MAX_ID_CHARS = 200
MAX_SOURCE_CHARS = 2000
MAX_METADATA_BYTES = 16_000
# Content must hold something a reader could search for: "#" or a zero-width space is not a document.
_SEARCHABLE = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class DocumentInput:
    content: str
    id: str | None = None
    title: str | None = None
    source: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


def _clip(value: str | None, name: str, limit: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if len(value) > limit:
        raise InvalidRequest(f"{name} is {len(value)} characters; the limit is {limit}")
    return value or None


class DocumentIn(BaseModel):
    """One document to add or update. Without ``id`` the id is derived from the content."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    content: StrictStr = Field(description=f"the text; at most {MAX_DOCUMENT_CHARS} characters")
    id: StrictStr | None = Field(None, description=f"stable id (at most {MAX_ID_CHARS} characters); "
                                 "re-sending an id updates that document")
    title: StrictStr | None = Field(None, max_length=MAX_TITLE_CHARS * 4)
    source: StrictStr | None = None
    metadata: dict[str, Any] | None = Field(None, description="kept on every chunk; filterable in chat")

    @field_validator("content")
    @classmethod
    def _content(cls, value: str) -> str:
        if len(value) > MAX_DOCUMENT_CHARS:
            raise PayloadTooLarge(f"content is {len(value)} characters; the limit is {MAX_DOCUMENT_CHARS}")
        if not _SEARCHABLE.search(value):
            raise InvalidRequest("content is empty (no letter or digit)", code="empty_document")
        return value

    @field_validator("id")
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        return _clip(value, "id", MAX_ID_CHARS)

    @field_validator("title")
    @classmethod
    def _title(cls, value: str | None) -> str | None:
        return _clip(value, "title", MAX_TITLE_CHARS)

    @field_validator("source")
    @classmethod
    def _source(cls, value: str | None) -> str | None:
        return _clip(value, "source", MAX_SOURCE_CHARS)

    @field_validator("metadata")
    @classmethod
    def _metadata(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None and len(json.dumps(value)) > MAX_METADATA_BYTES:
            raise InvalidRequest(f"metadata is larger than {MAX_METADATA_BYTES} bytes of JSON")
        return value

    def as_input(self) -> DocumentInput:
        return DocumentInput(content=self.content, id=self.id, title=self.title, source=self.source,
                             metadata=dict(self.metadata or {}))


class IngestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[DocumentIn] = Field(min_length=1, max_length=MAX_DOCUMENTS)
    twin_id: StrictStr | None = Field(None, description="defaults to the API key's twin")


class DocumentOutcome(BaseModel):
    id: str
    chunks: int
    status: str = Field(description="created, updated or unchanged")


class EmbeddingUsage(BaseModel):
    embedding_tokens: int


class IngestResponse(BaseModel):
    ingestion_id: str
    twin_id: str
    embedder: str = Field(description="the embedder whose vectors the twin holds")
    mode: str = Field(description="offline or openai")
    documents: list[DocumentOutcome]
    embedded_chunks: int
    usage: EmbeddingUsage


_DOCUMENT_CODES = {"content": "invalid_document"}


@dataclass(frozen=True)
class ParsedIngest:
    documents: list[DocumentInput]
    twin_id: str | None


def parse_ingest_request(payload: Any) -> ParsedIngest:
    """Validate an ingest body document by document, so each error names its ``documents[i]``."""
    body = require_object(payload)
    unknown = sorted(set(body) - set(IngestRequest.model_fields))
    if unknown:
        raise InvalidRequest(f"request body: unknown field {', '.join(unknown)}; allowed: documents, twin_id")
    raw = body.get("documents")
    if raw is None:
        raise InvalidRequest("request body needs a 'documents' array")
    if not isinstance(raw, list):
        raise InvalidRequest("documents must be an array")
    if not raw:
        raise InvalidRequest("documents is empty; send at least one document")
    if len(raw) > MAX_DOCUMENTS:
        raise PayloadTooLarge(f"{len(raw)} documents in one request; the limit is {MAX_DOCUMENTS}",
                              code="too_many_documents")
    documents = [validate_model(DocumentIn, item, where=f"documents[{i}]", codes=_DOCUMENT_CODES,
                                missing_codes=_DOCUMENT_CODES).as_input() for i, item in enumerate(raw)]
    seen: dict[str, int] = {}
    for i, doc in enumerate(documents):
        if doc.id is None:
            continue
        if doc.id in seen:
            raise InvalidRequest(f"documents[{i}].id {doc.id!r} repeats documents[{seen[doc.id]}].id",
                                 code="duplicate_document_id")
        seen[doc.id] = i
    twin_id = body.get("twin_id")
    return ParsedIngest(documents=documents,
                        twin_id=validate_twin_id(twin_id) if twin_id is not None else None)
