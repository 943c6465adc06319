"""Fixed-window request limits and a daily token budget, kept in the seed's rate_limits table.

Each request costs one SQL statement (an upsert that counts it and reads the token budget),
so there is no read-then-write window in which concurrent requests slip past the limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from psycopg.rows import class_row, scalar_row

from twin.config import RateLimit
from twin.errors import RateLimited
from twin.storage.db import Conn
from twin.storage.sqlfile import query


@dataclass(frozen=True)
class WindowCount:
    """One counted request: the window's count so far, seconds until it resets, today's tokens."""

    count: int
    reset_s: int
    tokens_used: int


@dataclass(frozen=True)
class RateDecision:
    limit: int
    remaining: int
    reset_s: int
    tokens_used: int

    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_s),
        }


def _day_end(now: datetime) -> datetime:
    return datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)


def budget_key(subject: str, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"tokens:{subject}:{now:%Y-%m-%d}"


def check_request(conn: Conn, *, route: str, subject: str, limit: RateLimit, daily_token_budget: int | None = None,
                  ) -> RateDecision:
    """Count this request; raise RateLimited (with Retry-After and RateLimit-* headers) when the
    caller is over the request limit or has spent today's token budget."""
    now = datetime.now(UTC)
    key = f"rl:{route}:{subject}"
    with conn.cursor(row_factory=class_row(WindowCount)) as cur:
        if daily_token_budget is None:
            hit = cur.execute(query("access.hit_rate_limit"), {"key": key, "window_s": limit.window_s}).fetchone()
        else:
            hit = cur.execute(query("access.hit_rate_limit_with_budget"), {
                "key": key, "window_s": limit.window_s, "budget_key": budget_key(subject, now)}).fetchone()
    assert hit is not None
    count, reset_s, tokens_used = int(hit.count), int(hit.reset_s), int(hit.tokens_used)
    decision = RateDecision(limit=limit.limit, remaining=max(0, limit.limit - count), reset_s=reset_s,
                            tokens_used=tokens_used)
    if count > limit.limit:
        raise RateLimited(
            f"too many requests: the limit is {limit.limit} per {limit.window_s} s; retry in {reset_s} s",
            retry_after=reset_s, headers=decision.headers())
    if daily_token_budget is not None and tokens_used >= daily_token_budget:
        until_midnight = max(1, int((_day_end(now) - now).total_seconds()))
        raise RateLimited(
            f"today's model token budget ({daily_token_budget} tokens) is spent; it resets at 00:00 UTC",
            retry_after=until_midnight, headers=decision.headers(), code="token_budget_exceeded")
    return decision


def add_token_usage(conn: Conn, *, subject: str, tokens: int) -> int:
    if tokens <= 0:
        return 0
    now = datetime.now(UTC)
    with conn.cursor(row_factory=scalar_row) as cur:
        spent = cur.execute(query("access.add_token_usage"), {
            "key": budget_key(subject, now), "tokens": tokens, "expires_at": _day_end(now),
        }).fetchone()
    return int(spent) if spent is not None else 0
