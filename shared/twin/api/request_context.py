"""What the edge needs from a request: its JSON body, its caller's key and address."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from twin.validation import parse_json_body


async def json_body(request: Request) -> Any:
    """The body parsed as JSON whatever the content type says: `sam local generate-event`
    and some real clients send JSON with no content-type header (and Mangum has already
    decoded a base64 body by the time it gets here)."""
    return parse_json_body(await request.body())


def client_ip(request: Request) -> str:
    """The caller's address as API Gateway saw it (requestContext), never a client-supplied
    header such as X-Forwarded-For, which anyone can forge to dodge a rate limit."""
    event: dict[str, Any] = request.scope.get("aws.event") or {}
    context = event.get("requestContext") or {}
    ip = (context.get("http") or {}).get("sourceIp") or (context.get("identity") or {}).get("sourceIp")
    if ip:
        return str(ip)
    return request.client.host if request.client else "unknown"


def request_id(request: Request) -> str | None:
    event: dict[str, Any] = request.scope.get("aws.event") or {}
    value = (event.get("requestContext") or {}).get("requestId")
    return str(value) if value else None
