"""Authentication and rate limiting at the edge, in one database round trip each."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from twin.access.apikeys import ApiKey, authenticate, key_from_headers
from twin.access.ratelimit import RateDecision, check_request
from twin.api.request_context import client_ip
from twin.config import RateLimit
from twin.storage.db import Conn


@dataclass(frozen=True)
class Caller:
    key: ApiKey | None
    subject: str  # who the limits count against: "key:<id>" or "ip:<address>"
    limits: RateDecision


def admit(conn: Conn, request: Request, *, scope: str, route: str, limit: RateLimit, require_key: bool,
          daily_token_budget: int | None = None) -> Caller:
    raw_key = key_from_headers(request.headers)
    key: ApiKey | None = None
    if require_key or raw_key:
        key = authenticate(conn, raw_key, scope=scope)
    subject = f"key:{key.key_id}" if key else f"ip:{client_ip(request)}"
    decision = check_request(conn, route=route, subject=subject, limit=limit, daily_token_budget=daily_token_budget)
    return Caller(key=key, subject=subject, limits=decision)
