"""What the OpenAPI document says about errors: one model for the envelope, one entry per status."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorDetail(BaseModel):
    code: str = Field(description="stable, machine-readable; clients branch on it")
    message: str = Field(description="for people; may change")
    details: dict[str, Any] | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


_MEANING = {
    400: "invalid request (invalid_json, invalid_request, empty_message, invalid_twin_id, ...)",
    401: "missing or invalid API key (missing_api_key, invalid_api_key)",
    403: "the key lacks the scope or belongs to another twin (insufficient_scope, wrong_twin)",
    404: "unknown twin, session or document (twin_not_found, session_not_found, document_not_found)",
    409: "the twin holds vectors of another embedder (embedder_mismatch)",
    413: "body, document or message too large (payload_too_large, too_many_documents, message_too_long)",
    422: "a vector of the wrong size (dimension_mismatch)",
    429: "rate limit or daily token budget spent (rate_limited, token_budget_exceeded); see Retry-After",
    502: "the model provider failed (upstream_error)",
    503: "the database is unreachable (database_unavailable)",
    504: "the model provider timed out (upstream_timeout)",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorResponse, "description": _MEANING[status]} for status in statuses}


def json_request_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` declaring ``model`` as the JSON body: the route reads the body itself
    (tolerant of a missing content type and base64 events), so FastAPI cannot infer it."""
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}
