"""Settings read from the environment.

Read once per process (``twin.runtime``) because Lambda reuses the process across warm
invocations; tests call ``twin.runtime.reset()`` after changing the environment.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any

from twin.errors import ConfigurationError

EMBEDDING_DIM = 1536
DEFAULT_TWIN = "default"


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _int(name: str, default: int) -> int:
    raw = _env(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as e:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from e


def _float(name: str, default: float) -> float:
    raw = _env(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError as e:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}") from e


def _bool(name: str, default: bool) -> bool:
    raw = _env(name).lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, got {raw!r}")


@dataclass(frozen=True)
class RateLimit:
    """``limit`` requests per ``window_s`` seconds."""

    limit: int
    window_s: int

    @classmethod
    def parse(cls, name: str, default: str) -> RateLimit:
        raw = _env(name, default)
        try:
            limit_s, window_s = raw.split("/", 1)
            limit, window = int(limit_s), int(window_s)
        except ValueError as e:
            raise ConfigurationError(f"{name} must look like LIMIT/SECONDS (e.g. 30/60), got {raw!r}") from e
        if limit < 1 or window < 1:
            raise ConfigurationError(f"{name} needs a positive limit and window, got {raw!r}")
        return cls(limit=limit, window_s=window)


def default_data_dir() -> Path:
    # platformdirs is not needed for one path: XDG on Linux, Application Support on macOS.
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "digital-twin"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "digital-twin"


def _env_field(env: str, default: Any, parse: Callable[[str, Any], Any] | None = None) -> Any:
    """A setting declared once: its default, the environment variable that overrides it, and
    how that variable is parsed (by the default's type unless ``parse`` says otherwise)."""
    return field(default=default, metadata={"env": env, "parse": parse})


def _tuple(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = _env(name)
    return tuple(part.strip() for part in raw.split(",") if part.strip()) if raw else default


def _rate(name: str, default: RateLimit) -> RateLimit:
    return RateLimit.parse(name, f"{default.limit}/{default.window_s}")


def _path(name: str, default: Path) -> Path:
    raw = _env(name)
    return Path(raw).expanduser() if raw else default


@dataclass(frozen=True)
class Settings:
    """Every setting, its default and its environment variable, in one place (template.yaml passes
    the same variable names; tests build ``Settings(...)`` directly)."""

    database_url: str = _env_field("DATABASE_URL", "")
    database_secret_arn: str = _env_field("DATABASE_SECRET_ARN", "")
    data_dir: Path = field(default_factory=default_data_dir, metadata={"env": "TWIN_DATA_DIR", "parse": _path})
    # Behind RDS Proxy / PgBouncer (transaction pooling) server-side prepared statements break.
    db_behind_pooler: bool = _env_field("TWIN_DB_BEHIND_POOLER", False)
    db_connect_timeout_s: int = _env_field("TWIN_DB_CONNECT_TIMEOUT_S", 5)
    db_statement_timeout_ms: int = _env_field("TWIN_DB_STATEMENT_TIMEOUT_MS", 15_000)
    db_application_name: str = _env_field("TWIN_DB_APPLICATION_NAME", "digital-twin")

    openai_api_key: str = _env_field("OPENAI_API_KEY", "")
    openai_api_key_secret_arn: str = _env_field("OPENAI_API_KEY_SECRET_ARN", "")
    openai_api_key_parameter: str = _env_field("OPENAI_API_KEY_PARAMETER", "")
    openai_base_url: str = _env_field("OPENAI_BASE_URL", "")
    # auto | openai | minilm | hashing (twin.embeddings.selection explains the order).
    embedder: str = _env_field("TWIN_EMBEDDER", "auto")
    embedding_model: str = _env_field("TWIN_EMBEDDING_MODEL", "text-embedding-3-small")
    # The model's vector size when it is not 1536 (768 for Ollama's nomic-embed-text); 0: the model's default.
    embedding_dim: int = _env_field("TWIN_EMBEDDING_DIM", 0)
    chat_model: str = _env_field("TWIN_CHAT_MODEL", "gpt-4.1-mini")
    openai_timeout_s: float = _env_field("TWIN_OPENAI_TIMEOUT_S", 20.0)
    openai_max_retries: int = _env_field("TWIN_OPENAI_MAX_RETRIES", 3)
    embed_batch_size: int = _env_field("TWIN_EMBED_BATCH_SIZE", 128)
    max_answer_tokens: int = _env_field("TWIN_MAX_ANSWER_TOKENS", 600)

    default_twin: str = _env_field("TWIN_DEFAULT_TWIN", DEFAULT_TWIN)
    chat_requires_key: bool = _env_field("TWIN_CHAT_REQUIRES_KEY", False)
    # RateLimit is frozen, so one shared default instance is safe.
    chat_rate_limit: RateLimit = _env_field("TWIN_CHAT_RATE_LIMIT", RateLimit(30, 60), _rate)  # noqa: RUF009
    ingest_rate_limit: RateLimit = _env_field("TWIN_INGEST_RATE_LIMIT", RateLimit(60, 60), _rate)  # noqa: RUF009
    daily_token_budget: int = _env_field("TWIN_DAILY_TOKEN_BUDGET", 200_000)
    cache_ttl_s: int = _env_field("TWIN_CACHE_TTL_S", 3600)
    session_ttl_s: int = _env_field("TWIN_SESSION_TTL_S", 86_400)
    history_turns: int = _env_field("TWIN_HISTORY_TURNS", 6)
    ingest_metadata_ttl_s: int = _env_field("TWIN_INGEST_METADATA_TTL_S", 30 * 86_400)
    search_k: int = _env_field("TWIN_SEARCH_K", 5)
    # Without a model the answer is quoted from the best sentences of this many chunks (at least
    # search_k): on the three tests/quality people 8 lifted the fact rate 0.68-0.71 -> 0.75-0.80 and
    # 12 added nothing. Sources still list the top search_k, plus any further chunk the answer cites.
    offline_search_k: int = _env_field("TWIN_OFFLINE_SEARCH_K", 8)
    min_relevance: float = _env_field("TWIN_MIN_RELEVANCE", 0.25)
    # The offline embedder only matches shared words: right chunks score 0.12-0.47, unrelated
    # ones within +-0.05 (measured in tests/test_embeddings.py), so its floor sits lower.
    offline_min_relevance: float = _env_field("TWIN_OFFLINE_MIN_RELEVANCE", 0.08)
    hnsw_ef_search: int = _env_field("TWIN_HNSW_EF_SEARCH", 100)
    # Origins allowed to call the API from a browser (the widget on a personal site); none by default.
    cors_origins: tuple[str, ...] = _env_field("TWIN_CORS_ORIGINS", (), _tuple)
    # Whether POST /api/chat/stream is served where the page is (false behind Mangum, which buffers).
    streaming: bool = _env_field("TWIN_STREAMING", True)
    # Proxies whose X-Forwarded-For the local server believes; none by default (see `twin serve`).
    forwarded_allow_ips: tuple[str, ...] = _env_field("TWIN_FORWARDED_ALLOW_IPS", (), _tuple)

    @property
    def uses_openai(self) -> bool:
        return bool(self.openai_api_key or self.openai_api_key_secret_arn or self.openai_api_key_parameter)


_PARSERS: dict[type, Callable[[str, Any], Any]] = {bool: _bool, int: _int, float: _float, str: _env}


def load_settings() -> Settings:
    values: dict[str, Any] = {}
    for f in fields(Settings):
        env = f.metadata["env"]
        default = f.default if f.default is not MISSING else f.default_factory()  # type: ignore[operator]
        parse = f.metadata.get("parse") or _PARSERS[type(default)]
        values[f.name] = parse(env, default)
    return Settings(**values)
