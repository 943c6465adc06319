"""OpenAI client construction, API-key resolution and error mapping shared by embeddings and chat.

``openai`` and ``aws_lambda_powertools`` are imported inside functions: offline mode (no key)
must not pay their import cost on a Lambda cold start.
"""

from __future__ import annotations

import contextlib
import json
import threading
from typing import TYPE_CHECKING, Any, cast

from twin.config import Settings
from twin.errors import ConfigurationError, InvalidRequest, TwinError, UpstreamError, UpstreamTimeout

if TYPE_CHECKING:
    import openai
    from openai import OpenAI

# Powertools caches the fetched value this long, so the embedder and the chat model (each resolving
# the key when built) cost one AWS call per process. Built clients keep their key: a rotated key
# reaches a warm process only after twin.runtime.reset() or a new process.
KEY_CACHE_S = 300
_SECRET_JSON_KEYS = ("OPENAI_API_KEY", "api_key")


def resolve_openai_api_key(settings: Settings) -> str:
    """The OpenAI key from settings, Secrets Manager or SSM (in that order); ``""`` when none."""
    if settings.openai_api_key:
        return settings.openai_api_key
    if settings.openai_api_key_secret_arn:
        return _key_from_secret(settings.openai_api_key_secret_arn)
    if settings.openai_api_key_parameter:
        return _key_from_parameter(settings.openai_api_key_parameter)
    return ""


def _key_from_secret(arn: str) -> str:
    from aws_lambda_powertools.utilities import parameters
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError, GetSecretError

    try:
        raw = parameters.get_secret(arn, max_age=KEY_CACHE_S)
    except (GetParameterError, GetSecretError) as e:  # powertools wraps every boto failure
        raise ConfigurationError(f"could not read the OpenAI key from secret {arn}: {e}") from e
    return _key_from_secret_value(raw, arn)


def _key_from_secret_value(raw: object, arn: str) -> str:
    text = raw.decode() if isinstance(raw, bytes) else raw
    if isinstance(text, dict):
        return _key_from_mapping(text, arn)
    if not isinstance(text, str):
        raise ConfigurationError(f"secret {arn} has an unexpected value type {type(text).__name__}")
    text = text.strip()
    if text.startswith("{"):
        try:
            parsed = json.loads(text)
        except ValueError as e:
            raise ConfigurationError(f"secret {arn} looks like JSON but does not parse") from e
        if isinstance(parsed, dict):
            return _key_from_mapping(parsed, arn)
    return text


def _key_from_mapping(mapping: dict[object, object], arn: str) -> str:
    for name in _SECRET_JSON_KEYS:
        value = mapping.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    expected = " or ".join(_SECRET_JSON_KEYS)
    raise ConfigurationError(f"secret {arn} is JSON without a non-empty {expected} field")


def _key_from_parameter(name: str) -> str:
    from aws_lambda_powertools.utilities import parameters
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError

    try:
        value = parameters.get_parameter(name, decrypt=True, max_age=KEY_CACHE_S)
    except GetParameterError as e:  # powertools wraps every boto failure
        raise ConfigurationError(f"could not read the OpenAI key from SSM parameter {name}: {e}") from e
    return value.strip() if isinstance(value, str) else ""


def make_openai_client(settings: Settings, api_key: str | None = None) -> OpenAI:
    """An ``OpenAI`` client whose built-in retries (Retry-After aware) are bounded by settings.

    What is returned builds the real client on first use and is shared by every caller with
    the same key and settings (the embedder and the chat model): importing ``openai`` (~1 s
    here) and building its httpx client (SSL context, ~100 ms) are paid once, and only by a
    request that calls the model; a cached answer or a health check pays neither.
    """
    key = api_key if api_key is not None else resolve_openai_api_key(settings)
    if not key:
        raise ConfigurationError("no OpenAI API key is configured (OPENAI_API_KEY or its secret/parameter)")
    options = (key, settings.openai_base_url or None, settings.openai_timeout_s, settings.openai_max_retries)
    return cast("OpenAI", _LazyClient(options))


_ClientOptions = tuple[str, "str | None", float, int]
_clients: dict[_ClientOptions, OpenAI] = {}
_clients_lock = threading.Lock()


def _shared_client(options: _ClientOptions) -> OpenAI:
    client = _clients.get(options)
    if client is None:
        with _clients_lock:
            client = _clients.get(options)
            if client is None:
                from openai import OpenAI

                key, base_url, timeout, max_retries = options
                client = OpenAI(api_key=key, base_url=base_url, timeout=timeout, max_retries=max_retries)
                _clients[options] = client
    return client


def clear_clients() -> None:
    """Forget the shared clients (a SnapStart restore: their connection pools are copies)."""
    with _clients_lock:
        old = list(_clients.values())
        _clients.clear()
    for client in old:
        # A dead pool from a snapshot may fail to close; it is dropped anyway.
        with contextlib.suppress(Exception):
            client.close()


class _LazyClient:
    """Stands in for ``OpenAI``: attribute access builds (or reuses) the shared client."""

    __slots__ = ("_options",)

    def __init__(self, options: _ClientOptions) -> None:
        self._options = options

    def __getattr__(self, name: str) -> Any:
        return getattr(_shared_client(self._options), name)

    def __repr__(self) -> str:
        return f"<lazy OpenAI client base_url={self._options[1]!r}>"


def _attempts(error: object, settings: Settings) -> int:
    # The SDK stamps each attempt with its retry number, so the failing request tells us how many
    # attempts were really made (fewer than the maximum when, e.g., Retry-After was too long).
    request = getattr(error, "request", None)
    raw = request.headers.get("x-stainless-retry-count") if request is not None else None
    try:
        return int(raw) + 1 if raw is not None else settings.openai_max_retries + 1
    except ValueError:
        return settings.openai_max_retries + 1


def _attempts_text(attempts: int) -> str:
    return "1 attempt" if attempts == 1 else f"{attempts} attempts"


def map_openai_error(error: Exception, *, what: str, model: str, settings: Settings) -> TwinError:
    """Translate a final ``openai`` failure into a domain error.

    Provider messages are never copied: a 401 message echoes part of the API key.
    """
    import openai

    attempts = _attempts(error, settings)
    tries = _attempts_text(attempts)
    if isinstance(error, openai.APITimeoutError):
        return UpstreamTimeout(
            f"{what} request timed out after {tries} "
            f"({settings.openai_timeout_s:g}s each, model {model})",
            details={"attempts": attempts},
        )
    if isinstance(error, openai.APIConnectionError):
        return UpstreamError(
            f"{what} request could not reach the model provider after {tries}",
            details={"attempts": attempts},
        )
    if isinstance(error, openai.APIStatusError):
        return _map_status_error(error, what=what, model=model, tries=tries)
    return UpstreamError(f"{what} request failed: {type(error).__name__}")


def _map_status_error(error: openai.APIStatusError, *, what: str, model: str, tries: str) -> TwinError:
    status = error.status_code
    details: dict[str, object] = {"provider_status": status}
    if error.request_id:
        details["provider_request_id"] = error.request_id
    if error.code:
        details["provider_code"] = error.code
    if status == 401:
        return ConfigurationError(
            "OPENAI_API_KEY was rejected by the model provider (HTTP 401)", details=details
        )
    if status in (403, 404):
        # Project without access to the model, or a misspelt model name: an operator must act.
        return ConfigurationError(
            f"the model provider refused {what} model {model!r} (HTTP {status})", details=details
        )
    if status in (400, 422):
        return InvalidRequest(
            f"the model provider rejected the {what} request (HTTP {status})", details=details
        )
    if status == 429:
        return UpstreamError(
            f"{what} request was rate limited by the model provider (HTTP 429) after {tries}",
            details=details,
        )
    return UpstreamError(
        f"{what} request failed at the model provider (HTTP {status}) after {tries}",
        details=details,
    )
