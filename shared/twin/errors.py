"""Domain exceptions.

Every error a client can cause is a ``TwinError`` with a stable ``code`` and an HTTP
``status``; the HTTP edge maps them by type, never by message text.
"""

from __future__ import annotations


class TwinError(Exception):
    code: str = "internal_error"
    status: int = 500

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        details: dict[str, object] | None = None,
        private_detail: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        # For logs and the operator's terminal only, never a response: hosts, paths, driver messages.
        self.private_detail = private_detail
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.details = details or {}

    def to_dict(self) -> dict[str, object]:
        return error_body(self.code, self.message, self.details)


def error_body(code: str, message: str, details: dict[str, object] | None = None) -> dict[str, object]:
    """The one error envelope every client sees: ``{"error": {"code", "message"[, "details"]}}``."""
    body: dict[str, object] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


class InvalidRequest(TwinError):
    code = "invalid_request"
    status = 400


class PayloadTooLarge(TwinError):
    code = "payload_too_large"
    status = 413


class Unauthorized(TwinError):
    code = "unauthorized"
    status = 401


class Forbidden(TwinError):
    code = "forbidden"
    status = 403


class NotFound(TwinError):
    code = "not_found"
    status = 404


class Conflict(TwinError):
    code = "conflict"
    status = 409


class EmbedderMismatch(Conflict):
    """A twin's stored vectors come from another embedder than the one configured."""

    code = "embedder_mismatch"


class DimensionMismatch(TwinError):
    """A vector's length does not match the schema's ``vector(1536)`` column."""

    code = "dimension_mismatch"
    status = 422


class RateLimited(TwinError):
    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int, headers: dict[str, str] | None = None,
                 code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
        self.headers = headers or {}


class UpstreamError(TwinError):
    """The model provider failed after bounded retries."""

    code = "upstream_error"
    status = 502


class UpstreamTimeout(UpstreamError):
    code = "upstream_timeout"
    status = 504


class ConfigurationError(TwinError):
    code = "configuration_error"
    status = 500


class DatabaseUnavailable(TwinError):
    code = "database_unavailable"
    status = 503


class MigrationError(TwinError):
    code = "migration_failed"
    status = 500
