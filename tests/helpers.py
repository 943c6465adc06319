"""Small helpers shared by tests: HTTP API events, API keys, row counts."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from twin.config import Settings

REPO = Path(__file__).resolve().parents[1]
EVENTS = REPO / "events"


def openai_settings(settings: Settings, base_url: str, **overrides: Any) -> Settings:
    options: dict[str, Any] = {"openai_api_key": "sk-test", "openai_base_url": base_url,
                               "openai_max_retries": 2, "openai_timeout_s": 2.0, **overrides}
    return replace(settings, **options)


def stub_settings(stub: Any, **overrides: Any) -> Settings:
    """Settings that send the real OpenAI SDK to the local stub, failing fast."""
    return openai_settings(Settings(), stub.base_url, **{"openai_api_key": "test", "openai_timeout_s": 1.0,
                                                         **overrides})


def http_v2_event(method: str, path: str, *, body: Any = None, headers: dict[str, str] | None = None,
                  base64_body: bool = False, raw_body: str | None = None, source_ip: str = "203.0.113.9",
                  query: str = "") -> dict[str, Any]:
    text = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
    event: dict[str, Any] = {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": query,
        "headers": {"host": "api.example.com", **(headers or {})},
        "requestContext": {
            "accountId": "123456789012", "apiId": "api", "domainName": "api.example.com", "stage": "$default",
            "requestId": "req-1", "time": "27/Nov/2026:14:00:00 +0000", "timeEpoch": 1795788000000,
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": source_ip,
                     "userAgent": "pytest"},
        },
        "isBase64Encoded": base64_body,
    }
    if text is not None:
        event["body"] = base64.b64encode(text.encode()).decode() if base64_body else text
    return event


def lambda_response_json(response: dict[str, Any]) -> Any:
    body = response.get("body") or ""
    if response.get("isBase64Encoded"):
        body = base64.b64decode(body).decode()
    return json.loads(body) if body else None


def count(conn: Any, sql: Any, params: Any = None) -> int:
    row = conn.execute(sql, params).fetchone()
    return int(row[0]) if row else 0
