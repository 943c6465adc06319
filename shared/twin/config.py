"""Settings read from the environment.

Read once per process (``twin.runtime``) because Lambda reuses the process across warm
invocations; tests call ``twin.runtime.reset()`` after changing the environment.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

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


@dataclass(frozen=True)
class Settings:
    database_url: str = ""
    database_secret_arn: str = ""
    data_dir: Path = field(default_factory=default_data_dir)
    # Behind RDS Proxy / PgBouncer (transaction pooling) server-side prepared statements break.
    db_behind_pooler: bool = False
    db_connect_timeout_s: int = 5
    db_statement_timeout_ms: int = 15_000
    db_application_name: str = "digital-twin"

    openai_api_key: str = ""
    openai_api_key_secret_arn: str = ""
    openai_api_key_parameter: str = ""
    openai_base_url: str = ""
    embedding_model: str = "text-embedding-3-small"
    chat_model: str = "gpt-4.1-mini"
    openai_timeout_s: float = 20.0
    openai_max_retries: int = 3
    embed_batch_size: int = 128
    max_answer_tokens: int = 600

    default_twin: str = DEFAULT_TWIN
    chat_requires_key: bool = False
    chat_rate_limit: RateLimit = RateLimit(30, 60)
    ingest_rate_limit: RateLimit = RateLimit(60, 60)
    daily_token_budget: int = 200_000
    cache_ttl_s: int = 3600
    session_ttl_s: int = 86_400
    history_turns: int = 6
    ingest_metadata_ttl_s: int = 30 * 86_400
    search_k: int = 5
    min_relevance: float = 0.25
    # The offline embedder only matches shared words: right chunks score 0.12-0.47, unrelated
    # ones within +-0.05 (measured in tests/test_embeddings.py), so its floor sits lower.
    offline_min_relevance: float = 0.08
    hnsw_ef_search: int = 100

    @property
    def uses_openai(self) -> bool:
        return bool(self.openai_api_key or self.openai_api_key_secret_arn or self.openai_api_key_parameter)


def load_settings() -> Settings:
    return Settings(
        database_url=_env("DATABASE_URL"),
        database_secret_arn=_env("DATABASE_SECRET_ARN"),
        data_dir=Path(_env("TWIN_DATA_DIR")).expanduser() if _env("TWIN_DATA_DIR") else default_data_dir(),
        db_behind_pooler=_bool("TWIN_DB_BEHIND_POOLER", False),
        db_connect_timeout_s=_int("TWIN_DB_CONNECT_TIMEOUT_S", 5),
        db_statement_timeout_ms=_int("TWIN_DB_STATEMENT_TIMEOUT_MS", 15_000),
        db_application_name=_env("TWIN_DB_APPLICATION_NAME", "digital-twin"),
        openai_api_key=_env("OPENAI_API_KEY"),
        openai_api_key_secret_arn=_env("OPENAI_API_KEY_SECRET_ARN"),
        openai_api_key_parameter=_env("OPENAI_API_KEY_PARAMETER"),
        openai_base_url=_env("OPENAI_BASE_URL"),
        embedding_model=_env("TWIN_EMBEDDING_MODEL", "text-embedding-3-small"),
        chat_model=_env("TWIN_CHAT_MODEL", "gpt-4.1-mini"),
        openai_timeout_s=_float("TWIN_OPENAI_TIMEOUT_S", 20.0),
        openai_max_retries=_int("TWIN_OPENAI_MAX_RETRIES", 3),
        embed_batch_size=_int("TWIN_EMBED_BATCH_SIZE", 128),
        max_answer_tokens=_int("TWIN_MAX_ANSWER_TOKENS", 600),
        default_twin=_env("TWIN_DEFAULT_TWIN", DEFAULT_TWIN),
        chat_requires_key=_bool("TWIN_CHAT_REQUIRES_KEY", False),
        chat_rate_limit=RateLimit.parse("TWIN_CHAT_RATE_LIMIT", "30/60"),
        ingest_rate_limit=RateLimit.parse("TWIN_INGEST_RATE_LIMIT", "60/60"),
        daily_token_budget=_int("TWIN_DAILY_TOKEN_BUDGET", 200_000),
        cache_ttl_s=_int("TWIN_CACHE_TTL_S", 3600),
        session_ttl_s=_int("TWIN_SESSION_TTL_S", 86_400),
        history_turns=_int("TWIN_HISTORY_TURNS", 6),
        ingest_metadata_ttl_s=_int("TWIN_INGEST_METADATA_TTL_S", 30 * 86_400),
        search_k=_int("TWIN_SEARCH_K", 5),
        min_relevance=_float("TWIN_MIN_RELEVANCE", 0.25),
        offline_min_relevance=_float("TWIN_OFFLINE_MIN_RELEVANCE", 0.08),
        hnsw_ef_search=_int("TWIN_HNSW_EF_SEARCH", 100),
    )
