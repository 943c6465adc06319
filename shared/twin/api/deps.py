"""FastAPI dependencies of the HTTP edge: the JSON body, the caller (key + rate limit), the caller's address.

Declared as ``Annotated[..., Depends()]`` aliases so a route's signature says what it needs and
``/docs`` shows the API-key security scheme. Each dependency is one database round trip at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from twin import runtime
from twin.access.apikeys import ApiKey, authenticate, key_from_headers
from twin.access.ratelimit import RateDecision, check_request
from twin.config import RateLimit
from twin.validation import parse_json_body

# auto_error=False: a missing key is our own 401 with a stable code, not FastAPI's 403.
bearer_scheme = HTTPBearer(auto_error=False, description="an API key as `Authorization: Bearer <key>`")
api_key_scheme = APIKeyHeader(name="x-api-key", auto_error=False, description="an API key as `x-api-key: <key>`")


async def json_body(request: Request) -> Any:
    """The body parsed as JSON whatever the content type says: `sam local generate-event`
    and some real clients send JSON with no content-type header (and Mangum has already
    decoded a base64 body by the time it gets here)."""
    return parse_json_body(await request.body())


JsonBody = Annotated[Any, Depends(json_body)]


def client_ip(request: Request) -> str:
    """The caller's address as API Gateway saw it (requestContext), else the socket peer.

    Never a client-supplied header such as X-Forwarded-For, which anyone can forge to dodge a
    rate limit; the local server trusts no proxy unless TWIN_FORWARDED_ALLOW_IPS names one.
    """
    event: dict[str, Any] = request.scope.get("aws.event") or {}
    context = event.get("requestContext") or {}
    ip = (context.get("http") or {}).get("sourceIp") or (context.get("identity") or {}).get("sourceIp")
    if ip:
        return str(ip)
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class Caller:
    key: ApiKey | None
    subject: str  # who the limits count against: "key:<id>" or "ip:<address>"
    limits: RateDecision

    def twin_for(self, requested: str | None) -> str:
        """The twin this caller acts for: a key's own twin (another is refused), else the one the
        request names, else the server's default."""
        from twin.access.apikeys import authorize_twin

        if self.key is not None:
            return authorize_twin(self.key, requested)
        return requested or runtime.settings().default_twin


def admit(request: Request, *, scope: str, route: str, limit: RateLimit, require_key: bool,
          daily_token_budget: int | None = None) -> Caller:
    """Authenticate (when a key is required or sent) and count the request, in one unit of work."""
    raw_key = key_from_headers(request.headers)

    def work(conn: Any) -> Caller:
        key: ApiKey | None = None
        if require_key or raw_key:
            key = authenticate(conn, raw_key, scope=scope)
        subject = f"key:{key.key_id}" if key else f"ip:{client_ip(request)}"
        decision = check_request(conn, route=route, subject=subject, limit=limit,
                                 daily_token_budget=daily_token_budget)
        return Caller(key=key, subject=subject, limits=decision)

    return runtime.database().run(work)


def _schemes(_bearer: Annotated[HTTPAuthorizationCredentials | None, Security(bearer_scheme)],
             _header: Annotated[str | None, Security(api_key_scheme)]) -> None:
    """Only declares the security schemes for OpenAPI; ``key_from_headers`` reads the key."""


def ingest_caller(request: Request, _: Annotated[None, Depends(_schemes)]) -> Caller:
    settings = runtime.settings()
    return admit(request, scope="ingest", route="ingest", limit=settings.ingest_rate_limit, require_key=True)


def chat_caller(request: Request, _: Annotated[None, Depends(_schemes)]) -> Caller:
    settings = runtime.settings()
    return admit(request, scope="chat", route="chat", limit=settings.chat_rate_limit,
                 require_key=settings.chat_requires_key, daily_token_budget=settings.daily_token_budget)


IngestCaller = Annotated[Caller, Depends(ingest_caller)]
ChatCaller = Annotated[Caller, Depends(chat_caller)]
