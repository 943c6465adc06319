"""The visitors' page (GET /, /chat), the embeddable widget (GET /widget.js) and their assets.

Plain files shipped inside the package: no build step, no CDN, nothing fetched at run time.
Served with a validator (ETag) and a short cache so a personal site embedding the widget does
not re-download it on every page view.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from twin.errors import NotFound

STATIC_DIR = Path(__file__).resolve().parent / "static"
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png"}
router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=1)
def _assets() -> dict[str, tuple[bytes, str, str]]:
    """Every shipped asset by file name, read once: a request names one of these or gets a 404,
    and no path is ever built from what the client sent (no traversal, no NUL in a path)."""
    assets = {}
    for path in STATIC_DIR.iterdir():
        if path.is_file() and path.suffix in _TYPES:
            body = path.read_bytes()
            assets[path.name] = (body, _TYPES[path.suffix], '"' + hashlib.sha256(body).hexdigest()[:20] + '"')
    return assets


def _asset(name: str) -> tuple[bytes, str, str]:
    found = _assets().get(name)
    if found is None:
        raise NotFound(f"no asset {name!r}", code="asset_not_found")
    return found


def _serve(request: Request, name: str, *, max_age: int = 300) -> Response:
    body, media_type, etag = _asset(name)
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}",
               "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    if name.endswith(".html"):
        # The page talks only to its own origin; nothing else may be loaded or framed around it.
        headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' data:; style-src 'self'; "
                                              "script-src 'self'; connect-src 'self'; frame-ancestors 'none'")
        headers["Cache-Control"] = "no-cache"
    return Response(body, media_type=media_type, headers=headers)


@router.get("/")
@router.get("/chat")
async def page(request: Request) -> Response:
    return _serve(request, "index.html")


@router.get("/widget.js")
async def widget(request: Request) -> Response:
    return _serve(request, "widget.js")


@router.get("/static/{name}")
async def asset(request: Request, name: str) -> Response:
    return _serve(request, name)
