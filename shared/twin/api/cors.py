"""CORS for the widget: an explicit allow-list of origins (``TWIN_CORS_ORIGINS``), never ``*`` with credentials.

Starlette's middleware does the protocol; this subclass only makes a refused preflight speak
the service's JSON error envelope, like every other error.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp

from twin.errors import error_body

ALLOWED_HEADERS = ("content-type", "authorization", "x-api-key")
EXPOSED_HEADERS = ("retry-after", "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")


class TwinCORS(CORSMiddleware):
    def __init__(self, app: ASGIApp, *, origins: Sequence[str]) -> None:
        # No cookies or HTTP auth cross-origin: keys travel in headers the page sets itself.
        super().__init__(app, allow_origins=list(origins), allow_credentials=False,
                         allow_methods=["GET", "POST", "DELETE", "OPTIONS"], allow_headers=list(ALLOWED_HEADERS),
                         expose_headers=list(EXPOSED_HEADERS), max_age=600)

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        origin = request_headers.get("origin", "")
        return JSONResponse(error_body("cors_not_allowed", f"origin {origin!r} may not call this API from a "
                                       "browser; add it to TWIN_CORS_ORIGINS"), status_code=403,
                            headers={k: v for k, v in response.headers.items() if k.lower() != "content-length"})
