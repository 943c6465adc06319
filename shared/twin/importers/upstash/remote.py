"""The official Upstash SDK clients, wrapped with bounded retries and errors a user can act on.

The SDKs raise only the error text of a response body (``UpstashError("Unauthorized...")``) or,
for a pipeline answered with a whole-request error, an ``AttributeError`` from iterating over
the error object; neither says which HTTP status came back. So each client's ``httpx.Client``
gets a response hook that remembers the last status and ``Retry-After``: 401/403 stop at once
(retrying a bad token only burns quota), 429 and 5xx and transport failures are retried with
exponential backoff, and only then is a domain error raised. The SDKs' own retry loops (which
sleep a fixed 1-3 s and retry only transport errors) are switched off so one policy, with a
configurable base, governs every call; tests run it with millisecond sleeps.

Messages name the service and host, never the token (server messages are redacted too).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from twin.errors import ConfigurationError, TwinError, UpstreamError

logger = logging.getLogger(__name__)

T = TypeVar("T")

VECTOR_ENV = ("UPSTASH_VECTOR_REST_URL", "UPSTASH_VECTOR_REST_TOKEN")
REDIS_ENV = ("UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN")

_AUTH_HINTS = ("unauthorized", "wrongpass", "invalid auth token", "invalid or missing auth token", "noperm")
_RATE_HINTS = ("max requests limit", "too many requests", "rate limit", "max daily request limit")


@dataclass(frozen=True)
class RetryPolicy:
    """``attempts`` tries per request; waits ``base_s * 2**n`` (jittered, at most ``max_s``),
    or the server's Retry-After when that is longer (still capped at ``max_s``)."""

    attempts: int = 6
    base_s: float = 0.5
    max_s: float = 30.0
    timeout_s: float = 60.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = min(self.max_s, self.base_s * (2.0 ** attempt))
        jittered = backoff * (0.5 + random.random() / 2)
        if retry_after is not None:
            return min(self.max_s, max(jittered, retry_after))
        return jittered


class _ResponseProbe:
    """Remembers the last HTTP response's status and Retry-After (an httpx response hook)."""

    def __init__(self) -> None:
        self.status: int | None = None
        self.retry_after: float | None = None

    def reset(self) -> None:
        self.status = None
        self.retry_after = None

    def __call__(self, response: httpx.Response) -> None:
        self.status = response.status_code
        raw = response.headers.get("retry-after")
        try:
            self.retry_after = float(raw) if raw is not None else None
        except ValueError:
            self.retry_after = None  # an HTTP date: fall back to our own backoff


@dataclass(frozen=True)
class _Failure:
    error: TwinError
    retryable: bool


class UpstashService:
    """One Upstash endpoint (Vector or Redis): runs SDK calls under the retry policy."""

    def __init__(self, *, name: str, url: str, token: str, flags: tuple[str, str], env: tuple[str, str],
                 policy: RetryPolicy, sleep: Callable[[float], None] = time.sleep) -> None:
        self.name = name
        self.url = url
        self.host = urlsplit(url).hostname or url
        self._token = token
        self._flags = flags
        self._env = env
        self.policy = policy
        self._sleep = sleep
        self.probe = _ResponseProbe()

    def attach(self, http_client: object) -> None:
        """Hook the SDK's httpx client (a private attribute: without it, errors are classified
        from their text alone, which still works for the documented Upstash messages)."""
        if isinstance(http_client, httpx.Client):
            http_client.event_hooks["response"].append(self.probe)
            # upstash-redis never times out and upstash-vector waits 10 minutes: a host that
            # accepts the connection and then hangs must not stall the import for that long.
            http_client.timeout = httpx.Timeout(self.policy.timeout_s, connect=min(10.0, self.policy.timeout_s))
        else:
            logger.debug("%s client has no httpx.Client to hook; classifying errors by text", self.name)

    def call(self, what: str, fn: Callable[[], T]) -> T:
        attempts = max(1, self.policy.attempts)
        for attempt in range(attempts):
            self.probe.reset()
            try:
                return fn()
            # The SDKs raise httpx, JSON, attribute and their own errors: all are classified.
            except Exception as e:
                failure = self._classify(e, what=what, attempts=attempt + 1)
                if not failure.retryable or attempt == attempts - 1:
                    raise failure.error from e
                wait = self.policy.delay(attempt, self.probe.retry_after)
                logger.info("%s %s failed (%s); retry %d/%d in %.2fs", self.name, what,
                            failure.error.code, attempt + 1, attempts - 1, wait)
                self._sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    # -- classification ------------------------------------------------------------------------

    def _redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    def _classify(self, e: Exception, *, what: str, attempts: int) -> _Failure:
        status = self.probe.status
        text = self._redact(str(e)).strip()
        lowered = text.lower()
        where = f"{self.name} at {self.host}"
        details: dict[str, object] = {"service": self.name, "host": self.host, "operation": what,
                                      "attempts": attempts}
        if status is not None:
            details["http_status"] = status

        if isinstance(e, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
            return _Failure(ConfigurationError(
                f"{self.name} URL {self.url!r} is not a valid https:// URL; check {self._flags[0]} "
                f"or {self._env[0]}", code="upstash_bad_url", details=details), retryable=False)
        if status in (401, 403) or any(h in lowered for h in _AUTH_HINTS):
            return _Failure(ConfigurationError(
                f"{where} rejected the token (HTTP {status or 401}): check {self._flags[1]} or {self._env[1]} "
                f"(copy the REST token from the Upstash console)", code="upstash_unauthorized",
                details=details), retryable=False)
        if status == 429 or any(h in lowered for h in _RATE_HINTS):
            return _Failure(UpstreamError(
                f"{where} is rate limiting requests (HTTP 429) and still was after {attempts} attempts "
                f"with backoff", code="upstash_rate_limited", details=details), retryable=True)
        if isinstance(e, httpx.TransportError):
            return _Failure(UpstreamError(
                f"cannot reach {where}: {type(e).__name__}{': ' + text if text else ''} "
                f"(after {attempts} attempts)", code="upstash_unreachable", details=details), retryable=True)
        if status is not None and status >= 500:
            return _Failure(UpstreamError(
                f"{where} failed with HTTP {status} after {attempts} attempts", code="upstash_unavailable",
                details=details), retryable=True)
        if "wrongtype" in lowered:
            # A key changed type between TYPE and GET/LRANGE: reading the page again settles it.
            return _Failure(UpstreamError(f"{where}: keys kept changing type while being read ({text})",
                                          code="upstash_error", details=details), retryable=True)
        if isinstance(e, json.JSONDecodeError):
            return _Failure(UpstreamError(
                f"{where} answered {what} with something that is not JSON (HTTP {status}); is the URL the "
                f"REST URL from the Upstash console?", code="upstash_bad_response", details=details),
                retryable=status is None or status >= 500)
        if status is not None and status >= 400:
            return _Failure(UpstreamError(f"{where} refused {what} (HTTP {status}): {text}",
                                          code="upstash_error", details=details), retryable=False)
        return _Failure(UpstreamError(f"{where}: {what} failed: {type(e).__name__}: {text}",
                                      code="upstash_error", details=details), retryable=False)


def vector_service(url: str, token: str, policy: RetryPolicy) -> tuple[Any, UpstashService]:
    """An ``upstash_vector.Index`` and the service that runs its calls."""
    try:
        from upstash_vector import Index
    except ModuleNotFoundError as e:  # pragma: no cover - the `upstash` extra is not installed
        raise ConfigurationError("the Upstash import needs the upstash extra: pip install 'digital-twin[upstash]'",
                                 code="missing_dependency") from e
    service = UpstashService(name="Upstash Vector", url=url, token=token,
                             flags=("--vector-url", "--vector-token"), env=VECTOR_ENV, policy=policy)
    index = Index(url=url.rstrip("/"), token=token, retries=0, retry_interval=0, allow_telemetry=False)
    service.attach(getattr(index, "_client", None))
    return index, service


def redis_service(url: str, token: str, policy: RetryPolicy) -> tuple[Any, UpstashService]:
    """An ``upstash_redis.Redis`` and the service that runs its calls."""
    try:
        from upstash_redis import Redis
    except ModuleNotFoundError as e:  # pragma: no cover
        raise ConfigurationError("the Upstash import needs the upstash extra: pip install 'digital-twin[upstash]'",
                                 code="missing_dependency") from e
    service = UpstashService(name="Upstash Redis", url=url, token=token,
                             flags=("--redis-url", "--redis-token"), env=REDIS_ENV, policy=policy)
    client = Redis(url.rstrip("/"), token, rest_retries=0, rest_retry_interval=0, allow_telemetry=False,
                   read_your_writes=False)
    service.attach(getattr(getattr(client, "_http", None), "_client", None))
    return client, service
